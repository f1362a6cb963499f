"""Unit tests of the watcher engine's parts: no node involved (watch() does no I/O when built)."""

from __future__ import annotations

import dataclasses
import inspect
import json
import os
from typing import Any
from pathlib import Path

import pytest

import ogpu.events
from ogpu.core.errors import (
    ConfigError,
    DecodeError,
    InvalidParamsError,
    JsonRpcError,
    OGPUError,
    ReorgError,
    RpcError,
    UnsupportedOnNetworkError,
)
from ogpu.runtime import watch as engine
from ogpu.runtime.watch import Cursor, RetryPolicy, watch, watch_many
from ogpu.schema.events import EVENT_SPECS
from ogpu.schema.networks import ChainId

MAINNET, TESTNET = ChainId.OGPU_MAINNET, ChainId.OGPU_TESTNET
HASH = "0x" + "ab" * 32
URL = "http://127.0.0.1:1"


# --- Cursor ---------------------------------------------------------------------------------


def test_cursor_round_trips_through_json() -> None:
    for cursor in (Cursor(5, HASH), Cursor(0, HASH.upper().replace("0X", "0x"), 3)):
        assert Cursor.from_json(cursor.to_json()) == cursor
    assert json.loads(Cursor(7, HASH, 2).to_json()) == {
        "block_number": 7,
        "block_hash": HASH,
        "log_index": 2,
    }
    assert Cursor(1, "0x" + "AB" * 32).block_hash == HASH  # stored lower-case


@pytest.mark.parametrize(
    "args",
    [(-1, HASH), (True, HASH), (1, "0x1234"), (1, "ab" * 32), (1, HASH, -1), (1, HASH, 1.5)],
)
def test_cursor_refuses_malformed_fields(args: tuple[object, ...]) -> None:
    with pytest.raises(InvalidParamsError):
        Cursor(*args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text", ["", "[]", "{}", '{"block_number": "1", "block_hash": "0x"}', "not json"]
)
def test_cursor_from_json_raises_decode_error(text: str) -> None:
    with pytest.raises(DecodeError):
        Cursor.from_json(text)


def test_cursor_from_event_points_at_the_event() -> None:
    event = ogpu.events.DepositedEvent("0x" + "11" * 20, 5, 9, "0x" + "cd" * 32, 4, block_hash=HASH)
    assert Cursor.from_event(event) == Cursor(9, HASH, 4)


def test_cursor_save_replaces_the_file_atomically_and_load_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "cursor.json"
    assert Cursor.load(path) is None
    Cursor(1, HASH).save(path)
    Cursor(2, HASH, 0).save(path)
    assert Cursor.load(path) == Cursor(2, HASH, 0)
    assert os.listdir(tmp_path) == ["cursor.json"]  # no temporary file left behind


def test_cursor_file_errors_are_typed(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        Cursor(1, HASH).save(tmp_path / "missing-folder" / "cursor.json")
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(DecodeError):
        Cursor.load(tmp_path / "bad.json")


# --- error classification, ranges, backoff ----------------------------------------------------


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (RpcError(URL, "m", "ConnectionError: reset"), "transient"),
        (RpcError(URL, "m", "HTTP 503", code=503), "transient"),
        (RpcError(URL, "m", "HTTP 429", code=429), "transient"),
        (RpcError(URL, "m", "HTTP 408", code=408), "transient"),
        (RpcError(URL, "m", "HTTP 403", code=403), "fatal"),
        (JsonRpcError(URL, "m", "rate limit exceeded", code=-32005), "transient"),
        (JsonRpcError(URL, "m", "Too Many Requests", code=429), "transient"),
        (JsonRpcError(URL, "m", "header not found", code=-32000), "transient"),
        (JsonRpcError(URL, "m", "something broke", code=-32603), "transient"),
        (JsonRpcError(URL, "m", "query returned more than 10000 results", code=-32005), "range"),
        (JsonRpcError(URL, "m", "exceed maximum block range: 5000", code=-32000), "range"),
        (JsonRpcError(URL, "m", "block range is too wide", code=-32600), "range"),
        (JsonRpcError(URL, "m", "Log response size exceeded.", code=-32602), "range"),
        (JsonRpcError(URL, "m", "eth_getLogs is limited to a 10,000 range", code=-32614), "range"),
        (JsonRpcError(URL, "m", "invalid argument 0", code=-32602), "fatal"),
        (JsonRpcError(URL, "m", "the method does not exist", code=-32601), "fatal"),
    ],
)
def test_errors_are_classified(error: RpcError, kind: str) -> None:
    assert engine._classify(error) == kind


def test_range_sizer_takes_the_nodes_suggestion_or_halves_then_grows_back() -> None:
    sizer = engine._RangeSizer(1000)
    assert sizer.span(10, 5000) == 1009 and sizer.span(10, 20) == 20
    sizer.shrink(JsonRpcError(URL, "eth_getLogs", "Try with this block range [0x10, 0x73]."), 1000)
    assert sizer.size == 100
    sizer.shrink(JsonRpcError(URL, "eth_getLogs", "block range too large"), 100)
    assert sizer.size == 50
    sizer.succeeded(10)  # a short range at the head says nothing
    for _ in range(4):
        sizer.succeeded(50)
    assert sizer.size == 100
    for _ in range(20):
        sizer.succeeded(sizer.size)
    assert sizer.size == 1000


def test_range_sizer_gives_up_on_a_single_block() -> None:
    refusal = JsonRpcError(URL, "eth_getLogs", "query returned more than 10000 results")
    with pytest.raises(JsonRpcError) as caught:
        engine._RangeSizer(5).shrink(refusal, 1)
    assert caught.value is refusal


def test_retry_delays_grow_exponentially_with_jitter_up_to_the_cap() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=5.0)
    for failures, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 5.0), (9, 5.0)]:
        delays = [policy.delay(failures) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
    with pytest.raises(InvalidParamsError):
        RetryPolicy(attempts=0)


# --- building watchers ------------------------------------------------------------------------


def test_every_nexus_terminal_and_vault_event_can_be_watched_on_mainnet() -> None:
    singletons = [s for s in EVENT_SPECS if s.contract in ("Nexus", "Terminal", "Vault")]
    assert len(singletons) >= 27
    for spec in singletons:
        watcher = watch(spec, chain=MAINNET)
        assert watcher.cursor is None
    assert watch_many(singletons, chain=MAINNET).stats.requests == 0


def test_an_event_class_resolves_to_its_spec_or_names_the_candidates() -> None:
    assert engine._resolve_spec(ogpu.events.AttemptedEvent) is ogpu.events.NEXUS_ATTEMPTED
    with pytest.raises(InvalidParamsError, match="NEXUS_OWNERSHIP_TRANSFERRED"):
        watch(ogpu.events.OwnershipTransferredEvent, chain=MAINNET)
    with pytest.raises(InvalidParamsError):
        watch(dict, chain=MAINNET)


def test_the_filter_lists_addresses_and_topics_and_scoping_is_case_insensitive() -> None:
    task = "0x" + "aB" * 20
    selection = engine._selection(
        [ogpu.events.NEXUS_ATTEMPTED, ogpu.events.VAULT_DEPOSITED],
        MAINNET,
        "mainnet",
        None,
        None,
        {},
    )
    log_filter = selection.log_filter(16, 31)
    assert log_filter["fromBlock"] == "0x10" and log_filter["toBlock"] == "0x1f"
    assert len(log_filter["address"]) == 2 and len(log_filter["topics"][0]) == 2
    scoped = engine._predicate(
        {"task": task.upper().replace("0X", "0x")}, [ogpu.events.AttemptedEvent], {}
    )
    event = ogpu.events.AttemptedEvent(task, "0x" + "22" * 20, 1, 1, HASH, 0)
    assert scoped(event) and not scoped(dataclasses.replace(event, task="0x" + "33" * 20))


def test_decode_keeps_chain_order_skips_removed_and_foreign_logs_and_checksums_the_address() -> (
    None
):
    vault = "0xa5c582254AA313528898311362bc698b041580cC"
    selection = engine._selection([ogpu.events.VAULT_DEPOSITED], MAINNET, "mainnet", None, None, {})

    def log(
        block: int, index: int, address: str = vault.lower(), removed: bool = False
    ) -> dict[str, object]:
        data = "0x" + "00" * 12 + "11" * 20 + f"{block * 100 + index:064x}"
        return {
            "address": address,
            "topics": [ogpu.events.VAULT_DEPOSITED.topic0],
            "data": data,
            "blockNumber": hex(block),
            "blockHash": HASH,
            "transactionHash": HASH,
            "logIndex": hex(index),
            "removed": removed,
        }

    events = selection.decode(
        [log(3, 1), log(2, 5), log(3, 0), log(3, 2, removed=True), log(4, 0, "0x" + "99" * 20)]
    )
    assert [(e.block_number, e.log_index) for e in events] == [(2, 5), (3, 0), (3, 1)]
    assert {e.contract_address for e in events} == {vault}


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"where": {"tsak": "0x"}}, "where"),
        ({"where": lambda e: True, "task": "0x"}, "where"),
        ({"from_block": -1}, "from_block"),
        ({"confirmations": -1}, "confirmations"),
        ({"max_range": 0}, "max_range"),
        ({"reorg_window": 0}, "reorg_window"),
        ({"poll_interval": -1.0}, "poll_interval"),
        ({"cursor": {"block_number": 1}}, "cursor"),
    ],
)
def test_invalid_arguments_raise_invalid_params_at_once(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidParamsError) as caught:
        watch(ogpu.events.NEXUS_ATTEMPTED, chain=MAINNET, **kwargs)
    assert caught.value.field == field


def test_watch_many_scoping_fields_must_exist_on_every_type() -> None:
    with pytest.raises(InvalidParamsError, match="DepositedEvent has no field 'task'"):
        watch_many(
            [ogpu.events.NEXUS_ATTEMPTED, ogpu.events.VAULT_DEPOSITED], chain=MAINNET, task="0x"
        )


def test_per_entity_contracts_need_an_address_and_network_gaps_are_typed() -> None:
    with pytest.raises(InvalidParamsError, match="address="):
        watch(ogpu.events.TASK_OWNERSHIP_TRANSFERRED, chain=MAINNET)
    assert watch(ogpu.events.TASK_OWNERSHIP_TRANSFERRED, chain=MAINNET, address="0x" + "ab" * 20)
    with pytest.raises(UnsupportedOnNetworkError):
        watch(ogpu.events.VAULT_UNBONDING_CANCELED, chain=TESTNET)
    assert watch(ogpu.events.VAULT_UNBONDING_CANCELED, chain=MAINNET)


def test_no_event_field_is_shadowed_by_a_keyword_of_watch() -> None:
    keywords = set(inspect.signature(watch).parameters) | set(
        inspect.signature(engine.query).parameters
    )
    for spec in EVENT_SPECS:
        clash = {f.name for f in dataclasses.fields(spec.event_class)} & keywords
        assert not clash, (spec.name, clash)


def test_reorg_error_is_an_ogpu_error_with_its_fields() -> None:
    error = ReorgError(7, HASH, None)
    assert isinstance(error, OGPUError)
    assert (error.block_number, error.expected_hash, error.actual_hash) == (7, HASH, None)
    assert "block 7" in str(error)


def test_a_malformed_answer_is_a_transient_rpc_error_and_an_undecodable_log_a_decode_error() -> (
    None
):
    selection = engine._selection([ogpu.events.VAULT_DEPOSITED], MAINNET, "mainnet", None, None, {})
    rpc = engine._Rpc(URL, RetryPolicy(), engine.WatchStats())
    vault, topic = "0xa5c582254aa313528898311362bc698b041580cc", ogpu.events.VAULT_DEPOSITED.topic0
    with pytest.raises(RpcError, match="malformed answer") as caught:
        engine._decode_answer(selection, [{"address": vault, "topics": [topic]}], rpc)
    assert engine._classify(caught.value) == "transient"
    with pytest.raises(RpcError, match="malformed answer"):
        engine._decode_answer(selection, {"not": "a list"}, rpc)
    garbage = {
        "address": vault,
        "topics": [topic],
        "data": "0x12",
        "blockNumber": "0x1",
        "logIndex": "0x0",
    }
    with pytest.raises(DecodeError):
        engine._decode_answer(selection, [garbage], rpc)
