"""``finemotion_random``: answers every closed question by a seeded uniform draw over its options.

It reproduces the paper's Random row (1/7 on CMAR, 1/5 on FMAR, 1/2 on the Yes/No tasks; 1/5 on FAVOR's
tasks) and is the baseline of ``make demo``. The draw depends only on (seed, question id), never on run
order or hash seeds, and equals ``finemotion mabench random``'s.
It still asks each question's task for its visuals, so a missing clip fails the run as it would for a
real model.
"""

from __future__ import annotations

from lmms_eval.api.instance import Instance
from lmms_eval.api.model import lmms
from tqdm import tqdm

from finemotion_eval.model_adapters import provenance
from finemotion_eval.model_adapters.random_choice import random_answer


class RandomBaseline(lmms):
    def __init__(self, seed: int = 0, **kwargs) -> None:
        super().__init__()
        self.seed = int(seed)

    def generate_until(self, requests: list[Instance]) -> list[str]:
        answers = []
        for request in tqdm(requests, desc="finemotion_random", disable=len(requests) < 100):
            prompt, _gen_kwargs, doc_to_visual, doc_id, task, split = request.args
            doc = self.task_dict[task][split][doc_id]
            doc_to_visual(doc)  # a missing clip must fail here too
            provenance.record(task, doc_id, {"adapter": "finemotion_random", "frames_seen": 0})
            answers.append(random_answer(task, doc, self.seed))
        return answers

    def loglikelihood(self, requests: list[Instance]) -> list[tuple[float, bool]]:
        raise NotImplementedError("finemotion_random only answers generation tasks")

    def generate_until_multi_round(self, requests: list[Instance]) -> list[str]:
        raise NotImplementedError("finemotion_random only answers single-turn generation tasks")
