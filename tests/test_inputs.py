"""User-given files: each problem is an exit-2 error naming the file, record and field; nothing is coerced."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MABENCH_REFERENCE, require

from finemotion_eval.inputs import InputFileError, read_json
from finemotion_eval.mabench_tasks.submission import read_predictions

BIN = Path(sys.executable).parent


def write(path: Path, content) -> Path:
    path.write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode())
    return path


@pytest.mark.parametrize("content, message", [
    ({"CMAR_0001": "A"}, "neither a submission ({'answers': [...]}) nor a list of answered questions (got dict)"),
    ({"answers": {"qid": "CMAR_0001"}}, "'answers' must be a list, got dict"),
    ({"answers": [{"qid": "CMAR_0001", "pred_answer": True}]},
     "record 0 (CMAR_0001): field 'pred_answer' must be a str, got bool True"),
    ([{"qid": "CMAR_0001", "answer": ["C"]}], "record 0 (CMAR_0001): field 'answer' must be a str, got list ['C']"),
    ([{"answer": "C"}], "record 0: no field 'qid' (fields: answer)"),
    ([{"qid": 7, "answer": "C"}], "record 0: field 'qid' must be a str, got int 7"),
    ([{"qid": "SAD_0001", "answer": "Yes"}, {"qid": "SAD_0001", "answer": "No"}], "record 1: question SAD_0001 is answered twice"),
    (["CMAR_0001"], "record 0: expected an object, got str"),
    (b"{not json", "not valid JSON (line 1, column 2: Expecting property name enclosed in double quotes)"),
    (b'[{"qid": "CMAR_0001", "answer": "\xe9"}]', "not UTF-8 text (byte 33: b'\\xe9\"}]'); save the predictions file as UTF-8"),
])
def test_bad_prediction_files_are_named_errors(tmp_path, content, message):
    path = write(tmp_path / "pred.json", content)
    with pytest.raises(InputFileError) as raised:
        read_predictions(path)
    assert str(raised.value) == f"{path}: {message}"


def test_cli_score_reports_the_problem_without_a_traceback(tmp_path):
    answers = require(MABENCH_REFERENCE / "mabench_data_sample_100.json")
    path = write(tmp_path / "pred.json", {"answers": [{"qid": "CMAR_0001", "pred_answer": True}]})
    run = subprocess.run([str(BIN / "finemotion"), "mabench", "score", "--predictions", str(path), "--answers", str(answers)],
                         capture_output=True, text=True)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert run.stderr.strip() == (f"finemotion: error: {path}: record 0 (CMAR_0001): field 'pred_answer' must be a str, "
                                  "got bool True")


def test_cli_question_and_caption_files(tmp_path):
    questions = write(tmp_path / "q.json", {"not": "a list"})
    run = subprocess.run([str(BIN / "finemotion"), "mabench", "prepare", "--questions", str(questions), "--videos",
                          str(tmp_path), "--out", str(tmp_path / "out"), "--no-record"], capture_output=True, text=True)
    assert run.returncode == 2 and "expected a JSON list of question objects, got dict" in run.stderr
    captions = write(tmp_path / "captions.json", {"video_1": ["a", "list"]})
    run = subprocess.run([str(BIN / "finemotion"), "favor", "llm-free", "--pred", str(captions), "--gt", str(captions),
                          "--out", str(tmp_path / "s.json")], capture_output=True, text=True)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert f"{captions}: video 'video_1': expected a str, got list" in run.stderr


def test_lone_surrogates_become_the_replacement_character(tmp_path):
    path = write(tmp_path / "captions.json", b'{"v1": "A man waves \\ud800 his hand."}')
    assert read_json(path, "caption") == {"v1": "A man waves \ufffd his hand."}
    assert read_json(write(tmp_path / "bom.json", b'\xef\xbb\xbf["ok"]'), "caption") == ["ok"]
