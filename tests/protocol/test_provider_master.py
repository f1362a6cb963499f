"""The account classes ``Provider`` and ``Master``: their writes, load() and snapshot() on the devnet."""

from __future__ import annotations

import pytest
from protocol_kit import ETHER, ZERO_ADDRESS, Kit, one

from ogpu.core.errors import MasterNotFoundError, ProviderNotFoundError, SignerMismatchError
from ogpu.protocol import terminal, vault
from ogpu.protocol.master import Master, MasterSnapshot
from ogpu.protocol.provider import Provider, ProviderSnapshot
from ogpu.schema.enums import Environment
from ogpu.schema.events import (
    AgentSetEvent,
    AttemptedEvent,
    ClaimedEvent,
    DepositedEvent,
    MasterAnnouncedEvent,
    ProviderAnnouncedEvent,
    RegisteredEvent,
    UnbondingCanceledEvent,
)

pytestmark = pytest.mark.integration


def test_provider_and_master_methods(kit: Kit) -> None:
    me, boss = Provider(kit.provider.address), Master(kit.master.address)
    announced = one(
        kit.call(boss.announce_provider, me.address, ETHER, signer=kit.master.key),
        ProviderAnnouncedEvent,
    )
    assert (announced.provider, announced.master) == (me.address, boss.address)
    answered = one(
        kit.call(me.announce_master, boss.address, signer=kit.provider.key), MasterAnnouncedEvent
    )
    assert (answered.provider, answered.master) == (me.address, boss.address)
    assert (kit.call(me.get_master), kit.call(boss.get_provider)) == (boss.address, me.address)
    assert kit.call(me.is_provider) is True and kit.call(boss.is_master) is True

    source_address = kit.publish_source()
    registered = one(
        kit.call(me.register_to, source_address, Environment.CPU, signer=kit.provider.key),
        RegisteredEvent,
    )
    assert (registered.provider, registered.source) == (me.address, source_address)
    kit.deposit(kit.client, ETHER)
    task_address = kit.publish_task(source_address)
    attempted = one(kit.call(me.attempt, task_address, 5, signer=kit.provider.key), AttemptedEvent)
    assert (attempted.task, attempted.provider, attempted.suggested_payment) == (
        task_address,
        me.address,
        5,
    )
    kit.call(me.unregister_from, source_address, signer=kit.provider.key)
    assert kit.call(me.get_lockup) == ETHER

    # Any account may pay into the provider's Vault balance.
    deposited = one(kit.call(me.deposit_to_vault, ETHER, signer=kit.master.key), DepositedEvent)
    assert (deposited.account, deposited.amount) == (me.address, ETHER)
    kit.call(me.stake, ETHER // 2, signer=kit.provider.key)
    kit.call(me.withdraw_from_vault, ETHER // 4, signer=kit.provider.key)
    assert (kit.call(me.get_balance), me.get_lockup()) == (ETHER // 4, 3 * ETHER // 2)
    kit.call(me.unstake, ETHER // 2, signer=kit.provider.key)
    assert kit.call(me.get_unbonding) == ETHER // 2
    canceled = one(kit.call(me.cancel_unbonding, signer=kit.provider.key), UnbondingCanceledEvent)
    assert canceled.amount == ETHER // 2
    kit.call(me.unstake, ETHER // 2, signer=kit.provider.key)
    kit.travel(vault.get_unbonding_period())
    # claim_earnings claims matured unbonding.
    claimed = one(kit.call(me.claim_earnings, signer=kit.provider.key), ClaimedEvent)
    assert (claimed.account, claimed.amount) == (me.address, ETHER // 2)

    # An account method acting for itself checks the signer offline.
    with pytest.raises(SignerMismatchError):
        me.stake(1, signer=kit.client.key)

    kit.deposit(kit.master, 2 * ETHER)
    kit.call(boss.stake, ETHER, signer=kit.master.key)
    kit.call(boss.unstake, ETHER // 2, signer=kit.master.key)
    kit.call(boss.cancel_unbonding, signer=kit.master.key)
    kit.call(boss.withdraw_from_vault, ETHER // 2, signer=kit.master.key)
    kit.call(boss.deposit_to_vault, ETHER // 2, signer=kit.client.key)
    assert (
        kit.call(boss.get_balance),
        kit.call(boss.get_lockup),
        kit.call(boss.get_unbonding),
    ) == (ETHER, ETHER, 0)
    kit.call(boss.unstake, ETHER, signer=kit.master.key)
    kit.travel(vault.get_unbonding_period())
    kit.call(boss.claim_earnings, signer=kit.master.key)
    assert boss.get_balance() == 2 * ETHER
    kit.call(boss.set_agent, kit.agent.address, True, signer=kit.master.key)
    assert terminal.is_agent_of(boss.address, kit.agent.address) is True
    kit.call(boss.remove_container, me.address, source_address, signer=kit.master.key)
    kit.call(boss.remove_provider, me.address, signer=kit.master.key)
    assert me.get_master() == ZERO_ADDRESS
    kit.call(me.set_default_agent_disabled, True, signer=kit.provider.key)
    assert me.get_default_agent_disabled() is True


def test_load_and_snapshot(kit: Kit) -> None:
    kit.pair()
    kit.call(terminal.set_base_data, "ipfs://base", signer=kit.provider.key)
    kit.call(vault.unbond, ETHER // 4, signer=kit.provider.key)
    kit.deposit(kit.master, ETHER)
    me, boss = Provider.load(kit.provider.address), Master.load(kit.master.address)

    provider_snap, master_snap = me.snapshot(), boss.snapshot()
    kit.deposit(kit.provider, ETHER)  # changes "latest" for both accounts' balances
    kit.deposit(kit.master, ETHER)
    at = provider_snap.block_number
    assert at > 0 and master_snap.block_number == at
    assert provider_snap == ProviderSnapshot(
        address=me.address,
        master=me.get_master(block=at),
        base_data=me.get_base_data(block=at),
        live_data=me.get_live_data(block=at),
        is_provider=me.is_provider(block=at),
        default_agent_disabled=me.get_default_agent_disabled(block=at),
        balance=me.get_balance(block=at),
        lockup=me.get_lockup(block=at),
        unbonding=me.get_unbonding(block=at),
        unbonding_timestamp=me.get_unbonding_timestamp(block=at),
        total_earnings=me.get_total_earnings(block=at),
        frozen_payment=me.get_frozen_payment(block=at),
        sanction=me.get_sanction(block=at),
        is_eligible=me.is_eligible(block=at),
        is_whitelisted=me.is_whitelisted(block=at),
        block_number=at,
    )
    assert (
        provider_snap.master,
        provider_snap.base_data,
        provider_snap.lockup,
        provider_snap.unbonding,
    ) == (boss.address, "ipfs://base", 3 * ETHER // 4, ETHER // 4)
    assert master_snap == MasterSnapshot(
        address=boss.address,
        provider=boss.get_provider(block=at),
        is_master=boss.is_master(block=at),
        balance=boss.get_balance(block=at),
        lockup=boss.get_lockup(block=at),
        unbonding=boss.get_unbonding(block=at),
        total_earnings=boss.get_total_earnings(block=at),
        frozen_payment=boss.get_frozen_payment(block=at),
        is_eligible=boss.is_eligible(block=at),
        is_whitelisted=boss.is_whitelisted(block=at),
        block_number=at,
    )
    assert (master_snap.provider, master_snap.balance) == (me.address, ETHER)
    assert (me.snapshot().balance, boss.snapshot().balance) == (ETHER, 2 * ETHER)

    with pytest.raises(ProviderNotFoundError) as not_announced:
        Provider.load(kit.client.address)
    assert not_announced.value.address == kit.client.address
    with pytest.raises(ProviderNotFoundError):
        Provider.load(kit.master.address)  # a master is not a provider
    with pytest.raises(MasterNotFoundError):
        Master.load(kit.provider.address)


def test_master_set_agent_falls_back_to_the_master_key(kit: Kit) -> None:
    granted = one(
        kit.call(Master(kit.master.address).set_agent, kit.agent.address, True), AgentSetEvent
    )
    assert (granted.account, granted.agent, granted.value) == (
        kit.master.address,
        kit.agent.address,
        True,
    )


def test_master_set_agent_documents_the_key_it_falls_back_to() -> None:
    """Generator bug: the docstring of an instance method whose role differs from its function's
    (``Master.set_agent``: MASTER, ``terminal.set_agent``: CLIENT) names the function's key."""
    doc = " ".join((Master.set_agent.__doc__ or "").split())
    assert "else ``MASTER_PRIVATE_KEY``" in doc, doc
