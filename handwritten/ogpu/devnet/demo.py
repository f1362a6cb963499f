"""The whole OpenGPU round trip on a local devnet, through the public API (``make demo``).

    python -m ogpu.devnet.demo [--pace SECONDS]

Starts a devnet (anvil with the reference contracts, and its local IPFS node), then plays every
role with the devnet's dev accounts: the client funds its vault, master and provider pair up,
the master authorises an agent, the client publishes a source and a task, the agent registers
the provider and attempts the task for it, the provider submits its result (uploaded to IPFS),
the client reads and confirms it, and the provider withdraws its pay. An ``ogpu.events``
watcher runs alongside and prints every Nexus, Terminal and Vault event as it arrives. A short
summary ends the run. Everything listens on 127.0.0.1 and is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

from ogpu import agent, client
from ogpu import provider as provider_runtime
from ogpu.chain.config import ChainConfig
from ogpu.core.errors import OGPUError
from ogpu.devnet import Devnet, start
from ogpu.protocol import Master, Provider, vault
from ogpu.protocol.task import Task
from ogpu.schema.enums import DeliveryMethod, Environment, TaskStatus
from ogpu.schema.events import EVENT_SPECS
from ogpu.schema.networks import NETWORKS, ChainId
from ogpu.types.metadata import ImageEnvironments, SourceInfo, TaskInfo, TaskInput
from ogpu.types.receipt import Receipt

__all__ = ["main"]

OGPU = 10**18
CLIENT_DEPOSIT = 1 * OGPU
PROVIDER_STAKE = OGPU // 2
TASK_PAYMENT = OGPU // 10
WATCHED_CONTRACTS = ("Nexus", "Terminal", "Vault")
POLL_INTERVAL_S = 0.1
CATCH_UP_TIMEOUT_S = 15.0
_META_FIELDS = frozenset(
    {"block_number", "transaction_hash", "log_index", "block_hash", "contract_address"}
)
_AMOUNT_FIELDS = frozenset({"amount", "suggested_payment"})
_CREATIONS = {"SourcePublished": "source", "TaskPublished": "task", "ResponseSubmitted": "response"}
"""Events that announce a new entity: the field holding its address, also the name it gets."""

T = TypeVar("T")
_output_lock = threading.Lock()


def say(line: str) -> None:
    """Print one line in a single write: the watcher and the round trip print from two threads."""
    with _output_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


# --- output -----------------------------------------------------------------------------------


@dataclass
class EventLog:
    """Prints events with addresses replaced by the names of the actors and entities."""

    names: dict[str, str] = field(default_factory=dict)
    count: int = 0
    last_block: int = 0

    def name(self, address: str, label: str) -> None:
        """Show ``address`` as ``label`` from now on."""
        self.names[address.lower()] = label

    def show(self, event: object) -> None:
        """Print one event on its own line."""
        self.count += 1
        block = int(getattr(event, "block_number", 0))
        self.last_block = max(self.last_block, block)
        contract = self.names.get(str(getattr(event, "contract_address", "")).lower(), "?")
        kind = type(event).__name__.removesuffix("Event")
        values = " ".join(
            f"{f.name}={self._value(f.name, getattr(event, f.name))}"
            for f in _payload_fields(event)
        )
        say(f"      event  block {block:<3} {contract}.{kind}  {values}")
        created = _CREATIONS.get(kind)
        if created is not None:
            self.name(str(getattr(event, created)), created)

    def _value(self, name: str, value: object) -> str:
        if isinstance(value, Enum):
            return str(value.name)
        if isinstance(value, int) and not isinstance(value, bool) and name in _AMOUNT_FIELDS:
            return f"{value / OGPU:g} OGPU"
        if isinstance(value, str) and value.lower() in self.names:
            return self.names[value.lower()]
        return str(value)


def _payload_fields(event: object) -> list[dataclasses.Field[Any]]:
    return [f for f in dataclasses.fields(event) if f.name not in _META_FIELDS]  # type: ignore[arg-type]


@dataclass
class Steps:
    """Numbers and prints the steps of the round trip; keeps the receipts."""

    total: int
    pace: float
    receipts: list[Receipt] = field(default_factory=list)
    done: int = 0

    def run(self, title: str, action: Callable[[], T]) -> T:
        """Print ``title``, run ``action``, remember the receipt it returns (or carries)."""
        self.done += 1
        say(f"[{self.done:>2}/{self.total}] {title}")
        result = action()
        receipt = result if isinstance(result, Receipt) else getattr(result, "receipt", None)
        if isinstance(receipt, Receipt):
            self.receipts.append(receipt)
            say(
                f"         tx {receipt.tx_hash[:18]}... block {receipt.block_number}, gas {receipt.gas_used}"
            )
        time.sleep(self.pace)
        return result


@dataclass(frozen=True)
class Outcome:
    """What the round trip produced, for the summary."""

    source: str
    task: str
    response: str
    status: TaskStatus
    result: dict[str, Any]
    provider_earnings: int
    client_balance: int
    receipts: tuple[Receipt, ...]


# --- the round trip ---------------------------------------------------------------------------

ROUND_TRIP_STEPS = 11


def round_trip(keys: dict[str, str], addresses: dict[str, str], pace: float) -> Outcome:
    """Play every role once, through the public API; every write is checked before it is sent."""
    steps = Steps(ROUND_TRIP_STEPS, pace)
    actors = Actors(keys, addresses)
    _fund_and_pair(steps, actors)
    source = steps.run(
        "client publishes a source (metadata uploaded to IPFS)",
        lambda: client.publish_source(_source_info(), actors.key("client")),
    )
    steps.run(
        "agent registers the provider to the source (CPU)",
        lambda: agent.register_to(
            source.address, actors.provider, Environment.CPU, actors.key("agent")
        ),
    )
    task = steps.run(
        "client publishes a task paying 0.1 OGPU (pre-flight, then config uploaded)",
        lambda: client.publish_task(_task_info(source.address), actors.key("client")),
    )
    response, result = _serve_and_confirm(steps, actors, task)
    steps.run(
        "provider withdraws its pay from the vault",
        lambda: Provider(actors.provider).withdraw_from_vault(
            TASK_PAYMENT, signer=actors.key("provider")
        ),
    )
    return Outcome(
        source=source.address,
        task=task.address,
        response=response,
        status=task.get_status(),
        result=result,
        provider_earnings=Provider(actors.provider).get_total_earnings(),
        client_balance=vault.get_balance_of(actors.client),
        receipts=tuple(steps.receipts),
    )


@dataclass(frozen=True)
class Actors:
    """The dev accounts playing the four roles."""

    keys: dict[str, str] = field(repr=False)
    addresses: dict[str, str]

    def key(self, role: str) -> str:
        return self.keys[role]

    @property
    def client(self) -> str:
        return self.addresses["client"]

    @property
    def provider(self) -> str:
        return self.addresses["provider"]

    @property
    def master(self) -> str:
        return self.addresses["master"]

    @property
    def agent(self) -> str:
        return self.addresses["agent"]


def _fund_and_pair(steps: Steps, actors: Actors) -> None:
    """The client funds its vault; master and provider pair up; the master names its agent."""
    steps.run(
        "client deposits 1 OGPU into its vault balance",
        lambda: vault.deposit(actors.client, CLIENT_DEPOSIT, signer=actors.key("client")),
    )
    steps.run(
        "master announces the provider and funds 0.5 OGPU of its lockup",
        lambda: Master(actors.master).announce_provider(
            actors.provider, PROVIDER_STAKE, signer=actors.key("master")
        ),
    )
    steps.run(
        "provider announces its master (the pair is complete)",
        lambda: Provider(actors.provider).announce_master(
            actors.master, signer=actors.key("provider")
        ),
    )
    steps.run(
        "master authorises its scheduling agent",
        lambda: Master(actors.master).set_agent(actors.agent, True, signer=actors.key("master")),
    )


def _serve_and_confirm(steps: Steps, actors: Actors, task: Task) -> tuple[str, dict[str, Any]]:
    """The agent attempts for the provider, the provider answers, the client reads and confirms."""
    steps.run(
        "agent attempts the task for the provider",
        lambda: agent.attempt(task.address, actors.provider, TASK_PAYMENT, actors.key("agent")),
    )
    steps.run(
        "provider submits its result (payload uploaded to IPFS)",
        lambda: provider_runtime.submit_response(
            task.address, _result(), signer=actors.key("provider")
        ),
    )
    responses = client.get_task_responses(task.address)
    result = responses[0].fetch_data()
    say(f"         the client reads {len(responses)} response(s); payload from IPFS: {result}")
    steps.run(
        "client confirms the response (task FINALIZED, provider paid)",
        lambda: client.confirm_response(responses[0].address, actors.key("client")),
    )
    return responses[0].address, result


def _source_info() -> SourceInfo:
    return SourceInfo(
        name="echo",
        description="Echoes its input (demo source)",
        logoUrl="",
        imageEnvs=ImageEnvironments(cpu="https://example.invalid/echo/docker-compose.yml"),
        minPayment=TASK_PAYMENT // 10,
        minAvailableLockup=PROVIDER_STAKE // 5,
        maxExpiryDuration=3600,
        deliveryMethod=DeliveryMethod.MANUAL_CONFIRMATION,
    )


def _task_info(source: str) -> TaskInfo:
    return TaskInfo(
        source, TaskInput("echo", {"text": "hello, OpenGPU"}), int(time.time()) + 1800, TASK_PAYMENT
    )


def _result() -> dict[str, Any]:
    return {"echo": "hello, OpenGPU", "confidence": 1.0}


# --- the watcher ------------------------------------------------------------------------------


async def watch_events(log: EventLog, from_block: int, chain: ChainId) -> None:
    """Print every Nexus, Terminal and Vault event from ``from_block`` on, until cancelled."""
    from ogpu.events import watch_many

    abi_set = NETWORKS[chain].abi_set
    specs = [
        spec
        for spec in EVENT_SPECS
        if spec.contract in WATCHED_CONTRACTS
        and abi_set in spec.abi_sets
        and spec.name != "OwnershipTransferred"
    ]
    async for event in watch_many(
        specs, from_block=from_block, poll_interval=POLL_INTERVAL_S, confirmations=0
    ):
        log.show(event)


async def run_with_watcher(
    keys: dict[str, str], addresses: dict[str, str], pace: float
) -> tuple[Outcome, EventLog]:
    """The round trip in a worker thread while the watcher prints events in this loop."""
    from ogpu.chain.rpc import get_rpc_client

    log = EventLog()
    for role, address in addresses.items():
        log.name(address, role)
    for contract in ("NEXUS", "CONTROLLER", "TERMINAL", "VAULT"):
        log.name(ChainConfig.get_contract_address(contract), contract.title())
    head = int(get_rpc_client(ChainId.LOCAL).request("eth_blockNumber", []), 16)
    watcher = asyncio.create_task(watch_events(log, head + 1, ChainId.LOCAL))
    try:
        outcome = await asyncio.to_thread(round_trip, keys, addresses, pace)
        await _catch_up(log, outcome.receipts[-1].block_number, watcher)
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
    return outcome, log


async def _catch_up(log: EventLog, block: int, watcher: asyncio.Task[None]) -> None:
    """Wait until the watcher has printed the events of ``block`` (the last transaction's)."""
    deadline = time.monotonic() + CATCH_UP_TIMEOUT_S
    while log.last_block < block:
        if watcher.done():
            watcher.result()  # re-raises the watcher's failure
            raise OGPUError("the event watcher stopped early")
        if time.monotonic() > deadline:
            raise OGPUError(
                f"the event watcher did not reach block {block} in {CATCH_UP_TIMEOUT_S:g} s"
            )
        await asyncio.sleep(POLL_INTERVAL_S)


# --- services ---------------------------------------------------------------------------------


@contextlib.contextmanager
def local_network() -> Iterator[Devnet]:
    """A devnet with its IPFS node, the SDK pointed at both by the network document.

    Everything stops on exit.
    """
    with contextlib.ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ogpu-demo-")))
        net = stack.enter_context(start(log_path=folder / "anvil.log", ipfs=True))
        net.write_document(folder / "devnet.json")
        ChainConfig.use_network_file(folder / "devnet.json")  # also configures ogpu.ipfs
        ipfs = net.document["ipfs"]
        say(
            f"devnet  {net.rpc_url} (chain {ChainId.LOCAL.value}), "
            f"IPFS API {ipfs['api_url']}, gateway {ipfs['gateway_url']}"
        )
        yield net


def print_summary(outcome: Outcome, log: EventLog, elapsed: float) -> None:
    """The closing lines: what was created, who got paid, what it cost."""
    gas = sum(r.gas_used for r in outcome.receipts)
    say("\nsummary")
    say(f"  source    {outcome.source}")
    say(f"  task      {outcome.task}  status {outcome.status.name}")
    say(f"  response  {outcome.response}  payload {outcome.result}")
    say(
        f"  provider earned {outcome.provider_earnings / OGPU:g} OGPU; client vault balance "
        f"{outcome.client_balance / OGPU:g} OGPU"
    )
    say(
        f"  {len(outcome.receipts)} transactions, {gas} gas; {log.count} events watched; {elapsed:.1f} s"
    )
    say(
        "round trip complete" if outcome.status == TaskStatus.FINALIZED else "round trip INCOMPLETE"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demo; return 0 when the task ends FINALIZED, 1 otherwise."""
    parser = argparse.ArgumentParser(
        prog="python -m ogpu.devnet.demo", description="The OpenGPU round trip on a local devnet."
    )
    parser.add_argument(
        "--pace", type=float, default=0.3, help="seconds to pause after each step (default 0.3)"
    )
    args = parser.parse_args(argv)
    began = time.monotonic()
    try:
        with local_network() as net:
            accounts = net.document["accounts"]
            keys = {role: entry["private_key"] for role, entry in accounts.items()}
            addresses = {role: entry["address"] for role, entry in accounts.items()}
            outcome, log = asyncio.run(run_with_watcher(keys, addresses, max(args.pace, 0.0)))
    except OGPUError as exc:
        print(f"demo failed: {exc}", file=sys.stderr)
        return 1
    print_summary(outcome, log, time.monotonic() - began)
    return 0 if outcome.status == TaskStatus.FINALIZED else 1


if __name__ == "__main__":
    sys.exit(main())
