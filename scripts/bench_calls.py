"""Generated calls next to raw JSON-RPC and web3.py, on a local devnet, in one process.

Prints ratios, asserts nothing (a benchmark, not a test):
- one view: raw ``eth_call`` + eth-abi decode (baseline) vs the generated function vs web3.py's
  ``contract.functions.X(...).call()``;
- a snapshot: one pinned JSON-RPC batch vs the same reads one by one;
- event decoding: the generated ``EventSpec.decode`` vs web3.py's ``process_log``.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import requests
from eth_abi.abi import decode as abi_decode
from web3 import Web3

from ogpu import devnet as devnet_mod
from ogpu.chain import ChainConfig
from ogpu.protocol import Provider, vault
from ogpu.schema.events import VAULT_DEPOSITED


def timed(fn: Callable[[], Any], rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main(rounds: int = 300) -> None:
    net = devnet_mod.start()
    try:
        doc = net.document
        path = Path(tempfile.mkdtemp()) / "devnet.json"
        path.write_text(json.dumps(doc))
        ChainConfig.use_network_file(path)
        vault_address = doc["contracts"]["VAULT"]
        client = doc["accounts"]["client"]
        for _ in range(20):
            vault.deposit(client["address"], 10**15, signer=client["private_key"])

        session = requests.Session()
        selector = bytes.fromhex("70a08231")
        payload = {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "eth_call",
            "params": [
                {
                    "to": vault_address,
                    "data": "0x"
                    + (selector + bytes(12) + bytes.fromhex(client["address"][2:])).hex(),
                },
                "latest",
            ],
        }

        def raw() -> int:
            reply = session.post(
                net.rpc_url, data=json.dumps(payload), headers={"Content-Type": "application/json"}
            ).json()
            return int(abi_decode(("uint256",), bytes.fromhex(reply["result"][2:]))[0])

        w3 = Web3(Web3.HTTPProvider(net.rpc_url))
        contract = w3.eth.contract(address=vault_address, abi=ChainConfig.load_abi("VaultAbi"))
        address = client["address"]
        assert raw() == vault.balance_of(address) == contract.functions.balanceOf(address).call()

        t_raw = timed(raw, rounds)
        t_gen = timed(lambda: vault.balance_of(address), rounds)
        t_web3 = timed(lambda: contract.functions.balanceOf(address).call(), rounds)
        print(
            f"one view      raw {t_raw * 1e6:7.0f} us | generated {t_gen * 1e6:7.0f} us ({t_gen / t_raw:.2f}x raw)"
            f" | web3.py {t_web3 * 1e6:7.0f} us ({t_web3 / t_raw:.2f}x raw, {t_web3 / t_gen:.2f}x generated)"
        )

        provider = Provider(address)
        methods = [
            provider.get_master,
            provider.get_base_data,
            provider.get_live_data,
            provider.is_provider,
            provider.get_default_agent_disabled,
            provider.get_balance,
            provider.get_lockup,
            provider.get_unbonding,
            provider.get_unbonding_timestamp,
            provider.get_total_earnings,
            provider.get_frozen_payment,
            provider.get_sanction,
            provider.is_eligible,
            provider.is_whitelisted,
        ]
        t_batch = timed(provider.snapshot, rounds // 3)
        t_seq = timed(lambda: [m() for m in methods], rounds // 3)
        print(
            f"snapshot      {len(methods)} reads: one pinned batch {t_batch * 1e3:6.2f} ms | one by one {t_seq * 1e3:6.2f} ms"
            f" ({t_batch / t_seq:.2f}x)"
        )

        logs = w3.eth.get_logs(
            {
                "address": vault_address,
                "fromBlock": 0,
                "toBlock": "latest",
                "topics": [VAULT_DEPOSITED.topic0],
            }
        )
        raw_logs = [
            dict(
                log,
                topics=["0x" + bytes(t).hex() for t in log["topics"]],
                data="0x" + bytes(log["data"]).hex(),
                transactionHash="0x" + bytes(log["transactionHash"]).hex(),
                blockHash="0x" + bytes(log["blockHash"]).hex(),
            )
            for log in logs
        ]
        event = contract.events.Deposited()
        t_decode = timed(
            lambda: [VAULT_DEPOSITED.decode(log) for log in raw_logs], rounds // 3
        ) / len(logs)
        t_process = timed(lambda: [event.process_log(log) for log in logs], rounds // 3) / len(logs)
        print(
            f"event decode  generated {t_decode * 1e6:6.1f} us/log | web3.py process_log {t_process * 1e6:6.1f} us/log"
            f" ({t_process / t_decode:.2f}x generated)"
        )
    finally:
        net.stop()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
