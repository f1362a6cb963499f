"""Fixtures and helpers of the workflow tests: the devnet (``ogpu.devnet.pytest_plugin``) plus a real IPFS node.

- ``ipfs_node`` (session): one local js-ipfs node on 127.0.0.1 for the whole session.
- ``net`` (function): the plugin's ``devnet`` (chain state reverted after the test, role keys in
  the environment) with ``ogpu.ipfs`` publishing to and reading from the session node.
- ``make`` (function): builders for sources, tasks and registrations on that devnet.
- ``unchanged`` (function): ``with unchanged(*addresses):`` asserts that nothing was sent and
  nothing uploaded inside the block (nonces, native and vault balances, head block, pins).

The suite runs with ``--import-mode=importlib``, so test modules cannot import this file; they
reach the helpers through the fixtures and import the names below for typing only.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, ContextManager

import pytest
import requests
from eth_account import Account as EthAccount

import ogpu.ipfs
from ogpu import client
from ogpu.chain.rpc import get_rpc_client
from ogpu.devnet import Devnet
from ogpu.ipfs.node import LocalIPFSNode
from ogpu.protocol import Provider, Source, Task, vault
from ogpu.schema.enums import DeliveryMethod, Environment
from ogpu.schema.networks import ChainId
from ogpu.types.metadata import ImageEnvironments, SourceInfo, TaskInfo, TaskInput

ETHER = 10**18
MIN_PAYMENT = ETHER // 100
MAX_EXPIRY = 3600
PAYMENT = ETHER // 10
# anvil's default accounts 5-7: funded with native coin, unused by the devnet's roles
EXTRA_KEYS = (
    "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
    "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
    "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
)


@dataclass(frozen=True)
class Account:
    """A funded dev account."""

    address: str
    key: str

    @classmethod
    def from_key(cls, key: str) -> Account:
        return cls(str(EthAccount.from_key(key).address), key)


@dataclass(frozen=True)
class Net:
    """The devnet of one test: role accounts, spare accounts, time travel, the IPFS node."""

    devnet: Devnet
    ipfs: LocalIPFSNode
    client: Account
    provider: Account
    master: Account
    agent: Account
    extra: tuple[Account, ...]

    @classmethod
    def of(cls, devnet: Devnet, ipfs: LocalIPFSNode) -> Net:
        roles = {
            role: Account(e["address"], e["private_key"])
            for role, e in devnet.document["accounts"].items()
        }
        extra = tuple(Account.from_key(key) for key in EXTRA_KEYS)
        return cls(
            devnet, ipfs, roles["client"], roles["provider"], roles["master"], roles["agent"], extra
        )

    def rpc(self, method: str, params: list[Any] | None = None) -> Any:
        """One JSON-RPC call to the devnet node."""
        return get_rpc_client(ChainId.LOCAL).request(method, params or [])

    def advance(self, seconds: int) -> None:
        """Move chain time forward and mine a block at the new time."""
        self.rpc("evm_increaseTime", [seconds])
        self.rpc("evm_mine")

    def now(self) -> int:
        """The time the chain will stamp on its next block (anvil's pending block says it)."""
        return int(self.rpc("eth_getBlockByNumber", ["pending", False])["timestamp"], 16)

    def pin_count(self) -> int:
        """How many objects the IPFS node has pinned (every upload pins one)."""
        reply = requests.post(
            f"{self.ipfs.api_url}/api/v0/pin/ls", params={"type": "recursive"}, timeout=10
        )
        reply.raise_for_status()
        return len(reply.json()["Keys"])


def source_info(**changes: Any) -> SourceInfo:
    """A valid CPU + NVIDIA source description; ``changes`` override fields."""
    fields: dict[str, Any] = {
        "name": "echo",
        "description": "echoes its input",
        "logoUrl": "https://example.invalid/logo.png",
        "imageEnvs": ImageEnvironments(
            cpu="https://example.invalid/cpu.yml", nvidia="https://example.invalid/gpu.yml"
        ),
        "minPayment": MIN_PAYMENT,
        "minAvailableLockup": 0,
        "maxExpiryDuration": MAX_EXPIRY,
        "deliveryMethod": DeliveryMethod.MANUAL_CONFIRMATION,
    }
    fields.update(changes)
    return SourceInfo(**fields)


@dataclass(frozen=True)
class Make:
    """Builders acting through the public API on the test's devnet."""

    net: Net

    def funds(self, amount: int = ETHER, account: Account | None = None) -> None:
        """Deposit ``amount`` into the vault balance of ``account`` (default: the client)."""
        who = account or self.net.client
        vault.deposit(who.address, amount, signer=who.key)

    ETHER = ETHER
    PAYMENT = PAYMENT
    MIN_PAYMENT = MIN_PAYMENT
    MAX_EXPIRY = MAX_EXPIRY

    @staticmethod
    def source_info(**changes: Any) -> SourceInfo:
        """A valid CPU + NVIDIA source description; ``changes`` override fields."""
        return source_info(**changes)

    def source(self, **changes: Any) -> Source:
        """A source published by the client."""
        return client.publish_source(source_info(**changes), self.net.client.key)

    def task_info(
        self, source: Source | str, *, expires_in: int = 600, payment: int = PAYMENT
    ) -> TaskInfo:
        """A task description for ``source`` expiring ``expires_in`` s after the chain's now."""
        config = TaskInput("echo", {"text": "hi"}, priority=1)
        return TaskInfo(str(source), config, self.net.now() + expires_in, payment)

    def task(self, source: Source | str, **kw: Any) -> Task:
        """A task published by the client (its vault must hold the payment)."""
        return client.publish_task(self.task_info(source, **kw), self.net.client.key)

    def registered(self, source: Source | str, account: Account | None = None) -> Provider:
        """``account`` (default: the provider) registered by itself to ``source`` with CPU."""
        who = account or self.net.provider
        Provider(who.address).register_to(str(source), Environment.CPU, signer=who.key)
        return Provider(who.address)


@dataclass(frozen=True)
class Footprint:
    """What a transaction or an upload would change."""

    head: int
    pins: int
    accounts: tuple[tuple[int, int, int, int], ...]  # pending nonce, native, vault balance, frozen


def footprint(net: Net, addresses: tuple[str, ...]) -> Footprint:
    """The head block, the pin count, and per account its nonce and balances."""
    rows = []
    for address in addresses:
        nonce = int(net.rpc("eth_getTransactionCount", [address, "pending"]), 16)
        native = int(net.rpc("eth_getBalance", [address, "latest"]), 16)
        rows.append(
            (nonce, native, vault.get_balance_of(address), vault.get_frozen_payment(address))
        )
    return Footprint(int(net.rpc("eth_blockNumber"), 16), net.pin_count(), tuple(rows))


@pytest.fixture(scope="session")
def ipfs_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalIPFSNode]:
    """The session's local IPFS node."""
    with LocalIPFSNode(tmp_path_factory.mktemp("workflow-ipfs")) as node:
        yield node


@pytest.fixture
def net(devnet: Devnet, ipfs_node: LocalIPFSNode) -> Iterator[Net]:
    """The test's devnet, with ``ogpu.ipfs`` using the local node (no retries: failures show)."""
    ogpu.ipfs.configure(
        publish_backend="kubo",
        kubo_api_url=ipfs_node.api_url,
        gateways=(ipfs_node.gateway_url,),
        retries=0,
    )
    try:
        yield Net.of(devnet, ipfs_node)
    finally:
        ogpu.ipfs.reset_config()


@pytest.fixture
def make(net: Net) -> Make:
    """Builders on the test's devnet."""
    return Make(net)


@pytest.fixture
def unchanged(net: Net) -> Callable[..., ContextManager[None]]:
    """``with unchanged(*addresses):`` fails if the block sent a transaction or uploaded content.

    The four role accounts are always watched; ``addresses`` adds more.
    """

    @contextlib.contextmanager
    def check(*addresses: str) -> Iterator[None]:
        roles = (net.client, net.provider, net.master, net.agent)
        watched = (*(a.address for a in roles), *addresses)
        before = footprint(net, watched)
        yield
        assert footprint(net, watched) == before, "a transaction was sent or content was uploaded"

    return check
