"""A local, offline js-ipfs node in a child process, for tests and the local devnet.

It runs ``ogpu/devnet/ipfs_node.mjs`` with Node.js and the npm package ``ipfs@0.66.1``, serving a
Kubo-compatible RPC API and an HTTP gateway on 127.0.0.1 and talking to no other peer::

    with LocalIPFSNode() as node:
        url = publish_to_ipfs({"a": 1}, config=node.ipfs_config())
"""

from __future__ import annotations

import json
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from ogpu.core.errors import ConfigError, IPFSError
from ogpu.ipfs.config import IPFSConfig, get_config

__all__ = ["LocalIPFSNode", "RUNNER_SCRIPT"]

RUNNER_SCRIPT = Path(__file__).resolve().parent.parent / "devnet" / "ipfs_node.mjs"
_DAEMON_PACKAGE = "ipfs-daemon"  # installed with ipfs@0.66.1; the runner imports it
_LOG_TAIL_CHARS = 2000


class LocalIPFSNode:
    """Start and stop one local IPFS node.

    ``repo_dir``: the node's repository (kept); ``None`` uses a temporary one, deleted on stop.
    ``api_port`` / ``gateway_port``: 0 picks free ports. ``node_modules``: the folder holding
    the npm packages; by default the nearest ``node_modules`` with ``ipfs-daemon`` above the
    runner script or the working directory. ``node``: the Node.js executable. ``detach``: let the
    node outlive this process (own session, not tied to this process's stdin pipe); it then runs
    until :meth:`stop` or a SIGTERM to its process group, and ``repo_dir`` is required.
    """

    def __init__(
        self,
        repo_dir: str | Path | None = None,
        *,
        api_port: int = 0,
        gateway_port: int = 0,
        node_modules: str | Path | None = None,
        node: str = "node",
        start_timeout: float = 60.0,
        detach: bool = False,
    ) -> None:
        if detach and repo_dir is None:
            raise ConfigError("a detached IPFS node needs a repo_dir (a temporary one would leak)")
        self._repo_dir = Path(repo_dir) if repo_dir is not None else None
        self._api_port = api_port
        self._gateway_port = gateway_port
        self._node_modules = Path(node_modules) if node_modules is not None else None
        self._node = node
        self._start_timeout = start_timeout
        self._detach = detach
        self._process: subprocess.Popen[str] | None = None
        self._stderr: IO[str] | None = None
        self._temp_repo: str | None = None
        self._urls: dict[str, str] = {}
        self._pump: threading.Thread | None = None

    # --- lifecycle -----------------------------------------------------------------------------

    def start(self) -> LocalIPFSNode:
        """Start the node and wait until its API and gateway listen; return ``self``."""
        if self._process is not None:
            raise IPFSError("the local IPFS node is already running")
        node_modules = self._find_node_modules()
        command = [
            self._node,
            str(RUNNER_SCRIPT),
            *("--repo", str(self._repo())),
            *("--api-port", str(self._api_port)),
            *("--gateway-port", str(self._gateway_port)),
            *("--node-modules", str(node_modules)),
        ]
        if not self._detach:
            # the node stops by itself when this stdin pipe closes, so it dies with this process
            command.append("--stop-on-stdin-end")
        self._stderr = tempfile.TemporaryFile("w+", encoding="utf-8")
        try:
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL if self._detach else subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
                text=True,
                start_new_session=self._detach,
            )
        except OSError as exc:
            self._cleanup()
            raise ConfigError(f"cannot run Node.js ({self._node!r}): {exc}") from exc
        try:
            urls = json.loads(self._ready_line())
            self._urls = {"api": str(urls["api_url"]), "gateway": str(urls["gateway_url"])}
        except (ValueError, TypeError, KeyError):
            log = self._log_tail()
            self.stop()
            raise IPFSError(f"the local IPFS node did not start: {log or 'no output'}") from None
        return self

    def stop(self, timeout: float = 15.0) -> int | None:
        """Stop the node (SIGTERM, then SIGKILL after ``timeout`` s); return its exit code."""
        process, self._process = self._process, None
        code = None
        if process is not None:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            try:
                code = process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                code = process.wait()
            if self._pump is not None:
                self._pump.join(timeout)
                self._pump = None
            for pipe in (process.stdin, process.stdout):
                if pipe is not None:
                    pipe.close()
        self._cleanup()
        return code

    def __enter__(self) -> LocalIPFSNode:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- addresses -----------------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        """The RPC API origin, e.g. ``http://127.0.0.1:40603``."""
        return self._url("api")

    @property
    def gateway_url(self) -> str:
        """The gateway origin, e.g. ``http://127.0.0.1:38249``."""
        return self._url("gateway")

    @property
    def pid(self) -> int:
        """The process id of the running node (also its process group id when detached)."""
        if self._process is None:
            raise IPFSError("the local IPFS node is not running")
        return self._process.pid

    def ipfs_config(self, base: IPFSConfig | None = None, **changes: Any) -> IPFSConfig:
        """``base`` (default: the current settings) publishing to and reading from this node."""
        config = base or get_config()
        return config.replace(
            publish_backend="kubo",
            kubo_api_url=self.api_url,
            gateways=(self.gateway_url,),
            **changes,
        )

    # --- helpers -------------------------------------------------------------------------------

    def _url(self, kind: str) -> str:
        if self._process is None or kind not in self._urls:
            raise IPFSError("the local IPFS node is not running")
        return self._urls[kind]

    def _repo(self) -> Path:
        if self._repo_dir is not None:
            return self._repo_dir
        self._temp_repo = tempfile.mkdtemp(prefix="ogpu-ipfs-")
        return Path(self._temp_repo)

    def _find_node_modules(self) -> Path:
        if self._node_modules is not None:
            return self._node_modules
        for start in (RUNNER_SCRIPT.parent, Path.cwd()):
            for folder in (start, *start.parents):
                candidate = folder / "node_modules"
                if (candidate / _DAEMON_PACKAGE).is_dir():
                    return candidate
        raise ConfigError(
            "no node_modules with ipfs@0.66.1 found (run `npm install`, or pass node_modules=)"
        )

    def _ready_line(self) -> str:
        """The runner's first stdout line ("" on EOF or timeout); later lines are drained."""
        assert self._process is not None and self._process.stdout is not None
        stdout = self._process.stdout
        lines: queue.Queue[str] = queue.Queue()

        def pump() -> None:
            for line in stdout:
                lines.put(line)
            lines.put("")

        self._pump = threading.Thread(target=pump, name="ipfs-node-stdout", daemon=True)
        self._pump.start()
        try:
            return lines.get(timeout=self._start_timeout)
        except queue.Empty:
            return ""

    def _log_tail(self) -> str:
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        return self._stderr.read()[-_LOG_TAIL_CHARS:].strip()

    def _cleanup(self) -> None:
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
        if self._temp_repo is not None:
            shutil.rmtree(self._temp_repo, ignore_errors=True)
            self._temp_repo = None
        self._urls = {}
