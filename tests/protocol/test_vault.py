"""Every ``ogpu.protocol.vault`` function on the devnet (mainnet Vault): buckets, escrow, sanctions, admin."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from protocol_kit import ETHER, Kit, one, role_id

from ogpu.core.errors import (
    InsufficientBalanceError,
    InsufficientLockupError,
    TxRevertError,
    UnbondingPeriodNotElapsedError,
)
from ogpu.protocol import manager, vault
from ogpu.schema.events import (
    ClaimedEvent,
    DepositedEvent,
    LockedEvent,
    SanctionedEvent,
    UnbondedEvent,
    UnbondingCanceledEvent,
    WaivedEvent,
    WithdrawnEvent,
)
from ogpu.types.receipt import Receipt

pytestmark = pytest.mark.integration

UNBONDING_PERIOD = 600  # the devnet's deployment value


def _gas_cost(receipt: Receipt) -> int:
    return receipt.gas_used * receipt.effective_gas_price


def test_wiring_and_parameter_views(kit: Kit) -> None:
    c = kit.contracts
    assert kit.call(vault.get_manager) == c["MANAGER"]
    assert kit.call(vault.get_nexus) == c["NEXUS"]
    assert kit.call(vault.get_terminal) == c["TERMINAL"]
    assert kit.call(vault.get_min_lockup_per_source) == 0
    assert kit.call(vault.get_unbonding_period) == UNBONDING_PERIOD
    assert kit.call(vault.get_sanctioned_amount) == 0


def test_deposit_withdraw_and_lock(kit: Kit) -> None:
    me = kit.client
    deposited = one(kit.call(vault.deposit, me.address, 3 * ETHER, signer=me.key), DepositedEvent)
    assert (deposited.account, deposited.amount, deposited.contract_address) == (
        me.address,
        3 * ETHER,
        kit.contracts["VAULT"],
    )
    assert (
        kit.call(vault.balance_of, me.address)
        == kit.call(vault.get_balance_of, me.address)
        == 3 * ETHER
    )
    assert (
        kit.fails(TxRevertError, vault.deposit, me.address, 0, signer=me.key).reason == "ZeroAmount"
    )

    before = kit.native_balance(me.address)
    receipt = kit.call(vault.withdraw, ETHER, signer=me.key)
    withdrawn = one(receipt, WithdrawnEvent)
    assert (withdrawn.account, withdrawn.amount) == (me.address, ETHER)
    assert kit.native_balance(me.address) == before + ETHER - _gas_cost(receipt)
    kit.fails(InsufficientBalanceError, vault.withdraw, 5 * ETHER, signer=me.key)

    locked = one(kit.call(vault.lock, ETHER, signer=me.key), LockedEvent)
    assert (locked.account, locked.amount) == (me.address, ETHER)
    assert (
        kit.call(vault.lockup_of, me.address) == kit.call(vault.get_lockup_of, me.address) == ETHER
    )
    assert vault.get_balance_of(me.address) == ETHER
    kit.fails(InsufficientBalanceError, vault.lock, 2 * ETHER, signer=me.key)


def test_unbond_cancel_and_claim(kit: Kit) -> None:
    me = kit.provider
    kit.stake_self(me, 2 * ETHER)
    kit.fails(InsufficientLockupError, vault.unbond, 3 * ETHER, signer=me.key)

    receipt = kit.call(vault.unbond, ETHER // 2, signer=me.key)
    unbonded = one(receipt, UnbondedEvent)
    assert (unbonded.account, unbonded.amount) == (me.address, ETHER // 2)
    assert kit.call(vault.get_unbonding_of, me.address) == ETHER // 2
    assert (
        kit.call(vault.get_unbonding_timestamp, me.address) == receipt.timestamp + UNBONDING_PERIOD
    )
    error = kit.fails(UnbondingPeriodNotElapsedError, vault.claim, signer=me.key)
    assert error.account == me.address

    canceled = one(kit.call(vault.cancel_unbonding, signer=me.key), UnbondingCanceledEvent)
    assert (canceled.account, canceled.amount) == (me.address, ETHER // 2)
    assert (vault.get_lockup_of(me.address), vault.get_unbonding_of(me.address)) == (2 * ETHER, 0)
    assert (
        kit.fails(TxRevertError, vault.cancel_unbonding, signer=me.key).reason == "NothingToCancel"
    )
    assert kit.fails(TxRevertError, vault.claim, signer=me.key).reason == "NothingToClaim"

    kit.call(vault.unbond, ETHER, signer=me.key)
    kit.travel(UNBONDING_PERIOD)
    claimed = one(kit.call(vault.claim, signer=me.key), ClaimedEvent)
    assert (claimed.account, claimed.amount) == (me.address, ETHER)
    assert (vault.get_balance_of(me.address), vault.get_lockup_of(me.address)) == (ETHER, ETHER)
    assert vault.get_unbonding_timestamp(me.address) == 0


def test_escrow_functions_are_for_the_protocol(kit: Kit) -> None:
    client, provider = kit.client.address, kit.provider.address
    task_a, task_b = kit.master.address, kit.master2.address  # escrow keys: any address works
    kit.deposit(kit.client, 2 * ETHER)

    escrow: tuple[tuple[Callable[..., Receipt], tuple[Any, ...]], ...] = (
        (vault.freeze_payment, (client, task_a, ETHER)),
        (vault.release_payment, (client, task_a)),
        (vault.force_release_payment, (client, task_a)),
        (vault.process_payment, (client, provider, task_a, ETHER)),
    )
    for func, args in escrow:
        assert (
            kit.fails(TxRevertError, func, *args, signer=kit.client.key).reason == "NotController"
        )

    kit.call(manager.grant_role, role_id("CONTROLLER"), kit.outsider.address, signer=kit.admin.key)
    kit.call(vault.freeze_payment, client, task_a, ETHER, signer=kit.outsider.key)
    assert (kit.call(vault.get_frozen_payment, client), vault.get_balance_of(client)) == (
        ETHER,
        ETHER,
    )
    kit.call(vault.release_payment, client, task_a, signer=kit.outsider.key)
    assert (vault.get_frozen_payment(client), vault.get_balance_of(client)) == (0, 2 * ETHER)

    kit.call(vault.freeze_payment, client, task_a, ETHER, signer=kit.outsider.key)
    kit.call(
        vault.process_payment, client, provider, task_a, 6 * ETHER // 10, signer=kit.outsider.key
    )
    assert (
        vault.get_balance_of(provider)
        == kit.call(vault.get_total_earnings_of, provider)
        == 6 * ETHER // 10
    )
    assert (vault.get_frozen_payment(client), vault.get_balance_of(client)) == (0, 14 * ETHER // 10)

    kit.call(vault.freeze_payment, client, task_b, ETHER, signer=kit.outsider.key)
    # The admin (no CONTROLLER role) may force a release.
    kit.call(vault.force_release_payment, client, task_b, signer=kit.admin.key)
    assert (vault.get_frozen_payment(client), vault.get_balance_of(client)) == (0, 14 * ETHER // 10)


def test_sanctions_are_for_the_judge_and_the_admin(kit: Kit) -> None:
    target = kit.provider.address
    kit.stake_self(kit.provider, ETHER)
    assert kit.call(vault.is_eligible, target) is True

    assert (
        kit.fails(TxRevertError, vault.sanction, target, ETHER // 2, signer=kit.client.key).reason
        == "NotJudge"
    )
    sanctioned = one(
        kit.call(vault.sanction, target, ETHER // 2, signer=kit.admin.key), SanctionedEvent
    )
    assert (sanctioned.account, sanctioned.amount) == (target, ETHER // 2)
    assert kit.call(vault.get_sanction_of, target) == ETHER // 2
    assert vault.get_sanctioned_amount() == ETHER // 2
    assert (vault.get_lockup_of(target), vault.is_eligible(target)) == (ETHER // 2, False)
    kit.fails(InsufficientLockupError, vault.sanction, target, ETHER, signer=kit.admin.key)

    assert (
        kit.fails(TxRevertError, vault.waive, target, ETHER // 5, signer=kit.client.key).reason
        == "NotJudge"
    )
    waived = one(kit.call(vault.waive, target, ETHER // 5, signer=kit.admin.key), WaivedEvent)
    assert (waived.account, waived.amount) == (target, ETHER // 5)
    assert vault.get_sanction_of(target) == 3 * ETHER // 10

    assert (
        kit.fails(TxRevertError, vault.withdraw_sanction_of, target, signer=kit.client.key).reason
        == "NotAdmin"
    )
    before = kit.native_balance(kit.admin.address)
    receipt = kit.call(vault.withdraw_sanction_of, target, signer=kit.admin.key)
    assert kit.native_balance(kit.admin.address) == before + 3 * ETHER // 10 - _gas_cost(receipt)
    assert (
        vault.get_sanction_of(target),
        vault.get_sanctioned_amount(),
        vault.is_eligible(target),
    ) == (0, 0, True)


def test_admin_settings_and_emergency_exit(kit: Kit) -> None:
    target = kit.provider.address
    admin_only: tuple[tuple[Callable[..., Receipt], tuple[Any, ...]], ...] = (
        (vault.set_whitelist, (target, True)),
        (vault.set_min_lockup_per_source, (ETHER,)),
        (vault.set_max_unbonding_period, (60,)),
        (vault.set_terminal, (kit.outsider.address,)),
        (vault.emergency_exit, (target,)),
    )
    for func, args in admin_only:
        assert kit.fails(TxRevertError, func, *args, signer=kit.client.key).reason == "NotAdmin"

    kit.call(vault.set_min_lockup_per_source, ETHER, signer=kit.admin.key)
    assert (vault.get_min_lockup_per_source(), vault.is_eligible(target)) == (ETHER, False)
    kit.call(vault.set_whitelist, target, True, signer=kit.admin.key)
    assert kit.call(vault.is_whitelisted, target) is True and vault.is_eligible(target) is True
    kit.call(vault.set_max_unbonding_period, 60, signer=kit.admin.key)
    assert vault.get_unbonding_period() == 60
    kit.call(vault.set_terminal, kit.outsider.address, signer=kit.admin.key)
    assert vault.get_terminal() == kit.outsider.address

    kit.deposit(kit.provider, 3 * ETHER)
    kit.call(vault.lock, 2 * ETHER, signer=kit.provider.key)
    kit.call(vault.unbond, ETHER // 2, signer=kit.provider.key)
    before = kit.native_balance(target)
    kit.call(vault.emergency_exit, target, signer=kit.admin.key)
    assert kit.native_balance(target) == before + 3 * ETHER  # liquid + locked + unbonding
    buckets = (
        vault.get_balance_of(target),
        vault.get_lockup_of(target),
        vault.get_unbonding_of(target),
    )
    assert buckets == (0, 0, 0)
