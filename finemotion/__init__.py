"""finemotion-eval: MA-Bench and FAVOR-Bench for lmms-eval.

This package holds the glue: the ``finemotion`` command line, where data live (``config``) and the
lmms-eval plugin (``lmms_plugin``). Benchmarks, metrics, judges and prompts have their own top-level
packages.
"""

__version__ = "0.1.0"
