"""The network document: build, write atomically, read back, reject malformed files."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from ogpu.core.errors import DevnetError, OGPUError
from ogpu.devnet.document import (
    ACCOUNT_ROLES,
    CONTRACT_KEYS,
    AccountEntry,
    DevnetDocument,
    build_document,
    read_document,
    write_document,
)


def _document() -> DevnetDocument:
    contracts = {key: f"0x{i:040x}" for i, key in enumerate(reversed(CONTRACT_KEYS), 1)}
    accounts = {
        role: AccountEntry(address=f"0x{i:040x}", private_key=f"0x{i:064x}")
        for i, role in enumerate(ACCOUNT_ROLES)
    }
    return build_document("http://127.0.0.1:9", 31337, contracts, accounts)


_VALID = json.dumps(
    {
        "rpc_url": "x",
        "chain_id": 1,
        "contracts": dict.fromkeys(CONTRACT_KEYS, "0x1"),
        "accounts": {},
    }
)


def test_ipfs_section_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "devnet.json"
    document = _document()
    document["ipfs"] = {"api_url": "http://127.0.0.1:5001", "gateway_url": "http://127.0.0.1:8080"}
    document["ipfs_pid"] = 4343
    write_document(path, document)
    assert read_document(path) == document


def test_build_orders_keys_canonically() -> None:
    document = _document()
    assert list(document) == ["rpc_url", "chain_id", "contracts", "accounts"]
    assert tuple(document["contracts"]) == CONTRACT_KEYS
    assert tuple(document["accounts"]) == ACCOUNT_ROLES


def test_write_then_read_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "new" / "folder" / "devnet.json"
    document = _document()
    document["pid"] = 4242
    write_document(path, document)
    assert read_document(path) == document
    assert path.read_text().endswith("}\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["devnet.json"]  # no temporary file left


def test_rewrite_replaces_the_file(tmp_path: Path) -> None:
    path = tmp_path / "devnet.json"
    path.write_text("old")
    write_document(path, _document())
    assert json.loads(path.read_text())["chain_id"] == 31337


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{", "cannot read"),
        ("[]", "not a JSON object"),
        ('{"rpc_url": "x", "chain_id": "31337", "contracts": {}, "accounts": {}}', "'chain_id'"),
        (
            '{"rpc_url": "x", "chain_id": 1, "contracts": {"NEXUS": "0x1"}, "accounts": {}}',
            "CONTROLLER",
        ),
        (_VALID[:-1] + ', "ipfs": {"api_url": "http://127.0.0.1:1"}}', "'ipfs'"),
        (_VALID[:-1] + ', "ipfs": "http://127.0.0.1:1"}', "'ipfs'"),
        (_VALID[:-1] + ', "ipfs_pid": "7"}', "'ipfs_pid'"),
    ],
)
def test_malformed_documents_are_rejected(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "devnet.json"
    path.write_text(content)
    with pytest.raises(DevnetError, match=problem) as caught:
        read_document(path)
    assert isinstance(caught.value, OGPUError)


def test_pid_must_be_an_integer(tmp_path: Path) -> None:
    path = tmp_path / "devnet.json"
    document = dict(_document(), pid="12")
    path.write_text(json.dumps(document))
    with pytest.raises(DevnetError, match="pid"):
        read_document(path)


def test_missing_document(tmp_path: Path) -> None:
    with pytest.raises(DevnetError, match="no devnet document"):
        read_document(tmp_path / "absent.json")
