"""The ``finemotion`` command line, built on the library (nothing in the library imports it)."""

from finemotion_eval.cli.commands import main

__all__ = ["main"]
