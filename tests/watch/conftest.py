"""Fixtures of the watcher tests, on the real devnet (``devnet`` from ``ogpu.devnet.pytest_plugin``).

- ``chain``: a :class:`~tests.watch.chainkit.Chain` on the devnet (chain state is reverted
  after each test by the ``devnet`` fixture).
- ``fast_retry``: a retry policy with millisecond backoff and a short timeout.
- ``fault_proxy``: ``start(**options) -> FaultProxy`` in front of the devnet, with the SDK's
  RPC URL for the local chain pointed at it for the test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from ogpu.chain.config import CHAIN_RPC_URLS
from ogpu.devnet import Devnet
from ogpu.runtime.watch import RetryPolicy
from ogpu.schema.networks import ChainId
from tests.watch.chainkit import Chain
from tests.watch.faultproxy import FaultProxy


@pytest.fixture
def chain(devnet: Devnet) -> Iterator[Chain]:
    helper = Chain(devnet.rpc_url, devnet.document)
    try:
        yield helper
    finally:
        helper.close()


@pytest.fixture
def fast_retry() -> RetryPolicy:
    return RetryPolicy(attempts=40, base_delay=0.002, max_delay=0.02, timeout=0.5)


@pytest.fixture
def fault_proxy(
    devnet: Devnet, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., FaultProxy]]:
    with ExitStack() as stack:

        def start(**options: Any) -> FaultProxy:
            proxy = stack.enter_context(FaultProxy(devnet.rpc_url, **options))
            monkeypatch.setitem(CHAIN_RPC_URLS, ChainId.LOCAL, proxy.url)
            return proxy

        yield start
