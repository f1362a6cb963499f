"""Every ``ogpu.protocol.response`` function and the ``Response`` class on the devnet."""

from __future__ import annotations

import pytest
from protocol_kit import PAYMENT, ZERO_ADDRESS, Kit, one

from ogpu.core.errors import NotFoundError, NotOwnerError, ResponseNotFoundError
from ogpu.protocol import response
from ogpu.protocol.response import Response, ResponseSnapshot
from ogpu.schema.enums import ResponseStatus, TaskStatus
from ogpu.schema.events import (
    OwnershipTransferredEvent,
    ResponseStatusChangedEvent,
    TaskStatusChangedEvent,
)
from ogpu.schema.structs import ResponseParams

pytestmark = pytest.mark.integration

ANSWER = "ipfs://answer"


def _answered(kit: Kit) -> tuple[str, str, str]:
    """(source, task, response) with the provider's response SUBMITTED."""
    source_address, task_address = kit.open_task()
    kit.attempt(task_address)
    return source_address, task_address, kit.respond(task_address, ANSWER)


def test_reads_by_module_function_and_method(kit: Kit) -> None:
    _, task_address, address = _answered(kit)
    one_response = Response(address)
    expected = ResponseParams(
        task=task_address, provider=kit.provider.address, data=ANSWER, payment=PAYMENT
    )
    submitted_at = kit.now()

    assert (
        kit.call(response.get_response_params, address)
        == kit.call(one_response.get_params)
        == expected
    )
    assert (
        kit.call(response.response_params, address)
        == kit.call(one_response.response_params)
        == expected
    )
    assert (
        kit.call(response.get_status, address)
        is kit.call(one_response.status)
        is ResponseStatus.SUBMITTED
    )
    assert kit.call(response.status, address) is ResponseStatus.SUBMITTED
    assert (
        kit.call(response.get_confirmed_final, address)
        is kit.call(one_response.is_confirmed)
        is False
    )
    assert (
        kit.call(response.get_response_timestamp, address)
        == kit.call(one_response.get_timestamp)
        == submitted_at
    )
    assert (
        kit.call(response.get_owner, address)
        == kit.call(one_response.get_owner)
        == kit.contracts["NEXUS"]
    )

    # The method confirms through Controller.confirmResponse(self).
    receipt = kit.call(one_response.confirm, signer=kit.client.key)
    assert one(receipt, ResponseStatusChangedEvent).status is ResponseStatus.CONFIRMED
    assert one(receipt, TaskStatusChangedEvent).status is TaskStatus.FINALIZED
    assert (one_response.get_status(), one_response.get_confirmed_final()) == (
        ResponseStatus.CONFIRMED,
        True,
    )


def test_writes_belong_to_the_owner(kit: Kit) -> None:
    """Response writes are ``onlyOwner`` (Nexus); after an impersonated hand-over the new owner's
    calls go through the SDK."""
    _, _, address = _answered(kit)
    one_response = Response(address)
    nexus_address, me = kit.contracts["NEXUS"], kit.client

    refusals = [
        kit.fails(NotOwnerError, response.confirm, address, signer=me.key),
        kit.fails(NotOwnerError, one_response.set_status, ResponseStatus.CONFIRMED, signer=me.key),
        kit.fails(NotOwnerError, response.transfer_ownership, address, me.address, signer=me.key),
        kit.fails(NotOwnerError, one_response.renounce_ownership, signer=me.key),
    ]
    assert {(e.account, e.contract) for e in refusals} == {(me.address, "Response")}

    handed = one(
        kit.as_contract(nexus_address, response._F_TRANSFER_OWNERSHIP, (me.address,), address),
        OwnershipTransferredEvent,
    )
    assert (handed.contract_address, handed.previous_owner, handed.new_owner) == (
        address,
        nexus_address,
        me.address,
    )

    kit.call(response.set_status, address, ResponseStatus.CONFIRMED, signer=me.key)
    assert (one_response.get_status(), one_response.is_confirmed()) == (
        ResponseStatus.CONFIRMED,
        True,
    )
    kit.call(one_response.set_status, ResponseStatus.SUBMITTED, signer=me.key)
    assert one_response.is_confirmed() is False
    kit.call(response.confirm, address, signer=me.key)  # Response.confirm() itself
    assert one_response.is_confirmed() is True
    kit.call(one_response.transfer_ownership, kit.master.address, signer=me.key)
    gone = one(
        kit.call(response.renounce_ownership, address, signer=kit.master.key),
        OwnershipTransferredEvent,
    )
    assert (gone.previous_owner, gone.new_owner) == (kit.master.address, ZERO_ADDRESS)


def test_load_snapshot_and_wrong_kinds(kit: Kit) -> None:
    source_address, task_address, address = _answered(kit)
    loaded = Response.load(address)
    snap = loaded.snapshot()
    assert snap.block_number > 0
    kit.call(loaded.confirm, signer=kit.client.key)  # changes "latest"
    at = snap.block_number
    params = response.get_response_params(address, block=at)
    assert snap == ResponseSnapshot(
        address=address,
        task=params.task,
        params=params,
        data=params.data,
        status=response.get_status(address, block=at),
        timestamp=response.get_response_timestamp(address, block=at),
        confirmed=response.get_confirmed_final(address, block=at),
        block_number=at,
    )
    assert (snap.task, snap.data, snap.status, snap.confirmed) == (
        task_address,
        ANSWER,
        ResponseStatus.SUBMITTED,
        False,
    )
    assert loaded.snapshot().confirmed is True

    for wrong in (task_address, source_address):
        with pytest.raises(ResponseNotFoundError) as not_a_response:
            Response.load(wrong)
        assert not_a_response.value.address == wrong
    with pytest.raises(NotFoundError, match="no contract code"):
        Response.load(kit.outsider.address)
