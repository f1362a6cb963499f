"""RPC faults injected by a proxy on 127.0.0.1 in front of the real devnet."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable

import pytest

import ogpu.events
from ogpu.core.errors import JsonRpcError, RpcError
from ogpu.events import VAULT_DEPOSITED
from ogpu.runtime.watch import RetryPolicy, watch
from tests.watch.chainkit import Chain, Collector, keys, nothing_more, take
from tests.watch.faultproxy import FaultProxy

pytestmark = pytest.mark.integration

BACKFILL_BLOCKS, FOLLOW_BLOCKS, PER_BLOCK = 40, 50, 12  # 1,080 events
MIN_FAULT_SHARE = 0.20


async def test_every_event_exactly_once_through_a_faulty_proxy(
    chain: Chain, fault_proxy: Callable[..., FaultProxy], fast_retry: RetryPolicy
) -> None:
    proxy = fault_proxy(fault_rate=0.3, slow_s=0.4, max_log_range=4, seed=5)
    start = chain.head() + 1
    chain.mine_deposits(BACKFILL_BLOCKS, PER_BLOCK)
    collector = Collector()
    watcher = watch(
        VAULT_DEPOSITED,
        from_block=start,
        poll_interval=0.01,
        confirmations=1,
        max_range=64,
        retry=dataclasses.replace(fast_retry, timeout=0.25),
    )
    began = time.perf_counter()
    collector.start(watcher)

    for block in range(FOLLOW_BLOCKS):  # more blocks arrive while the watcher backfills and follows
        await asyncio.to_thread(
            chain.mine_deposits, 1, PER_BLOCK, first_amount=10_000 + block * PER_BLOCK
        )
        await asyncio.sleep(0.04)
    chain.empty_blocks(1)  # the last block becomes 1 deep
    truth = chain.events(VAULT_DEPOSITED, start)
    assert len(truth) == (BACKFILL_BLOCKS + FOLLOW_BLOCKS) * PER_BLOCK >= 1000
    await collector.wait_for(lambda: len(collector.events) >= len(truth), timeout=90)
    elapsed = time.perf_counter() - began
    await asyncio.sleep(0.2)  # time to deliver a duplicate, were there one
    await collector.stop()

    stats = proxy.stats
    print(
        f"\nfaulty proxy: {len(collector.events)} of {len(truth)} events delivered in {elapsed:.1f} s; "
        f"proxy: {stats.summary()}; watcher: {watcher.stats}"
    )
    assert keys(collector.events) == keys(truth)  # each exactly once, in chain order
    assert stats.fault_share >= MIN_FAULT_SHARE
    assert set(stats.faults) == {
        "drop",
        "reset",
        "http500",
        "http429",
        "rate_limit",
        "slow",
        "truncate",
    }
    # a refusal can be lost to a fault that follows it
    assert 0 < watcher.stats.range_shrinks <= stats.range_refusals
    # every injected fault was seen and retried (but one may be in flight when the test stops)
    assert stats.faulted - 1 <= watcher.stats.failures <= stats.faulted


async def test_persistent_failure_raises_rpc_error_after_the_budget_with_each_retry_logged(
    chain: Chain, fault_proxy: Callable[..., FaultProxy], caplog: pytest.LogCaptureFixture
) -> None:
    proxy = fault_proxy(fault_rate=1.0, kinds=["http500"])
    watcher = watch(
        VAULT_DEPOSITED,
        poll_interval=0.01,
        retry=RetryPolicy(attempts=4, base_delay=0.001, max_delay=0.002),
    )
    with caplog.at_level(logging.WARNING, logger="ogpu"):
        with pytest.raises(RpcError) as caught:
            await watcher.__anext__()
    assert "gave up after 4 attempts" in caught.value.reason and "HTTP 500" in caught.value.reason
    assert isinstance(caught.value.__cause__, RpcError)
    retries = [r for r in caplog.records if r.name == "ogpu.watch" and "retry" in r.getMessage()]
    assert len(retries) == 3 and proxy.stats.requests == 4
    with pytest.raises(StopAsyncIteration):  # the stream ended with the error, not silently
        await watcher.__anext__()


def test_query_retries_transient_faults_and_gives_up_on_persistent_ones(
    chain: Chain, fault_proxy: Callable[..., FaultProxy], fast_retry: RetryPolicy
) -> None:
    start = chain.head() + 1
    chain.mine_deposits(30, 5)
    truth = chain.events(VAULT_DEPOSITED, start)
    proxy = fault_proxy(
        fault_rate=0.4, kinds=["drop", "http500", "truncate"], max_log_range=2, seed=11
    )
    assert keys(ogpu.events.query(VAULT_DEPOSITED, start, retry=fast_retry)) == keys(truth)
    assert proxy.stats.faulted > 0 and proxy.stats.range_refusals > 0

    proxy.fault_rate = 1.0
    with pytest.raises(RpcError, match="gave up after 3 attempts"):
        ogpu.events.query(VAULT_DEPOSITED, start, retry=RetryPolicy(attempts=3, base_delay=0.001))


async def test_a_non_transient_json_rpc_error_is_raised_at_once(
    chain: Chain, fault_proxy: Callable[..., FaultProxy]
) -> None:
    proxy = fault_proxy(fault_rate=1.0, kinds=["invalid_params"])
    watcher = watch(VAULT_DEPOSITED, poll_interval=0.01)
    with pytest.raises(JsonRpcError, match="invalid argument") as caught:
        await watcher.__anext__()
    assert caught.value.code == -32602
    assert proxy.stats.requests == 1 and watcher.stats.failures == 0


async def test_duplicated_and_shuffled_logs_are_delivered_once_in_chain_order(
    chain: Chain, fault_proxy: Callable[..., FaultProxy]
) -> None:
    start = chain.head() + 1
    chain.mine_deposits(6, 5)
    truth = chain.events(VAULT_DEPOSITED, start)
    fault_proxy(mangle_logs=True)
    watcher = watch(
        VAULT_DEPOSITED, from_block=start, poll_interval=0.01, confirmations=0, max_range=4
    )
    assert keys(await take(watcher, len(truth), timeout=10)) == keys(truth)
    assert await nothing_more(watcher, 0.2)
