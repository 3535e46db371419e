"""Argument types shared by the subcommands: each checks its value and says what was wrong."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def _number(name: str, kind: type, what: str, value: str):
    try:
        return kind(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{name} must be {what}, got {value!r}") from None


def unit_interval(name: str, *, allow_zero: bool = True) -> Callable[[str], float]:
    """A number in [0, 1] (or (0, 1] without ``allow_zero``)."""

    def parse(value: str) -> float:
        x = _number(name, float, "a number between 0 and 1", value)
        if not (0.0 <= x <= 1.0) or (x == 0.0 and not allow_zero):
            bounds = "between 0 and 1" if allow_zero else "above 0 and at most 1"
            raise argparse.ArgumentTypeError(f"{name} must be {bounds}, got {value}")
        return x

    return parse


def _int_at_least(name: str, least: int, what: str) -> Callable[[str], int]:
    def parse(value: str) -> int:
        x = _number(name, int, "a whole number", value)
        if x < least:
            raise argparse.ArgumentTypeError(f"{name} must {what}, got {value}")
        return x

    return parse


def non_negative_int(name: str) -> Callable[[str], int]:
    return _int_at_least(name, 0, "not be negative")


def positive_int(name: str) -> Callable[[str], int]:
    return _int_at_least(name, 1, "be at least 1")


def positive_float(name: str) -> Callable[[str], float]:
    def parse(value: str) -> float:
        x = _number(name, float, "a number", value)
        if not x > 0:
            raise argparse.ArgumentTypeError(f"{name} must be above 0, got {value}")
        return x

    return parse
