"""`finemotion mabench export`: one run of MA-Bench tasks only, closed and open answers."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from finemotion_eval.mabench_tasks.dataset import MABenchFormatError
from finemotion_eval.mabench_tasks.submission import run_sample_logs, submission_from_samples

BIN = Path(sys.executable).parent


def write_log(folder: Path, run: str, task: str, records: list[dict], metric: str = "unparseable") -> Path:
    """A sample log as lmms-eval writes it for our tasks: one JSON object per sample, the record under ``metric``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{run}_samples_{task}.jsonl"
    path.write_text("".join(json.dumps({"doc_id": i, metric: record}) + "\n" for i, record in enumerate(records)))
    return path


def closed(qid: str, prediction: str | None, output: str = "") -> dict:
    return {"qid": qid, "task": qid.split("_")[0], "prediction": prediction, "output": output, "answer": None}


def test_closed_and_open_answers_of_one_run(tmp_path):
    run = tmp_path / "out" / "model"
    write_log(run, "20261127_101010", "mabench_cmar", [closed("CMAR_0001", "B"), closed("CMAR_0002", None, "maybe the head")])
    write_log(run, "20261127_101010", "mabench_madu", [{"qid": "MADU_0001", "task": "MADU", "ground_truth": None,
                                                         "prediction": "The head nods twice."}], metric="judge_failures")
    submission = submission_from_samples([tmp_path / "out"], {"CMAR": "choice prompt", "MADU": "open prompt"})
    assert submission == {
        "prompts": [{"task": "CMAR", "system_prompt": "choice prompt"}, {"task": "MADU", "system_prompt": "open prompt"}],
        "answers": [{"qid": "CMAR_0001", "pred_answer": "B"}, {"qid": "CMAR_0002", "pred_answer": "maybe the head"},
                    {"qid": "MADU_0001", "pred_answer": "The head nods twice."}],
    }


def test_another_benchmarks_samples_are_refused(tmp_path):
    write_log(tmp_path, "20261127_101010", "mabench_cmar", [closed("CMAR_0000", "A")])
    synth = write_log(tmp_path, "20261127_111111", "mabench_synth_cmar", [closed("CMAR_0000", "C")])
    with pytest.raises(MABenchFormatError, match=f"{synth}: samples of mabench_synth_cmar, not of an MA-Bench task"):
        run_sample_logs([tmp_path])


def test_two_runs_in_one_folder_are_refused_not_merged(tmp_path):
    write_log(tmp_path, "20261127_101010", "mabench_cmar", [closed("CMAR_0000", "A")])
    write_log(tmp_path, "20261127_121212", "mabench_cmar", [closed("CMAR_0000", "C")])
    with pytest.raises(MABenchFormatError, match="these hold 2 lmms-eval runs; take one at a time"):
        run_sample_logs([tmp_path])
    # Naming one run's files exports it.
    assert len(run_sample_logs([tmp_path / "20261127_121212_samples_mabench_cmar.jsonl"])) == 1


def test_cli_says_why_without_a_traceback(tmp_path):
    write_log(tmp_path, "20261127_101010", "mabench_cmar", [closed("CMAR_0000", "A")])
    write_log(tmp_path, "20261127_121212", "mabench_cmar", [closed("CMAR_0000", "C")])
    run = subprocess.run([str(BIN / "finemotion"), "mabench", "export", "--samples", str(tmp_path), "--out",
                          str(tmp_path / "submission.json")], capture_output=True, text=True)
    assert run.returncode == 2 and "take one at a time" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "submission.json").exists()
