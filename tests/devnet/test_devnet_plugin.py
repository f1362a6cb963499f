"""The pytest plugin, run in a child pytest session exactly as a user project would load it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

INNER_TESTS = """
import os

from eth_account import Account
from web3 import Web3

from ogpu.chain import ChainConfig, NonceManager
from ogpu.schema.networks import NETWORKS, ChainId

SEEN = {}


def _w3(devnet):
    return Web3(Web3.HTTPProvider(devnet.rpc_url))


def test_0_a_nonce_cached_outside_the_fixture(ogpu_devnet):
    client, w3 = ogpu_devnet.document["accounts"]["client"]["address"], _w3(ogpu_devnet)
    NonceManager.get_nonce(client, w3)  # caches the node's count, as another node's would be
    NonceManager.increment_nonce(client, w3)
    assert NonceManager.get_cached_nonce(client, w3) == 1


def test_a_points_the_sdk_and_changes_the_chain(devnet):
    document = devnet.document
    client = document["accounts"]["client"]
    assert NonceManager.get_cached_nonce(client["address"], _w3(devnet)) is None
    assert os.environ["CLIENT_PRIVATE_KEY"] == client["private_key"]
    assert os.environ["AGENT_PRIVATE_KEY"] == document["accounts"]["agent"]["private_key"]
    assert os.environ["OGPU_NETWORK_FILE"] == str(devnet.document_path)
    assert ChainConfig.get_current_chain() is ChainId.LOCAL
    assert ChainConfig.get_contract_address("NEXUS") == document["contracts"]["NEXUS"]
    assert ChainConfig.get_rpc() == devnet.rpc_url

    w3 = _w3(devnet)
    SEEN["block"] = w3.eth.block_number
    SEEN["balance"] = w3.eth.get_balance(client["address"])
    tx = {"to": document["accounts"]["agent"]["address"], "value": 10**18, "gas": 21000,
          "gasPrice": w3.eth.gas_price, "nonce": 0, "chainId": 31337}
    signed = Account.sign_transaction(tx, client["private_key"])
    w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(signed.raw_transaction))
    w3.provider.make_request("evm_increaseTime", [3600])
    w3.provider.make_request("evm_mine", [])
    assert w3.eth.get_transaction_count(client["address"]) == 1
    assert w3.eth.block_number == SEEN["block"] + 2
    assert NonceManager.get_nonce(client["address"], w3) == 1  # now cached
    gap = dict(tx, nonce=5)  # waits in the pool for nonces 1-4, which never come
    signed_gap = Account.sign_transaction(gap, client["private_key"])
    w3.eth.send_raw_transaction(signed_gap.raw_transaction)
    assert w3.provider.make_request("txpool_status", [])["result"]["queued"] == "0x1"


def test_b_starts_from_the_same_state(devnet):
    w3 = _w3(devnet)
    client = devnet.document["accounts"]["client"]["address"]
    assert w3.eth.block_number == SEEN["block"]
    assert w3.eth.get_balance(client) == SEEN["balance"]
    assert w3.eth.get_transaction_count(client) == 0
    assert NonceManager.get_cached_nonce(client, w3) is None
    pool = w3.provider.make_request("txpool_status", [])["result"]
    assert pool == {"pending": "0x0", "queued": "0x0"}


def test_c_without_the_fixture_nothing_is_pointed():
    assert "CLIENT_PRIVATE_KEY" not in os.environ
    assert "OGPU_NETWORK_FILE" not in os.environ
    assert ChainConfig.get_current_chain() is ChainId.OGPU_MAINNET
    assert ChainConfig.CHAIN_CONTRACTS[ChainId.LOCAL] == {}
    assert ChainConfig.get_rpc(ChainId.LOCAL) == NETWORKS[ChainId.LOCAL].default_rpc


def test_d_one_devnet_per_session(ogpu_devnet, devnet):
    assert devnet is ogpu_devnet and devnet.is_running()
"""


def test_snapshot_revert_isolates_tests(tmp_path: Path, cli_env: dict[str, str]) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_inner.py").write_text(INNER_TESTS)
    env = {key: value for key, value in cli_env.items() if not key.endswith("_PRIVATE_KEY")}
    env.pop("OGPU_NETWORK_FILE", None)
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # load exactly this plugin, as -p names it
    inner = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "ogpu.devnet.pytest_plugin",
            "-p",
            "no:cacheprovider",
            "-q",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert inner.returncode == 0, inner.stdout + inner.stderr
    assert "5 passed" in inner.stdout


INNER_IPFS_TESTS = """
import ogpu.ipfs
from ogpu.chain import ChainConfig
from ogpu.schema.networks import ChainId


def test_sdk_points_at_devnet_and_ipfs(ogpu_devnet_ipfs):
    ipfs = ogpu_devnet_ipfs.document["ipfs"]
    assert ChainConfig.get_current_chain() is ChainId.LOCAL
    assert ChainConfig.get_rpc() == ogpu_devnet_ipfs.rpc_url
    assert ogpu.ipfs.get_config().kubo_api_url == ipfs["api_url"]
    url = ogpu.ipfs.publish_to_ipfs({"a": 1})
    assert url.startswith(ipfs["gateway_url"])
    assert ogpu.ipfs.fetch_ipfs_json(url) == {"a": 1}
"""


def test_ipfs_fixture_points_the_sdk_at_both(tmp_path: Path, cli_env: dict[str, str]) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_inner_ipfs.py").write_text(INNER_IPFS_TESTS)
    env = dict(cli_env, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
    env.pop("OGPU_NETWORK_FILE", None)
    inner = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "ogpu.devnet.pytest_plugin",
            "-p",
            "no:cacheprovider",
            "-q",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert inner.returncode == 0, inner.stdout + inner.stderr
    assert "1 passed" in inner.stdout
