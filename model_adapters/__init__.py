"""Models that finemotion registers with lmms-eval (through the ``lmms_eval.models`` entry point)."""
