"""Prompt choice through lmms_eval_specific_kwargs: the keys a task reads, and an error for any other."""

import pytest

from finemotion_eval.mabench_tasks import closed
from finemotion_eval.mabench_tasks import open as open_task
from finemotion_eval.prompts import prompt_files, read_prompt

CMAR = {"task": "CMAR", "question": "Which group?", "options": ["Body", "Head"]}
SAD = {"task": "SAD", "question": "Does the head turn left?", "options": []}


def test_defaults_and_overrides():
    assert closed.doc_to_text(CMAR, None).startswith("Which group?")
    starter = read_prompt("mabench/starter_kit.txt").format(question="Does the head turn left?")
    # lmms-eval merges the `default` block into the top level and keeps it (and per-model blocks) beside.
    kwargs = {"default": {"yes_no_prompt": "mabench/starter_kit.txt"}, "yes_no_prompt": "mabench/starter_kit.txt",
              "qwen2_vl": {"yes_no_prompt": "mabench/closed_yes_no.txt"}}
    assert closed.doc_to_text(SAD, kwargs) == starter
    assert prompt_files({"open_prompt": "mabench/starter_kit.txt"}, {"open_prompt": "mabench/open.txt"}) == {
        "open_prompt": "mabench/starter_kit.txt"}


@pytest.mark.parametrize("hook, doc", [(closed.doc_to_text, CMAR), (open_task.doc_to_text, SAD)])
def test_an_unknown_prompt_key_is_an_error_naming_the_keys_read(hook, doc):
    with pytest.raises(ValueError, match=r"unknown prompt key\(s\) prompt in lmms_eval_specific_kwargs; this task reads: "):
        hook(doc, {"prompt": "mabench/starter_kit.txt"})
