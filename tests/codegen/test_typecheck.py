"""``mypy --strict`` over the whole package (generated and handwritten), plus typing
assertions mypy must accept and a file it must reject."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

ACCEPTED = """
from typing import assert_type
from ogpu.protocol import Task, TaskSnapshot, vault, task
from ogpu.schema.enums import TaskStatus
from ogpu.schema.structs import TaskParams
from ogpu.types import Receipt

t = Task("0x" + "ab" * 20)
assert_type(t.get_status(), TaskStatus)
assert_type(t.get_params(), TaskParams)
assert_type(t.snapshot(), TaskSnapshot)
assert_type(task.get_payment(t.address), int)
assert_type(vault.lock(1, signer="0x" + "11" * 32), Receipt)
"""

REJECTED = """
from ogpu.protocol import vault
vault.lock("ten", signer="0x")          # amount must be an int
vault.get_balance_of(123)               # an address is a str
vault.lock(1)                           # vault writes need signer=
"""


def _mypy(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", *args], cwd=cwd, capture_output=True, text=True
    )


def test_package_passes_mypy_strict() -> None:
    run = _mypy()  # configuration in pyproject.toml: strict, packages = ["ogpu"]
    assert run.returncode == 0, run.stdout + run.stderr


def test_typing_assertions(tmp_path: Path) -> None:
    (tmp_path / "accepted.py").write_text(ACCEPTED)
    (tmp_path / "rejected.py").write_text(REJECTED)
    ok = _mypy("--strict", "--python-version", "3.11", str(tmp_path / "accepted.py"))
    assert ok.returncode == 0, ok.stdout
    bad = _mypy("--strict", str(tmp_path / "rejected.py"))
    assert bad.returncode == 1
    assert bad.stdout.count("error:") == 3, bad.stdout
