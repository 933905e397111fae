"""finemotion_hf in real lmms-eval runs on CPU: a tiny random-weight Qwen2.5-VL built here, MA-Synth clips,
one process and two data-parallel processes (accelerate), answers checked against the generator itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tiny_qwen_vl import build_tiny_qwen_vl

from finemotion_eval.model_adapters.qwen_vl import QwenVLGenerator, VideoQuery
from finemotion_eval.synth.dataset import build
from finemotion_eval.video_io import SamplingProtocol, read_frames

MAX_NEW_TOKENS = 6  # a random model never stops by itself


@pytest.fixture(scope="module")
def synth(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("ma-synth")
    build(out, clips=24, seed=5, size=(96, 112), progress=False)
    return out


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> Path:
    return build_tiny_qwen_vl("qwen2_5_vl", tmp_path_factory.mktemp("tiny") / "qwen2_5_vl")


def lmms_eval(launcher: list[str], model: Path, synth: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "FINEMOTION_MABENCH_SYNTH_DIR": str(synth), "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1"}
    run = subprocess.run([*launcher, "--model", "finemotion_hf", "--model_args", f"pretrained={model},{','.join(extra)}".rstrip(","),
                          "--tasks", "mabench_synth_cmar", "--gen_kwargs", f"max_new_tokens={MAX_NEW_TOKENS}",
                          "--batch_size", "2", "--output_path", str(out), "--log_samples"],
                         capture_output=True, text=True, env=env, timeout=900)
    assert list(out.rglob("*results.json")), run.stdout[-3000:] + run.stderr[-5000:]
    return run


def samples(out: Path) -> dict[int, dict]:
    (path,) = out.rglob("*samples_mabench_synth_cmar.jsonl")
    return {s["doc_id"]: s for s in map(json.loads, path.read_text().splitlines())}


@pytest.fixture(scope="module")
def one_process(tiny_model, synth, tmp_path_factory) -> dict[int, dict]:
    out = tmp_path_factory.mktemp("one")
    lmms_eval([sys.executable, "-m", "lmms_eval"], tiny_model, synth, out)
    return samples(out)


def test_answers_are_the_models_own_on_the_starter_kit_frames_with_provenance(one_process, tiny_model):
    generator = QwenVLGenerator(tiny_model, device="cpu")
    for sample in one_process.values():
        provenance = sample["finemotion_provenance"]
        assert provenance["protocol"] == "starter_kit:8:3.0" and provenance["mode"] == "frames"
        clip = read_frames(provenance["video"], SamplingProtocol.parse(provenance["protocol"]))
        assert provenance["indices"] == list(clip.indices) and provenance["decoded_size"] == [clip.info.width, clip.info.height]
        width, height = provenance["sent_size"]
        assert (height, width) == generator.settings.frame_size(clip.info.height, clip.info.width, len(clip.indices))
        (expected,) = generator.generate([VideoQuery(sample["input"], clip.frames, clip.timestamps, (height, width))],
                                         max_new_tokens=MAX_NEW_TOKENS)
        assert sample["filtered_resps"] == expected
    assert len(one_process) > 0


def test_two_data_parallel_processes_give_the_answers_of_one(one_process, tiny_model, synth, tmp_path):
    # torchrun, which `accelerate launch --multi_gpu` runs underneath: on CPU, accelerate 1.15's own
    # `launch --cpu --num_processes 2` starts a single process unless given an MPI hostfile.
    run = lmms_eval([sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "-m", "lmms_eval"],
                    tiny_model, synth, tmp_path)
    two = samples(tmp_path)
    assert "finemotion_hf rank 0: 3 requests" in run.stderr and "finemotion_hf rank 1: 3 requests" in run.stderr
    assert {i: s["filtered_resps"] for i, s in two.items()} == {i: s["filtered_resps"] for i, s in one_process.items()}
    assert all(s["finemotion_provenance"]["indices"] == one_process[i]["finemotion_provenance"]["indices"] for i, s in two.items())


def test_qwen3_vl_answers_with_its_timestamped_prompt(synth, tmp_path):
    model = build_tiny_qwen_vl("qwen3_vl", tmp_path / "qwen3_vl")
    lmms_eval([sys.executable, "-m", "lmms_eval"], model, synth, tmp_path / "out")
    generator = QwenVLGenerator(model, device="cpu")
    for sample in samples(tmp_path / "out").values():
        provenance = sample["finemotion_provenance"]
        clip = read_frames(provenance["video"], SamplingProtocol.parse(provenance["protocol"]))
        width, height = provenance["sent_size"]
        (expected,) = generator.generate([VideoQuery(sample["input"], clip.frames, clip.timestamps, (height, width))],
                                         max_new_tokens=MAX_NEW_TOKENS)
        assert sample["filtered_resps"] == expected
