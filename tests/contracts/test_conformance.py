"""The reference contracts expose exactly the project's ABIs, and their artifacts are current.

Each compiled artifact in ``handwritten/ogpu/devnet/artifacts`` is compared with the project's
ABI in ``abis/<network>/<Name>.json``: every function, event, error and constructor, with
types, internal types, names, mutability and ``indexed`` flags. Nothing may be extra or
missing. Entries are normalised (keys and entries sorted) and keyed by signature, so a failure
prints which entries are missing, which are extra, and a diff of each entry that differs.
"""

from __future__ import annotations

import difflib
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ABI_DIR = ROOT / "abis"
ARTIFACT_DIR = ROOT / "handwritten" / "ogpu" / "devnet" / "artifacts"

# (artifact name, ABI network, ABI file name)
PAIRS = [
    ("Controller", "mainnet", "Controller"),
    ("Manager", "mainnet", "Manager"),
    ("Nexus", "mainnet", "Nexus"),
    ("Response", "mainnet", "Response"),
    ("Source", "mainnet", "Source"),
    ("Task", "mainnet", "Task"),
    ("Terminal", "mainnet", "Terminal"),
    ("Vault", "mainnet", "Vault"),
    ("VaultTestnet", "testnet", "Vault"),
]

Entry = dict[str, Any]


def _param_type(param: Entry) -> str:
    """Canonical ABI type of one parameter, with tuples spelled out."""
    kind = str(param["type"])
    if kind.startswith("tuple"):
        inner = ",".join(_param_type(c) for c in param["components"])
        return f"({inner}){kind[len('tuple'):]}"
    return kind


def signature(entry: Entry) -> str:
    """A key naming the entry: its kind, name and input types."""
    inputs = ",".join(_param_type(p) for p in entry.get("inputs", []))
    return f"{entry['type']} {entry.get('name', '')}({inputs})"


def normalise(abi: list[Entry]) -> dict[str, str]:
    """Map each entry's signature to its JSON text with sorted keys."""
    entries: dict[str, str] = {}
    for entry in abi:
        key = signature(entry)
        assert key not in entries, f"duplicate ABI entry {key}"
        entries[key] = json.dumps(entry, sort_keys=True, indent=1)
    return dict(sorted(entries.items()))


def abi_differences(expected: list[Entry], actual: list[Entry]) -> list[str]:
    """Readable differences between two ABIs; empty when they are identical."""
    want, got = normalise(expected), normalise(actual)
    lines = [f"missing: {key}" for key in want if key not in got]
    lines += [f"extra:   {key}" for key in got if key not in want]
    for key in want.keys() & got.keys():
        if want[key] != got[key]:
            diff = difflib.unified_diff(
                want[key].splitlines(), got[key].splitlines(), "published", "compiled", lineterm=""
            )
            lines.append(f"differs: {key}\n" + "\n".join(diff))
    return sorted(lines)


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(("artifact", "network", "abi_name"), PAIRS, ids=[p[0] for p in PAIRS])
def test_compiled_abi_matches_published(artifact: str, network: str, abi_name: str) -> None:
    expected = _load(ABI_DIR / network / f"{abi_name}.json")
    actual = _load(ARTIFACT_DIR / f"{artifact}.json")["abi"]
    differences = abi_differences(expected, actual)
    assert not differences, f"{artifact} vs abis/{network}/{abi_name}.json:\n" + "\n".join(differences)


def test_artifact_shape() -> None:
    for artifact, _, _ in PAIRS:
        data = _load(ARTIFACT_DIR / f"{artifact}.json")
        assert sorted(data) == ["abi", "bytecode", "compiler", "contractName"]
        assert data["contractName"] == artifact
        assert data["bytecode"].startswith("0x") and len(data["bytecode"]) > 2
        assert data["compiler"]["optimizer"]["enabled"] is True


def test_differences_are_reported() -> None:
    """The comparison itself catches a flipped indexed flag, a renamed input and an extra entry."""
    published = _load(ABI_DIR / "mainnet" / "Nexus.json")
    changed = json.loads(json.dumps(published))
    event = next(e for e in changed if e.get("name") == "Attempted")
    event["inputs"][0]["indexed"] = True
    function = next(e for e in changed if e.get("name") == "attempt")
    function["inputs"][0]["name"] = "renamed"
    changed.append({"type": "function", "name": "extra", "inputs": [], "outputs": [], "stateMutability": "view"})
    report = "\n".join(abi_differences(published, changed))
    assert "differs: event Attempted(address,address,uint256)" in report
    assert "differs: function attempt(address,address,uint256)" in report
    assert "extra:   function extra()" in report
    assert abi_differences(published, list(reversed(published))) == []


def test_artifacts_are_current() -> None:
    node = shutil.which("node")
    assert node is not None, "node is required to rebuild the contracts"
    result = subprocess.run(
        [node, str(ROOT / "contracts" / "build.mjs"), "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
