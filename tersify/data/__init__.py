"""Training and evaluation data: pair records, sources (generators, real command outputs,
loghub windows, Q&A pairs), eval sets."""
