"""Task workflows of the client: publish, cancel, confirm, list responses (api.md 2.15)."""

from __future__ import annotations

from typing import Any

from ogpu.client._calls import chain_of, check_range, prepare_write
from ogpu.client.preflight import check_cancel_task, check_confirm_response, check_publish_task
from ogpu.core.codec import to_address
from ogpu.core.errors import InvalidParamsError
from ogpu.ipfs import publish_to_ipfs
from ogpu.protocol import controller
from ogpu.protocol.controller import extract_task_address
from ogpu.protocol.response import Response
from ogpu.protocol.task import Task
from ogpu.runtime.signers import Signer
from ogpu.schema.enums import Role
from ogpu.schema.networks import ChainId
from ogpu.schema.structs import TaskParams
from ogpu.types.metadata import TaskInfo
from ogpu.types.options import TxOptions
from ogpu.types.receipt import Receipt

__all__ = ["cancel_task", "confirm_response", "get_task_responses", "publish_task"]

CONFIG_FILENAME = "taskConfig.json"


def publish_task(
    task_info: TaskInfo,
    private_key: Signer | None = None,
    *,
    signer: Signer | None = None,
    chain: ChainId | None = None,
    tx: TxOptions | None = None,
    nonce: int | None = None,
    max_retries: int | None = None,
    auto_fix_nonce: Any = None,
) -> Task:
    """Publish a task; return it, with the creating receipt in ``.receipt``.

    Pre-flight first, in one pinned read and before anything is uploaded or sent: the source is
    known and ACTIVE (``SourceNotFoundError``, ``SourceInactiveError``), the signer is the
    source's client or its agent (``NotSourceOwnerError``), ``payment >= minPayment`` and
    ``now < expiryTime <= now + maxExpiryDuration`` (``InvalidParamsError`` with the numbers),
    and the client's vault balance covers the payment (``InsufficientBalanceError``). Then the
    config is uploaded as ``taskConfig.json`` and ``Controller.publishTask`` sent; the payment
    is escrowed from the client's vault balance.
    """
    ctx = prepare_write(
        private_key,
        signer,
        role=Role.CLIENT,
        chain=chain,
        tx=tx,
        nonce=nonce,
        max_retries=max_retries,
        auto_fix_nonce=auto_fix_nonce,
    )
    if not isinstance(task_info, TaskInfo):
        raise InvalidParamsError(
            "task_info", f"expected a TaskInfo, got {type(task_info).__name__}"
        )
    task_info.validate()
    source = task_info.source_address()
    check_publish_task(
        source, task_info.payment, task_info.expiryTime, ctx.address, chain=ctx.chain
    )
    config_url = publish_to_ipfs(task_info.config.to_dict(), CONFIG_FILENAME)
    params = TaskParams(
        source=source, config=config_url, expiryTime=task_info.expiryTime, payment=task_info.payment
    )
    receipt = controller.publish_task(params, signer=ctx.account, chain=ctx.chain, tx=ctx.tx)
    created = Task(extract_task_address(receipt), chain=ctx.chain)
    created.receipt = receipt
    return created


def cancel_task(
    task: str | Task,
    private_key: Signer | None = None,
    *,
    signer: Signer | None = None,
    chain: ChainId | None = None,
    tx: TxOptions | None = None,
    nonce: int | None = None,
    max_retries: int | None = None,
    auto_fix_nonce: Any = None,
) -> Receipt:
    """Cancel a NEW task and get its payment back into the client's vault balance.

    Pre-flight: the task exists, the signer is its client or the client's agent
    (``NotTaskOwnerError``), and nobody has attempted it yet (``TaskAlreadyFinalizedError``).
    """
    ctx = prepare_write(
        private_key,
        signer,
        role=Role.CLIENT,
        chain=chain_of(task, chain),
        tx=tx,
        nonce=nonce,
        max_retries=max_retries,
        auto_fix_nonce=auto_fix_nonce,
    )
    address = to_address(task, "task")
    check_cancel_task(address, ctx.address, chain=ctx.chain)
    return controller.cancel_task(address, signer=ctx.account, chain=ctx.chain, tx=ctx.tx)


def confirm_response(
    response_address: str,
    private_key: Signer | None = None,
    *,
    signer: Signer | None = None,
    chain: ChainId | None = None,
    tx: TxOptions | None = None,
    nonce: int | None = None,
    max_retries: int | None = None,
    auto_fix_nonce: Any = None,
) -> Receipt:
    """Confirm a response: the task is FINALIZED and its provider paid. Returns the ``Receipt``.

    0.2.1 returned the transaction hash; the ``Receipt`` compares equal to it and ``str()`` gives
    it. Pre-flight: the response is its task's response (``ResponseNotFoundError``), the signer
    is the task's client or the client's agent (``NotTaskOwnerError``), the response is not
    confirmed yet (``ResponseAlreadyConfirmedError``) and the task is RESPONDED
    (``TaskAlreadyFinalizedError``).
    """
    ctx = prepare_write(
        private_key,
        signer,
        role=Role.CLIENT,
        chain=chain_of(response_address, chain),
        tx=tx,
        nonce=nonce,
        max_retries=max_retries,
        auto_fix_nonce=auto_fix_nonce,
    )
    address = to_address(response_address, "response_address")
    check_confirm_response(address, ctx.address, chain=ctx.chain)
    return controller.confirm_response(address, signer=ctx.account, chain=ctx.chain, tx=ctx.tx)


def get_task_responses(
    task_address: str | Task,
    lower: int = 0,
    upper: int | None = None,
    *,
    chain: ChainId | None = None,
) -> list[Response]:
    """The responses submitted to a task, in attempt order, slots ``[lower, upper)``.

    ``Task(task_address).get_responses(lower, upper)``: the attempt count and
    ``Task.getResponsesOf`` pages, all at one block; attempts without a response are left out.
    """
    check_range(lower, upper)
    task = Task(to_address(task_address, "task_address"), chain=chain_of(task_address, chain))
    return task.get_responses(lower, upper)
