"""Reorgs on the real devnet (``anvil_reorg``, and ``evm_snapshot``/``evm_revert`` rewinds).

Every test ends with the same check: the events delivered and not reported removed are exactly
the canonical chain's events, in order.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ogpu.core.errors import ReorgError
from ogpu.events import VAULT_DEPOSITED
from ogpu.runtime.watch import Cursor, watch
from tests.watch.chainkit import Chain, Collector, keys
from tests.watch.faultproxy import FaultProxy

pytestmark = pytest.mark.integration

POLL = 0.02


def replacement_deposits(
    chain: Chain, depth: int, per_block: int
) -> list[tuple[dict[str, object], int]]:
    """Deposits of 1000+ wei (unlike any mined before) for each of the ``depth`` new blocks."""
    agent, client = chain.accounts["agent"], chain.accounts["client"]
    return [
        (chain.deposit_tx(client, agent, 1000 + offset * per_block + i), offset)
        for offset in range(depth)
        for i in range(per_block)
    ]


async def test_without_confirmations_a_reorg_reports_removed_events_then_delivers_replacements(
    chain: Chain,
) -> None:
    start = chain.head() + 1
    blocks = chain.mine_deposits(6, 3)
    collector = Collector()
    watcher = watch(
        VAULT_DEPOSITED,
        from_block=start,
        poll_interval=POLL,
        confirmations=0,
        on_removed=collector.removed,
    )
    collector.start(watcher)
    await collector.wait_for(lambda: len(collector.events) == 18)
    orphaned = [e for e in collector.events if e.block_number > blocks[-4]]
    assert len(orphaned) == 9

    chain.reorg(3, replacement_deposits(chain, 3, 2))
    truth = chain.events(VAULT_DEPOSITED, start)
    await collector.wait_for(lambda: keys(collector.live()) == keys(truth))
    await collector.stop()

    assert keys(collector.removals) == keys(reversed(orphaned))  # newest first
    first_new = next(
        i for i, (kind, e) in enumerate(collector.log) if kind == "event" and e.amount >= 1000
    )
    last_removed = max(i for i, (kind, _) in enumerate(collector.log) if kind == "removed")
    assert last_removed < first_new  # removals are reported before any replacement is yielded
    assert [e.amount for e in collector.events[18:]] == [1000, 1001, 1002, 1003, 1004, 1005]
    assert watcher.stats.reorgs == 1 and watcher.stats.removed == 9


async def test_with_confirmations_no_reorged_out_event_is_ever_delivered(chain: Chain) -> None:
    start = chain.head() + 1
    blocks = chain.mine_deposits(6, 3)
    collector = Collector()
    watcher = watch(
        VAULT_DEPOSITED,
        from_block=start,
        poll_interval=POLL,
        confirmations=3,
        on_removed=collector.removed,
    )
    collector.start(watcher)
    # Only the first 3 blocks are 3 deep; the watcher keeps polling while the last 2 exist.
    await collector.wait_for(
        lambda: watcher.cursor is not None and watcher.cursor.block_number == blocks[2]
    )
    await collector.wait_for(lambda: watcher.stats.requests >= 8)
    doomed = {e.amount for e in chain.events(VAULT_DEPOSITED, blocks[-2])}
    assert len(collector.events) == 9

    chain.reorg(2, replacement_deposits(chain, 2, 2))
    chain.empty_blocks(3)
    truth = chain.events(VAULT_DEPOSITED, start)
    await collector.wait_for(lambda: keys(collector.events) == keys(truth))
    await collector.stop()

    assert collector.removals == []
    assert not doomed & {e.amount for e in collector.events}
    assert watcher.stats.reorgs == 0
    print(
        f"\nreorg of depth 2 under 3 confirmations: {len(truth)} events, none reorged out, {watcher.stats}"
    )


async def test_a_reorg_deeper_than_the_confirmations_reports_only_delivered_events(
    chain: Chain,
) -> None:
    start = chain.head() + 1
    blocks = chain.mine_deposits(6, 2)
    collector = Collector()
    watcher = watch(
        VAULT_DEPOSITED,
        from_block=start,
        poll_interval=POLL,
        confirmations=1,
        on_removed=collector.removed,
    )
    collector.start(watcher)
    await collector.wait_for(lambda: len(collector.events) == 10)  # the head block is not 1 deep

    chain.reorg(3, replacement_deposits(chain, 3, 1))
    truth = chain.events(VAULT_DEPOSITED, start)
    await collector.wait_for(lambda: keys(collector.live()) == keys(truth[:-1]))
    await collector.stop()

    # delivered, then replaced
    assert {e.block_number for e in collector.removals} == {blocks[3], blocks[4]}
    assert len(collector.removals) == 4


async def test_a_reorg_between_the_poll_and_the_range_read_is_caught_by_the_range_read(
    chain: Chain, fault_proxy: Callable[..., FaultProxy]
) -> None:
    start = chain.head() + 1
    blocks = chain.mine_deposits(3, 2)
    proxy = fault_proxy()
    collector = Collector()
    watcher = watch(
        VAULT_DEPOSITED,
        from_block=start,
        poll_interval=POLL,
        confirmations=0,
        on_removed=collector.removed,
    )
    collector.start(watcher)
    await collector.wait_for(lambda: len(collector.events) == 6)
    reorganiser = Chain(chain.url, {"contracts": chain.contracts, "accounts": {}})

    def reorg_once(body: bytes) -> None:  # runs in the proxy just before the next range read
        if b"eth_getLogs" in body:
            reorganiser.reorg(2, replacement_deposits(chain, 2, 1))
            proxy.on_forward = None

    proxy.on_forward = reorg_once
    chain.mine_deposits(1, 1, first_amount=700)  # the poll sees a new block, then the range read
    # the reorg happens inside the range read
    await collector.wait_for(lambda: proxy.on_forward is None)
    truth = chain.events(VAULT_DEPOSITED, start)
    await collector.wait_for(lambda: keys(collector.live()) == keys(truth))
    await collector.stop()
    reorganiser.close()

    assert {e.block_number for e in collector.removals} == {blocks[-1]}
    assert watcher.stats.failures == 1  # the read that straddled the reorg was read again
    # the new block was reorged out before it could be delivered
    assert 700 not in {e.amount for e in collector.events}


async def test_a_rewound_chain_is_reconciled_once_it_grows_past_the_cursor(
    chain: Chain, caplog: pytest.LogCaptureFixture
) -> None:
    start = chain.head() + 1
    chain.mine_deposits(2, 2)
    snapshot = chain.call("evm_snapshot")
    chain.mine_deposits(3, 2, first_amount=500)
    collector = Collector()
    watcher = watch(
        VAULT_DEPOSITED,
        from_block=start,
        poll_interval=POLL,
        confirmations=0,
        on_removed=collector.removed,
    )
    collector.start(watcher)
    await collector.wait_for(lambda: len(collector.events) == 10)

    assert chain.call("evm_revert", snapshot) is True  # the head drops below the watcher's cursor
    polls = watcher.stats.requests
    await collector.wait_for(lambda: watcher.stats.requests >= polls + 5)  # it waits meanwhile
    chain.mine_deposits(4, 1, first_amount=900)
    truth = chain.events(VAULT_DEPOSITED, start)
    await collector.wait_for(lambda: keys(collector.live()) == keys(truth))
    await collector.stop()

    assert sorted(e.amount for e in collector.removals) == list(range(500, 506))
    assert [e.amount for e in collector.live()] == [1, 2, 3, 4, 900, 901, 902, 903]
    waits = [r for r in caplog.records if "waiting for it" in r.getMessage()]
    assert len(waits) == 1  # said once, not at every poll


async def test_resuming_from_a_cursor_whose_block_was_replaced_raises_reorg_error(
    chain: Chain,
) -> None:
    start = chain.head() + 1
    chain.mine_deposits(3, 2)
    first = watch(VAULT_DEPOSITED, from_block=start, poll_interval=POLL, confirmations=0)
    delivered = [await first.__anext__() for _ in range(6)]
    saved = Cursor.from_event(delivered[-1])
    await first.aclose()

    chain.reorg(1, replacement_deposits(chain, 1, 1))
    resumed = watch(VAULT_DEPOSITED, cursor=saved, poll_interval=POLL, confirmations=0)
    with pytest.raises(ReorgError) as caught:
        await resumed.__anext__()
    assert caught.value.block_number == saved.block_number
    assert caught.value.expected_hash == saved.block_hash
    assert caught.value.actual_hash == chain.block_hash(saved.block_number)


async def test_a_reorg_deeper_than_the_window_raises_reorg_error(chain: Chain) -> None:
    start = chain.head() + 1
    chain.mine_deposits(8, 1)
    watcher = watch(
        VAULT_DEPOSITED, from_block=start, poll_interval=POLL, confirmations=0, reorg_window=2
    )
    for _ in range(8):
        await watcher.__anext__()

    chain.reorg(5, replacement_deposits(chain, 5, 1))
    with pytest.raises(ReorgError):
        await watcher.__anext__()
