"""Every ``ogpu.protocol.nexus`` function on the devnet, each Nexus event decoded with its values.

Writes are signed by the role the contract expects; writes with an access rule are also sent by
a wrong role, which must get the typed error decoded from the contract's revert.
"""

from __future__ import annotations

import pytest
from protocol_kit import PAYMENT, ZERO_ADDRESS, Kit, events, one, role_id

from ogpu.core.errors import (
    InsufficientLockupError,
    NotOwnerError,
    NotProviderError,
    NotSourceOwnerError,
    SourceInactiveError,
    TxRevertError,
)
from ogpu.protocol import manager, nexus, response, source, task, terminal
from ogpu.schema.enums import Environment, ResponseStatus, SourceStatus, TaskStatus
from ogpu.schema.errors import OwnableInvalidOwnerError
from ogpu.schema.events import (
    AttemptedEvent,
    OwnershipTransferredEvent,
    RegisteredEvent,
    ResponseStatusChangedEvent,
    ResponseSubmittedEvent,
    SourcePublishedEvent,
    SourceStatusChangedEvent,
    SourceUpdatedEvent,
    TaskPublishedEvent,
    TaskStatusChangedEvent,
)
from ogpu.schema.structs import ResponseParams

pytestmark = pytest.mark.integration


def test_wiring_and_role_views(kit: Kit) -> None:
    c = kit.contracts
    assert kit.call(nexus.get_manager) == c["MANAGER"]
    assert kit.call(nexus.get_terminal) == c["TERMINAL"]
    assert kit.call(nexus.get_vault) == c["VAULT"]
    assert kit.call(nexus.get_owner) == kit.admin.address
    assert kit.call(nexus.get_controller) == role_id("CONTROLLER") == manager.get_controller()
    assert kit.call(nexus.get_provider) == role_id("PROVIDER")
    assert kit.call(nexus.check_controller, c["CONTROLLER"]) is True
    assert kit.call(nexus.check_controller, kit.client.address) is False


def _client_count() -> int:
    """How many clients ``Nexus.clients`` lists (no length getter: read until it reverts)."""
    return len(nexus.get_clients())


def test_source_registry_views(kit: Kit) -> None:
    base, clients = kit.call(nexus.get_source_count), _client_count()
    first = kit.publish_source(signer=kit.master2, client=kit.master2.address)
    second = kit.publish_source(signer=kit.master2, client=kit.master2.address)
    third = kit.publish_source(signer=kit.outsider, client=kit.outsider.address)

    assert kit.call(nexus.get_source_count) == base + 3
    assert kit.call(nexus.get_sources)[base:] == [first, second, third]  # all, by default
    assert kit.call(nexus.get_sources, base, base + 10) == [first, second, third]
    assert kit.call(nexus.get_sources, base + 1, base + 2) == [second]
    assert kit.call(nexus.get_sources, base + 5, base + 9) == []
    assert kit.call(nexus.sources, base + 2) == third
    assert kit.call(nexus.source_id, second) == base + 2  # 1-based position
    assert kit.call(nexus.get_source_id, third) == base + 3
    assert kit.call(nexus.get_source_id, kit.outsider.address) == 0
    assert kit.call(nexus.sources_of, kit.master2.address, 1) == second
    assert kit.call(nexus.get_sources_of, kit.master2.address) == [first, second]
    # A client is listed once, at its first source.
    assert kit.call(nexus.clients, clients) == kit.master2.address
    assert kit.call(nexus.clients, clients + 1) == kit.outsider.address
    assert kit.call(nexus.get_clients)[clients:] == [kit.master2.address, kit.outsider.address]
    assert kit.call(nexus.get_active_source_count, kit.master2.address) == 2
    assert kit.call(nexus.get_active_source_count_of, kit.outsider.address) == 1
    # Public array getters past the end revert without data.
    past_end = kit.fails(TxRevertError, nexus.sources_of, kit.master2.address, 2)
    assert past_end.reason == "reverted without data"
    kit.fails(TxRevertError, nexus.clients, clients + 2)
    kit.fails(TxRevertError, nexus.sources, base + 3)


def test_publish_source_by_client_or_its_agent_only(kit: Kit) -> None:
    params = kit.source_params()
    active = nexus.get_active_source_count(kit.client.address)
    receipt = kit.call(nexus.publish_source, params, signer=kit.client.key)
    published = one(receipt, SourcePublishedEvent)
    assert published.contract_address == kit.contracts["NEXUS"]
    assert (
        published.transaction_hash == receipt.tx_hash
        and published.block_number == receipt.block_number
    )
    assert source.get_source_params(published.source) == params
    created = one(receipt, OwnershipTransferredEvent)  # the Source's constructor: owned by Nexus
    assert (created.contract_address, created.previous_owner, created.new_owner) == (
        published.source,
        ZERO_ADDRESS,
        kit.contracts["NEXUS"],
    )

    error = kit.fails(NotSourceOwnerError, nexus.publish_source, params, signer=kit.provider.key)
    assert error.caller == kit.provider.address

    kit.call(terminal.set_agent, kit.agent.address, True, signer=kit.client.key)
    by_agent = nexus.extract_source_address(
        kit.call(nexus.publish_source, params, signer=kit.agent.key)
    )
    assert source.get_client(by_agent) == kit.client.address
    assert nexus.get_active_source_count(kit.client.address) == active + 2


def test_update_and_inactivate_source(kit: Kit) -> None:
    address = kit.publish_source()
    active = nexus.get_active_source_count(kit.client.address)
    changed = kit.source_params(
        imageMetadataUrl="https://ipfs.invalid/ipfs/v2.json", minPayment=7, lastUpdateTime=42
    )

    kit.fails(NotSourceOwnerError, nexus.update_source, address, changed, signer=kit.provider.key)
    other_client = kit.source_params(client=kit.provider.address)
    kit.fails(
        NotSourceOwnerError, nexus.update_source, address, other_client, signer=kit.client.key
    )
    updated = one(
        kit.call(nexus.update_source, address, changed, signer=kit.client.key), SourceUpdatedEvent
    )
    assert (updated.source, updated.source_params) == (address, changed)
    assert source.get_source_params(address) == changed

    kit.fails(NotSourceOwnerError, nexus.inactivate_source, address, signer=kit.provider.key)
    status = one(
        kit.call(nexus.inactivate_source, address, signer=kit.client.key), SourceStatusChangedEvent
    )
    assert (status.source, status.status) == (address, SourceStatus.INACTIVE)
    assert nexus.get_active_source_count(kit.client.address) == active - 1
    kit.fails(SourceInactiveError, nexus.inactivate_source, address, signer=kit.client.key)


def test_register_and_unregister(kit: Kit) -> None:
    address = kit.publish_source()
    kit.pair()

    assert (
        kit.fails(
            TxRevertError,
            nexus.register,
            address,
            kit.provider.address,
            Environment.CPU,
            signer=kit.client.key,
        ).reason
        == "NotAuthorized"
    )
    registered = one(kit.register(address, env=Environment.NVIDIA), RegisteredEvent)
    assert (registered.provider, registered.registrant_id, registered.source) == (
        kit.provider.address,
        1,
        address,
    )
    assert registered.preferred_environment is Environment.NVIDIA
    assert (
        kit.fails(
            TxRevertError,
            nexus.register,
            address,
            kit.provider.address,
            Environment.CPU,
            signer=kit.provider.key,
        ).reason
        == "AlreadyRegistered"
    )
    # provider2 has no lockup: below the source's minAvailableLockup.
    kit.fails(
        InsufficientLockupError,
        nexus.register,
        address,
        kit.provider2.address,
        Environment.CPU,
        signer=kit.provider2.key,
    )

    assert (
        kit.fails(
            TxRevertError, nexus.unregister, address, kit.provider.address, signer=kit.client.key
        ).reason
        == "NotAuthorized"
    )
    # The master unregisters its provider (no event exists for this).
    kit.call(nexus.unregister, address, kit.provider.address, signer=kit.master.key)
    assert source.get_registrant_id(address, kit.provider.address) == 0
    assert (
        kit.fails(
            TxRevertError, nexus.unregister, address, kit.provider.address, signer=kit.provider.key
        ).reason
        == "NotRegistered"
    )

    # An agent of the master registers the master's provider.
    kit.call(terminal.set_agent, kit.agent.address, True, signer=kit.master.key)
    again = one(
        kit.call(
            nexus.register, address, kit.provider.address, Environment.CPU, signer=kit.agent.key
        ),
        RegisteredEvent,
    )
    assert (again.registrant_id, again.preferred_environment) == (1, Environment.CPU)


def test_attempt_and_submit_response(kit: Kit) -> None:
    _, task_address = kit.open_task()

    assert (
        kit.fails(
            TxRevertError,
            nexus.attempt,
            task_address,
            kit.provider.address,
            0,
            signer=kit.client.key,
        ).reason
        == "NotAuthorized"
    )
    receipt = kit.call(
        nexus.attempt, task_address, kit.provider.address, 123, signer=kit.provider.key
    )
    attempted = one(receipt, AttemptedEvent)
    assert (attempted.task, attempted.provider, attempted.suggested_payment) == (
        task_address,
        kit.provider.address,
        123,
    )
    status = one(receipt, TaskStatusChangedEvent)
    assert (status.task, status.status) == (task_address, TaskStatus.ATTEMPTED)
    assert receipt.events.index(attempted) < receipt.events.index(status)

    params = ResponseParams(
        task=task_address, provider=kit.provider.address, data="ipfs://result", payment=PAYMENT
    )
    kit.fails(NotProviderError, nexus.submit_response, params, signer=kit.master.key)
    receipt = kit.call(nexus.submit_response, params, signer=kit.provider.key)
    submitted = one(receipt, ResponseSubmittedEvent)
    assert submitted.task == task_address
    assert task.get_response_of(task_address, kit.provider.address) == submitted.response
    assert [(e.task, e.status) for e in events(receipt, TaskStatusChangedEvent)] == [
        (task_address, TaskStatus.RESPONDED)
    ]


def test_emit_task_published_needs_the_controller_role(kit: Kit) -> None:
    address = kit.publish_source()
    standalone = kit.outsider.address  # any address may be recorded as a task by a CONTROLLER

    assert (
        kit.fails(
            TxRevertError, nexus.emit_task_published, standalone, address, signer=kit.client.key
        ).reason
        == "NotController"
    )
    kit.call(manager.grant_role, role_id("CONTROLLER"), kit.agent.address, signer=kit.admin.key)
    published = one(
        kit.call(nexus.emit_task_published, standalone, address, signer=kit.agent.key),
        TaskPublishedEvent,
    )
    assert (published.task, published.source) == (standalone, address)
    assert source.get_tasks(address) == [standalone]


def test_status_setters_are_for_the_owner_or_a_controller(kit: Kit) -> None:
    source_address, task_address = kit.open_task()
    kit.attempt(task_address)
    response_address = kit.respond(task_address, "ipfs://r")

    assert (
        kit.fails(
            TxRevertError,
            nexus.set_task_status,
            task_address,
            TaskStatus.CANCELED,
            signer=kit.client.key,
        ).reason
        == "NotController"
    )
    changed = one(
        kit.call(nexus.set_task_status, task_address, TaskStatus.CANCELED, signer=kit.admin.key),
        TaskStatusChangedEvent,
    )
    assert (changed.task, changed.status) == (task_address, TaskStatus.CANCELED)
    assert task.get_status(task_address) is TaskStatus.CANCELED

    kit.fails(
        TxRevertError,
        nexus.set_response_status,
        response_address,
        ResponseStatus.CONFIRMED,
        signer=kit.client.key,
    )
    confirmed = one(
        kit.call(
            nexus.set_response_status,
            response_address,
            ResponseStatus.CONFIRMED,
            signer=kit.admin.key,
        ),
        ResponseStatusChangedEvent,
    )
    assert (confirmed.response, confirmed.status) == (response_address, ResponseStatus.CONFIRMED)
    assert response.get_confirmed_final(response_address) is True

    active = nexus.get_active_source_count(kit.client.address)
    kit.fails(
        TxRevertError,
        nexus.set_source_status,
        source_address,
        SourceStatus.INACTIVE,
        signer=kit.client.key,
    )
    inactive = one(
        kit.call(
            nexus.set_source_status, source_address, SourceStatus.INACTIVE, signer=kit.admin.key
        ),
        SourceStatusChangedEvent,
    )
    assert (inactive.source, inactive.status) == (source_address, SourceStatus.INACTIVE)
    assert nexus.get_active_source_count(kit.client.address) == active - 1


def test_owner_setters_and_ownership(kit: Kit) -> None:
    c = kit.contracts
    for setter, key in (
        (nexus.set_manager, "MANAGER"),
        (nexus.set_terminal, "TERMINAL"),
        (nexus.set_vault, "VAULT"),
    ):
        error = kit.fails(NotOwnerError, setter, c[key], signer=kit.client.key)
        assert error.account == kit.client.address
    kit.call(nexus.set_terminal, kit.outsider.address, signer=kit.admin.key)
    assert nexus.get_terminal() == kit.outsider.address
    kit.call(nexus.set_terminal, c["TERMINAL"], signer=kit.admin.key)
    kit.call(nexus.set_manager, c["MANAGER"], signer=kit.admin.key)
    kit.call(nexus.set_vault, c["VAULT"], signer=kit.admin.key)
    assert (nexus.get_manager(), nexus.get_terminal(), nexus.get_vault()) == (
        c["MANAGER"],
        c["TERMINAL"],
        c["VAULT"],
    )

    kit.fails(NotOwnerError, nexus.transfer_ownership, kit.client.address, signer=kit.provider.key)
    invalid = kit.fails(
        OwnableInvalidOwnerError, nexus.transfer_ownership, ZERO_ADDRESS, signer=kit.admin.key
    )
    assert invalid.owner == ZERO_ADDRESS
    moved = one(
        kit.call(nexus.transfer_ownership, kit.client.address, signer=kit.admin.key),
        OwnershipTransferredEvent,
    )
    assert (moved.contract_address, moved.previous_owner, moved.new_owner) == (
        c["NEXUS"],
        kit.admin.address,
        kit.client.address,
    )
    kit.fails(NotOwnerError, nexus.renounce_ownership, signer=kit.admin.key)
    gone = one(kit.call(nexus.renounce_ownership, signer=kit.client.key), OwnershipTransferredEvent)
    assert (gone.previous_owner, gone.new_owner) == (kit.client.address, ZERO_ADDRESS)
    assert nexus.get_owner() == ZERO_ADDRESS
