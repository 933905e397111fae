"""The failure marker our adapters answer with, and lmms-eval's own, as the tasks read them."""

from finemotion_eval.model_adapters.failures import failed_output, failure_count, failure_reason


def test_our_marker_carries_its_reason_and_answers_are_not_failures():
    assert failure_reason(failed_output("HTTP 500 from the endpoint")) == "HTTP 500 from the endpoint"
    assert failure_reason("The answer is B.") is None
    assert failure_reason("") is None
    assert failure_reason("[finemotion: no answer: but a model that says so and goes on") is None


def test_lmms_eval_request_failures_are_failures_too():
    output = "[LMMS_EVAL_REQUEST_FAILED after 5 retries] Error code: 500"
    assert failure_reason(output) == output


def test_failure_count_counts_and_names_the_first(capsys):
    records = [{"task": "CMAR", "qid": "CMAR_0001", "model_failure": None},
               {"task": "CMAR", "qid": "CMAR_0002", "model_failure": "HTTP 500"},
               {"task": "CMAR", "qid": "CMAR_0003", "model_failure": "timed out"}]
    assert failure_count(records) == 2
    assert "CMAR: 2 of 3 questions got no answer from the model (first: CMAR_0002: HTTP 500)" in capsys.readouterr().err
