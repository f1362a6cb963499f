"""Provider, master, agent and vault workflows end to end on the devnet."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, ContextManager

import pytest

from ogpu import agent, client
from ogpu import provider as provider_runtime
from ogpu.client import Environment
from ogpu.events import (
    AttemptedEvent,
    MasterAnnouncedEvent,
    ProviderAnnouncedEvent,
    RegisteredEvent,
    UnbondingCanceledEvent,
)
from ogpu.protocol import Master, Provider, vault
from ogpu.types import (
    InsufficientLockupError,
    MissingSignerError,
    SignerMismatchError,
    TxRevertError,
    UnbondingPeriodNotElapsedError,
)

if TYPE_CHECKING:
    from conftest import Make, Net

pytestmark = pytest.mark.integration

Unchanged = Callable[..., ContextManager[None]]
ETHER = 10**18
UNBONDING_PERIOD = 600  # the devnet's Vault.UNBONDING_PERIOD


def pair(net: Net, stake: int = ETHER // 2) -> tuple[Master, Provider]:
    """The devnet's master and provider, paired; the master funds ``stake`` of lockup."""
    master, provider = Master(net.master.address), Provider(net.provider.address)
    master.announce_provider(provider.address, stake, signer=net.master.key)
    provider.announce_master(master.address, signer=net.provider.key)
    return master, provider


def test_master_and_provider_pair_up(net: Net) -> None:
    master, provider = Master(net.master.address), Provider(net.provider.address)
    announced = master.announce_provider(provider.address, ETHER // 2, signer=net.master.key)
    assert [type(e) for e in announced.events if isinstance(e, ProviderAnnouncedEvent)] == [
        ProviderAnnouncedEvent
    ]
    assert provider.get_lockup() == ETHER // 2
    assert Provider.load(provider.address).is_provider() is True
    answered = provider.announce_master(master.address, signer=net.provider.key)
    assert [
        (e.provider, e.master) for e in answered.events if isinstance(e, MasterAnnouncedEvent)
    ] == [(provider.address, master.address)]
    assert provider.get_master() == master.address
    assert Master.load(master.address).get_provider() == provider.address
    snap = provider.snapshot()
    assert (snap.master, snap.lockup, snap.is_eligible) == (master.address, ETHER // 2, True)


def test_stake_unbond_claim_withdraw(net: Net, unchanged: Unchanged) -> None:
    provider = Provider(net.provider.address)
    provider.deposit_to_vault(ETHER, signer=net.provider.key)
    provider.stake(ETHER // 2, signer=net.provider.key)
    unbonded = provider.unstake(ETHER // 10, signer=net.provider.key)
    snap = provider.snapshot()
    assert (snap.balance, snap.lockup, snap.unbonding) == (ETHER // 2, ETHER * 4 // 10, ETHER // 10)
    assert snap.unbonding_timestamp == unbonded.timestamp + UNBONDING_PERIOD
    with unchanged(), pytest.raises(UnbondingPeriodNotElapsedError):
        provider.claim_earnings(signer=net.provider.key)
    net.advance(UNBONDING_PERIOD + 1)
    provider.claim_earnings(signer=net.provider.key)
    assert (provider.get_balance(), provider.get_unbonding()) == (ETHER * 6 // 10, 0)
    native = int(net.rpc("eth_getBalance", [provider.address, "latest"]), 16)
    receipt = provider.withdraw_from_vault(ETHER * 6 // 10, signer=net.provider.key)
    fee = receipt.gas_used * receipt.effective_gas_price
    assert (
        int(net.rpc("eth_getBalance", [provider.address, "latest"]), 16)
        == native + ETHER * 6 // 10 - fee
    )
    assert provider.get_balance() == 0


def test_cancel_unbonding_returns_it_to_the_lockup(net: Net) -> None:
    master = Master(net.master.address)
    master.deposit_to_vault(ETHER, signer=net.master.key)
    master.stake(ETHER, signer=net.master.key)
    master.unstake(ETHER // 4, signer=net.master.key)
    receipt = master.cancel_unbonding(signer=net.master.key)
    assert [e.amount for e in receipt.events if isinstance(e, UnbondingCanceledEvent)] == [
        ETHER // 4
    ]
    assert (master.get_lockup(), master.get_unbonding()) == (ETHER, 0)


def test_vault_writes_take_only_an_explicit_matching_signer(net: Net, unchanged: Unchanged) -> None:
    provider = Provider(net.provider.address)
    provider.deposit_to_vault(ETHER, signer=net.master.key)  # anyone may fund the account
    assert provider.get_balance() == ETHER
    acts: tuple[Callable[[], object], ...] = (
        lambda: provider.stake(1, signer=net.master.key),
        lambda: provider.unstake(1, signer=net.master.key),
        lambda: provider.withdraw_from_vault(1, signer=net.client.key),
        lambda: provider.claim_earnings(signer=net.agent.key),
        lambda: provider.cancel_unbonding(signer=net.master.key),
    )
    for act in acts:
        with unchanged(), pytest.raises(SignerMismatchError) as caught:
            act()
        assert caught.value.expected == provider.address
    with unchanged(), pytest.raises(MissingSignerError, match="explicit signer"):
        vault.lock(1, signer=None)  # type: ignore[arg-type]  # role keys are set: no fallback
    with pytest.raises(TypeError):
        vault.lock(1)  # type: ignore[call-arg]


def test_register_attempt_submit_unregister(net: Net, make: Make) -> None:
    make.funds()
    first, second = make.source(), make.source()
    provider = Provider(net.provider.address)
    receipt = provider.register_to(first.address, Environment.NVIDIA, signer=net.provider.key)
    registered = [e for e in receipt.events if isinstance(e, RegisteredEvent)]
    assert [(e.provider, e.source, e.registrant_id) for e in registered] == [
        (provider.address, first.address, 1)
    ]
    make.registered(second)
    assert provider_runtime.get_registered_sources(provider.address) == [first, second]
    assert provider_runtime.get_registered_sources(provider.address, 1) == [second]
    assert provider_runtime.get_registered_sources(provider.address, 0, 1) == [first]
    assert first.get_preferred_environment_of(provider.address) is Environment.NVIDIA

    task = make.task(first)
    attempted = provider.attempt(task.address, 123, signer=net.provider.key)
    assert [e.suggested_payment for e in attempted.events if isinstance(e, AttemptedEvent)] == [123]
    response = provider_runtime.submit_response(
        task.address, {"v": 1}, signer=net.provider.key, payment=7
    )
    params = response.get_params()
    assert (params.task, params.provider, params.payment) == (task.address, provider.address, 7)

    provider.unregister_from(first.address, signer=net.provider.key)
    assert first.get_registrant_id(provider.address) == 0
    assert provider_runtime.get_registered_sources(provider.address) == [second]


def test_register_needs_the_sources_lockup(net: Net, make: Make, unchanged: Unchanged) -> None:
    source = make.source(minAvailableLockup=ETHER)
    with unchanged(), pytest.raises(InsufficientLockupError):
        make.registered(source)
    Provider(net.provider.address).deposit_to_vault(ETHER, signer=net.provider.key)
    Provider(net.provider.address).stake(ETHER, signer=net.provider.key)
    make.registered(source)
    assert source.get_registrant_count() == 1


def test_an_agent_schedules_for_the_masters_provider(
    net: Net, make: Make, unchanged: Unchanged
) -> None:
    make.funds()
    master, provider = pair(net)
    source = make.source()
    with unchanged(), pytest.raises(TxRevertError, match="NotAuthorized"):
        agent.register_to(source.address, provider.address, Environment.CPU, net.agent.key)
    master.set_agent(net.agent.address, True, signer=net.master.key)

    receipt = agent.register_to(source.address, provider.address, Environment.CPU, net.agent.key)
    assert [e.provider for e in receipt.events if isinstance(e, RegisteredEvent)] == [
        provider.address
    ]
    task = make.task(source)
    attempted = agent.attempt(task.address, provider.address, 5, signer=net.agent.key)
    assert [(e.task, e.provider) for e in attempted.events if isinstance(e, AttemptedEvent)] == [
        (task.address, provider.address)
    ]
    provider_runtime.submit_response(task.address, {"done": True}, signer=net.provider.key)
    client.confirm_response(client.get_task_responses(task)[0].address, net.client.key)
    assert provider.get_total_earnings() == make.PAYMENT  # the provider, not the master, is paid
    agent.unregister_from(source.address, provider.address, net.agent.key)
    assert source.get_registrant_id(provider.address) == 0

    master.set_agent(net.agent.address, False, signer=net.master.key)
    with unchanged(), pytest.raises(TxRevertError, match="NotAuthorized"):
        agent.register_to(source.address, provider.address, Environment.CPU, net.agent.key)


def test_master_removes_its_provider(net: Net) -> None:
    master, provider = pair(net)
    master.remove_provider(provider.address, signer=net.master.key)
    assert int(provider.get_master(), 16) == 0
    assert int(master.get_provider(), 16) == 0
