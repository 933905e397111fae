"""MA-Bench (CVPR 2026) for lmms-eval: data schema and loaders, task YAMLs and their hooks."""
