"""From a folder of clips to a checked, filtered, cross-subject benchmark (``finemotion build``; docs/build.md)."""
