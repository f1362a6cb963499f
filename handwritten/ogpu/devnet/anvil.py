"""Find, run and stop the anvil node behind the local devnet.

The node always runs in its own session (so its process group id is its pid): stopping it
signals the whole group, which also covers the npm wrapper script when that is what runs.
"""

from __future__ import annotations

import ctypes
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from ogpu.chain.rpc import RpcClient
from ogpu.core.errors import AnvilNotFoundError, DevnetError, RpcError

__all__ = [
    "ANVIL_ENV_VAR",
    "AnvilProcess",
    "find_anvil",
    "free_port",
    "is_our_anvil",
    "is_running",
    "read_tail",
    "stop_process_group",
]

ANVIL_ENV_VAR = "OGPU_ANVIL"
_READY_POLL_S = 0.01
_PORT_ATTEMPTS = 3
_PR_SET_PDEATHSIG = 1  # linux/prctl.h
_LOG_TAIL_BYTES = 2000


# --- finding the binary --------------------------------------------------------------------


def find_anvil(start: Path | None = None) -> str:
    """Return the path of the anvil binary to run.

    Order: the ``OGPU_ANVIL`` environment variable (must name an executable file); the npm
    package ``@foundry-rs/anvil`` in a ``node_modules`` folder found from ``start`` (default:
    the current directory) upwards, then from this package's folder upwards; ``anvil`` on PATH.
    Raises :class:`AnvilNotFoundError` listing what was searched.
    """
    override = os.environ.get(ANVIL_ENV_VAR)
    if override:
        if _is_executable(Path(override)):
            return override
        raise AnvilNotFoundError((f"{ANVIL_ENV_VAR}={override} (not an executable file)",))
    searched: list[str] = []
    bases = ((start or Path.cwd()).resolve(), Path(__file__).resolve().parent)
    folders = dict.fromkeys(folder for base in bases for folder in (base, *base.parents))
    for folder in folders:
        modules = folder / "node_modules"
        if modules.is_dir():
            searched.append(str(modules))
            found = _anvil_in_node_modules(modules)
            if found is not None:
                return str(found)
    on_path = shutil.which("anvil")
    searched.append("PATH")
    if on_path is not None:
        return on_path
    raise AnvilNotFoundError(tuple(searched))


def _anvil_in_node_modules(modules: Path) -> Path | None:
    """The native binary of this platform, any other native binary, then the npm wrapper."""
    exe = "anvil.exe" if sys.platform == "win32" else "anvil"
    scope = modules / "@foundry-rs"
    candidates = [scope / f"anvil-{_platform_tag()}" / "bin" / exe]
    candidates += sorted(scope.glob(f"anvil-*/bin/{exe}"))
    candidates.append(modules / ".bin" / exe)
    return next((c for c in candidates if _is_executable(c)), None)


def _platform_tag() -> str:
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}
    machine = platform.machine().lower()
    return f"{sys.platform}-{arch.get(machine, machine)}"


def _is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (callers retry if it is taken)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# --- running anvil -------------------------------------------------------------------------


class AnvilProcess:
    """An anvil node started by this process; :meth:`launch` returns once it answers RPC."""

    def __init__(self, popen: subprocess.Popen[bytes], port: int, log_path: Path) -> None:
        self.popen = popen
        self.port = port
        self.log_path = log_path
        self.rpc_url = f"http://127.0.0.1:{port}"

    @property
    def pid(self) -> int:
        """The process id (also the process group id) of the node."""
        return self.popen.pid

    @classmethod
    def launch(
        cls,
        *,
        chain_id: int,
        port: int | None,
        log_path: Path,
        outlive_parent: bool = False,
        ready_timeout: float = 10.0,
        extra_args: Sequence[str] = (),
    ) -> AnvilProcess:
        """Start anvil on 127.0.0.1 and wait until it answers ``eth_chainId`` with ``chain_id``.

        Without ``port`` (or with 0) a free port is picked, and picked again (up to 3 times) if
        another process takes it first. ``extra_args`` go to anvil as they are (for example
        ``--no-mining``). Any failure stops the node before raising. Unless
        ``outlive_parent``, on Linux the kernel also kills the node if this process dies
        without stopping it (a crash, SIGKILL), when started from the main thread.
        """
        binary = find_anvil()
        preexec = None if outlive_parent else _die_with_parent()
        attempt = 1
        while True:
            node = cls._spawn(binary, chain_id, port or free_port(), log_path, preexec, extra_args)
            try:
                node._wait_ready(chain_id, ready_timeout)
                return node
            except BaseException as exc:
                node.stop()
                if port or attempt == _PORT_ATTEMPTS or not _port_clash(exc):
                    raise
            attempt += 1

    @classmethod
    def _spawn(
        cls,
        binary: str,
        chain_id: int,
        port: int,
        log_path: Path,
        preexec: Callable[[], None] | None,
        extra_args: Sequence[str] = (),
    ) -> AnvilProcess:
        args = [
            binary,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--chain-id",
            str(chain_id),
            *extra_args,
        ]
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(log_path, "wb") as log:
            popen = subprocess.Popen(
                args,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=preexec,
            )
        return cls(popen, port, log_path)

    def _wait_ready(self, chain_id: int, timeout: float) -> None:
        rpc = RpcClient(self.rpc_url, timeout=0.25)  # short: a foreign listener may never answer
        deadline = time.monotonic() + timeout
        while True:
            if self.popen.poll() is not None:
                raise DevnetError(
                    f"anvil exited with code {self.popen.returncode} before it was ready",
                    log_tail=self.log_tail(),
                )
            try:
                answered = int(rpc.request("eth_chainId"), 16)
            except RpcError:
                answered = None
            if answered is not None:
                if answered != chain_id:
                    raise DevnetError(
                        f"{self.rpc_url} answers chain id {answered}, expected {chain_id} "
                        "(is another node on this port?)"
                    )
                return
            if time.monotonic() > deadline:
                raise DevnetError(
                    f"anvil did not answer on {self.rpc_url} within {timeout:g} s",
                    log_tail=self.log_tail(),
                )
            time.sleep(_READY_POLL_S)

    def log_tail(self) -> str:
        """The last lines anvil wrote to its log file ("" if there is none)."""
        return read_tail(self.log_path)

    def is_running(self) -> bool:
        """Whether the node process is still alive."""
        return self.popen.poll() is None

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the node's process group (SIGTERM, then SIGKILL after ``timeout``) and reap it."""
        if self.popen.poll() is None:
            _signal_group(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                _signal_group(self.popen.pid, signal.SIGKILL)
                self.popen.wait()


def _die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` making Linux SIGKILL the child when its parent dies; else None.

    The kernel ties the signal to the spawning thread, so it is used only from the main thread.
    """
    if (
        not sys.platform.startswith("linux")
        or threading.current_thread() is not threading.main_thread()
    ):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent = os.getpid()

    def tie() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before the request took effect
            os._exit(1)

    return tie


def _port_clash(exc: BaseException) -> bool:
    """Whether a failed start was anvil finding its port taken."""
    return isinstance(exc, DevnetError) and "already in use" in exc.log_tail.lower()


def read_tail(path: Path) -> str:
    """The last ~2 kB of a text file, or "" when it cannot be read."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - _LOG_TAIL_BYTES))
            return handle.read().decode("utf-8", "replace").strip()
    except OSError:
        return ""


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


# --- a node started by another process (``ogpu devnet down``) ------------------------------


def process_field(pid: int, field: str) -> str:
    """One ``ps`` column for ``pid`` ("" when there is no such process)."""
    done = subprocess.run(
        ["ps", "-ww", "-o", f"{field}=", "-p", str(pid)],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() if done.returncode == 0 else ""


def is_running(pid: int) -> bool:
    """Whether ``pid`` names a live process (a zombie waiting to be reaped does not count)."""
    state = process_field(pid, "stat")
    return bool(state) and not state.startswith("Z")


def is_our_anvil(pid: int, port: int) -> bool:
    """Whether ``pid`` is a live anvil started for the devnet listening on ``port``.

    Checks the command line: an anvil program run with ``--port <port>``, as :meth:`launch`
    starts it.
    """
    if not is_running(pid):
        return False
    words = process_field(pid, "args").split()
    has_port = any(words[i : i + 2] == ["--port", str(port)] for i in range(len(words)))
    return has_port and any("anvil" in Path(word).name for word in words[:2])


def stop_process_group(pid: int, timeout: float = 5.0) -> None:
    """Stop a node this process did not start: SIGTERM its group, SIGKILL after ``timeout``."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        _signal_group(pid, sig)
        if _gone_within(pid, timeout):
            return
    raise DevnetError(f"process {pid} did not stop")


def _gone_within(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while is_running(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True
