"""Generate a package from the Probe fixture (solc-js compiled), type-check it, and use it on a
real anvil node: calls, writes, overloads, nested structs, enums, custom errors, require
strings, panics, events and batched snapshots."""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from web3 import Web3

from ogpu.chain import ChainConfig
from ogpu.core.errors import InvalidAddressError, InvalidParamsError, NotFoundError, TxRevertError
from ogpu.schema.networks import ChainId

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def probe(probe_build: Any) -> Iterator[Any]:
    sys.path.insert(0, str(probe_build.root))
    try:
        yield importlib.import_module("probe.protocol")
    finally:
        sys.path.remove(str(probe_build.root))
        for name in [m for m in sys.modules if m == "probe" or m.startswith("probe.")]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def deployed(anvil: str, anvil_keys: tuple[str, ...], probe_build: Any) -> Iterator[str]:
    w3 = Web3(Web3.HTTPProvider(anvil))
    sender = Account.from_key(anvil_keys[0])
    tx = {
        "from": sender.address,
        "data": probe_build.bytecode,
        "nonce": w3.eth.get_transaction_count(sender.address),
        "gas": 3_000_000,
        "gasPrice": w3.eth.gas_price * 2,
        "chainId": w3.eth.chain_id,
    }
    receipt = w3.eth.wait_for_transaction_receipt(
        w3.eth.send_raw_transaction(sender.sign_transaction(tx).raw_transaction)
    )
    previous = ChainConfig.get_current_chain()
    ChainConfig.set_rpc(anvil, ChainId.LOCAL)
    ChainConfig.set_chain(ChainId.LOCAL)
    try:
        yield str(receipt["contractAddress"])
    finally:
        ChainConfig.reset_rpc(ChainId.LOCAL)
        ChainConfig.set_chain(previous)


def test_generated_probe_passes_mypy_strict(probe_build: Any) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "-p", "probe"],
        cwd=probe_build.root,
        env={
            "MYPYPATH": f"{probe_build.root}:{ROOT / 'handwritten'}:{ROOT / 'generated'}",
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_naming_policy_on_the_probe(probe: Any) -> None:
    m = probe.probe
    # overloads get a suffix from their types; `value` is reserved for the payable amount
    assert {"set_uint256", "set_uint256_string"} <= set(dir(m))
    # unnamed input -> arg0, keyword `class` -> class_, builtin `list` -> list_
    assert m.get_echo.__code__.co_varnames[:4] == ("address", "arg0", "list_", "class_")
    # a builtin as a function name, a view: get_print
    assert callable(m.get_print)


def test_reads_writes_structs_and_enums(
    probe: Any, deployed: str, anvil_keys: tuple[str, ...]
) -> None:
    m = probe.probe
    key = anvil_keys[1]
    receipt = m.set_uint256_string(deployed, 7, "seven", signer=key)
    assert receipt.status == 1 and receipt.tx_hash.startswith("0x") and len(receipt.tx_hash) == 66
    assert receipt.timestamp > 0
    assert m.get_value(deployed) == 7
    assert m.get_print(deployed) == (7, "seven")
    assert m.get_echo(deployed, deployed, 5, True) == 5
    structs = importlib.import_module("probe.schema.structs")
    enums = importlib.import_module("probe.schema.enums")
    outer = structs.Outer(
        id=9, items=[structs.Inner(who=deployed.lower(), level=enums.Level.HIGH)], note="n"
    )
    stored = m.store(deployed, outer, signer=key)
    back = m.get_outer(deployed)
    assert back == structs.Outer(
        id=9, items=[structs.Inner(who=deployed, level=enums.Level.HIGH)], note="n"
    )
    assert isinstance(back.items[0].level, enums.Level)
    (event,) = [e for e in stored.events if type(e).__name__ == "StoredEvent"]
    assert (event.who, event.id, event.note) == (Account.from_key(key).address, 9, "n")
    assert event.transaction_hash == stored.tx_hash and event.block_number == stored.block_number
    touched = m.touch(deployed, enums.Level.MID, value=3, signer=key)
    (t,) = touched.events
    assert t.level is enums.Level.MID


def test_reverts_are_typed_and_nothing_is_sent(
    probe: Any, deployed: str, anvil: str, anvil_keys: tuple[str, ...]
) -> None:
    m = probe.probe
    errors = importlib.import_module("probe.schema.errors")
    structs = importlib.import_module("probe.schema.structs")
    key = anvil_keys[2]
    w3 = Web3(Web3.HTTPProvider(anvil))
    me = Account.from_key(key).address
    m.set_uint256(deployed, 50, signer=key)
    nonce = w3.eth.get_transaction_count(me)
    with pytest.raises(errors.TooLowError) as low:
        m.store(deployed, structs.Outer(id=1, items=[], note=""), signer=key)
    assert (low.value.wanted, low.value.got) == (50, 1)
    m.set_uint256(deployed, 0, signer=key)
    with pytest.raises(TxRevertError, match="Unlucky") as unlucky:
        m.store(deployed, structs.Outer(id=13, items=[], note=""), signer=key)
    assert unlucky.value.reason == "Unlucky" and unlucky.value.context == "Probe.store"
    with pytest.raises(TxRevertError, match="division") as panic:
        m.get_divide(deployed, 1, 0)
    assert panic.value.error_name == "Panic" and panic.value.error_args == (0x12,)
    # the two reverting writes failed at estimation: only set_uint256(0) was sent
    assert w3.eth.get_transaction_count(me) == nonce + 1


def test_bad_input_is_refused_before_any_rpc(probe: Any, deployed: str) -> None:
    m = probe.probe
    with pytest.raises(InvalidAddressError):
        m.get_value("0x1234")
    with pytest.raises(InvalidParamsError):
        m.get_divide(deployed, -1, 1)


def test_instance_snapshot_and_load(probe: Any, deployed: str, anvil_keys: tuple[str, ...]) -> None:
    p = probe.Probe(deployed.lower())
    assert repr(p).startswith("<Probe 0x") and str(p) == deployed
    snap = p.snapshot()
    assert snap.value == p.get_value() and snap.block_number > 0
    assert probe.Probe.load(deployed) == p
    with pytest.raises(NotFoundError):
        probe.Probe.load(Account.from_key(anvil_keys[3]).address)
