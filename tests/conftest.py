"""Fixtures shared by the proxy's test modules: a fake Anthropic upstream and a fake OpenAI
upstream, one of each per module (tests/support/fake_upstream.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.fake_upstream import FakeUpstream
from support.proxies import fake_upstream


@pytest.fixture(scope="module")
def ant() -> Iterator[tuple[FakeUpstream, str]]:
    with fake_upstream() as running:
        yield running


@pytest.fixture(scope="module")
def oai() -> Iterator[tuple[FakeUpstream, str]]:
    with fake_upstream() as running:
        yield running
