"""MA-Synth builds: identical files for a seed, disjoint subjects, datasets and lmms-eval on top."""

import json
import os
import subprocess
import sys
from pathlib import Path

import datasets
import pytest
from lmms_results import logged, mean_stderr, plain_mean_stderr

from finemotion_eval.metrics import accuracy
from finemotion_eval.synth.dataset import build, plan_clips

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("ma-synth")
    subprocess.run([str(BIN / "finemotion"), "synth", "--out", str(out), "--clips", "36", "--seed", "5", "--size", "96x112"],
                   check=True, capture_output=True)
    return out


def test_same_seed_gives_identical_files(built, tmp_path):
    again = build(tmp_path, clips=36, seed=5, size=(96, 112), progress=False)
    first = json.loads((built / "manifest.json").read_text())
    assert again["sha256"] == first["sha256"] and len(first["sha256"]) == 2 * 36 + 2


def test_splits_share_no_subject():
    plans = plan_clips(600, 0)
    subjects = {split: {p.subject_seed for p in plans if p.split == split} for split in ("train", "test")}
    assert subjects["train"] and subjects["test"] and not subjects["train"] & subjects["test"]
    assert 100 <= sum(p.split == "test" for p in plans) <= 200


def test_load_dataset_reads_the_build_offline(built):
    cmar = datasets.load_dataset(str(built / "test"), "cmar", split="test")
    everything = datasets.load_dataset(str(built / "train"), split="test")
    assert len(cmar) == sum(p.split == "test" for p in plan_clips(36, 5))
    assert len(everything) == 12 * sum(p.split == "train" for p in plan_clips(36, 5))
    assert all(Path(video).is_file() for video in cmar["video"])


def test_lmms_eval_prints_accuracy_with_standard_error_for_every_task_and_the_group(built, tmp_path):
    env = {**os.environ, "FINEMOTION_MABENCH_SYNTH_DIR": str(built)}
    out = tmp_path / "out"
    run = subprocess.run([str(BIN / "lmms-eval"), "--model", "finemotion_random", "--tasks", "mabench_synth_closed",
                          "--batch_size", "1", "--output_path", str(out), "--log_samples"], capture_output=True, text=True,
                         env=env, timeout=600)
    files = sorted(out.rglob("*results.json"))
    assert files, run.stdout[-2000:] + run.stderr[-3000:]
    results = json.loads(files[-1].read_text())["results"]
    # The printed table: `|name|version|filter|n-shot|accuracy|↑|value|±|stderr|`, one row per task and the group.
    printed = {}
    for line in run.stdout.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if "accuracy" in cells:
            printed[cells[0].lstrip("- ")] = cells[cells.index("±") + 1]
    stderrs = []
    for task in ("cmar", "fmar", "sad", "mad", "mas", "ppr"):
        name = f"mabench_synth_{task}"
        records = logged(out, name, "unparseable")
        entry = results[name]
        assert entry["accuracy,none"] == pytest.approx(accuracy([r["prediction"] == r["answer"] for r in records]))
        assert entry["accuracy_stderr,none"] == pytest.approx(mean_stderr(logged(out, name, "accuracy")))
        assert float(printed[name]) == pytest.approx(entry["accuracy_stderr,none"], abs=5e-5)
        stderrs.append(entry["accuracy_stderr,none"])
    group = results["mabench_synth_closed"]
    assert group["accuracy_stderr,none"] == pytest.approx(plain_mean_stderr(stderrs))
    assert float(printed["mabench_synth_closed"]) == pytest.approx(group["accuracy_stderr,none"], abs=5e-5)
