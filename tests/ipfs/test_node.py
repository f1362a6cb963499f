"""LocalIPFSNode: start on given ports, clean stop, temporary repo, and its failure modes."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests

from ogpu.core.errors import ConfigError, IPFSError
from ogpu.ipfs.node import RUNNER_SCRIPT, LocalIPFSNode

pytestmark = pytest.mark.ipfs


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_node_on_chosen_ports_with_a_temporary_repo(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # so the temporary repo is easy to find
    api_port, gateway_port = free_port(), free_port()
    node = LocalIPFSNode(api_port=api_port, gateway_port=gateway_port).start()
    try:
        assert node.api_url == f"http://127.0.0.1:{api_port}"
        assert node.gateway_url == f"http://127.0.0.1:{gateway_port}"
        assert requests.post(f"{node.api_url}/api/v0/version", timeout=10).json()[
            "Version"
        ]  # the API answers
        (repo,) = tmp_path.glob("ogpu-ipfs-*")
        with pytest.raises(IPFSError, match="already running"):
            node.start()
    finally:
        code = node.stop()
    assert code == 0  # SIGTERM handled: clean exit
    assert not repo.exists()
    with pytest.raises(IPFSError, match="not running"):
        _ = node.api_url


def process_gone(pid: int) -> bool:
    """Whether ``pid`` has exited (a zombie nobody reaped counts as gone)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] == "Z"
    except (FileNotFoundError, ProcessLookupError):
        return True


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states from /proc")
def test_node_stops_cleanly_when_its_python_parent_is_killed(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    script = (
        "import time\n"
        "from ogpu.ipfs.node import LocalIPFSNode\n"
        f"node = LocalIPFSNode({str(repo)!r}).start()\n"
        "print(node.pid, flush=True)\n"
        "time.sleep(120)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    pid = int(parent.stdout.readline())
    assert (repo / "repo.lock").exists()  # held while the node runs
    parent.kill()  # SIGKILL: no cleanup code of the parent runs
    parent.wait()
    parent.stdout.close()
    deadline = time.monotonic() + 15
    while not process_gone(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process_gone(pid)
    assert not (repo / "repo.lock").exists()  # it shut down cleanly, releasing the repo


def test_missing_node_binary_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot run Node.js"):
        LocalIPFSNode(tmp_path / "repo", node=str(tmp_path / "no-such-node")).start()


def test_runner_failure_is_reported_with_its_stderr(tmp_path: Path) -> None:
    empty = tmp_path / "node_modules"
    empty.mkdir()
    with pytest.raises(IPFSError, match="did not start: .*cannot find ipfs-daemon|ENOENT"):
        LocalIPFSNode(tmp_path / "repo", node_modules=empty).start()


def test_runner_script_ships_next_to_the_devnet_package() -> None:
    text = RUNNER_SCRIPT.read_text()
    assert "Promise.withResolvers" in text
    assert text.index("Promise.withResolvers =") < text.index("await importPackage(")
