"""Pre-flight checks (defect 22): read the chain once, refuse early, spend nothing.

Each check reads everything it needs in one JSON-RPC batch pinned to one block
(:func:`ogpu.runtime.contract.batch_call`); a follow-up read, when the first answers decide what
to ask next (whose agent the signer must be), is pinned to the same block. A refusal raises a
typed error carrying the numbers, before any upload or transaction.

Chain time: the contracts compare against the timestamp of the block that will include the
transaction, not the latest block's (which can be minutes old on a node that mines on demand,
or behind the local clock after anvil's ``evm_revert``). The checks take "now" from the node's
pending block; near the bounds (a few seconds) the chain remains the judge.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

from ogpu.chain.config import ChainConfig
from ogpu.chain.rpc import get_rpc_client
from ogpu.core.errors import (
    DecodeError,
    InsufficientBalanceError,
    InvalidParamsError,
    NotSourceOwnerError,
    NotTaskOwnerError,
    OGPUError,
    ResponseAlreadyConfirmedError,
    ResponseNotFoundError,
    SourceInactiveError,
    SourceNotFoundError,
    TaskAlreadyFinalizedError,
    TaskNotFoundError,
    TxRevertError,
)
from ogpu.protocol import nexus as _nexus
from ogpu.protocol import response as _response
from ogpu.protocol import source as _source
from ogpu.protocol import task as _task
from ogpu.protocol import terminal as _terminal
from ogpu.protocol import vault as _vault
from ogpu.runtime.contract import Call, batch_call
from ogpu.schema.enums import ResponseStatus, SourceStatus, TaskStatus
from ogpu.schema.networks import ChainId
from ogpu.schema.structs import SourceParams

__all__ = [
    "SourceCheck",
    "check_cancel_task",
    "check_confirm_response",
    "check_publish_task",
    "check_source_owner",
    "chain_now",
    "latest_block",
]

_UNREADABLE = (DecodeError, TxRevertError)


@dataclass(frozen=True)
class SourceCheck:
    """What the source checks read: the source's params and status, at ``block_number``."""

    source: str
    params: SourceParams
    status: SourceStatus
    block_number: int


def check_source_owner(
    source: str, signer: str, *, chain: ChainId | None, require_active: bool = False
) -> SourceCheck:
    """The source exists, ``signer`` is its client or the client's agent, and (optionally) it is ACTIVE.

    Raises ``SourceNotFoundError``, ``NotSourceOwnerError`` or ``SourceInactiveError``.
    """
    found = _read_source(source, chain, extra=())
    checked = found.source
    _require_client_or_agent(
        checked.params.client, signer, checked.block_number, chain, source=source
    )
    if require_active:
        _require_active(checked)
    return checked


def check_publish_task(
    source: str, payment: int, expiry_time: int, signer: str, *, chain: ChainId | None
) -> None:
    """Everything ``Controller.publishTask`` will check, read before the config is uploaded.

    In order: the source exists and is ACTIVE; ``signer`` is the source's client or its agent;
    ``payment >= minPayment``; ``now < expiryTime <= now + maxExpiryDuration``; the client's
    vault balance covers ``payment`` (an agent publishes with its client's balance).
    """
    found = _read_source(source, chain, extra=(Call(_vault._F_BALANCE_OF, (signer,)),))
    checked, block = found.source, found.source.block_number
    client = checked.params.client
    if _same(client, signer):
        allowed, balance = True, found.extra[0]
    else:
        calls = (
            Call(_terminal._F_IS_AGENT_OF, (client, signer)),
            Call(_vault._F_BALANCE_OF, (client,)),
        )
        allowed, balance = batch_call(calls, chain=chain, block=block)[1]
    _require_active(checked)
    if not allowed:
        raise _not_source_owner(source, client, signer)
    _require_payment(payment, checked.params)
    _require_expiry(expiry_time, chain_now(block, chain), checked.params)
    if balance < payment:
        raise InsufficientBalanceError(client, payment, balance, context="publish_task pre-flight")


def check_cancel_task(task: str, signer: str, *, chain: ChainId | None) -> None:
    """The task exists, ``signer`` is its client or the client's agent, and it is still NEW.

    Raises ``TaskNotFoundError``, ``NotTaskOwnerError`` or ``TaskAlreadyFinalizedError``.
    """
    block, (owner, status) = _read(
        (Call(_task._F_GET_OWNER, (), task), Call(_task._F_GET_STATUS, (), task)),
        chain,
        lambda exc: TaskNotFoundError(task, reason=str(exc)),
    )
    if not _is_agent_or_self(owner, signer, block, chain):
        raise NotTaskOwnerError(task, signer, context="cancel_task pre-flight")
    if status != TaskStatus.NEW:
        raise TaskAlreadyFinalizedError(
            task, context=f"cancel_task pre-flight: the task is {status.name}, not NEW"
        )


def check_confirm_response(response: str, signer: str, *, chain: ChainId | None) -> None:
    """The response belongs to its task, ``signer`` may confirm, and both are in the right state.

    Raises ``ResponseNotFoundError``, ``NotTaskOwnerError``,
    ``ResponseAlreadyConfirmedError`` or ``TaskAlreadyFinalizedError``.
    """
    block, (params, status) = _read(
        (
            Call(_response._F_GET_RESPONSE_PARAMS, (), response),
            Call(_response._F_GET_STATUS, (), response),
        ),
        chain,
        lambda exc: ResponseNotFoundError(response, reason=str(exc)),
    )
    task = params.task
    _, (owner, task_status, registered) = _read(
        (
            Call(_task._F_GET_OWNER, (), task),
            Call(_task._F_GET_STATUS, (), task),
            Call(_task._F_GET_RESPONSE_OF, (params.provider,), task),
        ),
        chain,
        lambda exc: ResponseNotFoundError(response, reason=f"its task {task} is unreadable: {exc}"),
        block=block,
    )
    if not _same(registered, response):
        raise ResponseNotFoundError(
            response, reason=f"task {task} does not list it as {params.provider}'s response"
        )
    if not _is_agent_or_self(owner, signer, block, chain):
        raise NotTaskOwnerError(task, signer, context="confirm_response pre-flight")
    if status == ResponseStatus.CONFIRMED:
        raise ResponseAlreadyConfirmedError(response, context="confirm_response pre-flight")
    if task_status != TaskStatus.RESPONDED:
        raise TaskAlreadyFinalizedError(
            task,
            context=f"confirm_response pre-flight: the task is {task_status.name}, not RESPONDED",
        )


# --- reads ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _SourceRead:
    source: SourceCheck
    extra: list[Any]


def _read_source(
    source: str, chain: ChainId | None, *, extra: tuple[Call[Any], ...]
) -> _SourceRead:
    """Nexus's id of the source, its params and status (plus ``extra`` calls), in one batch."""
    calls: tuple[Call[Any], ...] = (
        Call(_nexus._F_GET_SOURCE_ID, (source,)),
        Call(_source._F_GET_SOURCE_PARAMS, (), source),
        Call(_source._F_GET_STATUS, (), source),
        *extra,
    )
    block, results = _read(calls, chain, lambda exc: SourceNotFoundError(source, reason=str(exc)))
    source_id, params, status = results[:3]
    if source_id == 0:
        raise SourceNotFoundError(source, reason="Nexus does not know it (getSourceId is 0)")
    return _SourceRead(SourceCheck(source, params, status, block), list(results[3:]))


def _read(
    calls: tuple[Call[Any], ...],
    chain: ChainId | None,
    not_found: Callable[[Exception], OGPUError],
    *,
    block: int | None = None,
) -> tuple[int, list[Any]]:
    """``batch_call``; an address that cannot answer (no code, revert) becomes ``not_found(exc)``."""
    try:
        return batch_call(calls, chain=chain, block=block)
    except _UNREADABLE as exc:
        raise not_found(exc) from exc


def latest_block(chain: ChainId | None) -> int:
    """The number of the chain's latest block, to pin a series of reads to."""
    resolved = chain if chain is not None else ChainConfig.get_current_chain()
    return int(get_rpc_client(resolved).request("eth_blockNumber", []), 16)


def chain_now(block: int, chain: ChainId | None) -> int:
    """The timestamp the next block will most likely carry (see the module docstring).

    The node's pending block says it best (it follows anvil's time travel and any lag of its
    clock); a node without one gives ``max(timestamp of block + 1, local clock)``.
    """
    resolved = chain if chain is not None else ChainConfig.get_current_chain()
    pending, pinned = get_rpc_client(resolved).batch(
        [
            ("eth_getBlockByNumber", ["pending", False]),
            ("eth_getBlockByNumber", [hex(block), False]),
        ]
    )
    after_pinned = (_timestamp(pinned) or 0) + 1
    expected = _timestamp(pending)
    return (
        max(expected, after_pinned) if expected is not None else max(after_pinned, int(time.time()))
    )


def _timestamp(header: Any) -> int | None:
    """A block header's timestamp, or None for an error or a node without that block."""
    if isinstance(header, dict) and isinstance(header.get("timestamp"), str):
        return int(header["timestamp"], 16)
    return None


# --- rules ------------------------------------------------------------------------------------


def _require_active(checked: SourceCheck) -> None:
    if checked.status != SourceStatus.ACTIVE:
        raise SourceInactiveError(checked.source, context="pre-flight: the source is INACTIVE")


def _require_client_or_agent(
    client: str, signer: str, block: int, chain: ChainId | None, *, source: str
) -> None:
    if not _is_agent_or_self(client, signer, block, chain):
        raise _not_source_owner(source, client, signer)


def _not_source_owner(source: str, client: str, signer: str) -> NotSourceOwnerError:
    return NotSourceOwnerError(
        source,
        signer,
        context=f"pre-flight: the signer is neither the source's client {client} nor its agent",
    )


def _is_agent_or_self(principal: str, signer: str, block: int, chain: ChainId | None) -> bool:
    if _same(principal, signer):
        return True
    call = Call(_terminal._F_IS_AGENT_OF, (principal, signer))
    return bool(batch_call((call,), chain=chain, block=block)[1][0])


def _require_payment(payment: int, params: SourceParams) -> None:
    if payment < params.minPayment:
        raise InvalidParamsError(
            "payment",
            f"{payment} wei is below the source's minimum payment of {params.minPayment} wei",
        )


def _require_expiry(expiry_time: int, now: int, params: SourceParams) -> None:
    latest_allowed = now + params.maxExpiryDuration
    if expiry_time <= now:
        raise InvalidParamsError(
            "expiryTime", f"{expiry_time} is not in the future (chain time is about {now})"
        )
    if expiry_time > latest_allowed:
        raise InvalidParamsError(
            "expiryTime",
            f"{expiry_time} is {expiry_time - now} s away, beyond the source's maxExpiryDuration of "
            f"{params.maxExpiryDuration} s (latest allowed about {latest_allowed})",
        )


def _same(a: str, b: str) -> bool:
    return a.lower() == b.lower()
