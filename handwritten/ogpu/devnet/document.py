"""The network document: one JSON file describing a running devnet.

Shape::

    {"rpc_url": str, "chain_id": int,
     "contracts": {"NEXUS", "CONTROLLER", "TERMINAL", "VAULT", "MANAGER": address},
     "accounts": {"client" | "provider" | "master" | "agent": {"address", "private_key"}},
     "pid": int,                       # only when anvil runs detached
     "ipfs": {"api_url", "gateway_url"},  # only when a local IPFS node runs with the devnet
     "ipfs_pid": int}                  # only when that IPFS node runs detached

``ogpu.chain.ChainConfig.use_network_file`` reads it (and points ``ogpu.ipfs`` at the ``"ipfs"``
node). Readers ignore keys they do not know.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypedDict, cast

from ogpu.core.errors import DevnetError

__all__ = [
    "ACCOUNT_ROLES",
    "CONTRACT_KEYS",
    "DEFAULT_DOCUMENT_PATH",
    "AccountEntry",
    "DevnetDocument",
    "IPFSEntry",
    "build_document",
    "dumps",
    "read_document",
    "write_document",
]

DEFAULT_DOCUMENT_PATH = Path(".ogpu") / "devnet.json"
CONTRACT_KEYS = ("NEXUS", "CONTROLLER", "TERMINAL", "VAULT", "MANAGER")
ACCOUNT_ROLES = ("client", "provider", "master", "agent")


class AccountEntry(TypedDict):
    """One funded dev account."""

    address: str
    private_key: str


class _RequiredKeys(TypedDict):
    rpc_url: str
    chain_id: int
    contracts: dict[str, str]
    accounts: dict[str, AccountEntry]


class IPFSEntry(TypedDict):
    """The local IPFS node's RPC API and gateway origins."""

    api_url: str
    gateway_url: str


class DevnetDocument(_RequiredKeys, total=False):
    """The network document; ``pid`` and ``ipfs_pid`` are present only for a detached devnet."""

    pid: int
    ipfs: IPFSEntry
    ipfs_pid: int


def build_document(
    rpc_url: str,
    chain_id: int,
    contracts: Mapping[str, str],
    accounts: Mapping[str, AccountEntry],
) -> DevnetDocument:
    """Assemble a document, keeping the contract and account keys in their canonical order."""
    return {
        "rpc_url": rpc_url,
        "chain_id": chain_id,
        "contracts": {key: contracts[key] for key in CONTRACT_KEYS},
        "accounts": {
            role: {
                "address": accounts[role]["address"],
                "private_key": accounts[role]["private_key"],
            }
            for role in ACCOUNT_ROLES
        },
    }


def dumps(document: DevnetDocument) -> str:
    """The document as indented JSON text with a trailing newline."""
    return json.dumps(document, indent=2) + "\n"


def write_document(path: Path, document: DevnetDocument) -> None:
    """Write the document atomically (temporary file, then rename), readable by the owner only.

    The folder is created when missing.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(dumps(document))
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def read_document(path: Path) -> DevnetDocument:
    """Read and check a document; raise DevnetError when it is missing or malformed."""
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise DevnetError(f"no devnet document at {path}") from exc
    except (OSError, ValueError) as exc:
        raise DevnetError(f"cannot read the devnet document {path}: {exc}") from exc
    problem = _shape_problem(data)
    if problem:
        raise DevnetError(f"{path} is not a devnet document: {problem}")
    return cast(DevnetDocument, data)


def _shape_problem(data: Any) -> str:
    """What is wrong with the document's required keys ("" when nothing is)."""
    if not isinstance(data, dict):
        return "not a JSON object"
    expected = {"rpc_url": str, "chain_id": int, "contracts": dict, "accounts": dict}
    for key, kind in expected.items():
        if not isinstance(data.get(key), kind):
            return f"{key!r} missing or not a {kind.__name__}"
    missing = [key for key in CONTRACT_KEYS if not isinstance(data["contracts"].get(key), str)]
    if missing:
        return f"contracts lack {', '.join(missing)}"
    for key in ("pid", "ipfs_pid"):
        if key in data and not isinstance(data[key], int):
            return f"{key!r} is not an integer"
    if "ipfs" in data:
        ipfs = data["ipfs"]
        if not isinstance(ipfs, dict) or not all(
            isinstance(ipfs.get(key), str) for key in ("api_url", "gateway_url")
        ):
            return "'ipfs' lacks a string api_url and gateway_url"
    return ""
