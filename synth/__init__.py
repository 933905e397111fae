"""Synthetic micro-action benchmark data: procedural clips with exact part-level ground truth."""
