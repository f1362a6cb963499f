"""``ogpu devnet up/down`` through the real console entry (``python -m ogpu.cli``)."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from ogpu.devnet import ipfs_repo_for
from ogpu.devnet.anvil import free_port, is_running
from ogpu.devnet.document import ACCOUNT_ROLES, CONTRACT_KEYS, DEFAULT_DOCUMENT_PATH

RunCli = Callable[..., "subprocess.CompletedProcess[str]"]
AnvilPids = Callable[[int], list[int]]


def _chain_id(rpc_url: str) -> int:
    body = {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}
    return int(requests.post(rpc_url, json=body, timeout=5).json()["result"], 16)


def _port(document: dict[str, Any]) -> int:
    return int(document["rpc_url"].rsplit(":", 1)[1])


def _assert_shape(document: dict[str, Any]) -> None:
    assert document["chain_id"] == 31337
    assert document["rpc_url"].startswith("http://127.0.0.1:")
    assert tuple(document["contracts"]) == CONTRACT_KEYS
    assert tuple(document["accounts"]) == ACCOUNT_ROLES
    for entry in document["accounts"].values():
        assert set(entry) == {"address", "private_key"}


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    """A live process that is not anvil."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield process
    process.kill()
    process.wait()


def test_detached_up_then_down(tmp_path: Path, run_cli: RunCli, anvil_pids: AnvilPids) -> None:
    up = run_cli("devnet", "up", "--detach")
    assert up.returncode == 0, up.stderr
    document = json.loads(up.stdout)
    out = tmp_path / DEFAULT_DOCUMENT_PATH
    assert json.loads(out.read_text()) == document
    _assert_shape(document)
    assert set(document) == {
        "rpc_url",
        "chain_id",
        "contracts",
        "accounts",
        "pid",
        "ipfs",
        "ipfs_pid",
    }
    assert anvil_pids(_port(document)) == [document["pid"]]
    assert _chain_id(document["rpc_url"]) == 31337
    assert out.with_suffix(".log").stat().st_size > 0

    again = run_cli("devnet", "up", "--detach")
    assert again.returncode == 1 and "already running" in again.stderr
    assert json.loads(out.read_text()) == document

    down = run_cli("devnet", "down")
    assert down.returncode == 0, down.stderr
    assert anvil_pids(_port(document)) == [] and not is_running(document["pid"])
    assert not out.exists()


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_foreground_up_stops_on_a_signal(
    tmp_path: Path, cli_env: dict[str, str], anvil_pids: AnvilPids, stop_signal: signal.Signals
) -> None:
    out = tmp_path / "net" / "doc.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "ogpu.cli", "devnet", "up", "--out", str(out), "--testnet-vault"],
        cwd=tmp_path,
        env=cli_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines: list[str] = []
        while not lines or lines[-1] != "}\n":
            line = process.stdout.readline()
            assert line, "ogpu devnet up exited before printing the document"
            lines.append(line)
        document = json.loads("".join(lines))
        _assert_shape(document)
        assert "pid" not in document
        assert json.loads(out.read_text()) == document
        port = _port(document)
        assert len(anvil_pids(port)) == 1
        process.send_signal(stop_signal)
        assert process.wait(timeout=10) == 0
    finally:
        process.kill()
        process.communicate()
    assert anvil_pids(port) == []
    assert not out.exists()


def test_taken_port_fails_cleanly(tmp_path: Path, run_cli: RunCli, anvil_pids: AnvilPids) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        up = run_cli("devnet", "up", "--detach", "--port", str(port))
    assert up.returncode == 1
    assert "already in use" in up.stderr
    assert up.stdout == ""
    assert anvil_pids(port) == []
    assert not (tmp_path / DEFAULT_DOCUMENT_PATH).exists()


def test_broken_artifacts_fail_cleanly(
    tmp_path: Path, run_cli: RunCli, anvil_pids: AnvilPids
) -> None:
    port = free_port()
    empty = tmp_path / "no-artifacts"
    empty.mkdir()
    up = run_cli("devnet", "up", "--detach", "--port", str(port), OGPU_DEVNET_ARTIFACTS=str(empty))
    assert up.returncode == 1
    assert "Manager artifact" in up.stderr
    assert anvil_pids(port) == []
    repo = ipfs_repo_for(tmp_path / DEFAULT_DOCUMENT_PATH.with_suffix(".log"))
    listing = subprocess.run(["ps", "-ww", "-eo", "args="], capture_output=True, text=True)
    assert f"--repo {repo}" not in listing.stdout  # the IPFS node started alongside is gone too
    assert not (tmp_path / DEFAULT_DOCUMENT_PATH).exists()


def _fake_document(path: Path, pid: int | None) -> None:
    document: dict[str, Any] = {
        "rpc_url": f"http://127.0.0.1:{free_port()}",
        "chain_id": 31337,
        "contracts": {key: "0x" + "11" * 20 for key in CONTRACT_KEYS},
        "accounts": {},
    }
    if pid is not None:
        document["pid"] = pid
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document))


def test_down_leaves_a_foreign_process_alone(
    tmp_path: Path, run_cli: RunCli, sleeper: subprocess.Popen[bytes]
) -> None:
    out = tmp_path / DEFAULT_DOCUMENT_PATH
    _fake_document(out, sleeper.pid)
    down = run_cli("devnet", "down")
    assert down.returncode == 1 and "not the devnet's anvil" in down.stderr
    assert sleeper.poll() is None
    assert out.exists()


def test_down_of_a_dead_devnet_removes_the_document(tmp_path: Path, run_cli: RunCli) -> None:
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()  # reaped: its pid names no process now
    out = tmp_path / "doc.json"
    _fake_document(out, finished.pid)
    down = run_cli("devnet", "down", "--out", str(out))
    assert down.returncode == 0 and "was not running" in down.stderr
    assert not out.exists()


def test_down_needs_a_detached_document(tmp_path: Path, run_cli: RunCli) -> None:
    missing = run_cli("devnet", "down")
    assert missing.returncode == 1 and "no devnet document" in missing.stderr
    _fake_document(tmp_path / DEFAULT_DOCUMENT_PATH, None)
    foreground = run_cli("devnet", "down")
    assert foreground.returncode == 1 and "Ctrl-C" in foreground.stderr


def test_usage_errors(run_cli: RunCli) -> None:
    bare = run_cli("devnet")
    assert bare.returncode == 2 and "up" in bare.stderr and "down" in bare.stderr
    bad = run_cli("devnet", "up", "--port", "not-a-number")
    assert bad.returncode == 2
