"""Every ``ogpu.protocol.controller`` function on the devnet (publish, cancel, confirm, admin)."""

from __future__ import annotations

import pytest
from protocol_kit import PAYMENT, ZERO_ADDRESS, Kit, events, one

from ogpu.core.errors import (
    InsufficientBalanceError,
    NotOwnerError,
    NotTaskOwnerError,
    ResponseAlreadyConfirmedError,
    SourceInactiveError,
    TaskAlreadyFinalizedError,
)
from ogpu.protocol import controller, nexus, task, terminal, vault
from ogpu.schema.enums import ResponseStatus, TaskStatus
from ogpu.schema.errors import OwnableInvalidOwnerError
from ogpu.schema.events import (
    OwnershipTransferredEvent,
    ResponseStatusChangedEvent,
    TaskPublishedEvent,
    TaskStatusChangedEvent,
)

pytestmark = pytest.mark.integration


def test_wiring_views(kit: Kit) -> None:
    c = kit.contracts
    assert kit.call(controller.get_nexus) == c["NEXUS"]
    assert kit.call(controller.get_terminal) == c["TERMINAL"]
    assert kit.call(controller.get_vault) == c["VAULT"]
    assert kit.call(controller.get_owner) == kit.admin.address


def test_publish_task_escrows_the_payment(kit: Kit) -> None:
    source_address = kit.publish_source()
    params = kit.task_params(source_address)
    kit.fails(InsufficientBalanceError, controller.publish_task, params, signer=kit.client.key)

    kit.deposit(kit.client, 3 * PAYMENT)
    receipt = kit.call(controller.publish_task, params, signer=kit.client.key)
    published = one(receipt, TaskPublishedEvent)
    assert (published.source, published.contract_address) == (
        source_address,
        kit.contracts["NEXUS"],
    )
    owners = [(e.previous_owner, e.new_owner) for e in events(receipt, OwnershipTransferredEvent)]
    assert owners == [
        (ZERO_ADDRESS, kit.contracts["CONTROLLER"]),
        (kit.contracts["CONTROLLER"], kit.client.address),
    ]
    assert task.get_owner(published.task) == kit.client.address
    assert task.get_task_params(published.task) == params
    assert vault.get_frozen_payment(kit.client.address) == PAYMENT
    assert vault.get_balance_of(kit.client.address) == 2 * PAYMENT

    # An agent of the source's client publishes for that client: the client owns and pays.
    kit.call(terminal.set_agent, kit.agent.address, True, signer=kit.client.key)
    by_agent = kit.publish_task(source_address, signer=kit.agent)
    assert task.get_owner(by_agent) == kit.client.address
    assert vault.get_frozen_payment(kit.client.address) == 2 * PAYMENT

    kit.call(nexus.inactivate_source, source_address, signer=kit.client.key)
    kit.fails(
        SourceInactiveError,
        controller.publish_task,
        kit.task_params(source_address),
        signer=kit.client.key,
    )


def test_cancel_task_by_its_client_while_new(kit: Kit) -> None:
    source_address = kit.publish_source()
    kit.deposit(kit.client, PAYMENT)
    task_address = kit.publish_task(source_address)

    error = kit.fails(
        NotTaskOwnerError, controller.cancel_task, task_address, signer=kit.provider.key
    )
    assert error.caller == kit.provider.address
    canceled = one(
        kit.call(controller.cancel_task, task_address, signer=kit.client.key),
        TaskStatusChangedEvent,
    )
    assert (canceled.task, canceled.status) == (task_address, TaskStatus.CANCELED)
    assert (
        vault.get_balance_of(kit.client.address),
        vault.get_frozen_payment(kit.client.address),
    ) == (PAYMENT, 0)
    kit.fails(
        TaskAlreadyFinalizedError, controller.cancel_task, task_address, signer=kit.client.key
    )


def test_confirm_response_by_the_task_client(kit: Kit) -> None:
    _, task_address = kit.open_task()
    kit.attempt(task_address)
    response_address = kit.respond(task_address, "ipfs://answer")

    kit.fails(
        NotTaskOwnerError, controller.confirm_response, response_address, signer=kit.provider.key
    )
    receipt = kit.call(controller.confirm_response, response_address, signer=kit.client.key)
    confirmed = one(receipt, ResponseStatusChangedEvent)
    assert (confirmed.response, confirmed.status) == (response_address, ResponseStatus.CONFIRMED)
    finalized = one(receipt, TaskStatusChangedEvent)
    assert (finalized.task, finalized.status) == (task_address, TaskStatus.FINALIZED)
    assert vault.get_total_earnings_of(kit.provider.address) == PAYMENT
    kit.fails(
        ResponseAlreadyConfirmedError,
        controller.confirm_response,
        response_address,
        signer=kit.client.key,
    )


def test_owner_setters_and_ownership(kit: Kit) -> None:
    c = kit.contracts
    for setter, key in (
        (controller.set_nexus, "NEXUS"),
        (controller.set_terminal, "TERMINAL"),
        (controller.set_vault, "VAULT"),
    ):
        assert (
            kit.fails(NotOwnerError, setter, c[key], signer=kit.client.key).account
            == kit.client.address
        )
        kit.call(setter, kit.outsider.address, signer=kit.admin.key)
    assert (controller.get_nexus(), controller.get_terminal(), controller.get_vault()) == (
        kit.outsider.address,
    ) * 3
    kit.call(controller.set_nexus, c["NEXUS"], signer=kit.admin.key)
    assert controller.get_nexus() == c["NEXUS"]

    kit.fails(
        NotOwnerError, controller.transfer_ownership, kit.client.address, signer=kit.client.key
    )
    kit.fails(
        OwnableInvalidOwnerError, controller.transfer_ownership, ZERO_ADDRESS, signer=kit.admin.key
    )
    moved = one(
        kit.call(controller.transfer_ownership, kit.master.address, signer=kit.admin.key),
        OwnershipTransferredEvent,
    )
    assert (moved.contract_address, moved.previous_owner, moved.new_owner) == (
        c["CONTROLLER"],
        kit.admin.address,
        kit.master.address,
    )
    kit.fails(NotOwnerError, controller.renounce_ownership, signer=kit.admin.key)
    gone = one(
        kit.call(controller.renounce_ownership, signer=kit.master.key), OwnershipTransferredEvent
    )
    assert (gone.previous_owner, gone.new_owner) == (kit.master.address, ZERO_ADDRESS)
    assert controller.get_owner() == ZERO_ADDRESS
