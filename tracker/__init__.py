"""The micro-movement tracker: part-level motion descriptors (synth/descriptors.py schema) from real pixels."""
