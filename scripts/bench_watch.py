"""Benchmark: backfill throughput of the watcher engine next to web3.py, on the same range.

    python scripts/bench_watch.py [--blocks 200] [--per-block 100] [--runs 5]

Starts a devnet, mines ``blocks`` blocks of ``per_block`` Vault ``Deposited`` events, and then,
in this one process and on the same block range, times (best of ``runs``):

- ``ogpu.events.query``: eth_getLogs in bounded ranges, decoded into the generated dataclasses;
- ``ogpu.runtime.watch.watch``: the async watcher backfilling the same range;
- web3.py: ``w3.eth.get_logs`` then ``contract.events.Deposited().process_log`` per log;

and, on the logs already fetched, the decoding alone (``EventSpec.decode`` against
``process_log``). Prints events per second and the ratios to web3.py.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # for the devnet helpers of the watcher tests

import ogpu.devnet  # noqa: E402
import ogpu.events  # noqa: E402
from ogpu.chain.config import ChainConfig  # noqa: E402
from ogpu.runtime.watch import watch  # noqa: E402
from tests.watch.chainkit import Chain, take  # noqa: E402
from web3 import Web3  # noqa: E402
from eth_typing import ChecksumAddress, HexStr  # noqa: E402


def best_rate(count: int, runs: int, action: Callable[[], int]) -> float:
    """Events per second of the fastest of ``runs`` calls of ``action`` (which returns the count)."""
    best = float("inf")
    for _ in range(runs):
        began = time.perf_counter()
        produced = action()
        best = min(best, time.perf_counter() - began)
        if produced != count:
            raise SystemExit(f"expected {count} events, got {produced}")
    return count / best


def web3_deposited(url: str) -> tuple[Web3, ChecksumAddress, Any]:
    """A web3 instance, the Vault address and web3's ``Deposited`` event object."""
    w3 = Web3(Web3.HTTPProvider(url))
    vault = Web3.to_checksum_address(ChainConfig.get_contract_address("VAULT"))
    event = w3.eth.contract(address=vault, abi=ChainConfig.load_abi("Vault")).events.Deposited()
    return w3, vault, event


def web3_backfill(url: str, first: int, last: int) -> Callable[[], int]:
    """web3.py's way: ``get_logs`` (with its formatters), then ``process_log`` per log."""
    w3, vault, event = web3_deposited(url)
    topic = HexStr(ogpu.events.VAULT_DEPOSITED.topic0)

    def run() -> int:
        logs = w3.eth.get_logs(
            {"fromBlock": first, "toBlock": last, "address": vault, "topics": [topic]}
        )
        return len([event.process_log(log) for log in logs])

    return run


def decoding_only(
    chain: Chain, first: int, last: int
) -> tuple[Callable[[], int], Callable[[], int]]:
    """Decoders of the same logs: the SDK's spec (raw JSON-RPC logs) and web3 (its formatted logs)."""
    w3, vault, event = web3_deposited(chain.url)
    spec = ogpu.events.VAULT_DEPOSITED
    raw = chain.call(
        "eth_getLogs",
        {"fromBlock": hex(first), "toBlock": hex(last), "address": vault, "topics": [spec.topic0]},
    )
    formatted = w3.eth.get_logs(
        {"fromBlock": first, "toBlock": last, "address": vault, "topics": [HexStr(spec.topic0)]}
    )
    return (lambda: len([spec.decode(log) for log in raw])), (
        lambda: len([event.process_log(log) for log in formatted])
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--blocks", type=int, default=200)
    parser.add_argument("--per-block", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    count = args.blocks * args.per_block

    with (
        ogpu.devnet.start() as devnet,
        tempfile.TemporaryDirectory(prefix="bench-watch-") as folder,
    ):
        devnet.write_document(Path(folder) / "devnet.json")
        ChainConfig.use_network_file(Path(folder) / "devnet.json")
        chain = Chain(devnet.rpc_url, devnet.document)
        first = chain.head() + 1
        began = time.perf_counter()
        chain.mine_deposits(args.blocks, args.per_block)
        last = chain.head()
        print(
            f"mined {count} Deposited events in blocks {first}..{last} in {time.perf_counter() - began:.1f} s"
        )

        spec = ogpu.events.VAULT_DEPOSITED
        rates = {
            "ogpu.events.query": best_rate(
                count, args.runs, lambda: len(ogpu.events.query(spec, first, last))
            ),
            "ogpu watch() backfill": best_rate(
                count,
                args.runs,
                lambda: len(
                    asyncio.run(take(watch(spec, from_block=first, confirmations=0), count, 600))
                ),
            ),
            "web3 get_logs + process_log": best_rate(
                count, args.runs, web3_backfill(devnet.rpc_url, first, last)
            ),
        }
        ours, theirs = decoding_only(chain, first, last)
        decode = {
            "EventSpec.decode": best_rate(count, args.runs, ours),
            "web3 process_log": best_rate(count, args.runs, theirs),
        }
        chain.close()

    baseline = rates["web3 get_logs + process_log"]
    print(f"\nbackfill of {count} events, fetch + decode (best of {args.runs}):")
    for label, rate in rates.items():
        print(f"  {label:<30} {rate:>10,.0f} events/s   x{rate / baseline:.1f} vs web3")
    print("decoding alone, same logs:")
    for label, rate in decode.items():
        print(
            f"  {label:<30} {rate:>10,.0f} events/s   x{rate / decode['web3 process_log']:.1f} vs web3"
        )


if __name__ == "__main__":
    main()
