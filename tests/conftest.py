"""Shared fixtures: real anvil nodes on free loopback ports.

- ``anvil`` (session): the RPC URL of one anvil shared by the session (chain id 31337,
  automine), stopped at the end.
- ``anvil_keys`` (session): anvil's ten default dev keys (``ANVIL_DEV_KEYS``), each funded
  with 10000 ETH on every node started here.
- ``anvil_factory`` (function): ``start(*extra_args) -> url`` for a private node with extra
  flags (``"--no-mining"``, ``"--block-time", "1"``, ...), stopped after the test.
- ``unused_port`` (function): a loopback port nothing listens on (connections are refused).
- ``chain_config_state`` (function): saves ``ogpu.chain``'s process-global configuration
  (current chain, RPC URLs, contract addresses, network document, hooks) and nonce caches,
  and restores them after the test.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ANVIL_START_TIMEOUT_S = 20.0

ANVIL_DEV_KEYS = (
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
    "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
    "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
    "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
    "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
    "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
    "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6",
)
"""Private keys of anvil's default accounts (the public "test ... junk" mnemonic)."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class AnvilNode:
    """One anvil (the devnet's launcher: the real binary, killed with this process if it dies)."""

    def __init__(self, extra_args: tuple[str, ...], log_path: Path) -> None:
        from ogpu.devnet.anvil import AnvilProcess

        self.process = AnvilProcess.launch(
            chain_id=31337,
            port=None,
            log_path=log_path,
            ready_timeout=ANVIL_START_TIMEOUT_S,
            extra_args=extra_args,
        )
        self.port = self.process.port
        self.url = self.process.rpc_url
        self.log_path = log_path

    def stop(self) -> None:
        self.process.stop()


@pytest.fixture(scope="session")
def anvil(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The RPC URL of an automining anvil shared by the whole session."""
    node = AnvilNode((), tmp_path_factory.mktemp("anvil") / "anvil.log")
    try:
        yield node.url
    finally:
        node.stop()


@pytest.fixture(scope="session")
def anvil_keys() -> tuple[str, ...]:
    """Anvil's ten funded default keys, in account order."""
    return ANVIL_DEV_KEYS


@pytest.fixture
def anvil_factory(tmp_path: Path) -> Iterator[Callable[..., str]]:
    """Start private anvil nodes with extra arguments; all stop when the test ends."""
    nodes: list[AnvilNode] = []

    def start(*extra_args: str) -> str:
        node = AnvilNode(extra_args, tmp_path / f"anvil-{len(nodes)}.log")
        nodes.append(node)
        return node.url

    try:
        yield start
    finally:
        for node in nodes:
            node.stop()


@pytest.fixture
def unused_port() -> int:
    """A free loopback port: connecting to it is refused at once."""
    return _free_port()


@pytest.fixture
def chain_config_state() -> Iterator[None]:
    """Restore ``ChainConfig``, ``CHAIN_RPC_URLS`` and the nonce caches after the test."""
    from ogpu.chain import CHAIN_RPC_URLS, ChainConfig, NonceManager

    urls = dict(CHAIN_RPC_URLS)
    contracts = {chain: dict(entry) for chain, entry in ChainConfig.CHAIN_CONTRACTS.items()}
    directories = dict(ChainConfig.CHAIN_DIRECTORIES)
    hooks = list(ChainConfig.on_network_file)
    saved = {
        name: getattr(ChainConfig, name) for name in ("_current", "_document", "_bootstrapped")
    }
    try:
        yield
    finally:
        CHAIN_RPC_URLS.clear()
        CHAIN_RPC_URLS.update(urls)
        ChainConfig.CHAIN_CONTRACTS.clear()
        ChainConfig.CHAIN_CONTRACTS.update(contracts)
        ChainConfig.CHAIN_DIRECTORIES.clear()
        ChainConfig.CHAIN_DIRECTORIES.update(directories)
        ChainConfig.on_network_file[:] = hooks
        for name, value in saved.items():
            setattr(ChainConfig, name, value)
        NonceManager.clear_all()
