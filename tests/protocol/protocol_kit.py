"""Helpers of the protocol tests: role accounts, builders, time travel, impersonation, coverage.

The coverage registry counts what really reached the devnet:

- a generated function spec (``_F_*`` of ``ogpu.protocol.<contract>``) is recorded when a
  generated wrapper that names it returns, or raises an error decoded from a revert; the spec is
  found by name in the wrapper's code (``__code__.co_names``), so nothing is wrapped or patched
  (a paginating wrapper also names its count getter; the tests call each count getter directly);
- an event spec of ``ogpu.schema.events.EVENT_SPECS`` is recorded for every event decoded into
  a ``Receipt`` that passes through :class:`Kit` (an ``OwnershipTransferred`` is attributed to
  the contract kind of its emitting address).
"""

from __future__ import annotations

import time
import types
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

import pytest
from eth_account import Account as EthAccount
from eth_hash.auto import keccak

from ogpu.chain.rpc import RpcClient, get_rpc_client
from ogpu.core.errors import TxRevertError
from ogpu.devnet import Devnet
from ogpu.protocol import controller, manager, nexus, response, source, task, terminal, vault
from ogpu.runtime.contract import Fn
from ogpu.schema.enums import DeliveryMethod, Environment
from ogpu.schema.events import (
    EVENT_SPECS,
    ResponseSubmittedEvent,
    SourcePublishedEvent,
    TaskPublishedEvent,
)
from ogpu.schema.networks import ChainId
from ogpu.schema.structs import ResponseParams, SourceParams, TaskParams
from ogpu.types.receipt import Receipt

__all__ = [
    "COVERAGE",
    "ETHER",
    "LOCKUP",
    "PAYMENT",
    "ZERO_ADDRESS",
    "Account",
    "Coverage",
    "Kit",
    "all_event_keys",
    "all_function_keys",
    "data_hash",
    "events",
    "one",
    "role_id",
]

P = ParamSpec("P")
T = TypeVar("T")
E = TypeVar("E", bound=BaseException)
Ev = TypeVar("Ev")

ETHER = 10**18
ZERO_ADDRESS = "0x" + "00" * 20
PAYMENT = ETHER // 10
LOCKUP = ETHER
METADATA_URL = "https://ipfs.invalid/ipfs/metadata.json"
CONFIG_URL = "https://ipfs.invalid/ipfs/taskConfig.json"
FIXED_UPDATE_TIME = 1_700_000_000
RECEIPT_TIMEOUT_S = 10.0

CONTRACT_MODULES: tuple[types.ModuleType, ...] = (
    nexus,
    controller,
    terminal,
    vault,
    manager,
    source,
    task,
    response,
)
"""The generated module of every contract; their ``_F_*`` specs are the function universe."""

# anvil's default accounts 5-7 (public "test ... junk" mnemonic): besides the devnet's four roles.
OUTSIDER_KEY = "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba"
SECOND_PROVIDER_KEY = "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e"
SECOND_MASTER_KEY = "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356"

# A contract that emits LOG4 with the four calldata words as topics and no data: the only way
# to put a RoleAdminChanged log on chain, since the reference Manager never changes a role admin.
LOG4_EMITTER_INIT_CODE = bytes.fromhex(
    "601280600b6000396000f3"  # copy the 18-byte runtime below into memory and return it
    "60603560403560203560003560006000a400"  # LOG4(0, 0, word0, word1, word2, word3); STOP
)


def role_id(name: str) -> bytes:
    """``keccak256(name)``: the reference's role ids (protocol.md §1.3)."""
    return keccak(name.encode())


def data_hash(data: str) -> bytes:
    """``keccak256(bytes(data))``: the key of ``Task.isAlreadySubmitted``."""
    return keccak(data.encode())


# --- coverage ---------------------------------------------------------------------------------


def all_function_keys() -> set[tuple[str, str]]:
    """(contract, signature) of every ``_F_*`` spec in the generated contract modules."""
    return {(fn.contract.name, fn.signature) for fn in _function_specs()}


def _function_specs() -> list[Fn[Any]]:
    return [
        value
        for module in CONTRACT_MODULES
        for name, value in vars(module).items()
        if name.startswith("_F_") and isinstance(value, Fn)
    ]


def all_event_keys() -> set[tuple[str, str]]:
    """(contract, event) of every generated event spec."""
    return {(spec.contract, spec.name) for spec in EVENT_SPECS}


@dataclass
class Coverage:
    """What the session exercised on chain: function specs and event specs."""

    functions: set[tuple[str, str]] = field(default_factory=set)
    events: set[tuple[str, str]] = field(default_factory=set)

    def record_function(self, fn: Fn[Any]) -> None:
        self.functions.add((fn.contract.name, fn.signature))

    def record_event(self, contract: str, name: str) -> None:
        self.events.add((contract, name))

    def missing_functions(self) -> list[str]:
        return sorted(f"{c}.{s}" for c, s in all_function_keys() - self.functions)

    def missing_events(self) -> list[str]:
        return sorted(f"{c}.{n}" for c, n in all_event_keys() - self.events)

    def summary(self, *, details: bool = False) -> list[str]:
        """The two report lines; with ``details``, each followed by what is missing."""
        functions, event_specs = all_function_keys(), all_event_keys()
        lines = [f"functions covered: {len(self.functions & functions)}/{len(functions)}"]
        if details:
            lines += [f"  missing function: {name}" for name in self.missing_functions()]
        lines.append(f"events covered: {len(self.events & event_specs)}/{len(event_specs)}")
        if details:
            lines += [f"  missing event: {name}" for name in self.missing_events()]
        return lines


COVERAGE = Coverage()
"""The session's registry (the report test and the terminal summary read it)."""


def specs_named_by(func: Callable[..., Any]) -> list[Fn[Any]]:
    """The ``_F_*`` specs a generated wrapper names: its own module's, or ``_module._F_*``.

    A wrapper naming none (such as ``terminal.revoke_agent``) is followed into the functions of
    its own module that it calls.
    """
    target = getattr(func, "__func__", func)
    code: types.CodeType = target.__code__
    scope: dict[str, Any] = target.__globals__
    found: list[Fn[Any]] = []
    for name in code.co_names:
        if not name.startswith("_F_"):
            continue
        candidates = [scope.get(name)] + [
            getattr(scope[alias], name, None)
            for alias in code.co_names
            if isinstance(scope.get(alias), types.ModuleType)
        ]
        specs = [c for c in candidates if isinstance(c, Fn)]
        assert len(specs) == 1, f"{target.__qualname__}: {name} is ambiguous or unknown"
        found.append(specs[0])
    if not found:
        callees = [scope[n] for n in code.co_names if isinstance(scope.get(n), types.FunctionType)]
        found = [
            fn
            for callee in callees
            if callee.__module__ == target.__module__
            for fn in specs_named_by(callee)
        ]
    assert found, f"{target.__qualname__} names no generated function spec"
    return found


def _came_from_revert(error: BaseException) -> bool:
    """Whether a typed error was decoded from a contract revert (so the call reached the chain)."""
    return isinstance(error, TxRevertError) or isinstance(error.__cause__, TxRevertError)


_SPECS_BY_CLASS: dict[type, list[tuple[str, str]]] = {}
for _spec in EVENT_SPECS:
    _SPECS_BY_CLASS.setdefault(_spec.event_class, []).append((_spec.contract, _spec.name))


# --- accounts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    """A funded dev account; the key stays out of ``repr``."""

    address: str
    key: str = field(repr=False)

    @classmethod
    def of(cls, key: str) -> Account:
        return cls(EthAccount.from_key(key).address, key)


# --- the kit ----------------------------------------------------------------------------------


class Kit:
    """One test's view of the devnet: accounts, recorded calls, builders and chain controls."""

    def __init__(self, devnet: Devnet, coverage: Coverage) -> None:
        accounts = devnet.document["accounts"]
        self.client = Account(accounts["client"]["address"], accounts["client"]["private_key"])
        self.provider = Account(
            accounts["provider"]["address"], accounts["provider"]["private_key"]
        )
        self.master = Account(accounts["master"]["address"], accounts["master"]["private_key"])
        self.agent = Account(accounts["agent"]["address"], accounts["agent"]["private_key"])
        self.admin = Account(devnet.admin.address, devnet.admin.private_key)
        self.outsider = Account.of(OUTSIDER_KEY)
        self.provider2 = Account.of(SECOND_PROVIDER_KEY)
        self.master2 = Account.of(SECOND_MASTER_KEY)
        self.contracts: dict[str, str] = dict(devnet.document["contracts"])
        self.coverage = coverage
        self._rpc: RpcClient = get_rpc_client(ChainId.LOCAL)
        self._kinds = {address.lower(): key.title() for key, address in self.contracts.items()}

    # --- recorded calls -------------------------------------------------------------------

    def call(self, func: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Call a generated wrapper; record its specs and the events of a returned Receipt."""
        result = func(*args, **kwargs)
        for fn in specs_named_by(func):
            self.coverage.record_function(fn)
        if isinstance(result, Receipt):
            self.record_receipt(result)
        return result

    def fails(
        self, expected: type[E], func: Callable[P, Any], *args: P.args, **kwargs: P.kwargs
    ) -> E:
        """Call a generated wrapper that must fail with ``expected`` decoded from a revert."""
        try:
            func(*args, **kwargs)
        except expected as error:
            assert _came_from_revert(error), f"{error!r} was not decoded from a revert"
            for fn in specs_named_by(func):
                self.coverage.record_function(fn)
            return error
        pytest.fail(f"{getattr(func, '__qualname__', func)} did not raise {expected.__name__}")

    def record_receipt(self, receipt: Receipt) -> None:
        """Attribute every decoded event of ``receipt`` to its (contract, event) spec."""
        for event in receipt.events:
            learned = _created_kind(event)
            if learned is not None:
                self._kinds[learned[0].lower()] = learned[1]
        for event in receipt.events:
            self.coverage.record_event(*self._event_key(event))

    def _event_key(self, event: object) -> tuple[str, str]:
        keys = _SPECS_BY_CLASS[type(event)]
        if len(keys) == 1:
            return keys[0]
        kind = self._kinds.get(str(getattr(event, "contract_address", "")).lower())
        matching = [key for key in keys if key[0] == kind]
        assert len(matching) == 1, f"cannot tell which contract emitted {event!r}"
        return matching[0]

    # --- chain controls -------------------------------------------------------------------

    def rpc(self, method: str, *params: Any) -> Any:
        """One raw JSON-RPC request to the devnet."""
        return self._rpc.request(method, list(params))

    def now(self) -> int:
        """The latest block's timestamp."""
        return int(self.rpc("eth_getBlockByNumber", "latest", False)["timestamp"], 16)

    def travel(self, seconds: int) -> None:
        """Move the chain's clock forward and mine a block at the new time."""
        self.rpc("evm_increaseTime", seconds)
        self.rpc("evm_mine")

    def native_balance(self, address: str) -> int:
        return int(self.rpc("eth_getBalance", address, "latest"), 16)

    def as_contract(self, sender: str, fn: Fn[Any], args: tuple[Any, ...], to: str) -> Receipt:
        """Send ``fn(args)`` to ``to`` from the contract ``sender`` through anvil impersonation.

        Only the generated spec's encoding is used (no SDK signer can sign for a contract); the
        spec and the decoded events are recorded.
        """
        self.rpc("anvil_impersonateAccount", sender)
        self.rpc("anvil_setBalance", sender, hex(ETHER))
        try:
            tx = {"from": sender, "to": to, "data": "0x" + fn.encode(args).hex()}
            raw = self._mined(self.rpc("eth_sendTransaction", tx))
        finally:
            self.rpc("anvil_stopImpersonatingAccount", sender)
        assert int(raw["status"], 16) == 1, f"{fn.label} from {sender} reverted"
        receipt = Receipt.from_web3_receipt(raw)
        self.coverage.record_function(fn)
        self.record_receipt(receipt)
        return receipt

    def _mined(self, tx_hash: str) -> dict[str, Any]:
        """The raw receipt, polled for: anvil mines an accepted transaction a moment later."""
        deadline = time.monotonic() + RECEIPT_TIMEOUT_S
        while True:
            raw = self.rpc("eth_getTransactionReceipt", tx_hash)
            if raw is not None:
                return dict(raw)
            assert time.monotonic() < deadline, f"{tx_hash} was not mined"
            time.sleep(0.005)

    def deploy_log_emitter(self) -> str:
        """Deploy :data:`LOG4_EMITTER_INIT_CODE`; return its address."""
        from ogpu.runtime.tx import send_transaction

        receipt = send_transaction(
            ChainId.LOCAL, None, LOG4_EMITTER_INIT_CODE, signer=self.admin.key
        )
        return str(self._mined(receipt.tx_hash)["contractAddress"])

    def emit_log4(self, emitter: str, topics: Iterable[bytes]) -> Receipt:
        """Make the emitter log the four ``topics``; return the receipt (events recorded)."""
        from ogpu.runtime.tx import send_transaction

        receipt = send_transaction(ChainId.LOCAL, emitter, b"".join(topics), signer=self.admin.key)
        self.record_receipt(receipt)
        return receipt

    # --- builders -------------------------------------------------------------------------

    def source_params(self, **changes: Any) -> SourceParams:
        """Source parameters of the client: CPU+NVIDIA, 1 coin lockup, 1 hour max expiry."""
        values: dict[str, Any] = {
            "client": self.client.address,
            "imageMetadataUrl": METADATA_URL,
            "imageEnvironments": int(Environment.CPU | Environment.NVIDIA),
            "minPayment": PAYMENT // 2,
            "minAvailableLockup": LOCKUP,
            "maxExpiryDuration": 3600,
            "privacyEnabled": False,
            "optionalParamsUrl": "",
            "deliveryMethod": DeliveryMethod.MANUAL_CONFIRMATION,
            "lastUpdateTime": FIXED_UPDATE_TIME,
        }
        values.update(changes)
        return SourceParams(**values)

    def publish_source(self, signer: Account | None = None, **changes: Any) -> str:
        """Publish a source (by the client unless ``signer``); return its address."""
        params = self.source_params(**changes)
        receipt = self.call(nexus.publish_source, params, signer=(signer or self.client).key)
        return nexus.extract_source_address(receipt)

    def deposit(self, account: Account, amount: int) -> None:
        """``account`` deposits ``amount`` into its own liquid Vault balance."""
        self.call(vault.deposit, account.address, amount, signer=account.key)

    def task_params(
        self, source_address: str, *, payment: int = PAYMENT, lifetime: int = 600
    ) -> TaskParams:
        return TaskParams(
            source=source_address,
            config=CONFIG_URL,
            expiryTime=self.now() + lifetime,
            payment=payment,
        )

    def publish_task(
        self,
        source_address: str,
        *,
        payment: int = PAYMENT,
        lifetime: int = 600,
        signer: Account | None = None,
    ) -> str:
        """Publish a task (the signer needs a Vault balance); return its address."""
        params = self.task_params(source_address, payment=payment, lifetime=lifetime)
        receipt = self.call(controller.publish_task, params, signer=(signer or self.client).key)
        return controller.extract_task_address(receipt)

    def pair(
        self, provider: Account | None = None, master: Account | None = None, stake: int = LOCKUP
    ) -> None:
        """The master announces (funding ``stake`` of lockup), then the provider answers."""
        provider, master = provider or self.provider, master or self.master
        self.call(terminal.announce_provider, provider.address, stake, signer=master.key)
        self.call(terminal.announce_master, master.address, signer=provider.key)

    def stake_self(self, provider: Account, stake: int = LOCKUP) -> None:
        """An unpaired provider deposits and locks ``stake`` itself."""
        self.deposit(provider, stake)
        self.call(vault.lock, stake, signer=provider.key)

    def register(
        self,
        source_address: str,
        provider: Account | None = None,
        env: Environment = Environment.CPU,
    ) -> Receipt:
        provider = provider or self.provider
        return self.call(nexus.register, source_address, provider.address, env, signer=provider.key)

    def attempt(
        self, task_address: str, provider: Account | None = None, suggested: int = 0
    ) -> Receipt:
        provider = provider or self.provider
        return self.call(
            nexus.attempt, task_address, provider.address, suggested, signer=provider.key
        )

    def respond(self, task_address: str, data: str, provider: Account | None = None) -> str:
        """Submit a response (the provider signs); return the Response address."""
        provider = provider or self.provider
        params = ResponseParams(
            task=task_address, provider=provider.address, data=data, payment=PAYMENT
        )
        receipt = self.call(nexus.submit_response, params, signer=provider.key)
        return one(receipt, ResponseSubmittedEvent).response

    def open_task(
        self, delivery: DeliveryMethod = DeliveryMethod.MANUAL_CONFIRMATION
    ) -> tuple[str, str]:
        """A source with the paired provider registered and one funded NEW task on it."""
        source_address = self.publish_source(deliveryMethod=delivery)
        self.deposit(self.client, 2 * PAYMENT)
        task_address = self.publish_task(source_address)
        self.pair()
        self.register(source_address)
        return source_address, task_address


def _created_kind(event: object) -> tuple[str, str] | None:
    """(address, kind) of a contract an event announces as newly created."""
    if isinstance(event, SourcePublishedEvent):
        return event.source, "Source"
    if isinstance(event, TaskPublishedEvent):
        return event.task, "Task"
    if isinstance(event, ResponseSubmittedEvent):
        return event.response, "Response"
    return None


def events(receipt: Receipt, kind: type[Ev]) -> list[Ev]:
    """The decoded events of one class in ``receipt``, in log order."""
    return [event for event in receipt.events if isinstance(event, kind)]


def one(receipt: Receipt, kind: type[Ev]) -> Ev:
    """The single event of ``kind`` in ``receipt``."""
    found = events(receipt, kind)
    assert len(found) == 1, f"expected one {kind.__name__}, got {len(found)} in {receipt.events}"
    return found[0]
