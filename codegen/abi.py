"""Stage 1: read ABI JSON, validate it, and write it in canonical form.

Accepted input: a bare JSON array of ABI entries, or an artifact object (Hardhat, Foundry,
Truffle) holding the array under ``abi``. Every problem is reported with the file and the
entry it was found in, and all problems of a file are collected before failing.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ENTRY_TYPES = ("constructor", "function", "event", "error", "fallback", "receive")
MUTABILITIES = ("pure", "view", "nonpayable", "payable")

_ELEMENTARY = re.compile(
    r"^(address|bool|string|bytes|function|"
    r"u?int(8|16|24|32|40|48|56|64|72|80|88|96|104|112|120|128|136|144|152|160|168|176|184|192|200|208|216|224|232|240|248|256)?|"
    r"bytes([1-9]|[12][0-9]|3[0-2])|tuple)((\[[0-9]*\])*)$"
)


class AbiError(Exception):
    """Malformed ABI input; ``problems`` lists every finding as ``file: entry N (...): what``."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class AbiFile:
    """One contract's ABI as read from disk."""

    contract: str
    path: Path
    entries: tuple[dict[str, Any], ...]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(canonical_json(list(self.entries)).encode()).hexdigest()


def contract_name_for(path: Path, document: object) -> str:
    """``NexusAbi.json`` -> ``Nexus``; an artifact's ``contractName`` wins when present."""
    if isinstance(document, dict) and isinstance(document.get("contractName"), str):
        return str(document["contractName"])
    stem = path.name.split(".")[0]
    for suffix in ("Abi", "ABI", "_abi"):
        if stem.endswith(suffix) and len(stem) > len(suffix):
            return stem[: -len(suffix)]
    return stem


def read_abi(path: Path) -> AbiFile:
    """Read and validate one ABI file. Raises :class:`AbiError` naming the file and entries."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise AbiError([f"{path}: cannot read: {exc}"]) from exc
    except json.JSONDecodeError as exc:
        raise AbiError(
            [f"{path}: not JSON: line {exc.lineno} column {exc.colno}: {exc.msg}"]
        ) from exc
    if isinstance(document, dict):
        if "abi" not in document:
            raise AbiError([f"{path}: an object without an 'abi' key is not an ABI or an artifact"])
        entries = document["abi"]
    else:
        entries = document
    if not isinstance(entries, list):
        raise AbiError([f"{path}: the ABI must be a JSON array, got {type(entries).__name__}"])
    problems: list[str] = []
    for index, entry in enumerate(entries):
        problems.extend(f"{path}: {msg}" for msg in validate_entry(index, entry))
    if problems:
        raise AbiError(problems)
    return AbiFile(contract_name_for(path, document), path, tuple(entries))


def validate_entry(index: int, entry: object) -> list[str]:
    """Return the problems of one ABI entry (empty when it is well formed)."""
    if not isinstance(entry, dict):
        return [f"entry {index}: expected an object, got {type(entry).__name__}"]
    kind = entry.get("type", "function")
    label = f"entry {index} ({kind} {entry.get('name', '')!r})".replace(" ''", "")
    if kind not in ENTRY_TYPES:
        return [f"{label}: unknown type {kind!r}"]
    problems: list[str] = []
    if kind in ("function", "event", "error"):
        name = entry.get("name")
        if not isinstance(name, str) or not re.match(r"^[A-Za-z_$][A-Za-z0-9_$]*$", name):
            problems.append(f"{label}: missing or invalid 'name'")
    if kind in ("function", "constructor", "fallback", "receive"):
        mut = entry.get("stateMutability")
        if mut not in MUTABILITIES:
            problems.append(
                f"{label}: 'stateMutability' must be one of {', '.join(MUTABILITIES)}, got {mut!r}"
            )
    if kind in ("function", "constructor", "event", "error"):
        problems.extend(
            _check_params(label, "inputs", entry.get("inputs", []), event=kind == "event")
        )
    if kind == "function":
        problems.extend(_check_params(label, "outputs", entry.get("outputs", []), event=False))
    return problems


def _check_params(label: str, key: str, params: object, *, event: bool) -> list[str]:
    if not isinstance(params, list):
        return [f"{label}: '{key}' must be an array"]
    problems: list[str] = []
    for i, param in enumerate(params):
        where = f"{label}: {key}[{i}]"
        if not isinstance(param, dict):
            problems.append(f"{where}: expected an object")
            continue
        typ = param.get("type")
        if not isinstance(typ, str) or not _ELEMENTARY.match(typ):
            problems.append(f"{where}: invalid type {typ!r}")
            continue
        if not isinstance(param.get("name", ""), str):
            problems.append(f"{where}: 'name' must be a string")
        if event and not isinstance(param.get("indexed", False), bool):
            problems.append(f"{where}: 'indexed' must be true or false")
        if typ.startswith("tuple"):
            problems.extend(
                _check_params(where, "components", param.get("components"), event=False)
            )
    return problems


def _entry_sort_key(entry: dict[str, Any]) -> tuple[int, str, str]:
    kind = entry.get("type", "function")
    return (
        ENTRY_TYPES.index(kind),
        entry.get("name", ""),
        signature_types(entry.get("inputs", [])),
    )


def signature_types(params: list[dict[str, Any]]) -> str:
    """Canonical parameter type list, tuples expanded: ``(address,(uint8,string)[])``."""
    return "(" + ",".join(canonical_type(p) for p in params) + ")"


def canonical_type(param: dict[str, Any]) -> str:
    typ = str(param["type"])
    if typ.startswith("tuple"):
        return signature_types(param.get("components", [])) + typ[len("tuple") :]
    return typ


def canonicalize(
    entries: list[dict[str, Any]] | tuple[dict[str, Any], ...],
) -> list[dict[str, Any]]:
    """Entries in a stable order (constructor, functions, events, errors; by name, then
    signature). Parameter order is meaning and is kept; ``type`` defaults are made explicit."""
    normalised = []
    for entry in entries:
        item = dict(entry)
        item.setdefault("type", "function")
        normalised.append(item)
    return sorted(normalised, key=_entry_sort_key)


def canonical_json(entries: list[dict[str, Any]]) -> str:
    """The on-disk form: sorted keys, two-space indent, trailing newline."""
    return json.dumps(entries, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def read_abis(paths: list[Path]) -> dict[str, AbiFile]:
    """Read several ABI files keyed by contract name; every problem of every file is reported."""
    files: dict[str, AbiFile] = {}
    problems: list[str] = []
    for path in paths:
        try:
            abi = read_abi(path)
        except AbiError as exc:
            problems.extend(exc.problems)
            continue
        if abi.contract in files:
            problems.append(
                f"{path}: contract {abi.contract} also comes from {files[abi.contract].path}"
            )
        files[abi.contract] = abi
    if problems:
        raise AbiError(problems)
    return files


def load_abi_dir(directory: Path) -> dict[str, AbiFile]:
    """Load every ``*.json`` ABI of one network folder, keyed by contract name."""
    return read_abis(sorted(directory.glob("*.json")))


NOTICE_NAME = "NOTICE.md"


def import_abis(
    sources: list[Path], out_dir: Path, attribution: str | None
) -> list[tuple[Path, str]]:
    """Plan the canonical files for ``out_dir`` from ABI files or folders.

    Returns (path, text) pairs; the caller writes them. A ``README.md`` next to the inputs, or
    the given ``attribution`` text, is kept as ``NOTICE.md`` with the imported files' hashes.
    """
    paths: list[Path] = []
    for source in sources:
        paths.extend(sorted(source.glob("*.json")) if source.is_dir() else [source])
    if not paths:
        raise AbiError([f"{', '.join(map(str, sources))}: no ABI files found"])
    abis = read_abis(paths)
    if attribution is None:
        readmes = sorted(
            {p.parent.parent / "README.md" for p in paths} | {p.parent / "README.md" for p in paths}
        )
        found = [r for r in readmes if r.is_file()]
        attribution = found[0].read_text(encoding="utf-8") if found else None
    planned: list[tuple[Path, str]] = []
    lines = []
    for name in sorted(abis):
        text = canonical_json(canonicalize(abis[name].entries))
        planned.append((out_dir / f"{name}.json", text))
        lines.append(
            f"| `{name}.json` | `{abis[name].path.name}` | `{hashlib.sha256(text.encode()).hexdigest()[:16]}` |"
        )
    notice = [
        "# Imported ABIs",
        "",
        "Written by `python -m codegen import-abi`; do not edit. Re-run the import on new ABI",
        "files, then `make generate`.",
        "",
        "| file | imported from | sha256 (first 16) |",
        "| --- | --- | --- |",
        *lines,
    ]
    if attribution:
        notice += ["", "## Attribution of the source files", "", attribution.strip()]
    planned.append((out_dir / NOTICE_NAME, "\n".join(notice) + "\n"))
    return planned
