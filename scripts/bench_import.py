"""Import cost of ogpu next to web3, measured side by side in fresh interpreters.

Each sample is one new process; the interpreter's own start-up (``python -c pass``) is
subtracted, samples are interleaved, and the median is reported. Prints ratios to ``import
web3``; nothing is asserted (a benchmark, not a test).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

TARGETS = {
    "web3": "import web3",
    "ogpu": "import ogpu",
    "ogpu.protocol": "import ogpu.protocol",
    "ogpu + all layers": "import ogpu.protocol, ogpu.events, ogpu.chain, ogpu.types, ogpu.ipfs",
}


def sample(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - start


def main(rounds: int = 15) -> None:
    for code in TARGETS.values():  # warm the file cache and .pyc files
        sample(code)
    results: dict[str, list[float]] = {name: [] for name in TARGETS}
    baseline: list[float] = []
    for _ in range(rounds):
        baseline.append(sample("pass"))
        for name, code in TARGETS.items():
            results[name].append(sample(code))
    base = statistics.median(baseline)
    web3 = statistics.median(results["web3"]) - base
    print(f"interpreter start-up: {base * 1000:.0f} ms (subtracted)")
    for name, times in results.items():
        cost = statistics.median(times) - base
        print(f"{name:22s} {cost * 1000:7.0f} ms   {cost / web3:5.2f}x import web3")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
