import json
from collections import Counter

import datasets
import pytest
from conftest import MABENCH_REFERENCE, require

from finemotion_eval.inputs import InputFileError
from finemotion_eval.mabench_tasks.dataset import (
    MABenchFormatError,
    canonical_task,
    format_question,
    load_official,
    load_prepared,
    read_answers,
    split_question,
    write_prepared,
)
from finemotion_eval.prepared import unusable_videos


@pytest.fixture(scope="module")
def full_file():
    return require(MABENCH_REFERENCE / "mabench_data.json")


@pytest.fixture(scope="module")
def sample_file():
    return require(MABENCH_REFERENCE / "mabench_data_sample_100.json")


def test_full_file_counts_and_stripped_codes(full_file):
    rows, report = load_official(full_file)
    assert report.rows == 12000
    assert report.per_task == {"CMAR": 1000, "FMAR": 1000, "SAD": 2000, "MAD": 2000, "MAS": 2000, "PPR": 2000, "MADU": 1000, "MARE": 1000}
    assert report.stripped_option_codes == 94
    assert "stripped leaked option codes: 94" in report.summary()
    assert sum(r["option_code_stripped"] for r in rows) == 94
    assert all(r["answer"] is None for r in rows)
    assert Counter(len(r["options"]) for r in rows) == {0: 10000, 7: 1000, 5: 1000}
    assert all(" - " not in option for r in rows for option in r["options"] if r["task"] == "FMAR")


def test_sample_file_has_answers_and_matches_full_file_after_stripping(full_file, sample_file):
    sample, report = load_official(sample_file)
    assert report.rows == 1200 and report.answers_attached == 1200 and report.stripped_option_codes == 0
    full = {r["qid"]: r for r in load_official(full_file)[0]}
    for row in sample:
        assert (full[row["qid"]]["question"], full[row["qid"]]["options"]) == (row["question"], row["options"])
        assert full[row["qid"]]["video_name"] == row["video_name"]


def test_answers_attach_by_qid(full_file, sample_file):
    rows, report = load_official(full_file, answers=read_answers(sample_file))
    assert report.answers_attached == 1200
    assert {r["qid"] for r in rows if r["answer"] is not None} == set(read_answers(sample_file))


def test_question_text_round_trips(sample_file):
    for record in json.loads(sample_file.read_text()):
        stem, options = split_question(record["question"])
        assert format_question(stem, options) == record["question"]


def test_task_aliases():
    assert canonical_task("MMAD") == "MAD" and canonical_task("cmac") == "CMAR" and canonical_task("FMAC") == "FMAR"
    with pytest.raises(MABenchFormatError, match="unknown MA-Bench task"):
        canonical_task("XYZ")


def test_mmad_rows_are_renamed_and_reported(tmp_path):
    path = tmp_path / "q.json"
    path.write_text(json.dumps([{"video_name": "v_1_2", "task": "MMAD", "qid": "MMAD_0001", "question": "Do both hands rise?"}]))
    rows, report = load_official(path)
    assert rows[0]["task"] == "MAD" and rows[0]["qid"] == "MAD_0001"
    assert report.renamed_tasks == {"MMAD": 1}


@pytest.mark.parametrize(
    "content, message",
    [
        ("{", "not valid JSON"),
        ('{"a": 1}', "expected a JSON list"),
        ('[{"task": "SAD", "qid": "SAD_0001", "question": "q"}]', "neither 'video_name' nor 'video'"),
        ('[{"video_name": "v", "task": "SAD", "question": "q"}]', "lacks"),
        ('[{"video_name": "v", "task": "CMAR", "qid": "CMAR_0001", "question": "q\\nB. x\\nA. y"}]', "out of order"),
    ],
)
def test_malformed_files_give_clear_errors(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(InputFileError, match=message):  # MABenchFormatError is one
        load_official(path)


def test_prepared_folder_loads_with_datasets(tmp_path, sample_file):
    videos = tmp_path / "videos"
    videos.mkdir()
    rows, report = load_official(sample_file, video_dir=videos)
    folder = write_prepared(rows, tmp_path / "prepared", report, videos)
    cmar = datasets.load_dataset(str(folder), "cmar", split="test")
    assert len(cmar) == 100 and set(cmar["task"]) == {"CMAR"}
    everything = datasets.load_dataset(str(folder), split="test")
    assert len(everything) == 1200
    assert load_prepared(folder, "MMAD").features == load_prepared(folder, "MAD").features
    assert set(unusable_videos(rows).values()) == {"missing"} and len(unusable_videos(rows)) == 100
    moved = load_prepared(folder, "SAD", video_dir=tmp_path / "elsewhere")
    assert moved[0]["video"].startswith(str(tmp_path / "elsewhere"))


def test_unreadable_videos_are_reported(tmp_path):
    (tmp_path / "broken.mp4").write_bytes(b"not a video at all" * 100)
    rows = [{"video": str(tmp_path / f"{name}.mp4"), "video_name": name} for name in ("broken", "absent")]
    for verify in ("header", "sampled", "full"):
        problems = unusable_videos(rows, verify=verify)
        assert problems["absent"] == "missing"
        assert "broken.mp4" in problems["broken"]


def test_datasets_cache_never_serves_another_folders_rows(tmp_path, sample_file):
    # `datasets` caches a local folder under its name and README configs: same-named folders with other
    # rows must not collide.
    rows, report = load_official(sample_file)
    first = write_prepared(rows[:300], tmp_path / "a" / "prepared", report, tmp_path)
    second = write_prepared(rows[300:], tmp_path / "b" / "prepared", report, tmp_path)
    sizes = [len(datasets.load_dataset(str(folder), split="test")) for folder in (first, second)]
    assert sizes == [300, 900]
