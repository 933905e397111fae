"""``finemotion_motion``: the tracker-grounded baseline, no neural language model.

Each clip is tracked once (``tracker.cache``: records cached per clip bytes and tracker configuration),
then every question about it is answered from its descriptor (``motion_baseline.answer``). A clip the
tracker cannot describe (no person, unreadable file) fails its questions with the reason, never the run.
Yes/No questions the parser cannot map get a seeded guess; how many, per task, is printed at the end and
recorded per sample (``finemotion_provenance.answered_by``).

``--model_args seed=0,workers=2,tracker=skeleton=mediapipe;max_side=480,classifier=PATH``: ``workers``
processes track the clips not cached yet before any question is answered; ``tracker`` settings are separated
by ``;`` inside lmms-eval's comma-separated model_args.
"""

from __future__ import annotations

from collections import Counter

from lmms_eval.api.instance import Instance
from lmms_eval.api.model import lmms
from tqdm import tqdm

from finemotion_eval.mabench_tasks.dataset import TASKS as MABENCH_TASKS
from finemotion_eval.model_adapters import provenance
from finemotion_eval.model_adapters.failures import failed_output
from finemotion_eval.motion_baseline.answer import UNPARSED, UNSETTLED, answer_question
from finemotion_eval.motion_baseline.classifier import WEIGHTS_FILE, MotionClassifier
from finemotion_eval.notices import notice
from finemotion_eval.synth.descriptors import ClipDescriptor
from finemotion_eval.tracker.cache import DescriptorCache
from finemotion_eval.tracker.pipeline import TrackerConfig

NAME = "finemotion_motion"


class MotionBaseline(lmms):
    def __init__(self, seed: int = 0, tracker: str = "", classifier: str = str(WEIGHTS_FILE), workers: int = 1,
                 **kwargs) -> None:
        super().__init__()
        self.seed = int(seed)
        self.workers = int(workers)
        self.cache = DescriptorCache(TrackerConfig.parse(str(tracker).replace(";", ",")))
        self.classifier = MotionClassifier.load(classifier)

    def _descriptor(self, video: str, known: dict) -> ClipDescriptor | str:
        """The clip's descriptor, or the reason there is none (kept per clip: one failure per clip)."""
        if video not in known:
            try:
                known[video] = ClipDescriptor.from_dict(self.cache.record(video)["descriptor"])
            except Exception as err:  # a clip the tracker cannot read or describe fails its questions only
                known[video] = f"{type(err).__name__}: {err}"
        return known[video]

    def generate_until(self, requests: list[Instance]) -> list[str]:
        answers, known, guesses, asked = [], {}, Counter(), Counter()
        clips = {}
        for request in requests:  # every clip tracked up front, in parallel, before any answer
            _prompt, _gen_kwargs, doc_to_visual, doc_id, task, split = request.args
            if self.task_dict[task][split][doc_id].get("task") not in MABENCH_TASKS:
                raise ValueError(f"{NAME} answers MA-Bench and MA-Synth tasks only, not {task}")
            try:
                clips.setdefault(doc_to_visual(self.task_dict[task][split][doc_id])[0], None)
            except Exception:  # a missing clip: its question fails below, with the reason
                pass
        known.update(self.cache.prefetch(clips, workers=self.workers))  # failed clips: the reason, asked no further
        for request in tqdm(requests, desc=NAME, disable=len(requests) < 100):
            _prompt, _gen_kwargs, doc_to_visual, doc_id, task, split = request.args
            doc = self.task_dict[task][split][doc_id]
            try:
                video = doc_to_visual(doc)[0]
            except Exception as err:
                answers.append(failed_output(f"{type(err).__name__}: {err}"))
                continue
            descriptor = self._descriptor(video, known)
            if isinstance(descriptor, str):
                answers.append(failed_output(descriptor))
                continue
            result = answer_question(doc["task"], doc["qid"], doc["question"], doc.get("options") or [], descriptor,
                                     self.classifier, self.seed)
            asked[doc["task"]] += 1
            guesses[doc["task"]] += result.how in (UNPARSED, UNSETTLED)
            provenance.record(task, doc_id, {"adapter": NAME, "video": video, "tracker": self.cache.config.key(),
                                             "answered_by": result.how, "detail": result.detail})
            answers.append(result.text)
        if sum(guesses.values()):
            per_task = ", ".join(f"{t} {guesses[t]}/{asked[t]}" for t in asked if guesses[t])
            notice(f"{NAME}: {sum(guesses.values())} Yes/No questions answered by a seeded guess (question not parsed "
                   f"or not settled by the descriptor): {per_task}")
        notice(f"{NAME}: {len(known)} clips, {self.cache.tracked} tracked in this run; records in {self.cache.folder}")
        return answers

    def loglikelihood(self, requests: list[Instance]) -> list[tuple[float, bool]]:
        raise NotImplementedError(f"{NAME} only answers generation tasks")

    def generate_until_multi_round(self, requests: list[Instance]) -> list[str]:
        raise NotImplementedError(f"{NAME} only answers single-turn generation tasks")
