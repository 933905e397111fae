"""`finemotion track`: a folder of rendered MA-Synth clips (and one broken clip) tracked locally, in processes and with Ray."""

import json
import shutil
from pathlib import Path

import pytest

from finemotion_eval.cli import main
from finemotion_eval.synth.render import render_clip, write_truth
from finemotion_eval.synth.subject import make_subject
from finemotion_eval.tracker.batch import FAILURES_FILE, BatchInputError, output_path, track_videos, video_files, write_record
from finemotion_eval.tracker.pipeline import RECORD_VERSION, TrackerConfig

KEYPOINTS = "skeleton=keypoints"
GOOD = {"a": ("nodding", 3), "b": ("shrugging", 4), "c": ("nodding", 5)}
BROKEN = "x.mp4"


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> Path:
    """``<root>/videos``: three good clips and x.mp4 (a good clip cut to 40% of its bytes); truth beside it."""
    root = tmp_path_factory.mktemp("clips")
    (root / "videos").mkdir()
    (root / "truth").mkdir()
    for stem, (label, seed) in GOOD.items():
        truth = render_clip(label, make_subject(seed), seed=seed, out_path=root / "videos" / f"{stem}.mp4", size=(160, 192))
        write_truth(truth, root / "truth" / f"{stem}.json")
    data = (root / "videos" / "a.mp4").read_bytes()
    (root / "videos" / BROKEN).write_bytes(data[: int(len(data) * 0.4)])
    shutil.copy(root / "truth" / "a.json", root / "truth" / "x.json")  # so the failure is the video's, not a missing truth file
    return root / "videos"


@pytest.fixture
def videos(clips, tmp_path) -> Path:
    """A private copy of the clips (with their truth folder), for tests that change them."""
    shutil.copytree(clips.parent, tmp_path / "clips")
    return tmp_path / "clips" / "videos"


def records(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.glob("*.json"))}


@pytest.fixture(scope="module")
def reference(clips, tmp_path_factory) -> dict[str, bytes]:
    """The records of a plain in-process run with the keypoint skeleton."""
    out = tmp_path_factory.mktemp("reference")
    summary = track_videos([clips], out, TrackerConfig.parse(KEYPOINTS), workers=1, progress=False)
    assert sorted(summary.written) == [str(clips / f"{stem}.mp4") for stem in GOOD]
    return records(out)


def test_cli_writes_good_clips_and_names_the_broken_one(clips, reference, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["track", str(clips), "--out", str(out), "--tracker", KEYPOINTS]) == 1
    printed = capsys.readouterr().out
    assert records(out) == reference
    assert sorted(reference) == ["a.json", "b.json", "c.json"]
    for name, data in reference.items():
        record = json.loads(data)
        assert set(record) == {"schema_version", "descriptor", "video", "backends", "quality"}
        assert record["schema_version"] == RECORD_VERSION
        assert record["video"]["name"] == Path(name).stem + ".mp4"
        assert record["backends"]["skeleton"] == "keypoints"
        assert record["quality"]["frames"] == record["video"]["frames"] > 4
    assert "3 tracked, 0 already done, 1 failed" in printed
    assert f"{clips / BROKEN}: VideoDecodeError" in printed
    failures = [json.loads(line) for line in (out / FAILURES_FILE).read_text().splitlines()]
    assert [f["video"] for f in failures] == [str(clips / BROKEN)] and "VideoDecodeError" in failures[0]["reason"]


def test_rerun_skips_finished_clips_and_retries_failed_ones(videos, reference, tmp_path):
    out, config = tmp_path / "out", TrackerConfig.parse(KEYPOINTS)
    first = track_videos([videos], out, config, progress=False)
    assert (len(first.written), len(first.skipped), list(first.failed)) == (3, 0, [str(videos / BROKEN)])
    before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.glob("*.json")}

    again = track_videos([videos], out, config, progress=False)
    assert (again.written, len(again.skipped), list(again.failed)) == ([], 3, [str(videos / BROKEN)])
    assert not again.ok and str(videos / BROKEN) in again.report()
    assert {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.glob("*.json")} == before

    (out / "b.json").unlink()
    third = track_videos([videos], out, config, progress=False)
    assert (third.written, len(third.skipped)) == ([str(videos / "b.mp4")], 2)
    assert {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.glob("*.json") if p.name != "b.json"} == \
        {name: value for name, value in before.items() if name != "b.json"}
    assert records(out) == reference

    # The broken clip, repaired, is tracked and leaves the failure list; nothing is left failed.
    shutil.copy(videos / "a.mp4", videos / BROKEN)
    fixed = track_videos([videos], out, config, progress=False)
    assert (fixed.written, fixed.failed, fixed.ok) == ([str(videos / BROKEN)], {}, True)
    assert not (out / FAILURES_FILE).exists()
    assert sorted(p.name for p in out.iterdir()) == ["a.json", "b.json", "c.json", "x.json"]  # no temporary files left


def test_worker_processes_write_the_same_bytes_with_the_default_tracker(clips, tmp_path):
    """The default (mediapipe) tracker, in-process and in two spawned workers."""
    one, two = tmp_path / "one", tmp_path / "two"
    assert main(["track", str(clips), "--out", str(one)]) == 1
    assert main(["track", str(clips), "--out", str(two), "--workers", "2"]) == 1
    assert records(one) == records(two) and len(records(one)) == 3
    assert json.loads(records(one)["a.json"])["backends"]["skeleton"] == "mediapipe"


def test_worker_processes_match_the_in_process_run(clips, reference, tmp_path):
    summary = track_videos([clips], tmp_path / "out", TrackerConfig.parse(KEYPOINTS), workers=2, progress=False)
    assert (len(summary.written), list(summary.failed)) == (3, [str(clips / BROKEN)])
    assert records(tmp_path / "out") == reference


@pytest.fixture
def local_ray(monkeypatch):
    ray = pytest.importorskip("ray")
    monkeypatch.delenv("RAY_ADDRESS", raising=False)  # a local instance, never a cluster named by the environment
    try:
        yield
    finally:
        if ray.is_initialized():
            ray.shutdown()


def test_ray_job_matches_the_local_run(clips, reference, tmp_path, local_ray):
    from finemotion_eval.tracker.ray_job import track_videos_ray

    out = tmp_path / "out"
    summary = track_videos_ray([clips], out, TrackerConfig.parse(KEYPOINTS), num_cpus=2, progress=False)
    assert (sorted(summary.written), list(summary.failed)) == ([str(clips / f"{s}.mp4") for s in GOOD], [str(clips / BROKEN)])
    assert "VideoDecodeError" in summary.failed[str(clips / BROKEN)]
    assert records(out) == reference
    assert [json.loads(line)["video"] for line in (out / FAILURES_FILE).read_text().splitlines()] == [str(clips / BROKEN)]
    # Resumed by the local runner: the same skip rule and file names.
    assert len(track_videos([clips], out, TrackerConfig.parse(KEYPOINTS), progress=False).skipped) == 3


def test_inputs_that_would_share_an_output_are_refused(videos, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(videos / "a.mp4", other / "a.mov")
    with pytest.raises(BatchInputError, match=r"a\.mp4 and .*a\.mov"):
        video_files([videos, other])
    with pytest.raises(FileNotFoundError, match="missing"):
        video_files([tmp_path / "missing"])
    assert video_files([videos, videos / "a.mp4"]) == sorted(videos.glob("*.mp4"))  # a clip named twice counts once
    assert output_path(tmp_path, videos / "a.mp4") == tmp_path / "a.json"
    assert main(["track", str(videos), str(other), "--out", str(tmp_path / "out")]) == 2


def test_a_folder_of_another_configuration_is_refused(clips, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["track", str(clips / "a.mp4"), "--out", str(out), "--tracker", KEYPOINTS]) == 0
    assert main(["track", str(clips / "a.mp4"), "--out", str(out), "--tracker", KEYPOINTS + ",max_side=320"]) == 2
    assert "made by another tracker" in capsys.readouterr().err


def test_write_record_is_all_or_nothing(tmp_path):
    path = tmp_path / "r.json"
    write_record(path, {"b": 1, "a": [1.5]})
    assert path.read_text() == '{\n "a": [\n  1.5\n ],\n "b": 1\n}\n'
    with pytest.raises(TypeError):
        write_record(path, {"a": object()})
    assert path.read_text().startswith('{\n "a"') and [p.name for p in tmp_path.iterdir()] == ["r.json"]
