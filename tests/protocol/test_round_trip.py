"""The protocol round trip on the devnet, and its other endings: cancel, expiry, FIRST_RESPONSE.

Role writes without ``signer=`` sign with the role's environment key (the ``devnet`` fixture
sets ``CLIENT_PRIVATE_KEY`` etc.); Vault writes always name their signer.
"""

from __future__ import annotations

from typing import Any

import pytest
from protocol_kit import ETHER, PAYMENT, Kit, events, one

from ogpu.core.errors import (
    ResponseAlreadyConfirmedError,
    TaskAlreadyFinalizedError,
    TaskExpiredError,
)
from ogpu.protocol import controller, nexus, task, terminal, vault
from ogpu.protocol.provider import Provider
from ogpu.protocol.response import Response
from ogpu.protocol.source import Source
from ogpu.protocol.task import Task
from ogpu.schema.enums import DeliveryMethod, Environment, ResponseStatus, SourceStatus, TaskStatus
from ogpu.schema.events import (
    AttemptedEvent,
    RegisteredEvent,
    ResponseStatusChangedEvent,
    ResponseSubmittedEvent,
    SourcePublishedEvent,
    TaskPublishedEvent,
    TaskStatusChangedEvent,
    decode_log,
)
from ogpu.schema.structs import ResponseParams

pytestmark = pytest.mark.integration

RESULT_URL = "https://ipfs.invalid/ipfs/result.json"


def _nexus_events_since(kit: Kit, block: int) -> list[Any]:
    """Every Nexus log from ``block`` on, read back with eth_getLogs and decoded."""
    logs = kit.rpc(
        "eth_getLogs",
        {"address": kit.contracts["NEXUS"], "fromBlock": hex(block), "toBlock": "latest"},
    )
    return [decode_log(log) for log in logs]


def _summary(event: Any) -> tuple[Any, ...]:
    status = getattr(event, "status", None)
    return (type(event).__name__.removesuffix("Event"),) + ((status,) if status is not None else ())


def test_round_trip(kit: Kit) -> None:
    client, provider, master = kit.client, kit.provider, kit.master
    start_block = int(kit.rpc("eth_blockNumber"), 16) + 1

    kit.call(vault.deposit, client.address, ETHER, signer=client.key)
    source_address = nexus.extract_source_address(
        kit.call(nexus.publish_source, kit.source_params())
    )
    assert Source.load(source_address).get_status() is SourceStatus.ACTIVE
    task_address = controller.extract_task_address(
        kit.call(controller.publish_task, kit.task_params(source_address))
    )
    assert (vault.get_balance_of(client.address), vault.get_frozen_payment(client.address)) == (
        ETHER - PAYMENT,
        PAYMENT,
    )
    assert Task.load(task_address).get_status() is TaskStatus.NEW

    # Signed with MASTER_PRIVATE_KEY, then PROVIDER_PRIVATE_KEY; the master funds no lockup.
    kit.call(terminal.announce_provider, provider.address, 0)
    kit.call(terminal.announce_master, master.address)
    assert terminal.get_master_of(provider.address) == master.address
    me = Provider.load(provider.address)
    kit.call(me.deposit_to_vault, ETHER, signer=provider.key)
    kit.call(me.stake, ETHER, signer=provider.key)
    assert (me.get_lockup(), me.is_eligible()) == (ETHER, True)

    kit.call(nexus.register, source_address, provider.address, Environment.CPU)
    kit.call(nexus.attempt, task_address, provider.address, PAYMENT)
    params = ResponseParams(
        task=task_address, provider=provider.address, data=RESULT_URL, payment=PAYMENT
    )
    response_address = one(kit.call(nexus.submit_response, params), ResponseSubmittedEvent).response
    answer = Response.load(response_address)
    assert (answer.get_status(), Task(task_address).get_status()) == (
        ResponseStatus.SUBMITTED,
        TaskStatus.RESPONDED,
    )

    kit.call(controller.confirm_response, response_address)  # CLIENT_PRIVATE_KEY

    settled = Task(task_address).snapshot()
    assert (settled.status, settled.winning_provider) == (TaskStatus.FINALIZED, provider.address)
    assert (answer.get_status(), answer.is_confirmed()) == (ResponseStatus.CONFIRMED, True)
    assert (vault.get_balance_of(client.address), vault.get_frozen_payment(client.address)) == (
        ETHER - PAYMENT,
        0,
    )
    account = me.snapshot()
    assert (account.balance, account.total_earnings, account.lockup) == (PAYMENT, PAYMENT, ETHER)
    assert vault.get_total_earnings_of(master.address) == 0  # the provider is paid, not its master

    stream = _nexus_events_since(kit, start_block)
    assert [_summary(e) for e in stream] == [
        ("SourcePublished",),
        ("TaskPublished",),
        ("Registered",),
        ("Attempted",),
        ("TaskStatusChanged", TaskStatus.ATTEMPTED),
        ("ResponseSubmitted",),
        ("TaskStatusChanged", TaskStatus.RESPONDED),
        ("ResponseStatusChanged", ResponseStatus.CONFIRMED),
        ("TaskStatusChanged", TaskStatus.FINALIZED),
    ]
    source_published, task_published, registered, attempted = stream[:4]
    assert isinstance(source_published, SourcePublishedEvent)
    assert source_published.source == source_address
    assert isinstance(task_published, TaskPublishedEvent)
    assert (task_published.task, task_published.source) == (task_address, source_address)
    assert isinstance(registered, RegisteredEvent)
    assert (registered.provider, registered.registrant_id) == (provider.address, 1)
    assert isinstance(attempted, AttemptedEvent)
    assert (attempted.provider, attempted.suggested_payment) == (provider.address, PAYMENT)
    assert all(getattr(e, "task", task_address) == task_address for e in stream[1:])

    before = kit.native_balance(provider.address)
    receipt = kit.call(me.withdraw_from_vault, PAYMENT, signer=provider.key)  # earnings are liquid
    assert (
        kit.native_balance(provider.address)
        == before + PAYMENT - receipt.gas_used * receipt.effective_gas_price
    )


def test_cancel_refunds_a_new_task_only(kit: Kit) -> None:
    source_address, task_address = kit.open_task()
    attempted_task = kit.publish_task(source_address)
    kit.attempt(attempted_task)
    frozen = vault.get_frozen_payment(kit.client.address)

    canceled = one(kit.call(Task(task_address).cancel), TaskStatusChangedEvent)
    assert (canceled.task, canceled.status) == (task_address, TaskStatus.CANCELED)
    assert vault.get_frozen_payment(kit.client.address) == frozen - PAYMENT
    # Two payments deposited: one refunded, one still frozen.
    assert vault.get_balance_of(kit.client.address) == PAYMENT
    kit.fails(
        TaskAlreadyFinalizedError,
        nexus.attempt,
        task_address,
        kit.provider.address,
        0,
        signer=kit.provider.key,
    )
    # An attempted task can no longer be cancelled.
    kit.fails(TaskAlreadyFinalizedError, controller.cancel_task, attempted_task)


def test_expiry_is_set_lazily_by_the_next_attempt(kit: Kit) -> None:
    source_address = kit.publish_source()
    kit.deposit(kit.client, 3 * PAYMENT)
    attempted, untouched, answered = (
        kit.publish_task(source_address, lifetime=600) for _ in range(3)
    )
    kit.pair()
    kit.register(source_address)
    kit.stake_self(kit.provider2)
    kit.register(source_address, kit.provider2)
    kit.attempt(attempted)
    kit.attempt(answered)
    response_address = kit.respond(answered, RESULT_URL)
    kit.travel(601)

    assert task.get_status(attempted) is TaskStatus.ATTEMPTED  # time alone changes nothing
    late = ResponseParams(
        task=attempted, provider=kit.provider.address, data=RESULT_URL, payment=PAYMENT
    )
    kit.fails(TaskExpiredError, nexus.submit_response, late, signer=kit.provider.key)
    balance = vault.get_balance_of(kit.client.address)
    receipt = kit.attempt(attempted, kit.provider2)  # the first late attempt expires the task
    assert [(e.task, e.status) for e in events(receipt, TaskStatusChangedEvent)] == [
        (attempted, TaskStatus.EXPIRED)
    ]
    assert events(receipt, AttemptedEvent) == []  # no attempt is recorded
    assert (task.get_status(attempted), task.get_attempt_count(attempted)) == (
        TaskStatus.EXPIRED,
        1,
    )
    # The escrow went back to the client.
    assert vault.get_balance_of(kit.client.address) == balance + PAYMENT
    kit.fails(
        TaskExpiredError, nexus.attempt, attempted, kit.provider.address, 0, signer=kit.provider.key
    )

    assert (
        one(kit.call(controller.cancel_task, untouched), TaskStatusChangedEvent).status
        is TaskStatus.CANCELED
    )

    kit.fails(
        TaskExpiredError,
        nexus.attempt,
        answered,
        kit.provider2.address,
        0,
        signer=kit.provider2.key,
    )
    finalized = events(
        kit.call(controller.confirm_response, response_address), TaskStatusChangedEvent
    )
    assert [e.status for e in finalized] == [TaskStatus.FINALIZED]  # a RESPONDED task never expires
    assert vault.get_frozen_payment(kit.client.address) == 0


def test_first_response_is_confirmed_in_the_same_transaction(kit: Kit) -> None:
    source_address, task_address = kit.open_task(DeliveryMethod.FIRST_RESPONSE)
    assert task.get_delivery_method(task_address) is DeliveryMethod.FIRST_RESPONSE
    kit.stake_self(kit.provider2)
    kit.register(source_address, kit.provider2)
    kit.attempt(task_address)
    kit.attempt(task_address, kit.provider2)

    params = ResponseParams(
        task=task_address, provider=kit.provider.address, data=RESULT_URL, payment=1
    )
    receipt = kit.call(nexus.submit_response, params)
    response_address = one(receipt, ResponseSubmittedEvent).response
    assert [
        _summary(e) for e in receipt.events if not type(e).__name__.startswith("Ownership")
    ] == [
        ("ResponseSubmitted",),
        ("TaskStatusChanged", TaskStatus.RESPONDED),
        ("ResponseStatusChanged", ResponseStatus.CONFIRMED),
        ("TaskStatusChanged", TaskStatus.FINALIZED),
    ]
    assert one(receipt, ResponseStatusChangedEvent).response == response_address
    assert (task.get_status(task_address), Task(task_address).get_winning_provider()) == (
        TaskStatus.FINALIZED,
        kit.provider.address,
    )
    # The provider earns the task's payment, not ResponseParams.payment.
    assert vault.get_total_earnings_of(kit.provider.address) == PAYMENT
    assert vault.get_frozen_payment(kit.client.address) == 0

    second = ResponseParams(
        task=task_address, provider=kit.provider2.address, data="ipfs://late", payment=0
    )
    kit.fails(TaskAlreadyFinalizedError, nexus.submit_response, second, signer=kit.provider2.key)
    kit.fails(ResponseAlreadyConfirmedError, controller.confirm_response, response_address)
