"""The deployed protocol: wiring, roles, parameters, accounts, and failed deployments."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import rlp  # type: ignore[import-untyped]
from eth_account import Account
from web3 import Web3

import ogpu.devnet
from ogpu.core.errors import DevnetError
from ogpu.devnet import Devnet
from ogpu.devnet.anvil import free_port, is_running
from ogpu.devnet.deploy import DEFAULT_ARTIFACTS_DIR, DEPLOYER, create_address, load_artifact
from ogpu.devnet.document import ACCOUNT_ROLES, CONTRACT_KEYS


def _contract(w3: Web3, devnet: Devnet, key: str, artifact: str | None = None) -> Any:
    abi = load_artifact(DEFAULT_ARTIFACTS_DIR, artifact or key.capitalize()).abi
    return w3.eth.contract(
        address=Web3.to_checksum_address(devnet.document["contracts"][key]), abi=abi
    )


@pytest.fixture(scope="module")
def w3(ogpu_devnet: Devnet) -> Web3:
    return Web3(Web3.HTTPProvider(ogpu_devnet.rpc_url))


@pytest.mark.parametrize("nonce", [0, 1, 0x7F, 0x80, 0xFF, 0x100, 70_000, 2**32])
def test_create_address_matches_rlp(nonce: int) -> None:
    sender = DEPLOYER.address
    expected = Web3.keccak(rlp.encode([bytes.fromhex(sender[2:]), nonce]))[12:]
    assert create_address(sender, nonce) == Web3.to_checksum_address(expected)


def test_contracts_are_wired(ogpu_devnet: Devnet, w3: Web3) -> None:
    c = ogpu_devnet.document["contracts"]
    nexus, terminal = _contract(w3, ogpu_devnet, "NEXUS"), _contract(w3, ogpu_devnet, "TERMINAL")
    vault, controller = _contract(w3, ogpu_devnet, "VAULT"), _contract(
        w3, ogpu_devnet, "CONTROLLER"
    )
    assert (
        nexus.functions.manager().call(),
        nexus.functions.terminal().call(),
        nexus.functions.vault().call(),
    ) == (
        c["MANAGER"],
        c["TERMINAL"],
        c["VAULT"],
    )
    assert (terminal.functions.manager().call(), terminal.functions.vault().call()) == (
        c["MANAGER"],
        c["VAULT"],
    )
    assert (
        vault.functions.manager().call(),
        vault.functions.nexus().call(),
        vault.functions.terminal().call(),
    ) == (
        c["MANAGER"],
        c["NEXUS"],
        c["TERMINAL"],
    )
    assert (
        controller.functions.nexus().call(),
        controller.functions.terminal().call(),
        controller.functions.vault().call(),
    ) == (c["NEXUS"], c["TERMINAL"], c["VAULT"])


def test_roles_and_parameters(ogpu_devnet: Devnet, w3: Web3) -> None:
    c = ogpu_devnet.document["contracts"]
    manager, vault = _contract(w3, ogpu_devnet, "MANAGER"), _contract(w3, ogpu_devnet, "VAULT")
    admin = ogpu_devnet.admin.address
    assert admin == DEPLOYER.address
    assert manager.functions.hasRole(manager.functions.CONTROLLER().call(), c["CONTROLLER"]).call()
    assert manager.functions.hasRole(manager.functions.JUDGE().call(), admin).call()
    assert manager.functions.hasRole(manager.functions.DEFAULT_ADMIN_ROLE().call(), admin).call()
    assert not manager.functions.hasRole(manager.functions.JUDGE().call(), c["CONTROLLER"]).call()
    assert _contract(w3, ogpu_devnet, "NEXUS").functions.checkController(c["CONTROLLER"]).call()
    assert vault.functions.UNBONDING_PERIOD().call() == 600
    assert vault.functions.MIN_LOCKUP_PER_SOURCE().call() == 0
    for key in ("NEXUS", "CONTROLLER", "TERMINAL"):
        assert _contract(w3, ogpu_devnet, key).functions.owner().call() == admin


def test_role_accounts_are_funded_anvil_accounts(ogpu_devnet: Devnet, w3: Web3) -> None:
    accounts = ogpu_devnet.document["accounts"]
    assert list(accounts) == list(ACCOUNT_ROLES)
    anvil_accounts = list(w3.eth.accounts)
    assert [accounts[role]["address"] for role in ACCOUNT_ROLES] == anvil_accounts[1:5]
    for entry in accounts.values():
        assert Account.from_key(entry["private_key"]).address == entry["address"]
        assert w3.eth.get_balance(Web3.to_checksum_address(entry["address"])) >= 9_000 * 10**18
    assert DEPLOYER.address == anvil_accounts[0]
    assert "private_key" not in repr(DEPLOYER) and DEPLOYER.private_key[2:10] not in repr(DEPLOYER)


def test_document_shape(ogpu_devnet: Devnet) -> None:
    doc = ogpu_devnet.document
    assert set(doc) == {"rpc_url", "chain_id", "contracts", "accounts"}
    assert doc["chain_id"] == 31337 and doc["rpc_url"] == ogpu_devnet.rpc_url
    assert tuple(doc["contracts"]) == CONTRACT_KEYS
    assert len(set(doc["contracts"].values())) == len(CONTRACT_KEYS)
    assert ogpu_devnet.document_path is not None
    assert json.loads(ogpu_devnet.document_path.read_text()) == doc
    assert "private" not in repr(ogpu_devnet)


def _has_selector(code: bytes, signature: str) -> bool:
    return b"\x63" + Web3.keccak(text=signature)[:4] in code  # PUSH4 <selector> in the dispatcher


@pytest.fixture(scope="module")
def testnet_devnet() -> Iterator[Devnet]:
    with ogpu.devnet.start(testnet_vault=True) as running:
        yield running


def test_testnet_vault_lacks_the_mainnet_functions(
    ogpu_devnet: Devnet, testnet_devnet: Devnet
) -> None:
    def vault_code(running: Devnet) -> bytes:
        w3 = Web3(Web3.HTTPProvider(running.rpc_url))
        return bytes(
            w3.eth.get_code(Web3.to_checksum_address(running.document["contracts"]["VAULT"]))
        )

    mainnet, testnet = vault_code(ogpu_devnet), vault_code(testnet_devnet)
    for signature in ("cancelUnbonding()", "emergencyExit(address)", "withdrawSanctionOf(address)"):
        assert _has_selector(mainnet, signature)
        assert not _has_selector(testnet, signature)
    assert _has_selector(testnet, "claim()") and _has_selector(mainnet, "claim()")


def _artifact_copy(tmp_path: Path, **replace_bytecode: str) -> Path:
    folder = tmp_path / "artifacts"
    folder.mkdir()
    for source in DEFAULT_ARTIFACTS_DIR.glob("*.json"):
        data = json.loads(source.read_text())
        data["bytecode"] = replace_bytecode.get(source.stem, data["bytecode"])
        (folder / source.name).write_text(json.dumps(data))
    return folder


def test_failed_deployment_names_the_step_and_leaves_no_process(
    tmp_path: Path, anvil_pids: Callable[[int], list[int]]
) -> None:
    reverting_init_code = "0x60006000fd"  # PUSH1 0 PUSH1 0 REVERT
    folder = _artifact_copy(tmp_path, Vault=reverting_init_code)
    port = free_port()
    with pytest.raises(DevnetError, match="deploy Vault failed"):
        ogpu.devnet.start(port=port, artifacts_dir=folder, log_path=tmp_path / "anvil.log")
    assert anvil_pids(port) == []


def test_broken_artifact_is_reported(tmp_path: Path) -> None:
    folder = _artifact_copy(tmp_path)
    (folder / "Nexus.json").write_text("{not json")
    with pytest.raises(DevnetError, match="Nexus"):
        load_artifact(folder, "Nexus")
    (folder / "Nexus.json").write_text(json.dumps({"abi": []}))
    with pytest.raises(DevnetError, match="bytecode"):
        load_artifact(folder, "Nexus")
    with pytest.raises(DevnetError, match="cannot load"):
        load_artifact(folder, "Missing")


def test_stop_is_idempotent_and_ends_the_node(tmp_path: Path) -> None:
    running = ogpu.devnet.start()
    log_folder = running.log_path.parent
    running.stop()
    running.stop()
    assert not running.is_running() and not is_running(running.pid)
    assert not log_folder.exists()
