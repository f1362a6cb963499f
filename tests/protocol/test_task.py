"""Every ``ogpu.protocol.task`` function and the ``Task`` class on the devnet."""

from __future__ import annotations

import pytest
from protocol_kit import PAYMENT, ZERO_ADDRESS, Kit, data_hash, one

from ogpu.core.errors import NotFoundError, NotOwnerError, TaskNotFoundError, TxRevertError
from ogpu.protocol import controller, task
from ogpu.protocol.response import Response
from ogpu.protocol.source import Source
from ogpu.protocol.task import Task, TaskSnapshot
from ogpu.schema.enums import DeliveryMethod, Environment, TaskStatus
from ogpu.schema.events import OwnershipTransferredEvent, TaskStatusChangedEvent

pytestmark = pytest.mark.integration

ANSWER = "ipfs://answer-1"


def _task_with_two_attempts(kit: Kit) -> tuple[str, str, str, list[int]]:
    """(source, task, response): the provider and provider2 attempted, the provider answered."""
    source_address, task_address = kit.open_task()
    kit.stake_self(kit.provider2)
    kit.register(source_address, kit.provider2, Environment.NVIDIA)
    stamps = [kit.attempt(task_address, who).timestamp for who in (kit.provider, kit.provider2)]
    response_address = kit.respond(task_address, ANSWER)
    return source_address, task_address, response_address, stamps


def test_reads_by_module_function_and_method(kit: Kit) -> None:
    source_address, address, response_address, stamps = _task_with_two_attempts(kit)
    one_task = Task(address)
    provider, provider2 = kit.provider.address, kit.provider2.address
    params = task.get_task_params(address)

    assert (params.source, params.config, params.payment) == (
        source_address,
        "https://ipfs.invalid/ipfs/taskConfig.json",
        PAYMENT,
    )
    assert kit.call(task.get_task_params, address) == kit.call(one_task.get_params) == params
    assert kit.call(task.get_source, address) == source_address
    assert kit.call(one_task.get_source) == Source(source_address)
    assert kit.call(task.get_payment, address) == kit.call(one_task.get_payment) == PAYMENT
    assert kit.call(task.get_expiry_time, address) == params.expiryTime
    assert kit.call(task.get_owner, address) == kit.call(one_task.get_owner) == kit.client.address
    assert kit.call(task.get_status, address) is kit.call(one_task.status) is TaskStatus.RESPONDED
    assert kit.call(task.status, address) is TaskStatus.RESPONDED
    assert kit.call(task.get_delivery_method, address) is DeliveryMethod.MANUAL_CONFIRMATION
    assert kit.call(task.delivery_method, address) is kit.call(one_task.delivery_method)
    assert kit.call(task.get_attempt_count, address) == 2
    assert kit.call(task.get_attempters, address) == [provider, provider2]
    assert kit.call(one_task.get_attempters, 1) == [provider2]
    assert kit.call(task.attempters, address, 1) == kit.call(one_task.attempters, 1) == provider2
    assert kit.call(task.get_attempter_id, address, provider2) == 2
    assert kit.call(task.attempter_id, address, kit.outsider.address) == 0
    assert kit.call(task.get_attempt_timestamps, address) == stamps
    assert kit.call(one_task.get_attempt_timestamps, 0, 1) == stamps[:1]
    assert kit.call(task.attempt_timestamps, address, 0) == stamps[0]
    assert kit.call(task.get_response_of, address, provider) == response_address
    assert kit.call(one_task.get_response_of, provider) == Response(response_address)
    assert one_task.get_response_of(provider2) is None
    # Slot i holds attempter i's response; the SDK drops the empty slot of provider2.
    assert kit.call(task.get_responses_of, address) == [response_address]
    assert kit.call(task.get_responses_of, address, 1, 2) == []
    assert (
        kit.call(one_task.get_responses)
        == kit.call(one_task.get_responses_of)
        == [Response(response_address)]
    )
    assert kit.call(task.is_already_submitted, address, data_hash(ANSWER)) is True
    assert kit.call(one_task.is_already_submitted, data_hash("ipfs://other")) is False
    assert kit.call(task.get_winning_provider, address) == ZERO_ADDRESS
    assert kit.call(one_task.get_winning_provider) is None
    assert one_task.get_confirmed_response() is None

    kit.call(controller.confirm_response, response_address, signer=kit.client.key)
    assert one_task.get_winning_provider() == provider
    assert one_task.get_confirmed_response() == Response(response_address)
    assert task.get_status(address) is TaskStatus.FINALIZED


def test_nexus_only_writes(kit: Kit) -> None:
    """``attempt``, ``submitResponse`` and ``setStatus`` accept only the task's Nexus."""
    _, address, response_address, _ = _task_with_two_attempts(kit)
    one_task = Task(address)
    nexus_address, me = kit.contracts["NEXUS"], kit.client

    for error in (
        kit.fails(TxRevertError, task.attempt, address, kit.outsider.address, signer=me.key),
        kit.fails(
            TxRevertError,
            one_task.submit_response,
            response_address,
            kit.outsider.address,
            signer=me.key,
        ),
        kit.fails(TxRevertError, task.set_status, address, TaskStatus.CANCELED, signer=me.key),
    ):
        assert error.reason == "NotNexus"

    kit.as_contract(nexus_address, task._F_ATTEMPT, (kit.outsider.address,), address)
    assert one_task.get_attempters()[-1] == kit.outsider.address
    kit.as_contract(
        nexus_address, task._F_SUBMIT_RESPONSE, (response_address, kit.outsider.address), address
    )
    assert task.get_response_of(address, kit.outsider.address) == response_address
    kit.as_contract(nexus_address, task._F_SET_STATUS, (int(TaskStatus.CANCELED),), address)
    assert one_task.get_status() is TaskStatus.CANCELED
    # The methods call the same specs: the module function and the bound method agree.
    kit.fails(TxRevertError, one_task.attempt, kit.outsider.address, signer=me.key)
    kit.fails(
        TxRevertError,
        task.submit_response,
        address,
        response_address,
        kit.outsider.address,
        signer=me.key,
    )
    kit.fails(TxRevertError, one_task.set_status, TaskStatus.NEW, signer=me.key)


def test_ownership_belongs_to_the_client(kit: Kit) -> None:
    source_address = kit.publish_source()
    kit.deposit(kit.client, PAYMENT)
    address = kit.publish_task(source_address)
    one_task = Task(address)

    refused = kit.fails(
        NotOwnerError,
        task.transfer_ownership,
        address,
        kit.provider.address,
        signer=kit.provider.key,
    )
    assert (refused.account, refused.contract) == (kit.provider.address, "Task")
    moved = one(
        kit.call(one_task.transfer_ownership, kit.master.address, signer=kit.client.key),
        OwnershipTransferredEvent,
    )
    assert (moved.contract_address, moved.previous_owner, moved.new_owner) == (
        address,
        kit.client.address,
        kit.master.address,
    )
    # The new owner is the task's client now: it cancels, and the refund goes to it.
    canceled = one(kit.call(one_task.cancel, signer=kit.master.key), TaskStatusChangedEvent)
    assert canceled.status is TaskStatus.CANCELED

    kit.fails(NotOwnerError, one_task.renounce_ownership, signer=kit.client.key)
    gone = one(
        kit.call(task.renounce_ownership, address, signer=kit.master.key), OwnershipTransferredEvent
    )
    assert (gone.previous_owner, gone.new_owner) == (kit.master.address, ZERO_ADDRESS)


def test_load_snapshot_and_wrong_kinds(kit: Kit) -> None:
    source_address, address, response_address, _ = _task_with_two_attempts(kit)
    loaded = Task.load(address)
    snap = loaded.snapshot()
    assert snap.block_number > 0
    # Change the latest state: the snapshot must still match its own block.
    kit.call(controller.confirm_response, response_address, signer=kit.client.key)
    at = snap.block_number
    assert snap == TaskSnapshot(
        address=address,
        source=task.get_source(address, block=at),
        status=task.get_status(address, block=at),
        params=task.get_task_params(address, block=at),
        payment=task.get_payment(address, block=at),
        expiry_time=task.get_expiry_time(address, block=at),
        delivery_method=task.get_delivery_method(address, block=at),
        attempt_count=task.get_attempt_count(address, block=at),
        winning_provider=None,
        block_number=at,
    )
    assert (snap.status, snap.attempt_count, snap.source) == (
        TaskStatus.RESPONDED,
        2,
        source_address,
    )
    later = loaded.snapshot()
    assert (later.status, later.winning_provider) == (TaskStatus.FINALIZED, kit.provider.address)

    with pytest.raises(TaskNotFoundError) as source_given:
        Task.load(source_address)
    assert source_given.value.address == source_address
    with pytest.raises(TaskNotFoundError):
        Task.load(response_address)
    with pytest.raises(NotFoundError, match="no contract code"):
        Task.load(kit.outsider.address)
