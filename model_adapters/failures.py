"""How a model adapter says "no answer" to the tasks, and how the tasks recognise it (no harness import).

lmms-eval needs a string for every request, so a request that failed for good (an endpoint error after its
retries, a clip that does not decode) is answered with a marker instead of text. The tasks never score a
marker as an answer: they count it as a model failure, leave it out of the accuracy and say so. lmms-eval's
own adapters answer ``[LMMS_EVAL_REQUEST_FAILED ...]`` in the same situation; that is recognised too.
"""

from __future__ import annotations

from finemotion_eval.notices import notice, survives

__all__ = ["failed_output", "failure_count", "failure_reason"]

_OURS = "[finemotion: no answer: "
_LMMS_EVAL = "[LMMS_EVAL_REQUEST_FAILED"


def failed_output(reason: str) -> str:
    """The text an adapter returns for a request that got no answer, carrying the reason."""
    return f"{_OURS}{reason}]"


def failure_reason(output: str) -> str | None:
    """Why ``output`` is not an answer (a failure marker), or None when it is the model's answer."""
    if output.startswith(_OURS) and output.endswith("]"):
        return output[len(_OURS) : -1]
    if output.startswith(_LMMS_EVAL):
        return output  # "[LMMS_EVAL_REQUEST_FAILED after N retries] <error>" says it all
    return None


@survives
def failure_count(records: list[dict]) -> int:
    """The ``model_failures`` aggregation of our tasks: records whose output was a failure marker.

    Those questions are left out of every score of the task; this says so on stderr, naming the first.
    """
    failed = [r for r in records if r.get("model_failure")]
    if failed:
        first = failed[0]
        notice(f"{first.get('task', 'a task')}: {len(failed)} of {len(records)} questions got no answer from the model "
               f"(first: {first.get('qid') or first.get('video_name')}: {first['model_failure']}); they are left out "
               "of its scores. Run again to retry them (our adapters re-send only requests without an answer).")
    return len(failed)
