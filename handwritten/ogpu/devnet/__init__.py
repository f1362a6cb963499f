"""A local OpenGPU devnet: anvil on 127.0.0.1 with the reference contracts deployed and wired.

>>> with ogpu.devnet.start() as devnet:            # doctest: +SKIP
...     devnet.rpc_url, devnet.document["contracts"]["NEXUS"]

With ``start(ipfs=True)`` a local IPFS node runs beside it, named in the document's ``"ipfs"``.

``ogpu devnet up`` (see :mod:`ogpu.cli`) and the pytest plugin
(:mod:`ogpu.devnet.pytest_plugin`) are built on :func:`start`.
"""

from __future__ import annotations

import atexit
import tempfile
import threading
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from ogpu.chain.rpc import RpcClient
from ogpu.devnet.anvil import AnvilProcess, find_anvil, is_running, process_field
from ogpu.devnet.document import (
    DEFAULT_DOCUMENT_PATH,
    AccountEntry,
    DevnetDocument,
    IPFSEntry,
    build_document,
    read_document,
    write_document,
)
from ogpu.ipfs.node import RUNNER_SCRIPT, LocalIPFSNode
from ogpu.schema.networks import ChainId

if TYPE_CHECKING:
    from ogpu.devnet.deploy import DevAccount

__all__ = [
    "DEFAULT_DOCUMENT_PATH",
    "Devnet",
    "DevnetDocument",
    "find_anvil",
    "ipfs_repo_for",
    "is_our_ipfs_node",
    "read_document",
    "start",
    "write_document",
]


class Devnet:
    """A running devnet started by :func:`start`. Use it as a context manager, or call :meth:`stop`.

    Unless started with ``detach=True``, the node also stops when this process exits.
    """

    def __init__(
        self,
        node: AnvilProcess,
        document: DevnetDocument,
        temp_dir: tempfile.TemporaryDirectory[str] | None,
        ipfs: LocalIPFSNode | None = None,
    ) -> None:
        self._node = node
        self._temp_dir = temp_dir
        self.ipfs = ipfs
        """The local IPFS node started with the devnet (``None`` without ``ipfs=True``)."""
        self.document = document
        self.document_path: Path | None = None
        if "pid" not in document:
            atexit.register(self.stop)

    @property
    def rpc_url(self) -> str:
        """The node's JSON-RPC URL (``http://127.0.0.1:<port>``)."""
        return self._node.rpc_url

    @property
    def pid(self) -> int:
        """The anvil process id (also its process group id)."""
        return self._node.pid

    @property
    def log_path(self) -> Path:
        """Where anvil's output goes."""
        return self._node.log_path

    @property
    def admin(self) -> DevAccount:
        """The deployer: holds DEFAULT_ADMIN_ROLE and JUDGE in Manager and owns the contracts.

        Not in the document, which lists only the four SDK roles.
        """
        from ogpu.devnet.deploy import DEPLOYER

        return DEPLOYER

    def is_running(self) -> bool:
        """Whether the node is still alive."""
        return self._node.is_running()

    def rpc(self) -> RpcClient:
        """A JSON-RPC client for the node."""
        return RpcClient(self.rpc_url)

    def write_document(self, path: Path) -> None:
        """Write :attr:`document` to ``path`` and remember it as :attr:`document_path`."""
        write_document(path, self.document)
        self.document_path = path

    def wait(self) -> int:
        """Block until the node exits; return its exit code."""
        return self._node.popen.wait()

    def stop(self) -> None:
        """Stop anvil and the IPFS node (also when detached) and remove the temporary folder.

        Idempotent.
        """
        atexit.unregister(self.stop)
        self._node.stop()
        if self.ipfs is not None:
            self.ipfs.stop()
        if self._temp_dir is not None:
            self._temp_dir.cleanup()
            self._temp_dir = None

    def __enter__(self) -> Devnet:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.is_running() else "stopped"
        return f"Devnet(rpc_url={self.rpc_url!r}, pid={self.pid}, {state})"


def start(
    *,
    port: int | None = None,
    testnet_vault: bool = False,
    log_path: Path | None = None,
    artifacts_dir: Path | None = None,
    detach: bool = False,
    ipfs: bool = False,
) -> Devnet:
    """Start anvil on 127.0.0.1 (chain id 31337), deploy and wire the protocol, return the devnet.

    ``port``: the port to listen on (default: a free one). ``testnet_vault``: deploy the testnet
    Vault interface instead of the mainnet one. ``log_path``: where anvil's output goes
    (default: a temporary file removed by :meth:`Devnet.stop`). ``artifacts_dir``: compiled
    contracts (default: ``$OGPU_DEVNET_ARTIFACTS``, else the ones shipped in this package).
    ``detach``: leave the node running when this process exits (the document then records its
    ``"pid"``; give a ``log_path`` to keep its log); otherwise the node stops with this
    process, on Linux even when the process crashes (if ``start`` ran on the main thread).
    ``ipfs``: also start a local IPFS node (while anvil deploys) and name it in the document's
    ``"ipfs"`` section (plus ``"ipfs_pid"`` when detached); its repository is temporary, or,
    when detached, the folder :func:`ipfs_repo_for` names next to the log.

    Raises DevnetError (or AnvilNotFoundError; IPFSError or ConfigError for the IPFS node) and
    then leaves no process behind.
    """
    from ogpu.devnet.deploy import ROLE_ACCOUNTS, deploy_protocol  # web3 loads only when needed

    temp_dir = None
    if log_path is None:
        temp_dir = tempfile.TemporaryDirectory(prefix="ogpu-devnet-")
        log_path = Path(temp_dir.name) / "anvil.log"
    ipfs_start = _IPFSStart(ipfs_repo_for(log_path) if detach else None, detach) if ipfs else None
    node = None
    try:
        node = AnvilProcess.launch(
            chain_id=ChainId.LOCAL.value, port=port, log_path=log_path, outlive_parent=detach
        )
        rpc = RpcClient(node.rpc_url)
        contracts = deploy_protocol(rpc, testnet_vault=testnet_vault, directory=artifacts_dir)
        ipfs_node = ipfs_start.result() if ipfs_start is not None else None
    except BaseException:
        if ipfs_start is not None:
            ipfs_start.abandon()
        if node is not None:
            node.stop()
        if temp_dir is not None:
            temp_dir.cleanup()
        raise
    accounts = {
        role: AccountEntry(address=account.address, private_key=account.private_key)
        for role, account in ROLE_ACCOUNTS.items()
    }
    document = build_document(node.rpc_url, ChainId.LOCAL.value, contracts, accounts)
    if detach:
        document["pid"] = node.pid
    if ipfs_node is not None:
        document["ipfs"] = IPFSEntry(api_url=ipfs_node.api_url, gateway_url=ipfs_node.gateway_url)
        if detach:
            document["ipfs_pid"] = ipfs_node.pid
    return Devnet(node, document, temp_dir, ipfs_node)


def ipfs_repo_for(log_path: Path) -> Path:
    """The repository folder of a detached devnet's IPFS node: beside its anvil log (absolute)."""
    return log_path.resolve().with_name(f"{log_path.stem}-ipfs")


def is_our_ipfs_node(pid: int, repo: Path) -> bool:
    """Whether ``pid`` is a live IPFS node run by ``ipfs_node.mjs`` on the repository ``repo``."""
    if not is_running(pid):
        return False
    command = process_field(pid, "args")
    return RUNNER_SCRIPT.name in command and f"--repo {repo}" in command


class _IPFSStart:
    """A :class:`LocalIPFSNode` starting on a helper thread, so it overlaps anvil's deployment."""

    def __init__(self, repo: Path | None, detach: bool) -> None:
        self._node = LocalIPFSNode(repo, detach=detach)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="ogpu-devnet-ipfs", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._node.start()
        except BaseException as exc:  # handed to the caller by result()
            self._error = exc

    def result(self) -> LocalIPFSNode:
        """The started node; re-raises its start's error (the node then stopped itself)."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._node

    def abandon(self) -> None:
        """Wait for the start to end and stop the node, whatever became of it."""
        self._thread.join()
        self._node.stop()
