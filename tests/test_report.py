"""``finemotion report`` on real lmms-eval runs: every number against the results JSON and the sample logs, and
``report.html`` in headless Chromium."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from browser import HeadlessChromium
from judge_server import JudgeServer
from lmms_results import evaluate
from test_favor_closed import prepare_favor_fixture

from finemotion_eval.report.published import published_rows
from finemotion_eval.report.stats import bootstrap_mean, paired_difference
from finemotion_eval.synth.dataset import build as build_synth

BIN = Path(sys.executable).parent
CLOSED = ("CMAR", "FMAR", "SAD", "MAD", "MAS", "PPR")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Three real runs: random and the motion baseline on a small MA-Synth, random on a FAVOR fixture."""
    root = tmp_path_factory.mktemp("runs")
    build_synth(root / "synth", clips=60, seed=11, splits=("test",), workers=2, progress=False)
    favor = prepare_favor_fixture(root / "favor_fixture", clips=4)
    with JudgeServer() as judge:
        env = {**os.environ, "FINEMOTION_MABENCH_SYNTH_DIR": str(root / "synth"), "FINEMOTION_FAVOR_DIR": str(favor),
               "FINEMOTION_CACHE": str(root / "cache"), "FINEMOTION_JUDGE_REPORTS": str(root / "judge_reports"),
               "FINEMOTION_JUDGE_BASE_URL": judge.url, "FINEMOTION_JUDGE_MODEL": "loopback-judge", "FINEMOTION_JUDGE_API_KEY": "x"}
        for name, model, args, tasks in (("random", "finemotion_random", "seed=0", "mabench_synth"),
                                         ("motion", "finemotion_motion", "seed=0,workers=2", "mabench_synth"),
                                         ("favor", "finemotion_random", "seed=1", "favor_closed")):
            evaluate(["--model", model, "--model_args", args, "--tasks", tasks, "--batch_size", "1"], root / name, env)
    report = root / "report"
    done = subprocess.run([str(BIN / "finemotion"), "report", str(root / "random"), str(root / "motion"), str(root / "favor"),
                           "--out", str(report), "--title", "finemotion report test"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return root


def _results(folder: Path) -> tuple[dict, dict[str, list[dict]]]:
    (results_file,) = folder.rglob("*_results.json")
    stamp = results_file.name.removesuffix("_results.json")
    samples = {p.name.removeprefix(f"{stamp}_samples_").removesuffix(".jsonl"): [json.loads(line) for line in p.read_text().splitlines()]
               for p in results_file.parent.glob(f"{stamp}_samples_*.jsonl")}
    return json.loads(results_file.read_text()), samples


def _rows(path: Path) -> list[dict]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def _record(line: dict) -> dict:
    return next(v for v in line.values() if isinstance(v, dict) and "qid" in v)


def test_every_number_matches_the_results_json_and_the_sample_logs(runs):
    scores = _rows(runs / "report" / "scores.csv")
    checked = 0
    for name, prefix, label in (("random", "mabench_synth", "finemotion_random (seed=0)"),
                                ("motion", "mabench_synth", "finemotion_motion (seed=0,workers=2)"),
                                ("favor", "favor", "finemotion_random (seed=1)")):
        results, samples = _results(runs / name)
        ours = {r["column"]: r for r in scores if r["model"] == label and r["benchmark"] == ("FAVOR-Bench" if name == "favor" else "MA-Synth")}
        codes = CLOSED if name != "favor" else ("AS", "HAC", "SAD", "MAD", "CM", "NSM")
        metric = "accuracy,none" if name != "favor" else "acc_actual_counts,none"
        for code in codes:
            task = f"{prefix}_{code.lower()}"
            scored = [line for line in samples[task] if ("accuracy" in line or "acc_actual_counts" in line)]
            values = [line.get("accuracy", line.get("acc_actual_counts")) for line in scored]
            row = ours[code]
            assert float(row["value"]) == pytest.approx(results["results"][task][metric])
            assert float(row["value"]) == pytest.approx(sum(values) / len(values))
            interval = bootstrap_mean(values, [_record(line)["video_name"] for line in scored])
            assert (int(row["n"]), float(row["ci_low"]), float(row["ci_high"])) == (len(values), interval.low, interval.high)
            checked += 1
        group = "mabench_synth_closed" if name != "favor" else "favor_closed"
        average = "AVG" if name != "favor" else "ALL"
        assert float(ours[average]["value"]) == pytest.approx(results["results"][group][metric])
        if name != "favor":
            reports = {Path(r["path"]).name.split("_2")[0]: json.loads(Path(r["path"]).read_text())
                       for r in results["finemotion"]["judge_reports"]}
            for code in ("MADU", "MARE"):
                judged = reports[f"mabench_{code.lower()}"]["results"]
                for level in ("L1", "L2", "L3"):
                    value = float(ours[f"{code} {level}"]["value"])
                    assert value == pytest.approx(results["results"][f"mabench_synth_{code.lower()}"][f"{level},none"])
                    assert value == pytest.approx(sum(r["scores"][level] for r in judged) / len(judged))
                    checked += 1
            assert float(ours["MAC 2026"]["value"]) == pytest.approx(results["results"]["mabench_synth"]["mac2026_final,none"])
    assert checked == 2 * (6 + 6) + 6

    table = _rows(runs / "report" / "table_ma_synth.csv")
    published = [r for r in table if r["ours"] == "0"]
    expected = published_rows("MA-Bench")
    assert [r["model"] for r in published] == [p.model for p in expected]
    for row, p in zip(published, expected):
        assert {c: float(v) for c, v in row.items() if c in p.values and v} == {c: v for c, v in p.values.items() if v is not None}
    for row in (r for r in table if r["ours"] == "1"):
        for column, value in row.items():
            if column not in ("model", "ours") and value:
                match = next(s for s in scores if s["model"] == row["model"] and s["column"] == column)
                assert float(value) == float(match["value"])


def test_paired_differences_and_failures(runs):
    _, random_samples = _results(runs / "random")
    _, motion_samples = _results(runs / "motion")
    paired = _rows(runs / "report" / "paired.csv")
    assert sorted(p["task"] for p in paired) == sorted(CLOSED)
    for p in paired:
        task = f"mabench_synth_{p['task'].lower()}"
        a = {_record(line)["qid"]: line for line in random_samples[task]}
        pairs = [(a[_record(line)["qid"]], line) for line in motion_samples[task]]
        expected = paired_difference([x["accuracy"] for x, _ in pairs], [y["accuracy"] for _, y in pairs],
                                     [_record(x)["video_name"] for x, _ in pairs])
        assert (int(p["n"]), float(p["difference"]), float(p["p_value"])) == (expected.n, expected.difference, expected.p_value)
    failures = _rows(runs / "report" / "failures.csv")
    for name in ("random", "motion", "favor"):
        results, _ = _results(runs / name)
        label = f"{results['config']['model']} ({results['config']['model_args']})"
        for row in (f for f in failures if f["run"] == label):
            for metric in ("n_scored", "unparseable", "model_failures", "judge_failures"):
                value = results["results"][row["task"]].get(f"{metric},none")
                assert row[metric] == ("" if value is None else str(value))


def test_report_html_in_headless_chromium(runs):
    if not HeadlessChromium.available():
        pytest.skip("Chromium is not installed (.ci/run installs Debian's chromium)")
    page = runs / "report" / "report.html"
    _, motion_samples = _results(runs / "motion")
    _, random_samples = _results(runs / "random")
    _, favor_samples = _results(runs / "favor")
    total = sum(len(v) for v in (*motion_samples.values(), *random_samples.values(), *favor_samples.values()))
    with HeadlessChromium(width=1280, height=900) as browser:
        browser.open(page.as_uri())
        assert browser.evaluate("document.title") == "finemotion report test"
        rows = browser.evaluate("""Array.from(document.querySelectorAll('table.scores')).map(t => [t.dataset.benchmark,
            t.querySelectorAll('tr.ours').length, t.querySelectorAll('tr.published').length])""")
        assert rows == [["MA-Synth", 2, len(published_rows("MA-Bench"))], ["FAVOR-Bench", 1, len(published_rows("FAVOR-Bench"))]]
        assert browser.evaluate("Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")
        figures = browser.evaluate("document.images.length")
        assert figures == 5  # per-task and per-category bars of both benchmarks, failures; the random run saw no frames
        assert browser.evaluate("document.getElementById('sample-count').textContent") == f"{total} of {total} samples"

        def choose(select: str, value: str) -> list:
            return browser.evaluate(f"""(() => {{ const s = document.getElementById('{select}'); s.value = '{value}';
                s.dispatchEvent(new Event('change')); return [document.getElementById('sample-count').textContent,
                Array.from(document.querySelectorAll('#samples-list .sample')).map(c => [c.dataset.task, c.dataset.outcome])]; }})()""")

        count, cards = choose("filter-task", "SAD")
        sad = len(random_samples["mabench_synth_sad"]) + len(motion_samples["mabench_synth_sad"]) + len(favor_samples["favor_sad"])
        assert count == f"{sad} of {total} samples" and {task for task, _ in cards} == {"SAD"}
        count, cards = choose("filter-outcome", "wrong")
        wrong = sum(line.get("accuracy", line.get("acc_actual_counts")) == 0.0
                    for lines in (random_samples["mabench_synth_sad"], motion_samples["mabench_synth_sad"], favor_samples["favor_sad"])
                    for line in lines)
        assert count == f"{wrong} of {total} samples" and {outcome for _, outcome in cards} == {"wrong"}
        choose("filter-outcome", "")
        count, cards = choose("filter-category", "Head")
        assert cards and int(count.split()[0]) < sad
        choose("filter-category", "")
        choose("filter-task", "")
        count, cards = choose("filter-run", "finemotion_motion (seed=0,workers=2)")
        assert count == f"{sum(len(v) for v in motion_samples.values())} of {total} samples"
        # The motion baseline analysed every frame: each card shows 4 of its clip's frames, and every image loads.
        assert browser.evaluate("document.images.length") == figures + 4 * len(cards)
        browser.evaluate("new Promise(done => setTimeout(done, 200))")
        assert browser.evaluate("Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")
        shot = browser.screenshot(runs / "report.png")
    assert shot.read_bytes().startswith(b"\x89PNG")
    if os.environ.get("FINEMOTION_DOCS_SCREENSHOT"):  # how docs/img/report.png is made
        shutil.copy(shot, os.environ["FINEMOTION_DOCS_SCREENSHOT"])
