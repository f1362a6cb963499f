"""``ogpu.provider``: what the provider runtime needs beyond ``ogpu.protocol.Provider``.

Pairing, staking, registration, attempts and the vault rules are methods of the generated
:class:`ogpu.protocol.Provider` and :class:`ogpu.protocol.Master`. This module adds the two
composed operations:

- :func:`submit_response`: upload a result to IPFS, then ``Nexus.submitResponse``, after a
  pre-flight that makes sure the chain will take it (nothing is uploaded on refusal);
- :func:`get_registered_sources`: the sources a provider is registered to, read at one block
  (the same as ``Provider(address).get_registered_sources()``).
"""

from __future__ import annotations

from typing import Any, Union

from ogpu.client._calls import prepare_write
from ogpu.client.preflight import chain_now
from ogpu.core.codec import to_address
from ogpu.core.errors import (
    DecodeError,
    InvalidParamsError,
    TaskAlreadyFinalizedError,
    TaskExpiredError,
    TaskNotFoundError,
    TxRevertError,
)
from ogpu.ipfs import publish_to_ipfs
from ogpu.protocol import nexus
from ogpu.protocol import task as _task
from ogpu.protocol.provider import Provider
from ogpu.protocol.response import Response
from ogpu.protocol.source import Source
from ogpu.runtime.contract import Call, batch_call, extract
from ogpu.runtime.signers import Signer
from ogpu.schema.enums import Role, TaskStatus
from ogpu.schema.events import ResponseSubmittedEvent
from ogpu.schema.networks import ChainId
from ogpu.schema.structs import ResponseParams
from ogpu.types.metadata import SupportsModelDump
from ogpu.types.options import TxOptions

__all__ = ["RESPONSE_FILENAME", "get_registered_sources", "submit_response"]

RESPONSE_FILENAME = "response.json"
_CLOSED = (TaskStatus.CANCELED, TaskStatus.FINALIZED)

ResponseData = Union[dict[str, Any], str, SupportsModelDump]


def submit_response(
    task: str,
    data: ResponseData,
    *,
    signer: Signer | None = None,
    payment: int | None = None,
    filename: str = RESPONSE_FILENAME,
    chain: ChainId | None = None,
    tx: TxOptions | None = None,
) -> Response:
    """Submit the signer's result for ``task``; return the new Response (with ``.receipt``).

    ``data`` is the payload: a dict (or a model with ``model_dump()``) is uploaded as JSON, a
    ``str`` as UTF-8 text. ``payment`` is the advisory amount claimed (default: the task's payment).
    Signs with ``signer``, else ``PROVIDER_PRIVATE_KEY``; the signer is the provider.

    Pre-flight, before the upload: the task is open (``TaskAlreadyFinalizedError``), not past
    its expiry (``TaskExpiredError``), the signer attempted it and has not responded yet
    (``InvalidParamsError``). For a FIRST_RESPONSE task the first response is confirmed and
    paid in the same transaction.
    """
    ctx = prepare_write(
        None,
        signer,
        role=Role.PROVIDER,
        chain=chain,
        tx=tx,
        nonce=None,
        max_retries=None,
        auto_fix_nonce=None,
    )
    address = to_address(task, "task")
    payload = _payload(data)
    task_payment = _check_can_submit(address, ctx.address, ctx.chain)
    claimed = task_payment if payment is None else _amount(payment, "payment")
    url = publish_to_ipfs(payload, filename, _content_type(payload))
    params = ResponseParams(task=address, provider=ctx.address, data=url, payment=claimed)
    receipt = nexus.submit_response(params, signer=ctx.account, chain=ctx.chain, tx=ctx.tx)
    created = Response(extract(receipt, ResponseSubmittedEvent, "response"), chain=ctx.chain)
    created.receipt = receipt
    return created


def get_registered_sources(
    provider: str, lower: int = 0, upper: int | None = None, *, chain: ChainId | None = None
) -> list[Source]:
    """The sources ``provider`` is registered to now, in publication order, items ``[lower, upper)``.

    Reads the Nexus source list and each source's ``getRegistrantId(provider)``, all pinned to
    one block (a registrant id of 0 means not registered; ``unregister`` resets it).
    """
    return Provider(to_address(provider, "provider"), chain=chain).get_registered_sources(lower, upper)


def _check_can_submit(task: str, provider: str, chain: ChainId | None) -> int:
    """The pre-flight of :func:`submit_response`; returns the task's payment."""
    calls = (
        Call(_task._F_GET_STATUS, (), task),
        Call(_task._F_GET_EXPIRY_TIME, (), task),
        Call(_task._F_GET_PAYMENT, (), task),
        Call(_task._F_GET_ATTEMPTER_ID, (provider,), task),
        Call(_task._F_GET_RESPONSE_OF, (provider,), task),
    )
    try:
        block, (status, expiry, payment, attempter_id, response) = batch_call(calls, chain=chain)
    except (DecodeError, TxRevertError) as exc:
        raise TaskNotFoundError(task, reason=str(exc)) from exc
    if status in _CLOSED:
        raise TaskAlreadyFinalizedError(
            task, context=f"submit_response pre-flight: the task is {status.name}"
        )
    if status == TaskStatus.EXPIRED or chain_now(block, chain) > expiry:
        raise TaskExpiredError(task, expiry, context="submit_response pre-flight")
    if attempter_id == 0:
        raise InvalidParamsError("task", f"{provider} has not attempted task {task}")
    if int(response, 16) != 0:
        raise InvalidParamsError(
            "task", f"{provider} already responded to task {task} ({response})"
        )
    return int(payment)


def _payload(data: object) -> dict[str, Any] | str:
    if isinstance(data, (dict, str)):
        return data
    if isinstance(data, SupportsModelDump):
        dumped = data.model_dump()
        if isinstance(dumped, dict):
            return dumped
    raise InvalidParamsError(
        "data", f"expected a dict, a str or a model with model_dump(), got {type(data).__name__}"
    )


def _content_type(payload: dict[str, Any] | str) -> str:
    return "application/json" if isinstance(payload, dict) else "text/plain; charset=utf-8"


def _amount(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidParamsError(what, f"expected a non-negative int, got {value!r}")
    return value
