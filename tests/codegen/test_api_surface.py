"""Every name of the 0.2.1 surface (shared/api.md: protocol, instances, events) exists."""

from __future__ import annotations

import importlib
import inspect

import pytest

MODULE_FUNCTIONS = {
    "nexus": "publish_source extract_source_address update_source inactivate_source register unregister attempt "
    "get_source_count get_sources get_source_id get_active_source_count check_controller submit_response "
    "get_sources_of get_clients",
    "controller": "publish_task confirm_response extract_task_address cancel_task",
    "terminal": "set_agent revoke_agent announce_master announce_provider remove_provider remove_container "
    "set_default_agent_disabled get_master_of get_provider_of get_base_data_of get_live_data_of is_master "
    "is_provider is_agent_of is_default_agent_disabled",
    "vault": "deposit withdraw lock unbond cancel_unbonding claim get_balance_of get_lockup_of get_unbonding_of "
    "get_unbonding_timestamp get_total_earnings_of get_frozen_payment get_sanction_of is_eligible is_whitelisted "
    "get_min_lockup_per_source get_unbonding_period get_sanctioned_amount emergency_exit withdraw_sanction_of",
    "manager": "has_role get_role_admin",
}

INSTANCE_METHODS = {
    "Source": "load get_client get_status get_params fetch_metadata get_task_count get_registrant_count get_tasks "
    "get_registrants get_registrant_id get_preferred_environment_of set_status set_params inactivate snapshot "
    "get_metadata",
    "Task": "load get_source get_status get_params get_delivery_method fetch_metadata get_payment get_expiry_time "
    "get_attempt_count get_attempters get_attempt_timestamps get_attempter_id get_response_of get_winning_provider "
    "is_already_submitted cancel snapshot get_responses get_confirmed_response get_metadata",
    "Response": "load get_params get_task get_data get_status get_timestamp is_confirmed confirm fetch_data snapshot",
    "Provider": "load get_master get_base_data get_live_data is_provider get_default_agent_disabled get_balance "
    "get_lockup get_unbonding get_unbonding_timestamp get_total_earnings get_frozen_payment get_sanction is_eligible "
    "is_whitelisted announce_master set_default_agent_disabled register_to unregister_from attempt stake unstake "
    "cancel_unbonding claim_earnings deposit_to_vault withdraw_from_vault snapshot get_registered_sources",
    "Master": "load get_provider is_master get_balance get_lockup get_unbonding get_total_earnings get_frozen_payment "
    "is_eligible is_whitelisted announce_provider remove_provider remove_container set_agent stake unstake "
    "cancel_unbonding claim_earnings deposit_to_vault withdraw_from_vault snapshot",
}

EVENTS = {
    "watch_task_published": ("source_address", "TaskPublishedEvent", ["task", "source"]),
    "watch_attempted": (
        "task_address",
        "AttemptedEvent",
        ["task", "provider", "suggested_payment"],
    ),
    "watch_response_submitted": ("task_address", "ResponseSubmittedEvent", ["response", "task"]),
    "watch_response_status_changed": (
        "response_address",
        "ResponseStatusChangedEvent",
        ["response", "status"],
    ),
    "watch_task_status_changed": ("task_address", "TaskStatusChangedEvent", ["task", "status"]),
    "watch_registered": (
        "source_address",
        "RegisteredEvent",
        ["provider", "registrant_id", "source"],
    ),
}


@pytest.mark.parametrize("module,names", MODULE_FUNCTIONS.items())
def test_protocol_module_functions(module: str, names: str) -> None:
    mod = importlib.import_module(f"ogpu.protocol.{module}")
    missing = [n for n in names.split() if not callable(getattr(mod, n, None))]
    assert not missing, f"ogpu.protocol.{module} lacks {missing}"


@pytest.mark.parametrize("cls,names", INSTANCE_METHODS.items())
def test_instance_methods(cls: str, names: str) -> None:
    klass = getattr(importlib.import_module("ogpu.protocol"), cls)
    missing = [n for n in names.split() if not callable(getattr(klass, n, None))]
    assert not missing, f"{cls} lacks {missing}"
    assert set(klass.__slots__) | {"address", "chain"} >= {"address", "chain"}


@pytest.mark.parametrize("watcher,spec", EVENTS.items())
def test_seed_watchers_and_dataclasses(watcher: str, spec: tuple[str, str, list[str]]) -> None:
    events = importlib.import_module("ogpu.events")
    scope, cls_name, fields = spec
    fn = getattr(events, watcher)
    params = inspect.signature(fn).parameters
    assert list(params)[0] == scope
    assert params["from_block"].default is None and params["poll_interval"].default == 2.0
    cls = getattr(events, cls_name)
    names = list(cls.__dataclass_fields__)
    assert names[: len(fields)] == fields
    assert names[len(fields) : len(fields) + 3] == ["block_number", "transaction_hash", "log_index"]


def test_vault_writes_require_an_explicit_signer() -> None:
    from ogpu.protocol import vault

    for name in ("deposit", "withdraw", "lock", "unbond", "cancel_unbonding", "claim"):
        param = inspect.signature(getattr(vault, name)).parameters["signer"]
        assert (
            param.default is inspect.Parameter.empty
            and param.kind is inspect.Parameter.KEYWORD_ONLY
        )


def test_legacy_fetch_names_warn_and_forward(monkeypatch: pytest.MonkeyPatch) -> None:
    from ogpu.protocol import Source

    monkeypatch.setattr(Source, "fetch_metadata", lambda self: {"name": "x"})
    with pytest.warns(
        DeprecationWarning, match=r"Source.get_metadata\(\) is deprecated; use fetch_metadata"
    ):
        assert Source("0x" + "ab" * 20).get_metadata() == {"name": "x"}
