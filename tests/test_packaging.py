"""One import root: the wheel installs only ``finemotion_eval``, with every module, prompt and task YAML in it."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from conftest import REPO

from finemotion_eval.lmms_plugin import MODELS

ROOT = "finemotion_eval"
#: Folders of the repository that are not part of the library.
NOT_PACKAGED = {"tests", "bench", "scripts", "docs", "build", "dist"}
#: The import names the wheel used to install (and the repo-root modules), never to be imported bare.
OLD_NAMES = {"finemotion", "mabench_tasks", "favor_tasks", "judges", "metrics", "prompts", "synth", "video_io",
             "model_adapters", "cli", "settings", "locations", "prepared", "lmms_plugin", "lmms_run"}


#: Calls that import a module named by a string.
_IMPORTING_CALLS = {"import_module", "importorskip", "find_spec"}


def _tracked(*patterns: str) -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "-z", "--", *patterns], cwd=REPO, capture_output=True, check=True).stdout
    return [Path(name) for name in listed.decode().split("\0") if name]


def _library_files() -> list[Path]:
    return [p for p in _tracked("*") if p.parts[0] not in NOT_PACKAGED and not p.parts[0].startswith(".")]


def _module_name(path: Path) -> str:
    parts = [ROOT, *path.with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    # Built from a copy of the tree: an in-tree build leaves build/lib behind, whose stale modules a later
    # wheel would pick up.
    source, out = tmp_path_factory.mktemp("source"), tmp_path_factory.mktemp("wheel")
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        if (REPO / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, source / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(source)],
                   check=True, capture_output=True)
    (built,) = out.glob("finemotion_eval-*.whl")
    return built


def test_wheel_has_one_top_level_name_and_every_file(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert {name.split("/")[0] for name in names} == {ROOT, f"{wheel.name.split('-')[0]}-{wheel.name.split('-')[1]}.dist-info"}
    # Every file of the package folders, and the Python modules at the root (not setup.cfg, README.md, ...).
    expected = {f"{ROOT}/{p.as_posix()}" for p in _library_files() if len(p.parts) > 1 or p.suffix == ".py"}
    assert expected - set(names) == set()
    assert any(name.endswith("mabench_tasks/_default_template_yaml") for name in names)
    entry_points = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "finemotion = finemotion_eval.cli:main" in entry_points
    # One lmms_eval.models entry point per model, under the model's name.
    models = entry_points.split("[lmms_eval.models]")[1].split("[")[0]
    assert {line.split(" = ")[0] for line in models.split("\n") if " = " in line} == set(MODELS)
    assert all(f"{name} = finemotion_eval.lmms_plugin:{name}" in models for name in MODELS)


def test_wheel_imports_every_module_from_a_throwaway_venv_run_in_the_repo(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", str(wheel)],
                   check=True, capture_output=True)
    # Dependencies come from this venv's site-packages, as a plain path: its editable finder is not loaded.
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    modules = sorted(_module_name(p) for p in _library_files() if p.suffix == ".py" and p.name != "__main__.py")
    code = (
        "import importlib, json, finemotion_eval\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "from finemotion_eval.lmms_plugin import task_dirs\n"
        "print(json.dumps([finemotion_eval.__file__, task_dirs()]))\n"
    )
    # Run from the repository root, with it on sys.path as `python -c` puts it: nothing there may shadow the package.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONSAFEPATH"}
    run = subprocess.run([str(python), "-c", code], capture_output=True, text=True, cwd=REPO, env=env)
    assert run.returncode == 0, run.stderr[-3000:]
    location, task_dirs = __import__("json").loads(run.stdout.splitlines()[-1])
    assert Path(location).is_relative_to(venv) and all(Path(d).is_relative_to(venv) for d in task_dirs)
    assert (venv / "bin" / "finemotion").is_file()
    # lmms-eval finds the installed tasks through the entry point, with no flag.
    listed = subprocess.run([str(python), "-m", "lmms_eval", "--tasks", "list"], capture_output=True, text=True, cwd=tmp_path)
    names = {line.strip(" -|") for line in (listed.stdout + listed.stderr).splitlines()}
    assert {"mabench_closed", "mabench_synth_closed", "favor_closed", "favor_caption"} <= names


def _imports(path: Path) -> set[str]:
    tree = ast.parse((REPO / path).read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
        elif (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in _IMPORTING_CALLS
              and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            found.add(node.args[0].value.split(".")[0])
    return found


def test_no_bare_import_of_an_old_top_level_name():
    offenders = {str(p): sorted(_imports(p) & OLD_NAMES) for p in _tracked("*.py") if _imports(p) & OLD_NAMES}
    assert offenders == {}


def test_task_yamls_name_their_hooks_absolutely():
    relative = []
    for path in _tracked("mabench_tasks/*yaml", "favor_tasks/*yaml"):
        for hook in re.findall(r"!function\s+(\S+)", (REPO / path).read_text(encoding="utf-8")):
            if not hook.startswith(f"{ROOT}."):
                relative.append(f"{path}: {hook}")
    assert relative == []


def test_every_finemotion_variable_is_in_the_settings_table_and_its_doc():
    from finemotion_eval.settings import SETTINGS

    declared = {setting.name for setting in SETTINGS}
    used = set()
    for path in _library_files():
        if path.suffix == ".py":
            used |= set(re.findall(r"FINEMOTION_[A-Z_]*[A-Z](?![A-Z_*])", (REPO / path).read_text(encoding="utf-8")))
    # Names built from a benchmark (f"FINEMOTION_{name}_DIR") are checked through locations' Benchmark objects.
    from finemotion_eval import locations

    used |= {name for benchmark in (locations.MABENCH, locations.FAVOR) for name in (benchmark.dir_env, benchmark.videos_env)}
    assert used - declared == set() and declared - used == set()
    doc = (REPO / "docs" / "settings.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert f"| `{setting.name}` | {setting.default} | `finemotion_eval.{setting.read_by}` | {setting.meaning} |" in doc


def test_reading_an_undeclared_setting_is_an_error():
    from finemotion_eval.settings import env

    with pytest.raises(KeyError, match="not a finemotion setting"):
        env("FINEMOTION_NO_SUCH_THING")


def test_one_cache_root_honours_xdg(monkeypatch, tmp_path):
    from finemotion_eval.favor_tasks.wordlists import default_cache_dir
    from finemotion_eval.judges.reports import default_cache_path
    from finemotion_eval.settings import cache_root
    from finemotion_eval.synth.dataset import default_dir

    for name in ("FINEMOTION_CACHE", "FINEMOTION_JUDGE_CACHE", "FINEMOTION_MABENCH_SYNTH_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    root = tmp_path / "xdg" / "finemotion"
    assert cache_root() == root
    assert default_cache_path().parent == root and default_cache_dir().parent == root and default_dir().parent == root
    monkeypatch.setenv("FINEMOTION_CACHE", str(tmp_path / "mine"))
    assert default_cache_path().parent == tmp_path / "mine"


def test_the_venv_holds_nothing_outside_the_lock():
    built_from = Path(sys.prefix) / ".finemotion-lock"
    if not built_from.is_file() or built_from.read_text().strip() == "none":
        pytest.skip("this venv was not built from requirements-cpu.lock (make test-latest, make lock, or by hand)")
    lock = REPO / built_from.read_text().strip()
    pinned = {line.strip().lower() for line in lock.read_text().splitlines() if "==" in line and not line.startswith("#")}
    frozen = subprocess.run([sys.executable, "-m", "pip", "freeze", "--all", "--exclude-editable"], capture_output=True,
                            text=True, check=True).stdout.splitlines()
    # A local version label (torch's +cpu) is not part of the pin.
    installed = {re.sub(r"\+.*$", "", line.strip()).lower() for line in frozen if "==" in line}
    assert installed - pinned == set()


def test_every_generation_task_sets_no_stop_string():
    from lmms_eval.utils import load_yaml_config

    for path in _tracked("mabench_tasks/*.yaml", "favor_tasks/*.yaml"):
        config = load_yaml_config(str(REPO / path))
        if "task" in config and "group" not in config:
            assert config["generation_kwargs"]["until"] == [], path
