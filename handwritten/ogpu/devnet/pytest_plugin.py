"""Pytest fixtures for tests against a local OpenGPU devnet.

Installed as the ``pytest11`` entry point ``ogpu``, so an installed ``ogpu`` provides these
fixtures to every session (elsewhere: ``-p ogpu.devnet.pytest_plugin``):

- ``ogpu_devnet`` (session): one devnet for the whole session, stopped at the end.
- ``ogpu_devnet_ipfs`` (session): another devnet, with a local IPFS node, and the SDK pointed at
  both for the whole session (``ChainConfig.use_network_file`` also configures ``ogpu.ipfs``;
  the dev keys are set as for ``devnet``); everything is put back at the end. No snapshots:
  its tests see each other's transactions. Separate from ``ogpu_devnet``, which starts no IPFS
  node because that takes seconds.
- ``devnet`` (function): the same devnet, with the SDK pointed at it for the test: the chain
  configuration reads its network document (``ChainConfig.use_network_file``, and
  ``OGPU_NETWORK_FILE`` for subprocesses) and ``CLIENT_PRIVATE_KEY`` etc. hold the dev keys of
  the four roles. The chain state is snapshotted before the test and reverted after it (and
  transactions still waiting in the pool are dropped), so tests do not see each other's
  transactions; the SDK's nonce caches are cleared before the test and after the revert.

This module imports nothing heavy at load time: pytest loads it in every session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from ogpu.devnet import Devnet

__all__ = ["devnet", "ogpu_devnet", "ogpu_devnet_ipfs"]


@pytest.fixture(scope="session")
def ogpu_devnet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Devnet]:
    """A devnet shared by the session; its document and anvil log sit in a temporary folder."""
    from ogpu.devnet import start

    folder = tmp_path_factory.mktemp("ogpu-devnet")
    with start(log_path=folder / "anvil.log") as running:
        running.write_document(folder / "devnet.json")
        yield running


@pytest.fixture(scope="session")
def ogpu_devnet_ipfs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Devnet]:
    """A devnet with a local IPFS node, the SDK pointed at both until the session ends."""
    from ogpu.devnet import start
    from ogpu.ipfs import configure, get_config

    folder = tmp_path_factory.mktemp("ogpu-devnet-ipfs")
    ipfs_before = get_config()
    with start(log_path=folder / "anvil.log", ipfs=True) as running:
        running.write_document(folder / "devnet.json")
        with pytest.MonkeyPatch.context() as monkeypatch:
            restore_chain = _point_sdk(running, monkeypatch)
            try:
                yield running
            finally:
                restore_chain()
                configure(  # the settings use_network_file changed
                    publish_backend=ipfs_before.publish_backend,
                    kubo_api_url=ipfs_before.kubo_api_url,
                    gateways=ipfs_before.gateways,
                )


@pytest.fixture
def devnet(ogpu_devnet: Devnet, monkeypatch: pytest.MonkeyPatch) -> Iterator[Devnet]:
    """The session devnet with the SDK pointed at it; chain state is reverted after the test."""
    from ogpu.chain import clear_all_nonce_caches
    from ogpu.core.errors import DevnetError

    rpc = ogpu_devnet.rpc()
    snapshot = rpc.request("evm_snapshot")
    restore_chain = _point_sdk(ogpu_devnet, monkeypatch)
    clear_all_nonce_caches()  # other nodes with chain id 31337 may have cached these accounts
    try:
        yield ogpu_devnet
    finally:
        rpc.request("anvil_dropAllTransactions")  # a revert keeps the pool: no leftovers
        reverted = rpc.request("evm_revert", [snapshot])
        clear_all_nonce_caches()  # the reverted chain has the old nonces again
        restore_chain()
        if reverted is not True:
            raise DevnetError(f"evm_revert to snapshot {snapshot} failed after the test")


def _point_sdk(running: Devnet, monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Point ``ogpu.chain`` and the environment at the devnet for one test.

    ``monkeypatch`` puts back the environment and the local chain's contracts and RPC URL;
    the returned function puts back the chain that was current before.
    """
    from ogpu.chain.config import CHAIN_RPC_URLS, NETWORK_FILE_ENV, ChainConfig
    from ogpu.schema.enums import Role
    from ogpu.schema.networks import ChainId

    path: Path | None = running.document_path
    assert path is not None, "the ogpu_devnet fixture writes the document"
    previous = ChainConfig.get_current_chain()  # before OGPU_NETWORK_FILE is set
    local = ChainId.LOCAL
    monkeypatch.setitem(ChainConfig.CHAIN_CONTRACTS, local, ChainConfig.CHAIN_CONTRACTS[local])
    monkeypatch.setitem(CHAIN_RPC_URLS, local, CHAIN_RPC_URLS[local])
    ChainConfig.use_network_file(path)
    monkeypatch.setenv(NETWORK_FILE_ENV, str(path))
    for role, entry in running.document["accounts"].items():
        monkeypatch.setenv(Role(role).env_var, entry["private_key"])
    return lambda: ChainConfig.set_chain(previous)
