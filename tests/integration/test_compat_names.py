"""The 0.2.1 names ``ogpu.protocol`` keeps (load_contract, TxExecutor, decode_revert, ...),
on the devnet, running through the same transaction path as the generated functions."""

from __future__ import annotations

from typing import Any

import pytest

from ogpu.core.errors import InsufficientBalanceError, MissingSignerError
from ogpu.protocol import (
    REVERT_PATTERN_MAP,
    ZERO_ADDRESS,
    TxExecutor,
    decode_revert,
    load_contract,
    resolve_signer,
    vault,
)
from ogpu.types import Receipt, TxOptions


def test_tx_executor_builds_and_executes(devnet: Any) -> None:
    client = devnet.document["accounts"]["client"]
    contract = load_contract("VaultAbi")
    assert contract.address == devnet.document["contracts"]["VAULT"]
    assert load_contract("VaultAbi") is contract  # cached per (chain, ABI, address)
    executor = TxExecutor(
        contract, "deposit", (client["address"],), signer=client["private_key"], value=10**15
    )
    unsigned = executor.build()
    assert (
        unsigned["to"] == contract.address
        and unsigned["value"] == 10**15
        and unsigned["gas"] > 21000
    )
    receipt = executor.execute()
    assert isinstance(receipt, Receipt) and receipt.status == 1
    assert vault.get_balance_of(client["address"]) == 10**15
    (deposited,) = receipt.events
    assert (deposited.account, deposited.amount) == (client["address"], 10**15)


def test_tx_executor_reverts_are_typed_before_sending(devnet: Any) -> None:
    client = devnet.document["accounts"]["client"]
    executor = TxExecutor(
        load_contract("VaultAbi"),
        "withdraw",
        (1,),
        signer=client["private_key"],
        options=TxOptions(timeout=5),
    )
    with pytest.raises(InsufficientBalanceError):
        executor.execute()


def test_shared_names_keep_their_meaning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLIENT_PRIVATE_KEY", raising=False)
    monkeypatch.setenv("OGPU_NO_DOTENV", "1")
    assert ZERO_ADDRESS == "0x" + "0" * 40
    assert "InsufficientBalance" in REVERT_PATTERN_MAP
    error = decode_revert(
        Exception("execution reverted: InsufficientBalance"), context="Vault.withdraw", caller=None
    )
    assert isinstance(error, InsufficientBalanceError)
    with pytest.raises(MissingSignerError):
        resolve_signer(None)
