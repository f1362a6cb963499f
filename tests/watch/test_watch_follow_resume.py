"""Follow mode and resume on the real devnet."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

import ogpu.events
import ogpu.protocol.vault
from ogpu.devnet import Devnet
from ogpu.events import VAULT_DEPOSITED, DepositedEvent
from ogpu.runtime.watch import Cursor, watch
from tests.watch.chainkit import Chain, Collector, keys, nothing_more, take

pytestmark = pytest.mark.integration

POLL = 0.02


async def test_follow_mode_delivers_only_new_events_as_blocks_arrive(chain: Chain) -> None:
    chain.mine_deposits(3, 4)  # before the watcher starts: never delivered
    start = chain.head() + 1
    collector = Collector()
    collector.start(watch(VAULT_DEPOSITED, poll_interval=POLL, confirmations=0))
    await asyncio.sleep(5 * POLL)

    for round_ in range(5):  # blocks arrive one at a time while the watcher follows the head
        chain.mine_deposits(1, 3, first_amount=100 + 3 * round_)
        await collector.wait_for(lambda: len(collector.events) == 3 * (round_ + 1))
    await collector.stop()

    assert keys(collector.events) == keys(chain.events(VAULT_DEPOSITED, start))
    assert [e.amount for e in collector.events] == list(range(100, 115))


async def test_follow_mode_sees_transactions_of_the_generated_protocol_layer(
    devnet: Devnet, chain: Chain
) -> None:
    client = devnet.document["accounts"]["client"]
    master = chain.accounts["master"]
    collector = Collector()
    collector.start(ogpu.events.watch_deposited(master, poll_interval=POLL, confirmations=0))
    await asyncio.sleep(5 * POLL)

    receipts = [
        await asyncio.to_thread(
            ogpu.protocol.vault.deposit, account, 7 + i, signer=client["private_key"]
        )
        for i, account in enumerate([master, chain.accounts["agent"], master])
    ]
    await collector.wait_for(lambda: len(collector.events) == 2)
    await collector.stop()

    from_receipts = [
        e
        for r in receipts
        for e in r.events
        if isinstance(e, DepositedEvent) and e.account == master
    ]
    assert collector.events == from_receipts
    assert [e.amount for e in collector.events] == [7, 9]


async def test_confirmations_hold_events_until_they_are_deep_enough(chain: Chain) -> None:
    start = chain.head() + 1
    blocks = chain.mine_deposits(4, 2)
    collector = Collector()
    watcher = watch(VAULT_DEPOSITED, from_block=start, poll_interval=POLL, confirmations=2)
    collector.start(watcher)
    await collector.wait_for(
        lambda: watcher.cursor is not None and watcher.cursor.block_number == blocks[1]
    )
    await asyncio.sleep(5 * POLL)
    assert {e.block_number for e in collector.events} == {blocks[0], blocks[1]}

    chain.empty_blocks(1)
    await collector.wait_for(lambda: len(collector.events) == 6)
    chain.empty_blocks(1)
    await collector.wait_for(lambda: len(collector.events) == 8)
    await collector.stop()
    assert keys(collector.events) == keys(chain.events(VAULT_DEPOSITED, start))


async def test_resume_from_a_saved_mid_block_cursor_loses_and_repeats_nothing(
    chain: Chain, tmp_path: Path
) -> None:
    start = chain.head() + 1
    chain.mine_deposits(20, 10)
    truth = chain.events(VAULT_DEPOSITED, start)
    cursor_file = tmp_path / "state" / "cursor.json"
    cursor_file.parent.mkdir()

    first = watch(
        VAULT_DEPOSITED, from_block=start, poll_interval=POLL, confirmations=0, max_range=3
    )
    before = await take(first, 137, timeout=10)  # stops inside a block: 13 blocks and 7 events
    assert first.cursor is not None and first.cursor.log_index is not None
    first.cursor.save(cursor_file)
    await first.aclose()

    saved = Cursor.load(cursor_file)
    assert saved == Cursor.from_event(before[-1])
    second = watch(VAULT_DEPOSITED, cursor=saved, from_block=0, poll_interval=POLL, confirmations=0)
    after = await take(second, len(truth) - 137, timeout=10)
    assert keys(before + after) == keys(truth)
    assert await nothing_more(second, 0.2)


async def test_resume_from_a_range_end_cursor_delivers_only_later_events(chain: Chain) -> None:
    start = chain.head() + 1
    chain.mine_deposits(5, 4)
    first = watch(VAULT_DEPOSITED, from_block=start, poll_interval=POLL, confirmations=0)
    await take(first, 20, timeout=10)
    assert await nothing_more(first, 0.2)  # the watcher finishes its range, then idles
    assert first.cursor is not None and first.cursor.log_index is None
    saved = Cursor.from_json(first.cursor.to_json())
    await first.aclose()

    later = chain.head() + 1
    chain.mine_deposits(3, 4, first_amount=50)
    resumed = watch(VAULT_DEPOSITED, cursor=saved, poll_interval=POLL, confirmations=0)
    got = await take(resumed, 12, timeout=10)
    assert keys(got) == keys(chain.events(VAULT_DEPOSITED, later))


async def test_generated_watchers_resume_from_a_cursor_taken_from_an_event(chain: Chain) -> None:
    start = chain.head() + 1
    chain.mine_deposits(4, 5)
    truth = chain.events(VAULT_DEPOSITED, start)
    agent = chain.accounts["agent"]
    scoped = [e for e in truth if e.account == agent]

    first = ogpu.events.watch_deposited(
        agent, from_block=start, poll_interval=POLL, confirmations=0
    )
    head_part = await take(first, 2, timeout=10)
    resumed = ogpu.events.watch_deposited(
        agent,
        from_block=start,
        poll_interval=POLL,
        confirmations=0,
        cursor=Cursor.from_event(head_part[-1]),
    )
    rest = await take(resumed, len(scoped) - 2, timeout=10)
    assert keys(head_part + rest) == keys(scoped)
