"""Every pre-flight refusal, on the devnet: a typed error with the numbers, and nothing sent.

Each refusal runs inside ``unchanged()``, which compares the head block, the IPFS pin count, and
the nonces, native balances and vault balances of the role accounts before and after: no
transaction was sent (no gas spent, no block mined) and nothing was uploaded.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Callable, ContextManager

import pytest

from ogpu import client
from ogpu import provider as provider_runtime
from ogpu.client import ImageEnvironments, TaskInfo, TaskInput
from ogpu.protocol import Provider
from ogpu.types import (
    InsufficientBalanceError,
    InvalidParamsError,
    NotSourceOwnerError,
    NotTaskOwnerError,
    ResponseAlreadyConfirmedError,
    ResponseNotFoundError,
    SourceInactiveError,
    SourceNotFoundError,
    TaskAlreadyFinalizedError,
    TaskExpiredError,
    TaskNotFoundError,
)

if TYPE_CHECKING:
    from conftest import Make, Net

    from ogpu.protocol import Source

pytestmark = pytest.mark.integration

Unchanged = Callable[..., ContextManager[None]]


@pytest.fixture
def source(net: Net, make: Make) -> Source:
    """An ACTIVE source of the client, whose vault holds 1 ETH."""
    make.funds()
    return make.source()


# --- publish_task -----------------------------------------------------------------------------


def test_unknown_source(net: Net, make: Make, unchanged: Unchanged) -> None:
    with unchanged(), pytest.raises(SourceNotFoundError) as caught:
        client.publish_task(make.task_info(net.extra[0].address), net.client.key)
    assert caught.value.address == net.extra[0].address


def test_a_contract_that_is_not_a_source(net: Net, make: Make, unchanged: Unchanged) -> None:
    vault_address = net.devnet.document["contracts"]["VAULT"]
    with unchanged(), pytest.raises(SourceNotFoundError):
        client.publish_task(make.task_info(vault_address), net.client.key)


def test_inactive_source(net: Net, make: Make, source: Source, unchanged: Unchanged) -> None:
    client.inactivate_source(source, net.client.key)
    with unchanged(), pytest.raises(SourceInactiveError) as caught:
        client.publish_task(make.task_info(source), net.client.key)
    assert caught.value.source == source.address


def test_payment_below_the_minimum(
    net: Net, make: Make, source: Source, unchanged: Unchanged
) -> None:
    low = make.MIN_PAYMENT - 1
    with unchanged(), pytest.raises(InvalidParamsError) as caught:
        client.publish_task(make.task_info(source, payment=low), net.client.key)
    assert caught.value.field == "payment"
    assert f"{low} wei" in str(caught.value) and f"{make.MIN_PAYMENT} wei" in str(caught.value)


@pytest.mark.parametrize("expires_in", [-100, 0], ids=["past", "now"])
def test_expiry_not_in_the_future(
    net: Net, make: Make, source: Source, unchanged: Unchanged, expires_in: int
) -> None:
    with unchanged(), pytest.raises(InvalidParamsError) as caught:
        client.publish_task(make.task_info(source, expires_in=expires_in), net.client.key)
    assert caught.value.field == "expiryTime" and "not in the future" in str(caught.value)


def test_expiry_beyond_the_source_maximum(
    net: Net, make: Make, source: Source, unchanged: Unchanged
) -> None:
    with unchanged(), pytest.raises(InvalidParamsError) as caught:
        client.publish_task(make.task_info(source, expires_in=make.MAX_EXPIRY + 60), net.client.key)
    assert caught.value.field == "expiryTime"
    assert f"maxExpiryDuration of {make.MAX_EXPIRY} s" in str(caught.value)


def test_expiry_after_time_travel_uses_chain_time(net: Net, make: Make, source: Source) -> None:
    net.advance(10 * make.MAX_EXPIRY)  # chain time now runs far ahead of the wall clock
    task = make.task(source, expires_in=make.MAX_EXPIRY // 2)
    assert task.get_expiry_time() > net.now()


def test_expiry_when_the_chain_clock_lags_uses_chain_time(
    net: Net, make: Make, source: Source
) -> None:
    net.rpc("anvil_setTime", [int(time.time()) - 3000])  # chain time now 50 min behind the wall
    net.rpc("evm_mine")
    task = make.task(source, expires_in=600)
    assert task.get_expiry_time() < time.time()


def test_vault_balance_below_the_payment(net: Net, make: Make, unchanged: Unchanged) -> None:
    source = make.source()
    make.funds(make.PAYMENT - 1)
    with unchanged(), pytest.raises(InsufficientBalanceError) as caught:
        client.publish_task(make.task_info(source), net.client.key)
    error = caught.value
    assert (error.account, error.required, error.available) == (
        net.client.address,
        make.PAYMENT,
        make.PAYMENT - 1,
    )


def test_signer_neither_client_nor_agent(
    net: Net, make: Make, source: Source, unchanged: Unchanged
) -> None:
    make.funds(account=net.provider)  # the stranger could pay: only permission is missing
    with unchanged(), pytest.raises(NotSourceOwnerError) as caught:
        client.publish_task(make.task_info(source), net.provider.key)
    assert (caught.value.source, caught.value.caller) == (source.address, net.provider.address)


def test_revoked_agent_is_refused(
    net: Net, make: Make, source: Source, unchanged: Unchanged
) -> None:
    client.set_agent(net.agent.address, True, net.client.key)
    client.set_agent(net.agent.address, False, net.client.key)
    with unchanged(), pytest.raises(NotSourceOwnerError):
        client.publish_task(make.task_info(source), net.agent.key)


def test_agent_publishing_checks_the_clients_balance(
    net: Net, make: Make, unchanged: Unchanged
) -> None:
    source = make.source()
    client.set_agent(net.agent.address, True, net.client.key)
    make.funds(account=net.agent)  # the agent's own balance does not pay for the client's task
    with unchanged(), pytest.raises(InsufficientBalanceError) as caught:
        client.publish_task(make.task_info(source), net.agent.key)
    assert (caught.value.account, caught.value.available) == (net.client.address, 0)


def test_bad_config_is_refused_before_the_chain_is_read(
    net: Net, make: Make, source: Source, unchanged: Unchanged
) -> None:
    bad = TaskInfo(source.address, TaskInput("echo", {"x": {1, 2}}), net.now() + 60, make.PAYMENT)
    with unchanged(), pytest.raises(InvalidParamsError, match="JSON"):
        client.publish_task(bad, net.client.key)


# --- the other client writes ------------------------------------------------------------------


def test_publish_source_with_no_environment(net: Net, make: Make, unchanged: Unchanged) -> None:
    with unchanged(), pytest.raises(InvalidParamsError) as caught:
        client.publish_source(make.source_info(imageEnvs=ImageEnvironments()), net.client.key)
    assert caught.value.field == "imageEnvs"


def test_update_source_by_a_stranger(
    net: Net, make: Make, source: Source, unchanged: Unchanged
) -> None:
    with unchanged(), pytest.raises(NotSourceOwnerError) as caught:
        client.update_source(source, make.source_info(name="hijack"), net.provider.key)
    assert caught.value.caller == net.provider.address


def test_update_of_an_unknown_source(net: Net, make: Make, unchanged: Unchanged) -> None:
    with unchanged(), pytest.raises(SourceNotFoundError):
        client.update_source(net.extra[1].address, make.source_info(), net.client.key)


def test_inactivate_twice_and_by_a_stranger(net: Net, source: Source, unchanged: Unchanged) -> None:
    with unchanged(), pytest.raises(NotSourceOwnerError):
        client.inactivate_source(source, net.master.key)
    client.inactivate_source(source, net.client.key)
    with unchanged(), pytest.raises(SourceInactiveError):
        client.inactivate_source(source.address, net.client.key)


def test_cancel_refusals(net: Net, make: Make, source: Source, unchanged: Unchanged) -> None:
    task = make.task(source)
    with unchanged(), pytest.raises(NotTaskOwnerError) as caught:
        client.cancel_task(task, net.provider.key)
    assert (caught.value.task, caught.value.caller) == (task.address, net.provider.address)
    with unchanged(), pytest.raises(TaskNotFoundError):
        client.cancel_task(net.extra[0].address, net.client.key)
    make.registered(source).attempt(task.address, 0, signer=net.provider.key)
    with unchanged(), pytest.raises(TaskAlreadyFinalizedError, match="ATTEMPTED"):
        client.cancel_task(task, net.client.key)


def test_confirm_refusals(net: Net, make: Make, unchanged: Unchanged) -> None:
    make.funds()
    manual, first = make.source(), make.source(deliveryMethod=1)
    provider = make.registered(manual)
    make.registered(first)
    responses = []
    for source in (manual, first):
        task = make.task(source)
        provider.attempt(task.address, 0, signer=net.provider.key)
        responses.append(
            provider_runtime.submit_response(
                task.address, {"ok": str(source)}, signer=net.provider.key
            )
        )
    with unchanged(), pytest.raises(NotTaskOwnerError):
        client.confirm_response(responses[0].address, net.agent.key)
    with unchanged(), pytest.raises(ResponseNotFoundError):
        client.confirm_response(net.extra[2].address, net.client.key)
    with unchanged(), pytest.raises(ResponseAlreadyConfirmedError):
        client.confirm_response(
            responses[1].address, net.client.key
        )  # FIRST_RESPONSE: already confirmed
    client.confirm_response(responses[0].address, net.client.key)
    with unchanged(), pytest.raises(ResponseAlreadyConfirmedError):
        client.confirm_response(responses[0].address, net.client.key)


# --- submit_response --------------------------------------------------------------------------


def test_submit_refusals(net: Net, make: Make, source: Source, unchanged: Unchanged) -> None:
    provider = make.registered(source)
    task = make.task(source, expires_in=120)
    submit: Callable[[], Any] = lambda: provider_runtime.submit_response(
        task.address, {"r": 1}, signer=net.provider.key
    )
    with unchanged(), pytest.raises(InvalidParamsError, match="has not attempted"):
        submit()
    provider.attempt(task.address, 0, signer=net.provider.key)
    submit()
    with unchanged(), pytest.raises(InvalidParamsError, match="already responded"):
        submit()
    late = make.task(source, expires_in=120)
    Provider(net.provider.address).attempt(late.address, 0, signer=net.provider.key)
    net.advance(300)
    with unchanged(), pytest.raises(TaskExpiredError) as caught:
        provider_runtime.submit_response(late.address, {"r": 2}, signer=net.provider.key)
    assert caught.value.expiry == late.get_expiry_time()
    client.confirm_response(client.get_task_responses(task)[0].address, net.client.key)
    with unchanged(), pytest.raises(TaskAlreadyFinalizedError):
        provider_runtime.submit_response(task.address, {"r": 3}, signer=net.extra[0].key)
