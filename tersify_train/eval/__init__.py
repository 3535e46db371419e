"""Evaluation: the project's one metrics module and the scorer evaluation every report uses."""
