"""Experiments: the seed's silver-label ladder rebuilt rung by rung (``tersify experiment``),
its version table and plot, and promotion of the best rung to the shipped default.
Training rungs imports torch; reading the tables does not."""
