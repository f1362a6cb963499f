"""Finding the anvil binary, and running/stopping it without leaving processes behind."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ogpu.core.errors import AnvilNotFoundError, ConfigError, DevnetError
from ogpu.devnet import anvil
from ogpu.chain.rpc import RpcClient
from ogpu.devnet.anvil import AnvilProcess, find_anvil, is_our_anvil, is_running

LOCAL = 31337
AnvilPids = Callable[[int], list[int]]


def _executable(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No OGPU_ANVIL, an empty PATH, and no node_modules above the package: only tmp_path counts."""
    monkeypatch.delenv(anvil.ANVIL_ENV_VAR, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-path"))
    monkeypatch.setattr(anvil, "__file__", str(tmp_path / "pkg" / "anvil.py"))
    return tmp_path


@pytest.fixture
def listening_socket() -> Iterator[int]:
    """A port on 127.0.0.1 held by this process for the test."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


# --- find_anvil ----------------------------------------------------------------------------


def test_env_override_wins(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    binary = _executable(isolated / "custom" / "anvil")
    _executable(isolated / "node_modules" / ".bin" / "anvil")
    monkeypatch.setenv(anvil.ANVIL_ENV_VAR, str(binary))
    assert find_anvil(isolated) == str(binary)


def test_env_override_must_be_executable(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(anvil.ANVIL_ENV_VAR, str(isolated / "missing"))
    with pytest.raises(AnvilNotFoundError) as caught:
        find_anvil(isolated)
    assert isinstance(caught.value, ConfigError)
    assert "OGPU_ANVIL" in str(caught.value)


def test_native_binary_found_from_a_subfolder(isolated: Path) -> None:
    modules = isolated / "project" / "node_modules"
    native = _executable(
        modules / "@foundry-rs" / f"anvil-{anvil._platform_tag()}" / "bin" / "anvil"
    )
    _executable(modules / ".bin" / "anvil")
    deep = isolated / "project" / "src" / "deeper"
    deep.mkdir(parents=True)
    assert find_anvil(deep) == str(native)


def test_npm_wrapper_when_no_native_binary(isolated: Path) -> None:
    wrapper = _executable(isolated / "node_modules" / ".bin" / "anvil")
    assert find_anvil(isolated) == str(wrapper)


def test_path_is_the_last_resort(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    on_path = _executable(isolated / "bin" / "anvil")
    monkeypatch.setenv("PATH", str(on_path.parent))
    assert find_anvil(isolated) == str(on_path)


def test_not_found_lists_what_was_searched(isolated: Path) -> None:
    (isolated / "node_modules").mkdir()
    with pytest.raises(AnvilNotFoundError) as caught:
        find_anvil(isolated)
    assert caught.value.searched == (str(isolated / "node_modules"), "PATH")


# --- running -------------------------------------------------------------------------------


def test_launch_answers_rpc_and_stop_ends_the_process(
    tmp_path: Path, anvil_pids: AnvilPids
) -> None:
    node = AnvilProcess.launch(chain_id=LOCAL, port=None, log_path=tmp_path / "anvil.log")
    try:
        assert int(RpcClient(node.rpc_url).request("eth_chainId"), 16) == LOCAL
        assert node.rpc_url.startswith("http://127.0.0.1:")
        assert is_our_anvil(node.pid, node.port)
        assert not is_our_anvil(node.pid, node.port + 1)
        assert anvil_pids(node.port) == [node.pid]
    finally:
        node.stop()
    assert not is_running(node.pid)
    assert anvil_pids(node.port) == []
    assert (tmp_path / "anvil.log").stat().st_size > 0


def test_taken_port_fails_and_leaves_no_process(
    tmp_path: Path, listening_socket: int, anvil_pids: AnvilPids
) -> None:
    with pytest.raises(DevnetError) as caught:
        AnvilProcess.launch(chain_id=LOCAL, port=listening_socket, log_path=tmp_path / "anvil.log")
    assert "already in use" in caught.value.log_tail
    assert "exited" in caught.value.reason
    assert anvil_pids(listening_socket) == []


def test_free_port_race_is_retried(
    tmp_path: Path, listening_socket: int, monkeypatch: pytest.MonkeyPatch, anvil_pids: AnvilPids
) -> None:
    ports = iter([listening_socket, anvil.free_port()])
    monkeypatch.setattr(anvil, "free_port", lambda: next(ports))
    node = AnvilProcess.launch(chain_id=LOCAL, port=None, log_path=tmp_path / "anvil.log")
    try:
        assert node.port != listening_socket
        assert node.is_running()
    finally:
        node.stop()
    assert anvil_pids(listening_socket) == []


def test_wrong_chain_id_on_the_port_is_refused(tmp_path: Path) -> None:
    node = AnvilProcess.launch(chain_id=LOCAL, port=None, log_path=tmp_path / "a.log")
    try:
        checker = AnvilProcess(node.popen, node.port, node.log_path)
        with pytest.raises(DevnetError, match="expected 1"):
            checker._wait_ready(1, timeout=2)
    finally:
        node.stop()


def test_other_processes_are_not_ours() -> None:
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert is_running(sleeper.pid)
        assert not is_our_anvil(sleeper.pid, 8545)
    finally:
        sleeper.kill()
        sleeper.wait()
    assert not is_running(sleeper.pid)


CRASHING_PARENT = """
import sys, time
from pathlib import Path
import ogpu.devnet
running = ogpu.devnet.start(log_path=Path(sys.argv[1]))
print(running.pid, flush=True)
time.sleep(60)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal is Linux's")
def test_node_dies_with_a_crashed_parent(tmp_path: Path, cli_env: dict[str, str]) -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", CRASHING_PARENT, str(tmp_path / "anvil.log")],
        env=cli_env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert parent.stdout is not None
    pid = int(parent.stdout.readline())
    assert is_running(pid)
    parent.kill()  # SIGKILL: no atexit, no cleanup in the parent
    parent.communicate()
    deadline = time.monotonic() + 5
    while is_running(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not is_running(pid)
