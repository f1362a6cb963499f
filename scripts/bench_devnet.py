"""Benchmark: how long the local devnet takes from command to ready.

    python scripts/bench_devnet.py [--runs N]

Measures each of these N times (default 5), and prints the median and range, once without and
once with the local IPFS node:
- ``ogpu devnet up --detach [--no-ipfs]`` as a fresh process (interpreter start and imports
  included), from launch until the command returns with the devnet ready; ``down`` after each;
- ``ogpu.devnet.start(ipfs=...)`` inside this process (imports already paid), until it returns.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _ogpu(*args: str, cwd: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "ogpu.cli", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def bench_cli(runs: int, ipfs: bool) -> list[float]:
    """Seconds taken by each ``ogpu devnet up --detach`` (each followed by ``down``)."""
    times = []
    flags = () if ipfs else ("--no-ipfs",)
    with tempfile.TemporaryDirectory(prefix="bench-devnet-") as folder:
        for _ in range(runs):
            began = time.perf_counter()
            _ogpu("devnet", "up", "--detach", *flags, cwd=Path(folder))
            times.append(time.perf_counter() - began)
            _ogpu("devnet", "down", cwd=Path(folder))
    return times


def bench_in_process(runs: int, ipfs: bool) -> list[float]:
    """Seconds taken by each ``ogpu.devnet.start(ipfs=ipfs)`` in this process."""
    import ogpu.devnet

    ogpu.devnet.start(ipfs=ipfs).stop()  # warm-up: pays the imports once
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        devnet = ogpu.devnet.start(ipfs=ipfs)
        times.append(time.perf_counter() - began)
        devnet.stop()
    return times


def _report(label: str, times: list[float]) -> None:
    print(
        f"{label}: median {statistics.median(times):.3f} s "
        f"(min {min(times):.3f}, max {max(times):.3f}, n={len(times)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5, help="starts per measurement (default 5)")
    runs = parser.parse_args().runs
    for ipfs in (False, True):
        flag = "" if ipfs else "--no-ipfs"
        _report(f"ogpu devnet up --detach {flag:9} (new process)", bench_cli(runs, ipfs))
        _report(f"ogpu.devnet.start(ipfs={ipfs!s:5}) (in process)  ", bench_in_process(runs, ipfs))


if __name__ == "__main__":
    main()
