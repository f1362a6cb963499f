"""Helpers of the watcher tests: make many real events on the devnet quickly, and read truth.

Events come from real contract calls sent by anvil's unlocked dev accounts with
``eth_sendTransaction`` (no signing in Python): Vault ``deposit(account)`` emits
``Deposited(account, amount)`` and Terminal ``setBaseData(string)`` emits
``BaseDataUpdated(provider)``. To fill many blocks fast, automine is switched off, each block's
transactions go in one JSON-RPC batch, and ``evm_mine`` seals the block.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import requests
from eth_abi.abi import encode as abi_encode
from eth_hash.auto import keccak

from ogpu.core.logs import EventSpec

_DEPOSIT = keccak(b"deposit(address)")[:4]
_SET_BASE_DATA = keccak(b"setBaseData(string)")[:4]

Tx = dict[str, Any]


class Chain:
    """Raw JSON-RPC to a devnet: bulk transactions, mining, reorgs and ground truth."""

    def __init__(self, url: str, document: Mapping[str, Any]) -> None:
        self.url = url
        self.contracts = {name: address for name, address in document["contracts"].items()}
        self.accounts = {role: entry["address"] for role, entry in document["accounts"].items()}
        self._session = requests.Session()

    def close(self) -> None:
        self._session.close()

    def batch(self, calls: Sequence[tuple[str, Sequence[Any]]]) -> list[Any]:
        body = [
            {"jsonrpc": "2.0", "id": i, "method": m, "params": list(p)}
            for i, (m, p) in enumerate(calls)
        ]
        answers = {a["id"]: a for a in self._session.post(self.url, json=body, timeout=30).json()}
        for i, (method, _) in enumerate(calls):
            if "error" in answers[i]:
                raise RuntimeError(f"{method}: {answers[i]['error']}")
        return [answers[i]["result"] for i in range(len(calls))]

    def call(self, method: str, *params: Any) -> Any:
        return self.batch([(method, params)])[0]

    def head(self) -> int:
        return int(self.call("eth_blockNumber"), 16)

    def block_hash(self, number: int) -> str:
        return str(self.call("eth_getBlockByNumber", hex(number), False)["hash"])

    # --- transactions ------------------------------------------------------------------------

    def deposit_tx(self, sender: str, beneficiary: str, amount: int) -> Tx:
        data = _DEPOSIT + abi_encode(["address"], [beneficiary])
        return {
            "from": sender,
            "to": self.contracts["VAULT"],
            "data": "0x" + data.hex(),
            "value": hex(amount),
            "gas": hex(100_000),
        }

    def base_data_tx(self, sender: str, text: str) -> Tx:
        data = _SET_BASE_DATA + abi_encode(["string"], [text])
        return {
            "from": sender,
            "to": self.contracts["TERMINAL"],
            "data": "0x" + data.hex(),
            "gas": hex(200_000),
        }

    def mine(self, blocks: Iterable[Sequence[Tx]]) -> list[int]:
        """Mine one block per item holding exactly its transactions; return the block numbers."""
        numbers = []
        nonces: dict[str, int] = {}
        self.call("evm_setAutomine", False)
        try:
            for txs in blocks:
                if txs:
                    self.batch(
                        [("eth_sendTransaction", [self._with_nonce(tx, nonces)]) for tx in txs]
                    )
                self.call("evm_mine")
                numbers.append(self.head())
        finally:
            self.call("evm_setAutomine", True)
        return numbers

    def _with_nonce(self, tx: Tx, nonces: dict[str, int]) -> Tx:
        """``tx`` with the sender's next nonce (a batch's items may be handled concurrently)."""
        sender = tx["from"]
        if sender not in nonces:
            nonces[sender] = int(self.call("eth_getTransactionCount", sender, "pending"), 16)
        nonces[sender] += 1
        return {**tx, "nonce": hex(nonces[sender] - 1)}

    def mine_deposits(self, blocks: int, per_block: int, *, first_amount: int = 1) -> list[int]:
        """``blocks`` blocks of ``per_block`` deposits; amounts count up from ``first_amount``.

        Senders are the client and provider accounts in turn; beneficiaries the four roles.
        """
        senders = [self.accounts["client"], self.accounts["provider"]]
        beneficiaries = list(self.accounts.values())
        amount = iter(range(first_amount, first_amount + blocks * per_block))
        plan = [
            [
                self.deposit_tx(senders[i % 2], beneficiaries[i % len(beneficiaries)], next(amount))
                for i in range(per_block)
            ]
            for _ in range(blocks)
        ]
        return self.mine(plan)

    def empty_blocks(self, count: int) -> None:
        self.call("anvil_mine", hex(count))

    def reorg(self, depth: int, replacements: Sequence[tuple[Tx, int]] = ()) -> None:
        """Replace the last ``depth`` blocks; ``replacements`` are (tx, block offset) pairs."""
        self.call("anvil_reorg", depth, [[tx, offset] for tx, offset in replacements])

    # --- ground truth ------------------------------------------------------------------------

    def events(self, spec: EventSpec[Any], first: int, last: int | None = None) -> list[Any]:
        """Every ``spec`` event in ``first..last`` on the canonical chain, by one eth_getLogs.

        The contract address is the checksummed one, as the SDK returns addresses.
        """
        address = self.contracts[spec.contract.upper()]
        log_filter = {
            "fromBlock": hex(first),
            "toBlock": hex(last) if last is not None else "latest",
            "address": address,
            "topics": [spec.topic0],
        }
        return [
            spec.decode({**log, "address": address}) for log in self.call("eth_getLogs", log_filter)
        ]


def keys(events: Iterable[Any]) -> list[tuple[int, int, str]]:
    """(block number, log index, block hash) of each event, in the given order."""
    return [(e.block_number, e.log_index, e.block_hash) for e in events]


async def take(stream: Any, count: int, timeout: float) -> list[Any]:
    """The next ``count`` events of ``stream``; fails if they do not all come within ``timeout`` s."""

    async def gather() -> list[Any]:
        found = []
        async for event in stream:
            found.append(event)
            if len(found) == count:
                break
        return found

    return await asyncio.wait_for(gather(), timeout)


async def nothing_more(stream: Any, seconds: float) -> bool:
    """True when ``stream`` yields nothing within ``seconds`` (the wait cancels the stream)."""
    try:
        await asyncio.wait_for(stream.__anext__(), seconds)
    except asyncio.TimeoutError:
        return True
    return False


class Collector:
    """Consumes a watcher in a background task, logging ``("event" | "removed", event)`` in order.

    Pass :meth:`removed` as the watcher's ``on_removed``.
    """

    def __init__(self) -> None:
        self.log: list[tuple[str, Any]] = []
        self._task: asyncio.Task[None] | None = None

    def removed(self, event: Any) -> None:
        self.log.append(("removed", event))

    @property
    def events(self) -> list[Any]:
        return [event for kind, event in self.log if kind == "event"]

    @property
    def removals(self) -> list[Any]:
        return [event for kind, event in self.log if kind == "removed"]

    def live(self) -> list[Any]:
        """Delivered events minus the removed ones, in delivery order."""
        gone = set(keys(self.removals))
        return [event for event in self.events if keys([event])[0] not in gone]

    def start(self, stream: Any) -> None:
        async def consume() -> None:
            async for event in stream:
                self.log.append(("event", event))

        self._task = asyncio.create_task(consume())

    async def wait_for(self, condition: Any, timeout: float = 10.0) -> None:
        """Wait until ``condition()`` holds; re-raise the consumer's error if it failed."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not condition():
            assert self._task is not None
            if self._task.done():
                self._task.result()
                raise AssertionError("the watcher stopped")
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"timed out; log so far: {len(self.log)} entries")
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
