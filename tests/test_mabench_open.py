"""MADU/MARE through lmms-eval against a loopback OpenAI-compatible judge."""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from judge_server import JudgeServer
from mabench_fixture import build_synthetic

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    root = tmp_path_factory.mktemp("open")
    questions, videos = build_synthetic(root / "fixture", clips=3)
    subprocess.run([str(BIN / "finemotion"), "mabench", "prepare", "--questions", str(questions), "--videos", str(videos),
                    "--out", str(root / "prepared"), "--no-record"], check=True, capture_output=True)
    return root


def run_lmms_eval(prepared: Path, out: Path, tasks: str, server: JudgeServer, cache: Path) -> tuple[dict, str]:
    env = {**os.environ, "FINEMOTION_MABENCH_DIR": str(prepared / "prepared"), "FINEMOTION_JUDGE_BASE_URL": server.url,
           "FINEMOTION_JUDGE_MODEL": "loopback-judge", "FINEMOTION_JUDGE_API_KEY": "sk-test-secret-123",
           "FINEMOTION_JUDGE_CACHE": str(cache), "FINEMOTION_JUDGE_REPORTS": str(out / "judge_reports")}
    run = subprocess.run([str(BIN / "lmms-eval"), "--model", "dummy", "--model_args", "response=The head nods twice.",
                          "--tasks", tasks, "--batch_size", "1", "--output_path", str(out), "--log_samples"],
                         capture_output=True, text=True, env=env, timeout=600)
    files = sorted(out.rglob("*results.json"))
    assert files, run.stdout[-2000:] + run.stderr[-4000:]
    return json.loads(files[-1].read_text())["results"], run.stdout + run.stderr


def test_open_tasks_print_levels_average_and_failures(prepared, tmp_path):
    with JudgeServer(seed=1, fault_rate=0.3, faults=("429", "500")) as server:
        results, output = run_lmms_eval(prepared, tmp_path / "out", "mabench_open", server, tmp_path / "cache.sqlite")
        first_run_requests = server.total
    levels = {f"{task}_{level}": results[f"mabench_{task.lower()}"][f"{level},none"] for task in ("MADU", "MARE") for level in ("L1", "L2", "L3")}
    # Each level is the mean of the scores the judge gave, as its per-item report records them.
    for task in ("MADU", "MARE"):
        (report_file,) = (tmp_path / "out" / "judge_reports").glob(f"mabench_{task.lower()}_*.json")
        judged = [r["scores"] for r in json.loads(report_file.read_text())["results"] if r["scores"] is not None]
        assert len(judged) == 3
        for level in ("L1", "L2", "L3"):
            assert levels[f"{task}_{level}"] == pytest.approx(sum(scores[level] for scores in judged) / 3)
    assert results["mabench_open"]["open_avg,none"] == pytest.approx(sum(levels.values()) / 6)
    assert results["mabench_madu"]["judge_failures,none"] == 0 and results["mabench_mare"]["judge_failures,none"] == 0
    assert results["mabench_madu"]["n_scored,none"] == 3 and results["mabench_mare"]["n_scored,none"] == 3
    for name in ("L1", "L2", "L3", "open_avg", "judge_failures", "mabench_open"):
        assert name in output
    assert "sk-test-secret-123" not in output
    reports = sorted((tmp_path / "out" / "judge_reports").glob("*.json"))
    assert len(reports) == 2
    report = json.loads(reports[0].read_text())
    assert "sk-test-secret-123" not in reports[0].read_text()
    assert {r["judge_model"] for r in report["results"]} == {"loopback-judge"}
    # Re-running the same evaluation is answered from the judge cache: zero new requests.
    with JudgeServer(seed=1) as server:
        run_lmms_eval(prepared, tmp_path / "again", "mabench_open", server, tmp_path / "cache.sqlite")
        assert server.total == 0 and first_run_requests >= 6


def test_unparseable_judge_replies_are_counted_not_zero(prepared, tmp_path):
    with JudgeServer(seed=2, malformed="always") as server:
        results, _ = run_lmms_eval(prepared, tmp_path / "out", "mabench_madu", server, tmp_path / "cache.sqlite")
    assert results["mabench_madu"]["judge_failures,none"] == 3


def test_whole_benchmark_group_reports_the_mac2026_final_score(prepared, tmp_path):
    with JudgeServer(seed=3) as server:
        results, _ = run_lmms_eval(prepared, tmp_path / "out", "mabench", server, tmp_path / "cache.sqlite")
    closed = {t: results[f"mabench_{t}"]["accuracy,none"] for t in ("cmar", "fmar", "sad", "mad", "mas", "ppr")}
    open_sum = sum(results[f"mabench_{t}"][f"{lv},none"] for t in ("madu", "mare") for lv in ("L1", "L2", "L3"))
    assert results["mabench"]["mac2026_final,none"] == pytest.approx((sum(closed.values()) + 20 * open_sum) / 12)
    assert results["mabench"]["accuracy,none"] == pytest.approx(sum(closed.values()) / 6)
    # The final score is the group's alone: no task shows a term of it.
    assert [task for task, entry in results.items() if "mac2026_final,none" in entry] == ["mabench"]
    # The whole run exports to one MAC 2026 submission, open answers included.
    subprocess.run([str(BIN / "finemotion"), "mabench", "export", "--samples", str(tmp_path / "out"), "--out",
                    str(tmp_path / "submission.json")], check=True, capture_output=True)
    answers = json.loads((tmp_path / "submission.json").read_text())["answers"]
    assert {a["qid"].split("_")[0] for a in answers} == {"CMAR", "FMAR", "SAD", "MAD", "MAS", "PPR", "MADU", "MARE"}
    assert {a["pred_answer"] for a in answers if a["qid"].startswith(("MADU", "MARE"))} == {"The head nods twice."}


def test_without_a_judge_the_run_says_so_once_up_front_and_scores_are_nan(prepared, tmp_path):
    env = {**os.environ, "FINEMOTION_MABENCH_DIR": str(prepared / "prepared"), "FINEMOTION_JUDGE_MODEL": "",
           "FINEMOTION_JUDGE_CACHE": str(tmp_path / "cache.sqlite"), "FINEMOTION_JUDGE_REPORTS": str(tmp_path / "reports")}
    run = subprocess.run([str(BIN / "lmms-eval"), "--model", "dummy", "--tasks", "mabench_madu", "--batch_size", "1",
                          "--output_path", str(tmp_path / "out")], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         env=env, timeout=600)
    (results_file,) = (tmp_path / "out").rglob("*results.json")
    entry = json.loads(results_file.read_text())["results"]["mabench_madu"]
    assert all(math.isnan(entry[f"{level},none"]) for level in ("L1", "L2", "L3", "open_avg"))
    assert (entry["n_scored,none"], entry["judge_failures,none"]) == (0, 0)
    # Said when the task is built, before generation (lmms-eval silences Python warnings), and said once.
    said = "finemotion: mabench_madu: no judge configured"
    assert run.stdout.count(said) == 1
    assert run.stdout.index(said) < run.stdout.index("Running generate_until requests")


def test_a_judge_that_never_answers_is_bounded_by_the_settings_and_shows_progress(prepared, tmp_path):
    with JudgeServer(fault_rate=1.0, faults=("timeout",), hang_s=3.0) as server:
        env = {**os.environ, "FINEMOTION_MABENCH_DIR": str(prepared / "prepared"), "FINEMOTION_JUDGE_BASE_URL": server.url,
               "FINEMOTION_JUDGE_MODEL": "loopback-judge", "FINEMOTION_JUDGE_API_KEY": "sk-x",
               "FINEMOTION_JUDGE_CACHE": str(tmp_path / "cache.sqlite"), "FINEMOTION_JUDGE_REPORTS": str(tmp_path / "reports"),
               "FINEMOTION_JUDGE_TIMEOUT": "0.3", "FINEMOTION_JUDGE_RETRIES": "1"}
        run = subprocess.run([str(BIN / "lmms-eval"), "--model", "dummy", "--tasks", "mabench_madu", "--batch_size", "1",
                              "--output_path", str(tmp_path / "out")], capture_output=True, text=True, env=env, timeout=600)
        requests = server.total
    (results_file,) = (tmp_path / "out").rglob("*results.json")
    assert json.loads(results_file.read_text())["results"]["mabench_madu"]["judge_failures,none"] == 3
    assert requests == 3 * 2  # one attempt and one retry per item, each cut at 0.3 s
    report = json.loads(next((tmp_path / "reports").glob("mabench_madu_*.json")).read_text())
    assert {r["error"] for r in report["results"]} == {"gave up after 2 attempts, last: timed out after 0.3 s"}
    assert "judging (mabench_madu)" in run.stderr


def test_a_run_without_a_judge_is_rescored_later_from_its_sample_logs(prepared, tmp_path):
    env = {**os.environ, "FINEMOTION_MABENCH_DIR": str(prepared / "prepared"), "FINEMOTION_JUDGE_MODEL": ""}
    subprocess.run([str(BIN / "lmms-eval"), "--model", "dummy", "--model_args", "response=The head nods twice.", "--tasks",
                    "mabench", "--batch_size", "1", "--output_path", str(tmp_path / "out"), "--log_samples"],
                   check=True, capture_output=True, env=env, timeout=600)
    (results_file,) = (tmp_path / "out").rglob("*results.json")
    first = json.loads(results_file.read_text())["results"]
    assert math.isnan(first["mabench_madu"]["L1,none"])
    with JudgeServer(seed=4) as server:
        judged_env = {**env, "FINEMOTION_JUDGE_BASE_URL": server.url, "FINEMOTION_JUDGE_MODEL": "loopback-judge",
                      "FINEMOTION_JUDGE_API_KEY": "sk-x", "FINEMOTION_JUDGE_CACHE": str(tmp_path / "cache.sqlite"),
                      "FINEMOTION_JUDGE_REPORTS": str(tmp_path / "reports")}
        run = subprocess.run([str(BIN / "finemotion"), "rescore", str(tmp_path / "out"), "--json", str(tmp_path / "rescored.json")],
                             capture_output=True, text=True, env=judged_env, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    rescored = json.loads((tmp_path / "rescored.json").read_text())
    for task in ("madu", "mare"):
        (report_file,) = (tmp_path / "reports").glob(f"mabench_{task}_*.json")
        judged = [r["scores"] for r in json.loads(report_file.read_text())["results"]]
        for level in ("L1", "L2", "L3"):
            assert rescored[f"mabench_{task}"][level] == pytest.approx(sum(s[level] for s in judged) / 3)
        assert rescored[f"mabench_{task}"]["judge_failures"] == 0
    # The closed tasks' numbers are the ones the run printed.
    for task in ("cmar", "fmar", "sad", "mad", "mas", "ppr"):
        for metric in ("accuracy", "accuracy_stderr", "n_scored", "unparseable"):
            assert rescored[f"mabench_{task}"][metric] == pytest.approx(first[f"mabench_{task}"][f"{metric},none"])
