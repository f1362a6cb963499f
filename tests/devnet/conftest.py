"""Fixtures for the devnet tests (``ogpu_devnet`` and ``devnet`` come from the ``ogpu`` plugin).

``anvil_pids`` finds anvil processes by port (to prove none is left behind) and ``run_cli``
runs the real console entry (``python -m ogpu.cli``) in a child process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

__all__ = ["anvil_pids", "cli_env", "run_cli"]

RunCli = Callable[..., "subprocess.CompletedProcess[str]"]


def _anvil_pids_on_port(port: int) -> list[int]:
    listing = subprocess.run(
        ["ps", "-ww", "-eo", "pid=,stat=,args="], capture_output=True, text=True, check=True
    )
    pids = []
    for line in listing.stdout.splitlines():
        pid, stat, *args = line.split()
        if stat.startswith("Z") or not any("anvil" in word for word in args[:2]):
            continue
        if any(args[i : i + 2] == ["--port", str(port)] for i in range(len(args))):
            pids.append(int(pid))
    return pids


@pytest.fixture
def anvil_pids() -> Callable[[int], list[int]]:
    """``anvil_pids(port)``: live (non-zombie) anvil processes started with ``--port <port>``."""
    return _anvil_pids_on_port


@pytest.fixture
def cli_env() -> dict[str, str]:
    """The environment for a child ``ogpu`` process: ours, without an artifact override."""
    env = dict(os.environ)
    env.pop("OGPU_DEVNET_ARTIFACTS", None)
    return env


@pytest.fixture
def run_cli(cli_env: dict[str, str], tmp_path: Path) -> RunCli:
    """``run_cli(*args, **env)``: run ``ogpu <args>`` in ``tmp_path``, output captured."""

    def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "ogpu.cli", *args],
            cwd=tmp_path,
            env={**cli_env, **env},
            capture_output=True,
            text=True,
            timeout=60,
        )

    return run
