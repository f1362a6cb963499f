"""Fixtures of the generator's tests: the project's generated plan, and the Probe package."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def project_plan() -> tuple[str, list[tuple[str, str]]]:
    from codegen.pipeline import plan_package

    return plan_package(ROOT / "abis", ROOT / "abis" / "ogpu.toml")


@dataclass(frozen=True)
class ProbeBuild:
    root: Path  # holds the generated package `probe` (put it on sys.path)
    abis: Path
    bytecode: str


def _solcjs() -> Path:
    path = ROOT / "node_modules" / ".bin" / "solcjs"
    assert path.exists(), "solc-js missing: run `make install`"
    return path


@pytest.fixture(scope="session")
def probe_build(tmp_path_factory: pytest.TempPathFactory) -> ProbeBuild:
    """Compile Probe.sol with solc-js, import its ABI with the project's command, generate."""
    work = tmp_path_factory.mktemp("probe")
    out = work / "solc"
    subprocess.run(
        [
            str(_solcjs()),
            "--abi",
            "--bin",
            "--optimize",
            "-o",
            str(out),
            str(FIXTURES / "probe" / "Probe.sol"),
        ],
        check=True,
        capture_output=True,
        cwd=work,
    )
    abi_file = next(out.glob("*Probe.abi"))
    bin_file = next(out.glob("*Probe.bin"))
    raw = work / "raw" / "Probe.json"
    raw.parent.mkdir()
    raw.write_text(json.dumps({"contractName": "Probe", "abi": json.loads(abi_file.read_text())}))
    abis = work / "abis"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "codegen",
            "import-abi",
            str(raw),
            "--network",
            "local",
            "--abis-dir",
            str(abis),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    shutil.copy(FIXTURES / "probe" / "probe.toml", abis / "probe.toml")
    gen = work / "gen"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "codegen",
            "generate",
            "--abis-dir",
            str(abis),
            "--config",
            str(abis / "probe.toml"),
            "--out",
            str(gen),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    return ProbeBuild(gen, abis, "0x" + bin_file.read_text().strip())
