"""What the generated layer refuses or does without touching the network."""

from __future__ import annotations

from typing import Any

import pytest

import ogpu.runtime.contract as runtime
from ogpu.chain import ChainConfig, ChainId
from ogpu.core.errors import (
    EventNotFoundError,
    InvalidAddressError,
    InvalidParamsError,
    MissingSignerError,
    UnsupportedOnNetworkError,
)
from ogpu.protocol import Task, controller, nexus, vault
from ogpu.types import Receipt

KEY = "0x" + "11" * 32


@pytest.fixture(autouse=True)
def no_rpc(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: Any, **__: Any) -> Any:
        raise AssertionError("an RPC was attempted")

    monkeypatch.setattr(runtime, "get_rpc_client", refuse)
    for role in ("CLIENT", "PROVIDER", "MASTER", "AGENT"):
        monkeypatch.delenv(f"{role}_PRIVATE_KEY", raising=False)
    monkeypatch.setenv("OGPU_NO_DOTENV", "1")


def test_function_missing_on_the_network_fails_before_any_rpc() -> None:
    with pytest.raises(UnsupportedOnNetworkError) as err:
        vault.cancel_unbonding(signer=KEY, chain=ChainId.OGPU_TESTNET)
    assert (err.value.contract, err.value.function, err.value.chain) == (
        "Vault",
        "cancelUnbonding",
        ChainId.OGPU_TESTNET,
    )
    assert not ChainConfig.supports("Vault", "cancelUnbonding", ChainId.OGPU_TESTNET)
    assert ChainConfig.supports("Vault", "cancelUnbonding", ChainId.OGPU_MAINNET)


def test_bad_addresses_and_amounts_are_typed_errors() -> None:
    with pytest.raises(InvalidAddressError):
        vault.get_balance_of("0x123")
    with pytest.raises(InvalidAddressError):
        vault.get_balance_of("0x2b0cC6058313801D5feb184a539e3a0C5A87a6A1")  # bad checksum
    with pytest.raises(InvalidParamsError):
        vault.lock(-1, signer=KEY)
    with pytest.raises(InvalidParamsError):
        vault.lock(2**256, signer=KEY)


def test_signer_rules() -> None:
    with pytest.raises(MissingSignerError) as vault_err:
        vault.lock(1, signer=None)  # type: ignore[arg-type]
    assert vault_err.value.role is None and "explicit signer" in str(vault_err.value)
    with pytest.raises(MissingSignerError, match="PROVIDER_PRIVATE_KEY"):
        nexus.register("0x" + "ab" * 20, "0x" + "cd" * 20, 1)


def test_instances_do_no_io() -> None:
    task = Task("0x" + "ab" * 20, chain=ChainId.OGPU_TESTNET)
    a = task.address
    assert repr(task) == f"<Task {a[:8]}...{a[-4:]} @testnet>"
    assert str(task) == task.address and task == Task(task.address.upper().replace("0X", "0x"))
    assert hash(task) == hash(Task(task.address.lower()))


def test_extractors_need_the_event() -> None:
    receipt = Receipt(tx_hash="0x" + "00" * 32, block_number=1, gas_used=21000, status=1)
    with pytest.raises(EventNotFoundError):
        controller.extract_task_address(receipt)
