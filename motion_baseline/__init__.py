"""finemotion_motion: a baseline that answers MA-Bench questions from the tracker's part-level descriptors."""
