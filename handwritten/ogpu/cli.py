"""The ``ogpu`` console script.

    ogpu devnet up [--detach] [--out PATH] [--port N] [--testnet-vault] [--no-ipfs]
    ogpu devnet down [--out PATH]

``up`` starts anvil and (unless ``--no-ipfs``) a local IPFS node, prints the network document on
stdout (and writes it to ``--out``); messages go to stderr. Also runnable as
``python -m ogpu.cli``.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from urllib.parse import urlparse

from ogpu.core.errors import DevnetError, OGPUError
from ogpu.devnet import Devnet, ipfs_repo_for, is_our_ipfs_node, start
from ogpu.devnet.anvil import is_our_anvil, is_running, stop_process_group
from ogpu.devnet.document import DEFAULT_DOCUMENT_PATH, DevnetDocument, dumps, read_document

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``ogpu`` command."""
    parser = argparse.ArgumentParser(prog="ogpu", description="OpenGPU Network SDK tools.")
    parser.set_defaults(help_of=parser)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    devnet = commands.add_parser(
        "devnet", help="run a local devnet (anvil + reference contracts + IPFS node)"
    )
    devnet.set_defaults(help_of=devnet)
    devnet_commands = devnet.add_subparsers(title="devnet commands", metavar="ACTION")
    out_help = f"network document path (default: {DEFAULT_DOCUMENT_PATH})"

    up = devnet_commands.add_parser("up", help="start a devnet and print its network document")
    up.add_argument("--detach", action="store_true", help="leave it running in the background")
    up.add_argument("--out", type=Path, default=DEFAULT_DOCUMENT_PATH, help=out_help)
    up.add_argument("--port", type=int, default=None, help="RPC port (default: a free one)")
    up.add_argument(
        "--testnet-vault", action="store_true", help="deploy the testnet Vault interface"
    )
    up.add_argument(
        "--no-ipfs", dest="ipfs", action="store_false", help="do not start a local IPFS node"
    )
    up.set_defaults(handler=_devnet_up)

    down = devnet_commands.add_parser("down", help="stop a devnet started with --detach")
    down.add_argument("--out", type=Path, default=DEFAULT_DOCUMENT_PATH, help=out_help)
    down.set_defaults(handler=_devnet_down)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 ok, 1 failed, 2 usage, 130 interrupted)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        args.help_of.print_help(sys.stderr)
        return 2
    try:
        status: int = handler(args)
    except OGPUError as exc:
        print(f"ogpu: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return status


# --- devnet --------------------------------------------------------------------------------


def _devnet_up(args: argparse.Namespace) -> int:
    out: Path = args.out
    _refuse_running_devnet(out)
    _interrupt_on_termination()  # so that a SIGTERM during start still stops anvil
    began = time.monotonic()
    devnet = start(
        port=args.port,
        testnet_vault=args.testnet_vault,
        log_path=out.with_suffix(".log"),
        detach=args.detach,
        ipfs=args.ipfs,
    )
    keep_running = False
    try:
        devnet.write_document(out)
        sys.stdout.write(dumps(devnet.document))
        sys.stdout.flush()
        elapsed = time.monotonic() - began
        if args.detach:
            keep_running = True
            _say(
                f"devnet ready in {elapsed:.2f} s ({_processes(devnet.document)}); "
                "stop it with `ogpu devnet down`"
            )
            return 0
        where = devnet.rpc_url + _ipfs_note(devnet.document)
        _say(f"devnet ready in {elapsed:.2f} s at {where}; Ctrl-C stops it")
        return _serve(devnet)
    finally:
        if not keep_running:
            devnet.stop()
            out.unlink(missing_ok=True)


def _processes(document: DevnetDocument) -> str:
    """``pid N`` or ``pid N, IPFS pid M``."""
    ipfs_pid = document.get("ipfs_pid")
    return f"pid {document.get('pid')}" + (f", IPFS pid {ipfs_pid}" if ipfs_pid else "")


def _ipfs_note(document: DevnetDocument) -> str:
    ipfs = document.get("ipfs")
    return f", IPFS API at {ipfs['api_url']}" if ipfs else ""


def _interrupt_on_termination() -> None:
    """Turn SIGTERM and SIGHUP into KeyboardInterrupt, as Ctrl-C is."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, interrupt)


def _serve(devnet: Devnet) -> int:
    """Wait for Ctrl-C (or SIGTERM/SIGHUP); 1 if anvil exits by itself first."""
    try:
        code = devnet.wait()
    except KeyboardInterrupt:
        _say("stopping the devnet")
        return 0
    _say(f"anvil exited by itself with code {code}; see {devnet.log_path}")
    return 1


def _devnet_down(args: argparse.Namespace) -> int:
    out: Path = args.out
    document = read_document(out)
    pid = document.get("pid")
    if pid is None:
        raise DevnetError(
            f"{out} has no pid: that devnet runs in the foreground; stop it with Ctrl-C"
        )
    repo = ipfs_repo_for(out.with_suffix(".log"))
    processes = [(pid, is_our_anvil(pid, _port_of(document["rpc_url"])), "anvil")]
    ipfs_pid = document.get("ipfs_pid")
    if ipfs_pid is not None:
        processes.append((ipfs_pid, is_our_ipfs_node(ipfs_pid, repo), "IPFS node"))
    for process, ours, name in processes:
        if not ours and is_running(process):
            raise DevnetError(
                f"process {process} is not the devnet's {name}; left it and {out} alone"
            )
    running = [process for process, ours, _ in processes if ours]
    for process in running:
        stop_process_group(process, timeout=15.0)  # a clean js-ipfs stop can take seconds
    if running:
        _say(f"stopped the devnet ({_processes(document)})")
    else:
        _say(f"the devnet (pid {pid}) was not running")
    shutil.rmtree(repo, ignore_errors=True)
    out.unlink()
    return 0


def _refuse_running_devnet(out: Path) -> None:
    """Raise if ``out`` describes a detached devnet that is still running."""
    if not out.exists():
        return
    try:
        document = read_document(out)
    except DevnetError:
        return  # unreadable: nothing to protect, it will be overwritten
    pid = document.get("pid")
    ipfs_pid = document.get("ipfs_pid")
    running = pid is not None and is_our_anvil(pid, _port_of(document["rpc_url"]))
    if ipfs_pid is not None and is_our_ipfs_node(ipfs_pid, ipfs_repo_for(out.with_suffix(".log"))):
        running = True
    if running:
        raise DevnetError(
            f"a devnet is already running (pid {pid}, {document['rpc_url']}); "
            f"stop it with `ogpu devnet down --out {out}`"
        )


def _port_of(rpc_url: str) -> int:
    port = urlparse(rpc_url).port
    if port is None:
        raise DevnetError(f"the RPC URL {rpc_url!r} names no port")
    return port


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
