"""Time to generate the package for both networks (load, model, render, black, check).

Runs the whole pipeline in this process a few times and prints the median; the first run
includes importing the generator (jinja2, black, eth-utils), as `make generate` does.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(rounds: int = 5) -> None:
    start = time.perf_counter()
    from codegen.pipeline import plan_package
    from codegen.write import check_tree

    imported = time.perf_counter() - start
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        package, files = plan_package(ROOT / "abis", ROOT / "abis" / "ogpu.toml")
        check_tree(ROOT / "generated" / package, files)
        times.append(time.perf_counter() - t)
    lines = sum(text.count("\n") for _, text in files)
    print(f"generator imports: {imported:.2f} s")
    print(
        f"generate both networks: median {statistics.median(times):.2f} s, first {times[0] + imported:.2f} s "
        f"(with imports), {len(files)} files, {lines} lines; target < 3 s"
    )


if __name__ == "__main__":
    main()
