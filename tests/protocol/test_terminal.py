"""Every ``ogpu.protocol.terminal`` function on the devnet: pairing, agents, data, admin."""

from __future__ import annotations

import pytest
from protocol_kit import ETHER, ZERO_ADDRESS, Kit, one, role_id

from ogpu.core.errors import NotMasterError, NotOwnerError, TxRevertError
from ogpu.protocol import manager, terminal, vault
from ogpu.schema.errors import OwnableInvalidOwnerError
from ogpu.schema.events import (
    AgentSetEvent,
    BaseDataUpdatedEvent,
    DefaultAgentDisabledEvent,
    DepositedEvent,
    LiveDataUpdatedEvent,
    LockedEvent,
    MasterAnnouncedEvent,
    OwnershipTransferredEvent,
    ProviderAnnouncedEvent,
    ProviderRemovedEvent,
    RemoveContainerEvent,
)

pytestmark = pytest.mark.integration


def test_wiring_views(kit: Kit) -> None:
    assert kit.call(terminal.get_manager) == kit.contracts["MANAGER"]
    assert kit.call(terminal.get_vault) == kit.contracts["VAULT"]
    assert kit.call(terminal.get_owner) == kit.admin.address
    assert kit.call(terminal.get_provider) == role_id("PROVIDER") == manager.get_provider()


def test_pairing_handshake(kit: Kit) -> None:
    provider, master = kit.provider.address, kit.master.address
    receipt = kit.call(terminal.announce_provider, provider, 2 * ETHER, signer=kit.master.key)
    announced = one(receipt, ProviderAnnouncedEvent)
    assert (announced.provider, announced.master, announced.contract_address) == (
        provider,
        master,
        kit.contracts["TERMINAL"],
    )
    # The announcement's value is deposited straight into the provider's lockup.
    deposited, locked = one(receipt, DepositedEvent), one(receipt, LockedEvent)
    assert (deposited.account, deposited.amount, locked.account, locked.amount) == (
        provider,
        2 * ETHER,
        provider,
        2 * ETHER,
    )
    assert vault.get_lockup_of(provider) == 2 * ETHER and vault.get_balance_of(provider) == 0
    assert kit.call(terminal.is_provider, provider) is True
    assert kit.call(terminal.master_of, provider) == ZERO_ADDRESS  # one half only

    answered = one(
        kit.call(terminal.announce_master, master, signer=kit.provider.key), MasterAnnouncedEvent
    )
    assert (answered.provider, answered.master) == (provider, master)
    assert kit.call(terminal.master_of, provider) == master
    assert kit.call(terminal.get_master_of, provider) == master
    assert kit.call(terminal.get_provider_of, master) == provider
    assert kit.call(terminal.is_master, master) is True
    assert kit.call(terminal.get_is_master, master) is True
    assert terminal.is_master(provider) is False

    taken = kit.fails(
        TxRevertError, terminal.announce_provider, kit.provider2.address, 0, signer=kit.master.key
    )
    assert taken.reason == "AlreadyPaired"


def test_remove_container_and_provider_are_for_the_master(kit: Kit) -> None:
    kit.pair()
    source_address = kit.publish_source()

    kit.fails(
        NotMasterError,
        terminal.remove_container,
        kit.provider.address,
        source_address,
        signer=kit.client.key,
    )
    signal = one(
        kit.call(
            terminal.remove_container, kit.provider.address, source_address, signer=kit.master.key
        ),
        RemoveContainerEvent,
    )
    assert (signal.provider, signal.source) == (kit.provider.address, source_address)

    error = kit.fails(
        NotMasterError, terminal.remove_provider, kit.provider.address, signer=kit.client.key
    )
    assert error.account == kit.client.address
    removed = one(
        kit.call(terminal.remove_provider, kit.provider.address, signer=kit.master.key),
        ProviderRemovedEvent,
    )
    assert removed.provider == kit.provider.address
    assert terminal.get_master_of(kit.provider.address) == ZERO_ADDRESS
    assert terminal.get_provider_of(kit.master.address) == ZERO_ADDRESS
    assert terminal.is_provider(kit.provider.address) is True  # "ever announced"


def test_agents(kit: Kit) -> None:
    granted = one(
        kit.call(terminal.set_agent, kit.agent.address, True, signer=kit.client.key), AgentSetEvent
    )
    assert (granted.account, granted.agent, granted.value) == (
        kit.client.address,
        kit.agent.address,
        True,
    )
    assert kit.call(terminal.is_agent_of, kit.client.address, kit.agent.address) is True
    assert kit.call(terminal.get_is_agent_of, kit.client.address, kit.agent.address) is True
    # (principal, agent).
    assert terminal.get_is_agent_of(kit.agent.address, kit.client.address) is False

    revoked = one(
        kit.call(terminal.revoke_agent, kit.agent.address, signer=kit.client.key), AgentSetEvent
    )
    assert (revoked.account, revoked.value) == (kit.client.address, False)
    assert terminal.is_agent_of(kit.client.address, kit.agent.address) is False

    kit.pair()  # the provider is now "ever announced": providers may not appoint agents
    refused = kit.fails(
        TxRevertError, terminal.set_agent, kit.agent.address, True, signer=kit.provider.key
    )
    assert refused.reason == "NotAuthorized"
    assert (
        kit.fails(
            TxRevertError, terminal.set_agent, ZERO_ADDRESS, True, signer=kit.client.key
        ).reason
        == "InvalidAgent"
    )


def test_default_agent_opt_out_and_provider_data(kit: Kit) -> None:
    me = kit.provider.address
    assert kit.call(terminal.get_default_agent_disabled, me) is False
    disabled = one(
        kit.call(terminal.set_default_agent_disabled, True, signer=kit.provider.key),
        DefaultAgentDisabledEvent,
    )
    assert (disabled.master, disabled.value) == (me, True)  # the field is named "master" in the ABI
    assert terminal.get_default_agent_disabled(me) is True
    assert terminal.is_default_agent_disabled(me) is True

    base = one(
        kit.call(terminal.set_base_data, "ipfs://base", signer=kit.provider.key),
        BaseDataUpdatedEvent,
    )
    live = one(
        kit.call(terminal.set_live_data, "ipfs://live", signer=kit.provider.key),
        LiveDataUpdatedEvent,
    )
    assert (base.provider, live.provider) == (me, me)
    assert kit.call(terminal.get_base_data_of, me) == "ipfs://base"
    assert kit.call(terminal.get_live_data_of, me) == "ipfs://live"
    assert terminal.get_base_data_of(kit.master.address) == ""


def test_owner_setters_and_ownership(kit: Kit) -> None:
    c = kit.contracts
    assert (
        kit.fails(NotOwnerError, terminal.set_manager, c["MANAGER"], signer=kit.client.key).account
        == kit.client.address
    )
    kit.fails(NotOwnerError, terminal.set_vault, c["VAULT"], signer=kit.client.key)
    kit.call(terminal.set_manager, kit.outsider.address, signer=kit.admin.key)
    kit.call(terminal.set_vault, kit.outsider.address, signer=kit.admin.key)
    assert (terminal.get_manager(), terminal.get_vault()) == (
        kit.outsider.address,
        kit.outsider.address,
    )

    kit.fails(NotOwnerError, terminal.transfer_ownership, kit.client.address, signer=kit.client.key)
    kit.fails(
        OwnableInvalidOwnerError, terminal.transfer_ownership, ZERO_ADDRESS, signer=kit.admin.key
    )
    moved = one(
        kit.call(terminal.transfer_ownership, kit.client.address, signer=kit.admin.key),
        OwnershipTransferredEvent,
    )
    assert (moved.contract_address, moved.previous_owner, moved.new_owner) == (
        c["TERMINAL"],
        kit.admin.address,
        kit.client.address,
    )
    kit.fails(NotOwnerError, terminal.renounce_ownership, signer=kit.admin.key)
    gone = one(
        kit.call(terminal.renounce_ownership, signer=kit.client.key), OwnershipTransferredEvent
    )
    assert (gone.previous_owner, gone.new_owner) == (kit.client.address, ZERO_ADDRESS)
    assert terminal.get_owner() == ZERO_ADDRESS
