"""The devnet's local IPFS node: ``start(ipfs=True)``, ``ogpu devnet up`` with and without it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

import ogpu.ipfs
from ogpu.chain.config import CHAIN_RPC_URLS, ChainConfig
from ogpu.core.errors import ConfigError
from ogpu.devnet import ipfs_repo_for, is_our_ipfs_node, start
from ogpu.devnet.anvil import free_port, is_running, stop_process_group
from ogpu.devnet.document import DEFAULT_DOCUMENT_PATH
from ogpu.ipfs.node import LocalIPFSNode
from ogpu.schema.networks import ChainId

pytestmark = pytest.mark.ipfs

RunCli = Callable[..., "subprocess.CompletedProcess[str]"]
AnvilPids = Callable[[int], list[int]]


def _api_version(api_url: str) -> str:
    answer = requests.post(f"{api_url}/api/v0/version", timeout=5)
    answer.raise_for_status()
    version: str = answer.json()["Version"]
    return version


def _port(document: dict[str, Any]) -> int:
    return int(document["rpc_url"].rsplit(":", 1)[1])


@pytest.fixture
def restore_sdk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Put back the chain and IPFS settings a test changes through ``use_network_file``."""
    local = ChainId.LOCAL
    monkeypatch.setitem(ChainConfig.CHAIN_CONTRACTS, local, ChainConfig.CHAIN_CONTRACTS[local])
    monkeypatch.setitem(CHAIN_RPC_URLS, local, CHAIN_RPC_URLS[local])
    monkeypatch.setattr(ChainConfig, "_current", ChainConfig.get_current_chain())
    monkeypatch.setattr(ogpu.ipfs.config, "_current", ogpu.ipfs.get_config())


def test_detached_up_serves_ipfs_and_down_stops_both(
    tmp_path: Path, run_cli: RunCli, anvil_pids: AnvilPids, restore_sdk: None
) -> None:
    up = run_cli("devnet", "up", "--detach")
    assert up.returncode == 0, up.stderr
    document = json.loads(up.stdout)
    out = tmp_path / DEFAULT_DOCUMENT_PATH
    try:
        assert set(document) == {
            "rpc_url",
            "chain_id",
            "contracts",
            "accounts",
            "pid",
            "ipfs",
            "ipfs_pid",
        }
        ipfs = document["ipfs"]
        assert set(ipfs) == {"api_url", "gateway_url"}
        assert ipfs["api_url"].startswith("http://127.0.0.1:")
        assert ipfs["gateway_url"].startswith("http://127.0.0.1:")
        assert _api_version(ipfs["api_url"])  # the CLI process has exited: the node outlived it
        repo = ipfs_repo_for(out.with_suffix(".log"))
        assert is_our_ipfs_node(document["ipfs_pid"], repo)
        assert not is_our_ipfs_node(document["pid"], repo)

        ChainConfig.use_network_file(out)
        url = ogpu.ipfs.publish_to_ipfs({"a": 1})
        assert url.startswith(f"{ipfs['gateway_url']}/ipfs/")
        assert ogpu.ipfs.fetch_ipfs_json(url) == {"a": 1}
    finally:
        down = run_cli("devnet", "down")
    assert down.returncode == 0, down.stderr
    assert "IPFS pid" in down.stderr
    assert anvil_pids(_port(document)) == [] and not is_running(document["pid"])
    assert not is_running(document["ipfs_pid"])
    with pytest.raises(requests.ConnectionError):
        requests.post(f"{document['ipfs']['api_url']}/api/v0/version", timeout=2)
    assert not out.exists() and not repo.exists()


def test_no_ipfs_flag_starts_none(run_cli: RunCli) -> None:
    up = run_cli("devnet", "up", "--detach", "--no-ipfs")
    assert up.returncode == 0, up.stderr
    document = json.loads(up.stdout)
    down = run_cli("devnet", "down")
    assert down.returncode == 0, down.stderr
    assert "ipfs" not in document and "ipfs_pid" not in document


def test_failed_ipfs_start_leaves_no_anvil(
    tmp_path: Path, run_cli: RunCli, anvil_pids: AnvilPids
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake_node = bin_dir / "node"  # the IPFS runner starts under this "Node.js", which fails
    fake_node.write_text("#!/bin/sh\necho 'ipfs_node: no such luck' >&2\nexit 1\n")
    fake_node.chmod(0o755)
    port = free_port()
    up = run_cli(
        "devnet",
        "up",
        "--detach",
        "--port",
        str(port),
        PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
    )
    assert up.returncode == 1
    assert "IPFS node did not start" in up.stderr and "no such luck" in up.stderr
    assert up.stdout == ""
    assert anvil_pids(port) == []
    assert not (tmp_path / DEFAULT_DOCUMENT_PATH).exists()


def test_start_with_ipfs_in_process(tmp_path: Path) -> None:
    with start(ipfs=True) as devnet:
        assert devnet.ipfs is not None
        ipfs = devnet.document["ipfs"]
        assert ipfs == {"api_url": devnet.ipfs.api_url, "gateway_url": devnet.ipfs.gateway_url}
        assert "ipfs_pid" not in devnet.document  # not detached
        assert _api_version(ipfs["api_url"])
        node_pid = devnet.ipfs.pid
    assert not is_running(node_pid) and not devnet.is_running()


def test_a_detached_node_needs_a_repo() -> None:
    with pytest.raises(ConfigError, match="repo_dir"):
        LocalIPFSNode(detach=True)


def test_detached_node_outlives_its_parent(tmp_path: Path) -> None:
    """A detached node keeps serving after the process that started it exited."""
    script = (
        "import sys\n"
        "from ogpu.ipfs.node import LocalIPFSNode\n"
        "node = LocalIPFSNode(sys.argv[1], detach=True).start()\n"
        "print(node.pid, node.api_url)\n"
    )
    parent = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "repo")],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    pid_text, api_url = parent.stdout.split()
    pid = int(pid_text)
    try:
        assert _api_version(api_url)
        assert is_our_ipfs_node(pid, tmp_path / "repo")
        assert os.getpgid(pid) == pid  # its own session and process group
    finally:
        stop_process_group(pid, timeout=15.0)
    assert not is_running(pid)
