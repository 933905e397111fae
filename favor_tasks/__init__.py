"""FAVOR-Bench for lmms-eval: the six close-ended tasks and captioning (see the FAVOR-Bench issue)."""
