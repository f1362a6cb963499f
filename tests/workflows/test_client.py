"""Client workflows end to end on the devnet, with content on the local IPFS node."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest

from ogpu import client
from ogpu import provider as provider_runtime
from ogpu.client import DeliveryMethod, Environment, Response, Source, Task
from ogpu.events import (
    SourcePublishedEvent,
    SourceStatusChangedEvent,
    SourceUpdatedEvent,
    TaskPublishedEvent,
    TaskStatusChangedEvent,
)
from ogpu.ipfs import fetch_ipfs_bytes
from ogpu.protocol import Provider, terminal, vault
from ogpu.schema.enums import ResponseStatus, SourceStatus, TaskStatus
from ogpu.types import EventNotFoundError, ImageEnvironments, Receipt, TaskExpiredError, TxOptions

if TYPE_CHECKING:
    from conftest import Make, Net

pytestmark = pytest.mark.integration


def test_publish_source_uploads_metadata_and_returns_the_source(net: Net, make: Make) -> None:
    info = make.source_info(privacyEnabled=True, optionalParamsUrl="ipfs://extra")
    pins = net.pin_count()
    source = client.publish_source(info, net.client.key)
    assert isinstance(source, Source) and isinstance(source.receipt, Receipt)
    assert [type(e) for e in source.receipt.events if isinstance(e, SourcePublishedEvent)] == [
        SourcePublishedEvent
    ]
    assert client.extract_source_address(source.receipt) == source.address
    with pytest.raises(EventNotFoundError):
        client.extract_task_address(source.receipt)
    snap = Source.load(source.address).snapshot()
    assert snap.status is SourceStatus.ACTIVE
    assert snap.client == net.client.address
    params = snap.params
    assert params.imageEnvironments == Environment.CPU | Environment.NVIDIA
    assert (params.minPayment, params.minAvailableLockup, params.maxExpiryDuration) == (
        make.MIN_PAYMENT,
        0,
        make.MAX_EXPIRY,
    )
    assert (params.privacyEnabled, params.optionalParamsUrl) == (True, "ipfs://extra")
    assert abs(params.lastUpdateTime - time.time()) < 60  # the client's clock, as in 0.2.1
    assert source.fetch_metadata() == info.to_metadata().to_dict()
    assert net.pin_count() == pins + 1


def test_publish_task_escrows_the_payment_and_uploads_the_config(net: Net, make: Make) -> None:
    make.funds()
    source = make.source()
    info = make.task_info(source)
    task = client.publish_task(info, signer=net.client.key)
    assert isinstance(task, Task) and task.receipt is not None
    assert client.extract_task_address(task.receipt) == task.address
    published = [e for e in task.receipt.events if isinstance(e, TaskPublishedEvent)]
    assert [(e.task, e.source) for e in published] == [(task.address, source.address)]
    snap = task.snapshot()
    assert (snap.status, snap.payment, snap.expiry_time) == (
        TaskStatus.NEW,
        make.PAYMENT,
        info.expiryTime,
    )
    assert snap.delivery_method is DeliveryMethod.MANUAL_CONFIRMATION
    assert task.get_owner() == net.client.address
    assert task.fetch_metadata() == {"function_name": "echo", "data": {"text": "hi"}, "priority": 1}
    assert vault.get_balance_of(net.client.address) == make.ETHER - make.PAYMENT
    assert vault.get_frozen_payment(net.client.address) == make.PAYMENT


def test_manual_confirmation_round_trip(net: Net, make: Make) -> None:
    make.funds()
    source = make.source()
    provider = make.registered(source)
    task = make.task(source)
    provider.attempt(task.address, make.PAYMENT, signer=net.provider.key)
    response = provider_runtime.submit_response(
        task.address, {"echo": "hi"}, signer=net.provider.key
    )
    assert task.get_status() is TaskStatus.RESPONDED
    assert client.get_task_responses(task.address) == [response]
    assert response.fetch_data() == {"echo": "hi"}

    receipt = client.confirm_response(response.address, net.client.key)
    assert isinstance(receipt, Receipt)
    assert (
        receipt == receipt.tx_hash.upper().replace("0X", "0x") and str(receipt) == receipt.tx_hash
    )
    changes = [(e.task, e.status) for e in receipt.events if isinstance(e, TaskStatusChangedEvent)]
    assert changes == [(task.address, TaskStatus.FINALIZED)]
    assert task.get_status() is TaskStatus.FINALIZED
    assert task.get_winning_provider() == net.provider.address
    assert response.get_status() is ResponseStatus.CONFIRMED
    assert provider.get_balance() == make.PAYMENT
    assert provider.get_total_earnings() == make.PAYMENT
    assert vault.get_frozen_payment(net.client.address) == 0


def test_first_response_is_confirmed_in_the_submitting_transaction(net: Net, make: Make) -> None:
    make.funds()
    source = make.source(deliveryMethod=DeliveryMethod.FIRST_RESPONSE)
    provider = make.registered(source)
    task = make.task(source)
    assert task.get_delivery_method() is DeliveryMethod.FIRST_RESPONSE
    provider.attempt(task.address, 0, signer=net.provider.key)
    response = provider_runtime.submit_response(
        task.address, "plain text result", signer=net.provider.key
    )
    assert response.receipt is not None
    statuses = [e.status for e in response.receipt.events if isinstance(e, TaskStatusChangedEvent)]
    assert statuses == [TaskStatus.RESPONDED, TaskStatus.FINALIZED]
    assert response.is_confirmed() is True
    assert fetch_ipfs_bytes(response.get_params().data) == b"plain text result"
    assert provider.get_balance() == make.PAYMENT


def test_get_task_responses_pages_in_attempt_order(net: Net, make: Make) -> None:
    make.funds()
    source = make.source()
    task = make.task(source)
    workers = [net.provider, *net.extra]
    responses: list[Response] = []
    for index, worker in enumerate(workers):
        provider = make.registered(source, worker)
        provider.attempt(task.address, 0, signer=worker.key)
        if index != 1:  # the second attempter never answers: its slot stays empty
            responses.append(
                provider_runtime.submit_response(task.address, {"n": index}, signer=worker.key)
            )
    assert client.get_task_responses(task.address) == responses
    assert client.get_task_responses(task, 1) == responses[1:]
    assert client.get_task_responses(task.address, 0, 2) == responses[:1]
    assert client.get_task_responses(task.address, 2, 3) == responses[1:2]
    assert client.get_task_responses(task.address, 4) == []


def test_cancel_task_refunds_the_client(net: Net, make: Make) -> None:
    make.funds()
    task = make.task(make.source())
    receipt = client.cancel_task(task, net.client.key)
    assert isinstance(receipt, Receipt)
    assert task.get_status() is TaskStatus.CANCELED
    assert vault.get_balance_of(net.client.address) == make.ETHER
    assert vault.get_frozen_payment(net.client.address) == 0


def test_update_source_replaces_params_and_metadata(net: Net, make: Make) -> None:
    source = make.source()
    new_info = make.source_info(
        name="echo v2",
        imageEnvs=ImageEnvironments(amd="https://example.invalid/amd.yml"),
        minPayment=5,
        deliveryMethod=DeliveryMethod.FIRST_RESPONSE,
    )
    receipt = client.update_source(source.address.lower(), new_info, net.client.key)
    updated = [e for e in receipt.events if isinstance(e, SourceUpdatedEvent)]
    assert len(updated) == 1 and updated[0].source == source.address
    params = source.get_params()
    assert params == updated[0].source_params
    assert (params.client, params.imageEnvironments, params.minPayment) == (
        net.client.address,
        Environment.AMD,
        5,
    )
    assert params.deliveryMethod is DeliveryMethod.FIRST_RESPONSE
    assert source.fetch_metadata()["name"] == "echo v2"


def test_inactivate_source_is_final(net: Net, make: Make) -> None:
    source = make.source()
    receipt = client.inactivate_source(source, net.client.key)
    changes = [
        (e.source, e.status) for e in receipt.events if isinstance(e, SourceStatusChangedEvent)
    ]
    assert changes == [(source.address, SourceStatus.INACTIVE)]
    assert source.get_status() is SourceStatus.INACTIVE


def test_an_agent_acts_for_the_client_until_revoked(net: Net, make: Make) -> None:
    make.funds()
    source = make.source()
    granted = client.set_agent(net.agent.address, True, net.client.key)
    assert isinstance(granted, Receipt)
    assert terminal.is_agent_of(net.client.address, net.agent.address) is True
    task = client.publish_task(make.task_info(source), net.agent.key)
    assert task.get_owner() == net.client.address  # the client pays and owns it
    assert vault.get_frozen_payment(net.client.address) == make.PAYMENT
    client.cancel_task(task.address, signer=net.agent.key)
    assert vault.get_balance_of(net.client.address) == make.ETHER

    client.set_agent(net.agent.address, False, net.client.key)
    assert terminal.is_agent_of(net.client.address, net.agent.address) is False


def test_an_expired_task_is_closed_by_the_next_attempt_and_refunded(net: Net, make: Make) -> None:
    make.funds()
    source = make.source()
    provider = make.registered(source)
    task = make.task(source, expires_in=120)
    net.advance(300)
    receipt = provider.attempt(task.address, 0, signer=net.provider.key)
    assert [e.status for e in receipt.events if isinstance(e, TaskStatusChangedEvent)] == [
        TaskStatus.EXPIRED
    ]
    assert task.get_status() is TaskStatus.EXPIRED
    assert task.get_attempt_count() == 0
    assert vault.get_balance_of(net.client.address) == make.ETHER
    with pytest.raises(TaskExpiredError):
        Provider(net.provider.address).attempt(task.address, 0, signer=net.provider.key)


def test_nonce_and_tx_options_reach_the_transaction(net: Net, make: Make) -> None:
    source = make.source()
    pending = int(net.rpc("eth_getTransactionCount", [net.client.address, "pending"]), 16)
    receipt = client.inactivate_source(
        source, net.client.key, nonce=pending, tx=TxOptions(gas=200_000)
    )
    sent = net.rpc("eth_getTransactionByHash", [receipt.tx_hash])
    assert (int(sent["nonce"], 16), int(sent["gas"], 16)) == (pending, 200_000)
