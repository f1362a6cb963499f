"""Every ``ogpu.protocol.manager`` function on the devnet, and the three Manager role events."""

from __future__ import annotations

import pytest
from protocol_kit import Kit, one, role_id

from ogpu.protocol import manager
from ogpu.schema.errors import (
    AccessControlBadConfirmationError,
    AccessControlUnauthorizedAccountError,
)
from ogpu.schema.events import RoleAdminChangedEvent, RoleGrantedEvent, RoleRevokedEvent

pytestmark = pytest.mark.integration

ADMIN_ROLE = bytes(32)
IACCESS_CONTROL_ID = bytes.fromhex("7965db0b")
IERC165_ID = bytes.fromhex("01ffc9a7")


def test_role_views(kit: Kit) -> None:
    assert kit.call(manager.get_default_admin_role) == ADMIN_ROLE
    assert kit.call(manager.get_controller) == role_id("CONTROLLER")
    assert kit.call(manager.get_judge) == role_id("JUDGE")
    assert kit.call(manager.get_provider) == role_id("PROVIDER")
    assert kit.call(manager.get_role_admin, role_id("JUDGE")) == ADMIN_ROLE
    assert kit.call(manager.has_role, ADMIN_ROLE, kit.admin.address) is True
    assert kit.call(manager.has_role, role_id("CONTROLLER"), kit.contracts["CONTROLLER"]) is True
    assert manager.has_role(role_id("JUDGE"), kit.client.address) is False
    assert kit.call(manager.supports_interface, IACCESS_CONTROL_ID) is True
    assert manager.supports_interface(IERC165_ID) is True
    assert manager.supports_interface(b"\xff\xff\xff\xff") is False


def test_grant_revoke_and_renounce(kit: Kit) -> None:
    judge, who = role_id("JUDGE"), kit.outsider.address
    refused = kit.fails(
        AccessControlUnauthorizedAccountError, manager.grant_role, judge, who, signer=kit.client.key
    )
    assert (refused.account, refused.needed_role) == (kit.client.address, ADMIN_ROLE)
    granted = one(kit.call(manager.grant_role, judge, who, signer=kit.admin.key), RoleGrantedEvent)
    assert (granted.role, granted.account, granted.sender) == (judge, who, kit.admin.address)
    assert granted.contract_address == kit.contracts["MANAGER"]
    assert manager.has_role(judge, who) is True

    kit.fails(
        AccessControlUnauthorizedAccountError,
        manager.revoke_role,
        judge,
        who,
        signer=kit.client.key,
    )
    revoked = one(kit.call(manager.revoke_role, judge, who, signer=kit.admin.key), RoleRevokedEvent)
    assert (revoked.role, revoked.account, revoked.sender) == (judge, who, kit.admin.address)

    kit.call(manager.grant_role, judge, who, signer=kit.admin.key)
    kit.fails(
        AccessControlBadConfirmationError,
        manager.renounce_role,
        judge,
        kit.admin.address,
        signer=kit.outsider.key,
    )
    renounced = one(
        kit.call(manager.renounce_role, judge, who, signer=kit.outsider.key), RoleRevokedEvent
    )
    assert (renounced.account, renounced.sender) == (who, who)
    assert manager.has_role(judge, who) is False


def test_role_admin_changed_decodes(kit: Kit) -> None:
    """The reference Manager never changes a role admin (no ``_setRoleAdmin`` call), so a tiny
    LOG4 emitter puts a real log with the event's signature and indexed topics on the devnet."""
    topic0 = bytes.fromhex("bd79b86ffe0ab8e8776151514217cd7cacd52c909f66475c3af44e129f0b00ff")
    emitter = kit.deploy_log_emitter()
    receipt = kit.emit_log4(emitter, (topic0, role_id("JUDGE"), ADMIN_ROLE, role_id("CONTROLLER")))
    changed = one(receipt, RoleAdminChangedEvent)
    assert (changed.role, changed.previous_admin_role, changed.new_admin_role) == (
        role_id("JUDGE"),
        ADMIN_ROLE,
        role_id("CONTROLLER"),
    )
    assert (changed.contract_address.lower(), changed.block_number) == (
        emitter.lower(),
        receipt.block_number,
    )
