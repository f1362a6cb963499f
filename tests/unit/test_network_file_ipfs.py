"""A network document with an ``ipfs`` section configures ogpu.ipfs (no I/O involved)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from ogpu.chain import ChainConfig, ChainId
from ogpu.ipfs import get_config, reset_config


@pytest.fixture
def restore(chain_config_state: None) -> Iterator[None]:
    yield
    reset_config()


def _document(tmp_path: Path, **extra: object) -> Path:
    doc = {
        "rpc_url": "http://127.0.0.1:1",
        "chain_id": 31337,
        "contracts": {
            k: "0x" + "12" * 20 for k in ("NEXUS", "CONTROLLER", "TERMINAL", "VAULT", "MANAGER")
        },
        "accounts": {},
        **extra,
    }
    path = tmp_path / "devnet.json"
    path.write_text(json.dumps(doc))
    return path


def test_ipfs_section_points_the_ipfs_layer_at_the_node(tmp_path: Path, restore: None) -> None:
    ChainConfig.use_network_file(
        _document(
            tmp_path,
            ipfs={"api_url": "http://127.0.0.1:5001", "gateway_url": "http://127.0.0.1:8080"},
        )
    )
    config = get_config()
    assert (config.publish_backend, config.kubo_api_url, config.gateways) == (
        "kubo",
        "http://127.0.0.1:5001",
        ("http://127.0.0.1:8080",),
    )
    assert ChainConfig.get_current_chain() is ChainId.LOCAL


def test_without_ipfs_section_the_ipfs_settings_stay(tmp_path: Path, restore: None) -> None:
    before = get_config()
    ChainConfig.use_network_file(_document(tmp_path))
    assert get_config() == before
