"""The plugin that shows our tasks to lmms-eval without --include_path (finemotion/lmms_plugin.py)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

from finemotion_eval import lmms_plugin
from finemotion_eval.lmms_plugin import PluginIncompatibleError, install_task_dirs, register, task_dirs

CLOSED_TASKS = ["mabench_cmar", "mabench_fmar", "mabench_sad", "mabench_mad", "mabench_mas", "mabench_ppr"]
FAVOR_TASKS = ["favor_as", "favor_hac", "favor_sad", "favor_mad", "favor_cm", "favor_nsm"]
SYNTH_TASKS = [name.replace("mabench_", "mabench_synth_") for name in [*CLOSED_TASKS, "mabench_madu", "mabench_mare"]]
OUR_TASKS = [*CLOSED_TASKS, "mabench_closed", "mabench_madu", "mabench_mare", "mabench_open", "mabench",
             *SYNTH_TASKS, "mabench_synth_closed", "mabench_synth_open", "mabench_synth", "favor_caption", *FAVOR_TASKS,
             "favor_closed", *(f"{t}_letter" for t in FAVOR_TASKS), "favor_closed_letter"]
BIN = Path(sys.executable).parent


def _python(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO).stdout


@pytest.mark.parametrize("command", [[str(BIN / "lmms-eval")], [sys.executable, "-m", "lmms_eval"]], ids=["console", "module"])
def test_task_list_shows_our_tasks(command, tmp_path):
    listed = subprocess.run([*command, "--tasks", "list"], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    names = {line.strip(" -") for line in (listed.stdout + listed.stderr).splitlines()}
    assert set(OUR_TASKS) <= names


def test_our_names_are_prefixed_and_never_collide_with_builtins():
    # Without the plugin (lmms_eval.models not imported) a TaskManager indexes the built-ins only.
    builtin = set(json.loads(_python("import json; from lmms_eval.tasks import TaskManager; print(json.dumps(TaskManager().all_tasks))")))
    ours = set(json.loads(_python(
        "import json; from lmms_eval.tasks import TaskManager; from finemotion_eval.lmms_plugin import task_dirs;"
        "print(json.dumps(TaskManager(include_path=task_dirs(), include_defaults=False).all_tasks))"
    )))
    assert set(OUR_TASKS) <= ours
    assert all(name == "mabench" or name.startswith(("mabench_", "favor_")) for name in ours)
    assert not ours & builtin


def test_include_path_route_without_plugin():
    found = _python(
        "import sys; from lmms_eval.tasks import TaskManager; from finemotion_eval.lmms_plugin import task_dirs;"
        "assert 'lmms_eval.models' not in sys.modules; print(TaskManager(include_path=task_dirs()[0]).all_tasks)"
    )
    assert "mabench_cmar" in found


def test_register_returns_models_and_is_idempotent():
    from lmms_eval.tasks import TaskManager

    manifests = register()
    wrapped = TaskManager.initialize_tasks
    register()
    assert TaskManager.initialize_tasks is wrapped
    assert [m.model_id for m in manifests] == list(lmms_plugin.MODELS)
    assert all(Path(d).is_dir() for d in task_dirs())


def test_incompatible_lmms_eval_fails_loudly(monkeypatch, capsys):
    # Stand-in for a future lmms-eval whose TaskManager lost the method the plugin wraps.
    from lmms_eval.tasks import TaskManager

    monkeypatch.delattr(TaskManager, "initialize_tasks")
    with pytest.raises(PluginIncompatibleError, match="initialize_tasks"):
        install_task_dirs()
    with pytest.raises(PluginIncompatibleError):
        register()
    assert "--include_path" in capsys.readouterr().err


def test_a_dependency_release_that_breaks_lmms_eval_is_named_with_its_fix(monkeypatch, capsys):

    # As filelock 4 did to lmms-eval 0.7.3: an installed release without a module lmms-eval imports.
    missing = (("filelock._no_such_module", "filelock", "pip install 'filelock<4'"),)
    problems = lmms_plugin.broken_dependencies(missing)
    installed = __import__("importlib.metadata").metadata.version("filelock")
    assert problems == [f"filelock {installed} has no filelock._no_such_module, which lmms-eval 0.7.3 imports: every "
                        "evaluation would fail. Fix: pip install 'filelock<4'"]
    monkeypatch.setattr(lmms_plugin, "REQUIRED_MODULES", missing)
    lmms_plugin.register()
    assert f"finemotion: ERROR: {problems[0]}" in capsys.readouterr().err


def test_the_tested_resolution_has_what_lmms_eval_imports():
    from finemotion_eval.lmms_plugin import broken_dependencies

    assert broken_dependencies() == []
