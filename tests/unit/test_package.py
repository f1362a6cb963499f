"""The built wheel works on its own, and ``import ogpu`` has no side effects."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (found,) = out.glob("ogpu-*.whl")
    return found


def test_wheel_merges_generated_and_handwritten_layers(wheel: Path, tmp_path: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "ogpu/__init__.py",
        "ogpu/py.typed",
        "ogpu/protocol/task.py",
        "ogpu/schema/events.py",
        "ogpu/events/__init__.py",
        "ogpu/runtime/contract.py",
        "ogpu/chain/config.py",
        "ogpu/schema/abis/testnet/Vault.json",
        "ogpu/devnet/artifacts/Nexus.json",
    ):
        assert required in names, required
    assert not any(n.startswith(("codegen/", "tests/")) for n in names)
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    # Only the unpacked wheel and the third-party dependencies: no checkout folders on the path.
    site = [p for p in sys.path if p.endswith("site-packages")]
    code = (
        "import ogpu, ogpu.protocol, ogpu.types, ogpu.chain\n"
        "from ogpu.protocol import Task, vault\n"
        "assert all(p.startswith(%r) for p in ogpu.__path__), ogpu.__path__\n"
        "assert Task('0x' + 'ab' * 20).address.startswith('0x')\n"
        "assert ogpu.chain.ChainConfig.load_abi('VaultAbi')\n"
        "print('ok')\n" % str(target)
    )
    env = {
        "PYTHONPATH": os.pathsep.join([str(target), *site]),
        "PATH": os.environ["PATH"],
        "PYTHONNOUSERSITE": "1",
    }
    run = subprocess.run(
        [sys.executable, "-S", "-c", code], env=env, capture_output=True, text=True, cwd=tmp_path
    )
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr


def test_import_has_no_side_effects(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("CLIENT_PRIVATE_KEY=0x" + "11" * 32 + "\n")
    code = (
        "import logging, socket, sys, os\n"
        "def refuse(*a, **k): raise AssertionError('network I/O at import')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "root = logging.getLogger(); before = (list(root.handlers), root.level, logging.getLoggerClass())\n"
        "stdout = sys.stdout\n"
        "import ogpu, ogpu.protocol, ogpu.types, ogpu.chain, ogpu.ipfs, ogpu.events\n"
        "import ogpu.client, ogpu.agent, ogpu.provider, ogpu.devnet\n"
        "assert (list(root.handlers), root.level, logging.getLoggerClass()) == before\n"
        "assert sys.stdout is stdout\n"
        "assert 'CLIENT_PRIVATE_KEY' not in os.environ, 'dotenv read at import'\n"
        "assert not any(m.split('.')[0] in ('fastapi', 'uvicorn', 'sentry_sdk', 'colorama') for m in sys.modules)\n"
        "print('ok')\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.endswith("_PRIVATE_KEY")}
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr


def test_bare_import_is_lazy() -> None:
    code = (
        "import sys, ogpu; print(sorted(m for m in sys.modules if m.startswith(('ogpu', 'web3'))))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "['ogpu']"
