"""Every ``ogpu.protocol.source`` function and the ``Source`` class on the devnet."""

from __future__ import annotations

import pytest
from protocol_kit import ZERO_ADDRESS, Kit, one

from ogpu.core.errors import NotFoundError, NotOwnerError, SourceNotFoundError, TxRevertError
from ogpu.protocol import nexus, source
from ogpu.protocol.source import Source, SourceSnapshot
from ogpu.protocol.task import Task
from ogpu.schema.enums import Environment, SourceStatus
from ogpu.schema.events import (
    OwnershipTransferredEvent,
    SourceStatusChangedEvent,
    SourceUpdatedEvent,
)

pytestmark = pytest.mark.integration


def _source_with_registrants_and_tasks(kit: Kit) -> tuple[str, list[str]]:
    address = kit.publish_source()
    kit.pair()
    kit.register(address, env=Environment.NVIDIA)
    kit.stake_self(kit.provider2)
    kit.register(address, kit.provider2, Environment.CPU)
    kit.deposit(kit.client, kit.source_params().minPayment * 4)
    tasks = [kit.publish_task(address, payment=kit.source_params().minPayment) for _ in range(2)]
    return address, tasks


def test_reads_by_module_function_and_method(kit: Kit) -> None:
    address, tasks = _source_with_registrants_and_tasks(kit)
    params = kit.source_params()
    nexus_address = kit.contracts["NEXUS"]
    one_source = Source(address)

    assert (
        kit.call(source.get_client, address)
        == kit.call(one_source.get_client)
        == kit.client.address
    )
    assert kit.call(source.get_nexus, address) == kit.call(one_source.get_nexus) == nexus_address
    assert kit.call(source.get_owner, address) == kit.call(one_source.get_owner) == nexus_address
    assert kit.call(source.get_source_params, address) == kit.call(one_source.get_params) == params
    assert kit.call(source.source_params, address) == kit.call(one_source.source_params) == params
    assert (
        kit.call(source.get_status, address) is kit.call(one_source.status) is SourceStatus.ACTIVE
    )
    assert kit.call(source.status, address) is SourceStatus.ACTIVE
    assert kit.call(source.get_task_count, address) == kit.call(one_source.get_task_count) == 2
    # Paginated getters read the whole list by default; the class wraps tasks as Task.
    assert kit.call(source.get_tasks, address) == tasks
    assert kit.call(source.get_tasks, address, 1, 10) == tasks[1:]
    assert kit.call(one_source.get_tasks) == [Task(t) for t in tasks]
    assert kit.call(source.tasks, address, 1) == kit.call(one_source.tasks, 1) == tasks[1]
    assert kit.call(source.get_registrant_count, address) == 2
    assert kit.call(source.get_registrants, address) == [
        kit.provider.address,
        kit.provider2.address,
    ]
    assert kit.call(one_source.get_registrants, 1) == [kit.provider2.address]
    assert kit.call(source.registrants, address, 1) == kit.provider2.address
    assert kit.call(source.get_registrant_id, address, kit.provider2.address) == 2
    assert kit.call(source.registrant_id, address, kit.outsider.address) == 0
    environment = kit.call(source.get_preferred_environment_of, address, kit.provider.address)
    assert environment is Environment.NVIDIA
    assert (
        kit.call(one_source.get_preferred_environment_of, kit.provider2.address) is Environment.CPU
    )
    kit.fails(TxRevertError, source.registrants, address, 2)  # past the end

    # Removal is swap-and-pop: the last registrant takes the freed slot and its id.
    kit.call(nexus.unregister, address, kit.provider.address, signer=kit.provider.key)
    assert kit.call(one_source.get_registrants) == [kit.provider2.address]
    assert kit.call(one_source.get_registrant_id, kit.provider2.address) == 1
    assert kit.call(one_source.registrant_id, kit.provider.address) == 0
    assert kit.call(one_source.registrants, 0) == kit.provider2.address
    assert kit.call(one_source.get_registrant_count) == 1


def test_client_routes_through_nexus(kit: Kit) -> None:
    address = kit.publish_source()
    one_source = Source(address)
    changed = kit.source_params(maxExpiryDuration=60, lastUpdateTime=7)

    updated = one(
        kit.call(one_source.set_params, changed, signer=kit.client.key), SourceUpdatedEvent
    )
    assert (updated.source, updated.source_params) == (address, changed)
    status = one(kit.call(one_source.inactivate, signer=kit.client.key), SourceStatusChangedEvent)
    assert (status.source, status.status) == (address, SourceStatus.INACTIVE)
    assert one_source.get_status() is SourceStatus.INACTIVE


def test_writes_belong_to_the_owner(kit: Kit) -> None:
    """Every Source write is ``onlyOwner`` (Nexus): a client calling it directly is refused.

    Once Nexus hands ownership over (impersonated), the new owner's calls go through the SDK.
    """
    address = kit.publish_source()
    one_source = Source(address)
    nexus_address, me = kit.contracts["NEXUS"], kit.client
    changed = kit.source_params(minPayment=1)

    refusals = [
        kit.fails(
            NotOwnerError,
            source.register,
            address,
            kit.provider.address,
            Environment.CPU,
            signer=me.key,
        ),
        kit.fails(NotOwnerError, one_source.unregister, kit.provider.address, signer=me.key),
        kit.fails(NotOwnerError, source.publish_task, address, kit.outsider.address, signer=me.key),
        kit.fails(NotOwnerError, source.set_source_params, address, changed, signer=me.key),
        kit.fails(NotOwnerError, one_source.set_status, SourceStatus.INACTIVE, signer=me.key),
        kit.fails(NotOwnerError, source.transfer_ownership, address, me.address, signer=me.key),
        kit.fails(NotOwnerError, source.renounce_ownership, address, signer=me.key),
    ]
    assert {(e.account, e.contract) for e in refusals} == {(me.address, "Source")}

    handed = one(
        kit.as_contract(nexus_address, source._F_TRANSFER_OWNERSHIP, (me.address,), address),
        OwnershipTransferredEvent,
    )
    assert (handed.contract_address, handed.previous_owner, handed.new_owner) == (
        address,
        nexus_address,
        me.address,
    )

    kit.call(one_source.register, kit.provider2.address, Environment.NVIDIA, signer=me.key)
    assert one_source.get_registrants() == [kit.provider2.address]
    kit.call(source.unregister, address, kit.provider2.address, signer=me.key)
    assert one_source.get_registrant_count() == 0
    kit.call(one_source.publish_task, kit.outsider.address, signer=me.key)
    assert source.get_tasks(address) == [kit.outsider.address]
    kit.call(one_source.set_source_params, changed, signer=me.key)
    assert one_source.get_params() == changed
    kit.call(source.set_status, address, SourceStatus.INACTIVE, signer=me.key)
    assert one_source.get_status() is SourceStatus.INACTIVE
    kit.call(one_source.transfer_ownership, kit.master.address, signer=me.key)
    gone = one(
        kit.call(one_source.renounce_ownership, signer=kit.master.key), OwnershipTransferredEvent
    )
    assert (gone.previous_owner, gone.new_owner) == (kit.master.address, ZERO_ADDRESS)


def test_load_snapshot_and_wrong_kinds(kit: Kit) -> None:
    address, tasks = _source_with_registrants_and_tasks(kit)
    loaded = Source.load(address)
    assert loaded == Source(address.lower()) and str(loaded) == address

    snap = loaded.snapshot()
    assert snap.block_number > 0
    # Change the latest state: the snapshot must still match its own block.
    kit.call(nexus.unregister, address, kit.provider.address, signer=kit.provider.key)
    at = snap.block_number
    assert snap == SourceSnapshot(
        address=address,
        client=source.get_client(address, block=at),
        status=source.get_status(address, block=at),
        params=source.get_source_params(address, block=at),
        task_count=source.get_task_count(address, block=at),
        registrant_count=source.get_registrant_count(address, block=at),
        block_number=at,
    )
    assert (snap.task_count, snap.registrant_count) == (2, 2)
    assert loaded.snapshot().registrant_count == 1

    with pytest.raises(SourceNotFoundError) as not_a_source:
        Source.load(tasks[0])
    assert not_a_source.value.address == tasks[0]
    with pytest.raises(NotFoundError, match="no contract code"):
        Source.load(kit.outsider.address)
