"""``ChainConfig``: chains, addresses, ABIs, capability checks, RPC URLs, network files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from ogpu.chain import CHAIN_RPC_URLS, ChainConfig, ChainId
from ogpu.chain.config import NETWORK_FILE_ENV
from ogpu.core.errors import (
    ChainNotSupportedError,
    ConfigError,
    InvalidAddressError,
    InvalidParamsError,
    InvalidRpcUrlError,
    RpcError,
)

ROOT = Path(__file__).resolve().parents[2]
MAINNET = {
    "NEXUS": "0x2b0cC6058313801D5feb184a539e3a0C5A87a6a1",
    "CONTROLLER": "0x8661F4B9c30e07A04d795A192478dfD905625a1D",
    "TERMINAL": "0xaEBC7b712D38Fc4d841f0732c21B8774339869D3",
    "VAULT": "0xa5c582254AA313528898311362bc698b041580cC",
}
TESTNET_NEXUS = "0xF87bb2f3edB991a998992f14d35fE142e6Bb50b1"
LOCAL_CONTRACTS = {
    "NEXUS": "0x5fbdb2315678afecb367f032d93f642f64180aa3",
    "CONTROLLER": "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512",
    "TERMINAL": "0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0",
    "VAULT": "0xcf7ed3acca5a467e9e704c703e8d87f634fb0fc9",
    "MANAGER": "0xdc64a140aa3e981100a9beca4e685f962f0cf6c9",
}


@pytest.fixture(autouse=True)
def fresh_config(chain_config_state: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Defaults as after import, with no network file in the environment."""
    monkeypatch.delenv(NETWORK_FILE_ENV, raising=False)
    monkeypatch.setattr(ChainConfig, "_bootstrapped", False)
    monkeypatch.setattr(ChainConfig, "_current", ChainId.OGPU_MAINNET)
    monkeypatch.setattr(ChainConfig, "_document", None)


def write_document(folder: Path, **changes: Any) -> Path:
    document: dict[str, Any] = {
        "rpc_url": "http://127.0.0.1:18545",
        "chain_id": 31337,
        "contracts": dict(LOCAL_CONTRACTS),
        "accounts": {"client": {"address": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"}},
    }
    document.update(changes)
    path = folder / "devnet.json"
    path.write_text(json.dumps(document))
    return path


# --- chains and addresses -----------------------------------------------------------------------


def test_mainnet_is_the_default_with_the_published_addresses() -> None:
    assert ChainConfig.get_current_chain() is ChainId.OGPU_MAINNET
    for name, address in MAINNET.items():
        assert ChainConfig.get_contract_address(name) == address
        assert ChainConfig.get_contract_address(name.lower()) == address
    assert ChainConfig.get_rpc() == "https://mainnet-rpc.ogpuscan.io"


def test_supported_chains_list_testnet_first() -> None:
    chains = ChainConfig.get_all_supported_chains()
    assert chains[0] is ChainId.OGPU_TESTNET
    assert set(chains) == {ChainId.OGPU_TESTNET, ChainId.OGPU_MAINNET, ChainId.LOCAL}


def test_set_chain_switches_addresses_and_rpc() -> None:
    ChainConfig.set_chain(ChainId.OGPU_TESTNET)
    assert ChainConfig.get_current_chain() is ChainId.OGPU_TESTNET
    assert ChainConfig.get_contract_address("NEXUS") == TESTNET_NEXUS
    assert ChainConfig.get_rpc() == "https://testnetrpc.ogpuscan.io"
    assert ChainConfig.get_contract_address("NEXUS", ChainId.OGPU_MAINNET) == MAINNET["NEXUS"]


@pytest.mark.parametrize("bad", [12345, "mainnet", 3.5])
def test_set_chain_rejects_unknown_chains(bad: Any) -> None:
    with pytest.raises(ChainNotSupportedError):
        ChainConfig.set_chain(bad)
    assert ChainConfig.get_current_chain() is ChainId.OGPU_MAINNET


def test_unknown_contract_name() -> None:
    with pytest.raises(InvalidParamsError, match="unknown contract"):
        ChainConfig.get_contract_address("ROUTER")


def test_local_chain_without_a_network_file_says_what_to_do() -> None:
    with pytest.raises(ConfigError, match="use_network_file"):
        ChainConfig.get_contract_address("NEXUS", ChainId.LOCAL)


def test_chain_config_is_not_instantiated() -> None:
    with pytest.raises(TypeError):
        ChainConfig()


# --- ABIs and capabilities ----------------------------------------------------------------------


def test_load_abi_accepts_both_spellings_and_caches_per_chain() -> None:
    nexus = ChainConfig.load_abi("NexusAbi")
    assert isinstance(nexus, list) and any(e.get("name") == "publishSource" for e in nexus)
    assert ChainConfig.load_abi("Nexus") is nexus
    assert ChainConfig.load_abi("NEXUS") is nexus
    testnet = ChainConfig.load_abi("NexusAbi", ChainId.OGPU_TESTNET)
    assert testnet is not nexus
    assert ChainConfig.get_chain_abi_directory().endswith(os.path.join("abis", "mainnet"))


def test_mainnet_and_testnet_vaults_differ() -> None:
    def names(abi: list[Mapping[str, Any]]) -> set[str]:
        return {str(e.get("name")) for e in abi}

    assert "cancelUnbonding" in names(ChainConfig.load_abi("VaultAbi", ChainId.OGPU_MAINNET))
    assert "cancelUnbonding" not in names(ChainConfig.load_abi("VaultAbi", ChainId.OGPU_TESTNET))


@pytest.mark.parametrize(
    ("contract", "name", "mainnet", "testnet"),
    [
        ("Vault", "cancelUnbonding", True, False),
        ("VAULT", "cancel_unbonding", True, False),
        ("VaultAbi", "emergencyExit", True, False),
        ("Vault", "UnbondingCanceled", True, False),
        ("Vault", "lock", True, True),
        ("Nexus", "publish_source", True, True),
        ("Nexus", "noSuchFunction", False, False),
    ],
)
def test_supports(contract: str, name: str, mainnet: bool, testnet: bool) -> None:
    assert ChainConfig.supports(contract, name) is mainnet
    assert ChainConfig.supports(contract, name, ChainId.OGPU_TESTNET) is testnet


def test_missing_and_malformed_abis_raise_config_errors(tmp_path: Path) -> None:
    (tmp_path / "Broken.json").write_text("{not json")
    (tmp_path / "ObjectAbi.json").write_text(
        json.dumps({"abi": [{"type": "function", "name": "f"}]})
    )
    ChainConfig.CHAIN_DIRECTORIES[ChainId.OGPU_MAINNET] = str(tmp_path)
    with pytest.raises(ConfigError, match="no ABI named"):
        ChainConfig.load_abi("MissingAbi")
    with pytest.raises(ConfigError, match="not valid JSON"):
        ChainConfig.load_abi("BrokenAbi")
    assert ChainConfig.load_abi("Object") == [{"type": "function", "name": "f"}]


# --- RPC URLs ------------------------------------------------------------------------------------


def test_set_rpc_rejects_other_schemes_without_probing() -> None:
    with pytest.raises(InvalidRpcUrlError, match="http"):
        ChainConfig.set_rpc("ws://127.0.0.1:8546")
    assert ChainConfig.get_rpc() == "https://mainnet-rpc.ogpuscan.io"


def test_set_rpc_probe_failure_keeps_the_old_url(unused_port: int) -> None:
    url = f"http://127.0.0.1:{unused_port}"
    with pytest.raises(InvalidRpcUrlError) as info:
        ChainConfig.set_rpc(url, ChainId.OGPU_TESTNET)
    assert info.value.url == url
    assert isinstance(info.value.__cause__, RpcError)
    assert ChainConfig.get_rpc(ChainId.OGPU_TESTNET) == "https://testnetrpc.ogpuscan.io"


def test_reset_rpc_restores_the_default() -> None:
    CHAIN_RPC_URLS[ChainId.OGPU_MAINNET] = "http://127.0.0.1:1"
    assert ChainConfig.get_rpc() == "http://127.0.0.1:1"
    ChainConfig.reset_rpc()
    assert ChainConfig.get_rpc() == "https://mainnet-rpc.ogpuscan.io"


# --- network documents ---------------------------------------------------------------------------


def test_use_network_file_makes_local_current(tmp_path: Path) -> None:
    seen: list[Mapping[str, Any]] = []
    ChainConfig.on_network_file.append(seen.append)
    ChainConfig.use_network_file(write_document(tmp_path))
    assert ChainConfig.get_current_chain() is ChainId.LOCAL
    assert ChainConfig.get_rpc() == "http://127.0.0.1:18545"
    assert ChainConfig.get_contract_address("NEXUS") == "0x5FbDB2315678afecb367f032d93F642f64180aa3"
    assert (
        ChainConfig.get_contract_address("MANAGER") == "0xDc64a140Aa3E981100a9becA4E685f962f0cF6C9"
    )
    assert ChainConfig.get_chain_abi_directory().endswith(os.path.join("abis", "mainnet"))
    assert len(seen) == 1 and seen[0]["chain_id"] == 31337
    assert ChainConfig.network_document() is seen[0]


def test_network_file_for_another_chain(tmp_path: Path) -> None:
    with pytest.raises(ChainNotSupportedError):
        ChainConfig.use_network_file(write_document(tmp_path, chain_id=1071))
    assert ChainConfig.get_current_chain() is ChainId.OGPU_MAINNET


@pytest.mark.parametrize(
    ("changes", "error", "match"),
    [
        ({"rpc_url": "ftp://x"}, ConfigError, "rpc_url"),
        ({"chain_id": "31337"}, ConfigError, "chain_id"),
        ({"contracts": {"NEXUS": LOCAL_CONTRACTS["NEXUS"]}}, ConfigError, "CONTROLLER"),
        ({"contracts": {**LOCAL_CONTRACTS, "VAULT": "0x1234"}}, InvalidAddressError, "VAULT"),
    ],
)
def test_malformed_network_files(
    tmp_path: Path, changes: dict[str, Any], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        ChainConfig.use_network_file(write_document(tmp_path, **changes))


def test_unreadable_network_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        ChainConfig.use_network_file(tmp_path / "missing.json")
    (tmp_path / "list.json").write_text("[]")
    with pytest.raises(ConfigError, match="JSON object"):
        ChainConfig.use_network_file(tmp_path / "list.json")


def test_env_network_file_is_read_at_first_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Mapping[str, Any]] = []
    ChainConfig.on_network_file.append(seen.append)
    monkeypatch.setenv(NETWORK_FILE_ENV, str(write_document(tmp_path)))
    assert ChainConfig.get_contract_address("VAULT") == "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9"
    assert ChainConfig.get_current_chain() is ChainId.LOCAL
    assert len(seen) == 1


def test_env_network_file_failure_is_not_forgotten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(NETWORK_FILE_ENV, str(tmp_path / "missing.json"))
    for _ in range(2):
        with pytest.raises(ConfigError):
            ChainConfig.get_current_chain()


def test_import_does_no_io_and_loads_no_web3(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "import ogpu.chain\n"
        "heavy = [m for m in ('web3', 'requests', 'eth_account') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "from ogpu.core.errors import ConfigError\n"
        "try:\n"
        "    ogpu.chain.ChainConfig.get_current_chain()\n"
        "except ConfigError:\n"
        "    print('lazy')\n"
    )
    env = dict(os.environ, **{NETWORK_FILE_ENV: str(tmp_path / "missing.json")})
    paths = [str(ROOT / "handwritten"), str(ROOT / "generated"), env.get("PYTHONPATH", "")]
    env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "lazy"
