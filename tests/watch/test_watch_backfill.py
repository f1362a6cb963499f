"""Backfill on the real devnet: thousands of events, in order, exactly once, in bounded ranges."""

from __future__ import annotations

import time

import pytest

import ogpu.events
from ogpu.events import VAULT_DEPOSITED, DepositedEvent
from ogpu.runtime.watch import RetryPolicy, watch, watch_many
from tests.watch.chainkit import Chain, keys, nothing_more, take

pytestmark = pytest.mark.integration

BLOCKS, PER_BLOCK = 100, 50  # 5,000 Deposited events


async def test_backfill_of_thousands_delivers_each_event_once_in_chain_order(chain: Chain) -> None:
    start = chain.head() + 1
    chain.mine_deposits(BLOCKS, PER_BLOCK)
    truth = chain.events(VAULT_DEPOSITED, start)
    assert len(truth) == BLOCKS * PER_BLOCK

    watcher = watch(
        VAULT_DEPOSITED, from_block=start, poll_interval=0.05, confirmations=0, max_range=7
    )
    began = time.perf_counter()
    got = await take(watcher, len(truth), timeout=60)
    elapsed = time.perf_counter() - began

    assert keys(got) == keys(truth)
    assert got == truth  # same decoded payloads too
    assert all(isinstance(e, DepositedEvent) for e in got)
    assert watcher.stats.log_queries == -(-BLOCKS // 7)  # ranges of at most 7 blocks
    assert watcher.cursor is not None and watcher.cursor.block_number == chain.head()
    print(
        f"\nbackfill: {len(got)} events in {elapsed:.2f} s ({len(got) / elapsed:,.0f}/s), {watcher.stats}"
    )
    assert await nothing_more(watcher, 0.3)


async def test_where_scopes_events_in_python_case_insensitively(chain: Chain) -> None:
    start = chain.head() + 1
    chain.mine_deposits(5, 8)
    provider = chain.accounts["provider"]
    truth = [e for e in chain.events(VAULT_DEPOSITED, start) if e.account == provider]
    assert 0 < len(truth) < 40

    by_mapping = watch(
        VAULT_DEPOSITED, from_block=start, confirmations=0, where={"account": provider.lower()}
    )
    by_keyword = watch(
        DepositedEvent,
        from_block=start,
        confirmations=0,
        account=provider.upper().replace("0X", "0x"),
    )
    assert keys(await take(by_mapping, len(truth), timeout=10)) == keys(truth)
    assert keys(await take(by_keyword, len(truth), timeout=10)) == keys(truth)
    assert await nothing_more(by_mapping, 0.3)


async def test_where_accepts_a_set_of_values_and_a_predicate(chain: Chain) -> None:
    start = chain.head() + 1
    chain.mine_deposits(3, 8)
    wanted = {chain.accounts["client"], chain.accounts["agent"]}
    all_events = chain.events(VAULT_DEPOSITED, start)
    truth = [e for e in all_events if e.account in wanted]
    big = [e for e in all_events if e.amount > 12]

    any_of = watch(
        VAULT_DEPOSITED, from_block=start, confirmations=0, account=[a.lower() for a in wanted]
    )
    predicate = watch(
        VAULT_DEPOSITED, from_block=start, confirmations=0, where=lambda e: e.amount > 12
    )
    assert keys(await take(any_of, len(truth), timeout=10)) == keys(truth)
    assert keys(await take(predicate, len(big), timeout=10)) == keys(big)


async def test_watch_many_interleaves_types_in_chain_order_with_one_getlogs_per_range(
    chain: Chain,
) -> None:
    start = chain.head() + 1
    client, provider = chain.accounts["client"], chain.accounts["provider"]
    plan = [
        [
            chain.deposit_tx(client, provider, 100 + b),
            chain.base_data_tx(provider, f"b{b}"),
            chain.deposit_tx(client, client, 200 + b),
        ]
        for b in range(6)
    ]
    chain.mine(plan)
    deposits = chain.events(VAULT_DEPOSITED, start)
    updates = chain.events(ogpu.events.TERMINAL_BASE_DATA_UPDATED, start)
    truth = sorted(deposits + updates, key=lambda e: (e.block_number, e.log_index))
    assert len(truth) == 18

    watcher = watch_many(
        [VAULT_DEPOSITED, ogpu.events.BaseDataUpdatedEvent],
        from_block=start,
        confirmations=0,
        max_range=4,
    )
    got = await take(watcher, len(truth), timeout=10)
    assert keys(got) == keys(truth)
    assert [type(e).__name__ for e in got[:3]] == [
        "DepositedEvent",
        "BaseDataUpdatedEvent",
        "DepositedEvent",
    ]
    # 6 blocks in ranges of 4: one eth_getLogs per range for both types
    assert watcher.stats.log_queries == 2


async def test_watch_many_scopes_on_a_field_all_types_share(chain: Chain) -> None:
    start = chain.head() + 1
    client, provider = chain.accounts["client"], chain.accounts["provider"]
    chain.mine([[chain.base_data_tx(provider, "x"), chain.base_data_tx(client, "y")]])
    watcher = watch_many(
        [ogpu.events.TERMINAL_BASE_DATA_UPDATED, ogpu.events.TERMINAL_LIVE_DATA_UPDATED],
        from_block=start,
        confirmations=0,
        provider=client,
    )
    (only,) = await take(watcher, 1, timeout=10)
    assert only.provider == client


def test_query_reads_history_in_bounded_ranges(chain: Chain) -> None:
    start = chain.head() + 1
    chain.mine_deposits(30, 10)
    last = chain.head()
    truth = chain.events(VAULT_DEPOSITED, start, last)

    assert keys(ogpu.events.query(VAULT_DEPOSITED, start, last, max_range=4)) == keys(truth)
    assert keys(ogpu.events.query(DepositedEvent, start + 10, start + 19)) == keys(
        [e for e in truth if start + 10 <= e.block_number <= start + 19]
    )
    provider = chain.accounts["provider"]
    scoped = ogpu.events.query(
        DepositedEvent, start, account=provider.lower(), retry=RetryPolicy(attempts=2)
    )
    assert keys(scoped) == keys([e for e in truth if e.account == provider])
