"""Turn revert data into typed errors.

Order of decoding: ``Error(string)`` (selector ``0x08c379a0``) goes through
:data:`REVERT_PATTERN_MAP`, exact match first, then substring; ``Panic(uint256)`` (``0x4e487b71``)
becomes a ``TxRevertError`` naming the panic; anything else is looked up among the custom
errors the generated packages registered (``ogpu.core.custom_errors``; for example
``OwnableUnauthorizedAccount``, which becomes :class:`NotOwnerError`); empty data is a revert
without data.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from eth_abi.abi import decode as abi_decode
from eth_abi.exceptions import DecodingError

from ogpu.core.custom_errors import decode_custom_error
from ogpu.core.errors import (
    InsufficientBalanceError,
    InsufficientLockupError,
    NotEligibleError,
    NotMasterError,
    NotOwnerError,
    NotProviderError,
    NotSourceOwnerError,
    NotTaskOwnerError,
    OGPUError,
    ResponseAlreadyConfirmedError,
    SourceInactiveError,
    TaskAlreadyFinalizedError,
    TaskExpiredError,
    TxRevertError,
    UnbondingPeriodNotElapsedError,
)

__all__ = [
    "ERROR_STRING_SELECTOR",
    "PANIC_SELECTOR",
    "REVERT_PATTERN_MAP",
    "ErrorBuilder",
    "decode_revert",
    "decode_revert_data",
    "error_from_reason",
    "revert_data_of",
]

ERROR_STRING_SELECTOR = bytes.fromhex("08c379a0")
PANIC_SELECTOR = bytes.fromhex("4e487b71")

ErrorBuilder = Callable[[str | None, str | None], OGPUError]
"""Builds the typed error for a reason string from ``(context, caller)``."""


def _not_owner(context: str | None, caller: str | None) -> OGPUError:
    """``NotOwner`` is about a task for task/response operations, else about a source."""
    about_task = context is not None and any(w in context.lower() for w in ("task", "response"))
    if about_task:
        return NotTaskOwnerError(caller=caller, context=context)
    return NotSourceOwnerError(caller=caller, context=context)


REVERT_PATTERN_MAP: dict[str, ErrorBuilder] = {
    "NotOwner": _not_owner,
    "NotMaster": lambda context, caller: NotMasterError(caller, context=context),
    "NotProvider": lambda context, caller: NotProviderError(caller, context=context),
    "Expired": lambda context, caller: TaskExpiredError(context=context),
    "AlreadyConfirmed": lambda context, caller: ResponseAlreadyConfirmedError(context=context),
    "AlreadyFinalized": lambda context, caller: TaskAlreadyFinalizedError(context=context),
    "InsufficientBalance": lambda context, caller: InsufficientBalanceError(
        caller, context=context
    ),
    "InsufficientLockup": lambda context, caller: InsufficientLockupError(caller, context=context),
    "UnbondingNotElapsed": lambda context, caller: UnbondingPeriodNotElapsedError(
        caller, context=context
    ),
    "NotEligible": lambda context, caller: NotEligibleError(caller, context=context),
    "SourceInactive": lambda context, caller: SourceInactiveError(context=context),
}
"""Revert reason text -> typed error builder. A fallback after ABI decoding of custom errors."""

_PANIC_MEANINGS = {
    0x00: "generic compiler panic",
    0x01: "assertion failed",
    0x11: "arithmetic overflow or underflow",
    0x12: "division or modulo by zero",
    0x21: "conversion to an out-of-range enum value",
    0x22: "incorrectly encoded storage byte array",
    0x31: "pop() on an empty array",
    0x32: "array index out of bounds",
    0x41: "too much memory allocated",
    0x51: "call to a zero-initialised internal function",
}
_REASON_IN_MESSAGE_RE = re.compile(r"execution reverted:?\s*(.*)", re.IGNORECASE | re.DOTALL)
_HEX_DATA_RE = re.compile(r"(?:Reverted\s+)?(0x(?:[0-9a-fA-F]{2})*)")


def decode_revert_data(
    data: bytes,
    *,
    context: str | None,
    caller: str | None = None,
    tx_hash: str | None = None,
) -> OGPUError:
    """Decode raw revert ``data`` into the matching typed error (returned, not raised).

    ``caller`` fills the account field of permission and vault errors; ``tx_hash`` is set on
    the error (as ``tx_hash``) when the revert comes from a mined transaction.
    """
    if not data:
        error: OGPUError = TxRevertError("reverted without data", context=context)
    elif data[:4] == ERROR_STRING_SELECTOR:
        error = _from_error_string(data, context, caller)
    elif data[:4] == PANIC_SELECTOR:
        error = _from_panic(data, context)
    else:
        error = _from_custom_error(data, context)
    if tx_hash is not None:
        _attach_tx_hash(error, tx_hash)
    return error


def error_from_reason(reason: str, *, context: str | None, caller: str | None = None) -> OGPUError:
    """The typed error for a revert reason string; unknown strings give ``TxRevertError``.

    Mapped errors carry the original ``TxRevertError(reason)`` as their ``__cause__``.
    """
    builder = _match_reason(reason)
    if builder is None:
        return TxRevertError(reason, context=context)
    error = builder(context, caller)
    error.__cause__ = TxRevertError(reason, context=context)
    return error


def decode_revert(
    exc: BaseException,
    *,
    context: str | None = None,
    caller: str | None = None,
    tx_hash: str | None = None,
) -> OGPUError:
    """The typed error for an exception that carries revert data (returned, not raised).

    Understands ``JsonRpcError`` (revert data in ``data``), web3's ``ContractLogicError`` and
    friends (``data`` and the ``execution reverted: ...`` message). Any other ``OGPUError`` is
    returned unchanged; any other exception becomes a ``TxRevertError`` with its message. The
    original exception is kept as ``__cause__``.
    """
    data = revert_data_of(getattr(exc, "data", None))
    if data is None:
        data = next(
            (d for d in map(revert_data_of, getattr(exc, "args", ())) if d is not None), None
        )
    if data is not None:
        error = decode_revert_data(data, context=context, caller=caller)
    elif isinstance(exc, OGPUError) and not _is_revert_message(_message_of(exc)):
        return exc
    else:
        error = _from_message(_message_of(exc), context, caller)
    if tx_hash is not None:
        _attach_tx_hash(error, tx_hash)
    if error.__cause__ is None:
        error.__cause__ = exc
    return error


# --- pieces ---------------------------------------------------------------------------------


def _match_reason(reason: str) -> ErrorBuilder | None:
    text = reason.strip()
    exact = REVERT_PATTERN_MAP.get(text)
    if exact is not None:
        return exact
    for pattern in sorted(REVERT_PATTERN_MAP, key=len, reverse=True):
        if pattern in text:
            return REVERT_PATTERN_MAP[pattern]
    return None


def _from_error_string(data: bytes, context: str | None, caller: str | None) -> OGPUError:
    try:
        (reason,) = abi_decode(["string"], data[4:])
    except (DecodingError, ValueError, OverflowError):
        return TxRevertError(f"malformed Error(string) data 0x{data.hex()}", context=context)
    return error_from_reason(str(reason), context=context, caller=caller)


def _from_panic(data: bytes, context: str | None) -> OGPUError:
    try:
        (code,) = abi_decode(["uint256"], data[4:])
    except (DecodingError, ValueError, OverflowError):
        return TxRevertError(f"malformed Panic(uint256) data 0x{data.hex()}", context=context)
    meaning = _PANIC_MEANINGS.get(int(code), "unknown panic code")
    return TxRevertError(
        f"panic 0x{int(code):02x}: {meaning}",
        error_name="Panic",
        error_args=(int(code),),
        context=context,
    )


def _from_custom_error(data: bytes, context: str | None) -> OGPUError:
    custom = decode_custom_error(data)
    if custom is None:
        return TxRevertError(
            f"unrecognised error 0x{data[:4].hex()} (data 0x{data.hex()})", context=context
        )
    if custom.context is None:
        custom.context = context
    if isinstance(custom, NotOwnerError) and custom.contract is None:
        # The generated OwnableUnauthorizedAccountError is a NotOwnerError; name the contract.
        custom.contract = _contract_of(context)
    return custom


def _from_message(message: str, context: str | None, caller: str | None) -> OGPUError:
    match = _REASON_IN_MESSAGE_RE.search(message)
    if match and match.group(1).strip():
        return error_from_reason(match.group(1).strip(), context=context, caller=caller)
    if _is_revert_message(message):
        return TxRevertError("reverted without data", context=context)
    return TxRevertError(message, context=context)


def _attach_tx_hash(error: OGPUError, tx_hash: str) -> None:
    # TxRevertError declares tx_hash; the typed errors it maps to get the same attribute.
    setattr(error, "tx_hash", tx_hash)  # noqa: B010
    cause = error.__cause__
    if isinstance(cause, TxRevertError) and cause.tx_hash is None:
        cause.tx_hash = tx_hash


def revert_data_of(value: Any) -> bytes | None:
    """Revert data in an error's ``data`` member (hex text, bytes or a nested mapping), or None."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, str):
        match = _HEX_DATA_RE.fullmatch(value.strip())
        return bytes.fromhex(match.group(1)[2:]) if match else None
    if isinstance(value, Mapping):
        for key in ("data", "result", "originalError"):
            found = revert_data_of(value.get(key))
            if found is not None:
                return found
    return None


def _message_of(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None)
    if isinstance(reason, str) and reason:
        return reason
    message = getattr(exc, "message", None)
    if isinstance(message, str) and message:
        return message
    return str(exc)


def _is_revert_message(message: str) -> bool:
    return "revert" in message.lower()


def _contract_of(context: str | None) -> str | None:
    return context.split(".", 1)[0] if context else None
