"""Makes finemotion's tasks and models visible to lmms-eval with no ``--include_path``.

lmms-eval 0.7.3 has no hook for task plugins (``LMMS_EVAL_PLUGINS`` is read after the CLI has built its
TaskManager). What it does have is the ``lmms_eval.models`` entry-point group, loaded when
``lmms_eval.models`` is first imported, which its CLI does before building a TaskManager. So our entry
point, :func:`register`, does two things:

1. returns our model manifests (the supported use of the hook);
2. wraps ``TaskManager.initialize_tasks`` so every TaskManager built afterwards also indexes our task
   folders, after lmms-eval's own (built-in names keep priority; our tests forbid collisions).

Everything this relies on is checked when it runs; if a future lmms-eval changes it, :func:`register`
prints an error naming the workaround (``--include_path``) instead of letting our tasks vanish quietly.
The ``lmms-eval tasks list`` subcommand never imports ``lmms_eval.models``, so it needs ``--include_path``.
"""

from __future__ import annotations

import functools
import importlib.util
import inspect
import sys
from importlib.metadata import version
from pathlib import Path

TESTED_LMMS_EVAL_VERSIONS = ("0.7.3",)
TASK_PACKAGES = ("mabench_tasks", "favor_tasks")
_WRAPPED_MARKER = "__finemotion_task_dirs__"


class PluginIncompatibleError(RuntimeError):
    """The installed lmms-eval no longer offers what the plugin relies on."""


def task_dirs() -> list[str]:
    """Our task folders, for ``--include_path`` or ``TaskManager(include_path=...)``."""
    return [str(Path(importlib.util.find_spec(package).origin).parent) for package in TASK_PACKAGES]


def model_manifests() -> list:
    from lmms_eval.models.registry_v2 import ModelManifest

    return [ModelManifest(model_id="finemotion_random", simple_class_path="model_adapters.random_baseline.RandomBaseline")]


def _with_our_task_dirs(include_path) -> list[str]:
    paths = [] if include_path is None else [include_path] if isinstance(include_path, str) else list(include_path)
    return paths + [d for d in task_dirs() if d not in paths]


def install_task_dirs() -> None:
    """Wrap ``TaskManager.initialize_tasks`` so it always indexes our task folders. Idempotent."""
    try:
        from lmms_eval.tasks import TaskManager
    except ImportError as err:
        raise PluginIncompatibleError(f"lmms_eval.tasks.TaskManager is gone ({err})") from err
    original = getattr(TaskManager, "initialize_tasks", None)
    if original is None:
        raise PluginIncompatibleError("TaskManager.initialize_tasks is gone")
    if getattr(original, _WRAPPED_MARKER, False):
        return
    if "include_path" not in inspect.signature(original).parameters:
        raise PluginIncompatibleError("TaskManager.initialize_tasks no longer takes include_path")

    @functools.wraps(original)
    def initialize_tasks(self, include_path=None, *args, **kwargs):
        return original(self, _with_our_task_dirs(include_path), *args, **kwargs)

    setattr(initialize_tasks, _WRAPPED_MARKER, True)
    TaskManager.initialize_tasks = initialize_tasks


def register() -> list:
    """Entry point of the ``lmms_eval.models`` group: our models, plus our tasks as a side effect."""
    installed = version("lmms_eval")
    if installed not in TESTED_LMMS_EVAL_VERSIONS:
        print(
            f"finemotion: lmms-eval {installed} is untested (tested: {', '.join(TESTED_LMMS_EVAL_VERSIONS)}); "
            "if mabench_* tasks are missing, pass --include_path \"$(finemotion tasks-dir)\".",
            file=sys.stderr,
        )
    try:
        install_task_dirs()
    except PluginIncompatibleError as err:
        # lmms-eval downgrades exceptions from entry points to a warning; say plainly what broke.
        print(
            f"finemotion: ERROR: cannot register tasks with lmms-eval {installed}: {err}. "
            "Use --include_path \"$(finemotion tasks-dir)\" instead.",
            file=sys.stderr,
        )
        raise
    return model_manifests()
