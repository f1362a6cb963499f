"""Revert decoding: Error(string), Panic(uint256), custom errors, empty data, exceptions."""

from __future__ import annotations

import pytest
from eth_abi.abi import encode
from eth_utils.crypto import keccak
from web3.exceptions import ContractLogicError

import ogpu.schema.errors  # noqa: F401 - registers the ABIs' custom errors
from ogpu.core import errors as E
from ogpu.core.errors import JsonRpcError, OGPUError, TxRevertError
from ogpu.runtime.reverts import (
    ERROR_STRING_SELECTOR,
    PANIC_SELECTOR,
    REVERT_PATTERN_MAP,
    decode_revert,
    decode_revert_data,
)

CALLER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
TX = "0x" + "ab" * 32


def error_string(reason: str) -> bytes:
    return ERROR_STRING_SELECTOR + encode(["string"], [reason])


def panic(code: int) -> bytes:
    return PANIC_SELECTOR + encode(["uint256"], [code])


def custom(signature: str, types: list[str], args: list[object]) -> bytes:
    return keccak(text=signature)[:4] + encode(types, args)


DOCUMENTED = {
    "NotOwner": E.NotSourceOwnerError,
    "NotMaster": E.NotMasterError,
    "NotProvider": E.NotProviderError,
    "Expired": E.TaskExpiredError,
    "AlreadyConfirmed": E.ResponseAlreadyConfirmedError,
    "AlreadyFinalized": E.TaskAlreadyFinalizedError,
    "InsufficientBalance": E.InsufficientBalanceError,
    "InsufficientLockup": E.InsufficientLockupError,
    "UnbondingNotElapsed": E.UnbondingPeriodNotElapsedError,
    "NotEligible": E.NotEligibleError,
    "SourceInactive": E.SourceInactiveError,
}


def test_the_map_covers_the_eleven_documented_reasons() -> None:
    assert set(REVERT_PATTERN_MAP) == set(DOCUMENTED)


@pytest.mark.parametrize(("reason", "cls"), DOCUMENTED.items())
def test_documented_reasons_map_to_typed_errors(reason: str, cls: type[OGPUError]) -> None:
    error = decode_revert_data(error_string(reason), context="Nexus.updateSource", caller=CALLER)
    assert type(error) is cls
    assert error.context == "Nexus.updateSource"
    assert isinstance(error.__cause__, TxRevertError)
    assert error.__cause__.reason == reason


def test_caller_fills_account_fields() -> None:
    error = decode_revert_data(
        error_string("InsufficientBalance"), context="Vault.withdraw", caller=CALLER
    )
    assert isinstance(error, E.InsufficientBalanceError)
    assert error.account == CALLER
    assert error.required is None and error.available is None
    master = decode_revert_data(
        error_string("NotMaster"), context="Terminal.removeProvider", caller=CALLER
    )
    assert isinstance(master, E.NotMasterError) and master.account == CALLER


@pytest.mark.parametrize(
    ("context", "cls"),
    [
        ("Controller.cancelTask", E.NotTaskOwnerError),
        ("Controller.confirmResponse", E.NotTaskOwnerError),
        ("Nexus.inactivateSource", E.NotSourceOwnerError),
        (None, E.NotSourceOwnerError),
    ],
)
def test_not_owner_depends_on_the_operation(context: str | None, cls: type[OGPUError]) -> None:
    error = decode_revert_data(error_string("NotOwner"), context=context, caller=CALLER)
    assert type(error) is cls
    assert getattr(error, "caller") == CALLER


def test_substring_match_after_exact_match() -> None:
    error = decode_revert_data(error_string("Vault: InsufficientLockup for source"), context=None)
    assert isinstance(error, E.InsufficientLockupError)


def test_reference_only_reasons_stay_generic() -> None:
    for reason in ("NotAuthorized", "AlreadyAttempted", "ZeroAmount", "NothingToClaim"):
        error = decode_revert_data(error_string(reason), context="x")
        assert type(error) is TxRevertError
        assert error.reason == reason


@pytest.mark.parametrize(
    ("code", "meaning"),
    [(0x01, "assertion"), (0x11, "overflow"), (0x12, "zero"), (0x99, "unknown")],
)
def test_panics_name_their_code(code: int, meaning: str) -> None:
    error = decode_revert_data(panic(code), context="Task.attempt")
    assert type(error) is TxRevertError
    assert error.error_name == "Panic" and error.error_args == (code,)
    assert f"0x{code:02x}" in error.reason and meaning in error.reason


def test_empty_data_is_a_revert_without_data() -> None:
    error = decode_revert_data(b"", context="Nexus.attempt")
    assert type(error) is TxRevertError
    assert error.reason == "reverted without data"


def test_malformed_error_string_is_reported() -> None:
    error = decode_revert_data(ERROR_STRING_SELECTOR + b"\x00\x01", context=None)
    assert type(error) is TxRevertError
    assert "malformed Error(string)" in error.reason


def test_ownable_unauthorized_account_becomes_not_owner() -> None:
    data = custom("OwnableUnauthorizedAccount(address)", ["address"], [CALLER])
    error = decode_revert_data(data, context="Nexus.setSourceStatus", caller=CALLER)
    assert isinstance(error, E.NotOwnerError)
    assert error.account == CALLER
    assert error.contract == "Nexus"
    # the generated class itself: both the typed NotOwnerError and the decoded custom error
    assert isinstance(error, E.ContractCustomError) and error.error_name == "OwnableUnauthorizedAccount"


def test_other_custom_errors_come_from_the_generated_decoder() -> None:
    role = b"\x11" * 32
    data = custom(
        "AccessControlUnauthorizedAccount(address,bytes32)", ["address", "bytes32"], [CALLER, role]
    )
    error = decode_revert_data(data, context="Manager.grantRole")
    assert isinstance(error, E.ContractCustomError)
    assert error.error_name == "AccessControlUnauthorizedAccount"
    assert error.context == "Manager.grantRole"


def test_unknown_selector_keeps_the_data() -> None:
    error = decode_revert_data(bytes.fromhex("deadbeef") + b"\x00" * 32, context=None)
    assert type(error) is TxRevertError
    assert "0xdeadbeef" in error.reason


def test_tx_hash_is_attached() -> None:
    plain = decode_revert_data(error_string("Whatever"), context=None, tx_hash=TX)
    assert isinstance(plain, TxRevertError) and plain.tx_hash == TX
    typed = decode_revert_data(error_string("Expired"), context=None, tx_hash=TX)
    assert isinstance(typed, E.TaskExpiredError)
    assert getattr(typed, "tx_hash") == TX
    assert isinstance(typed.__cause__, TxRevertError) and typed.__cause__.tx_hash == TX


def test_decode_revert_of_a_json_rpc_error() -> None:
    exc = JsonRpcError(
        "http://x",
        "eth_estimateGas",
        "execution reverted",
        code=3,
        data="0x" + error_string("NotMaster").hex(),
    )
    error = decode_revert(exc, context="Terminal.announceProvider", caller=CALLER)
    assert isinstance(error, E.NotMasterError)
    assert error.__cause__ is not None


def test_decode_revert_of_a_web3_contract_logic_error() -> None:
    exc = ContractLogicError(
        "execution reverted: SourceInactive", data="0x" + error_string("SourceInactive").hex()
    )
    error = decode_revert(exc, context="Controller.publishTask")
    assert isinstance(error, E.SourceInactiveError)


def test_decode_revert_reads_the_reason_from_the_message() -> None:
    error = decode_revert(
        RuntimeError("execution reverted: AlreadyFinalized"), context="Nexus.attempt", tx_hash=TX
    )
    assert isinstance(error, E.TaskAlreadyFinalizedError)
    assert getattr(error, "tx_hash") == TX
    no_data = decode_revert(ValueError("execution reverted"), context=None)
    assert type(no_data) is TxRevertError and no_data.reason == "reverted without data"
    assert isinstance(no_data.__cause__, ValueError)


def test_decode_revert_returns_other_sdk_errors_unchanged() -> None:
    exc = E.RpcError("http://x", "eth_call", "connection refused")
    assert decode_revert(exc, context="x") is exc


def test_decode_revert_of_an_unrelated_exception() -> None:
    error = decode_revert(KeyError("boom"), context="x")
    assert type(error) is TxRevertError
    assert "boom" in error.reason
