"""finemotion-eval: MA-Bench and FAVOR-Bench for lmms-eval.

Everything installs under this one import root; its folder is the repository root:

- ``finemotion_eval.mabench_tasks``, ``finemotion_eval.favor_tasks``: loaders, task YAMLs and hooks;
- ``finemotion_eval.metrics``: pure scoring functions;
- ``finemotion_eval.judges``: LLM judging over any OpenAI-compatible endpoint;
- ``finemotion_eval.video_io``, ``finemotion_eval.synth``, ``finemotion_eval.model_adapters``, ``finemotion_eval.prompts``;
- ``finemotion_eval.settings`` (every ``FINEMOTION_*`` variable and the cache root),
  ``finemotion_eval.locations`` (where benchmark data live), ``finemotion_eval.prepared`` (prepared folders),
  ``finemotion_eval.lmms_plugin`` (the lmms-eval entry point);
- ``finemotion_eval.cli``: the ``finemotion`` command, on top of all of these.
"""

__version__ = "0.1.0"
