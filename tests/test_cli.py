"""`finemotion` on the official files: scoring, random baseline, prepare."""

import json
import math
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from conftest import MABENCH_REFERENCE, require

from finemotion_eval.cli import main
from finemotion_eval.mabench_tasks.dataset import CLOSED_TASKS, load_official

FINEMOTION = str(Path(sys.executable).parent / "finemotion")


@pytest.fixture(scope="module")
def sample_file():
    return require(MABENCH_REFERENCE / "mabench_data_sample_100.json")


def score(predictions: Path, answers: Path, tmp_path: Path) -> dict:
    out = tmp_path / "score.json"
    assert main(["mabench", "score", "--predictions", str(predictions), "--answers", str(answers), "--json", str(out)]) == 0
    return json.loads(out.read_text())


def test_sample_scored_against_itself_is_perfect(sample_file, tmp_path):
    result = score(sample_file, sample_file, tmp_path)
    assert result["accuracy"] == {task: 100.0 for task in CLOSED_TASKS}
    assert result["average"] == 100.0


def test_shuffled_sample_scores_near_chance(sample_file, tmp_path):
    rows = json.loads(sample_file.read_text())
    rng = random.Random(0)
    by_task: dict[str, list[dict]] = {}
    for row in rows:
        by_task.setdefault(row["task"], []).append(row)
    expected = {}
    for task, task_rows in by_task.items():
        answers = [r["answer"] for r in task_rows]
        rng.shuffle(answers)
        for row, answer in zip(task_rows, answers):
            row["answer"] = answer
        # A random permutation of the answers matches with probability sum_k (n_k/n)^2 per question.
        counts = Counter(answers)
        expected[task] = 100 * sum((c / len(answers)) ** 2 for c in counts.values())
    shuffled = tmp_path / "shuffled.json"
    shuffled.write_text(json.dumps(rows))
    result = score(shuffled, sample_file, tmp_path)
    for task in CLOSED_TASKS:
        n = result["questions"][task]
        p = expected[task] / 100
        assert abs(result["accuracy"][task] - expected[task]) < 4 * 100 * math.sqrt(p * (1 - p) / n), task


def test_random_baseline_reproduces_the_papers_random_row(sample_file, tmp_path, capsys):
    questions = require(MABENCH_REFERENCE / "mabench_data.json")
    submission = tmp_path / "random.json"
    assert main(["mabench", "random", "--questions", str(questions), "--seed", "0", "--out", str(submission)]) == 0
    printed = capsys.readouterr().out
    # Expected accuracy of uniform guessing over the official file: 100/7, 20, then 50 for Yes/No tasks.
    assert "CMAR   14.29" in printed and "FMAR   20.00" in printed and "SAD    50.00" in printed
    predictions = json.loads(submission.read_text())["answers"]
    assert len(predictions) == 10000
    # Scored on the 1,000 answered questions of the sample, each task lands within 3.5 standard errors.
    result = score(submission, sample_file, tmp_path)
    for task, chance in {"CMAR": 1 / 7, "FMAR": 0.2, "SAD": 0.5, "MAD": 0.5, "MAS": 0.5, "PPR": 0.5}.items():
        n = result["questions"][task]
        assert abs(result["accuracy"][task] / 100 - chance) < 3.5 * math.sqrt(chance * (1 - chance) / n), task
    # The paper's Random AVG (39.05) is the mean of the expectations with CMAR = 100/7.
    assert round((100 / 7 + 20 + 4 * 50) / 6, 2) == 39.05


def test_random_submission_is_deterministic(sample_file, tmp_path):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    for out in (first, second):
        subprocess.run([FINEMOTION, "mabench", "random", "--questions", str(sample_file), "--seed", "3", "--out", str(out)],
                       check=True, capture_output=True, env={"PYTHONHASHSEED": str(hash(out) % 1000), "PATH": ""})
    assert first.read_text() == second.read_text()


def test_prepare_reports_stripped_codes_and_refuses_missing_videos(tmp_path, isolated_config):
    questions = require(MABENCH_REFERENCE / "mabench_data.json")
    (tmp_path / "videos").mkdir()
    run = subprocess.run([FINEMOTION, "mabench", "prepare", "--questions", str(questions), "--videos", str(tmp_path / "videos"),
                          "--out", str(tmp_path / "out")], capture_output=True, text=True,
                         env={"FINEMOTION_CONFIG": str(isolated_config), "PATH": ""})
    assert run.returncode == 2
    assert "stripped leaked option codes: 94" in run.stdout
    assert "1000 of the videos" in run.stderr and "--allow-missing-videos" in run.stderr
    assert not (tmp_path / "out").exists() and not isolated_config.exists()


def test_prepare_records_the_folder_for_lmms_eval(sample_file, tmp_path, isolated_config):
    from finemotion_eval import locations

    assert main(["mabench", "prepare", "--questions", str(sample_file), "--videos", str(tmp_path), "--out",
                 str(tmp_path / "prepared"), "--allow-missing-videos"]) == 0
    assert locations.data_dir(locations.MABENCH) == (tmp_path / "prepared").resolve()
    assert len(load_official(sample_file)[0]) == 1200


def test_unconfigured_data_is_a_clear_error():
    from finemotion_eval import locations

    with pytest.raises(locations.DataNotConfiguredError, match="finemotion mabench prepare"):
        locations.data_dir(locations.MABENCH)


def test_tasks_dir(capsys):
    assert main(["tasks-dir"]) == 0
    folders = [Path(line) for line in capsys.readouterr().out.splitlines()]
    assert [f.name for f in folders] == ["mabench_tasks", "favor_tasks"]
    assert (folders[0] / "mabench_cmar.yaml").is_file() and (folders[1] / "favor_as.yaml").is_file()
