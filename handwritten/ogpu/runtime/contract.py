"""The runtime the generated contract layer stands on: calls, batches, writes, instances.

Generated modules describe every function once, at import, as an :class:`Fn` (selector, ABI
types, the ABI sets that have it, and a decoder), and call :func:`call`, :func:`batch_call` or
:func:`transact`. Reads go straight to JSON-RPC over the shared keep-alive connection and
decode with eth-abi; writes go through the single transaction path in :mod:`ogpu.runtime.tx`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, ClassVar, Generic, Sequence, TypeVar, Union

from eth_abi.abi import decode as abi_decode
from eth_abi.abi import encode as abi_encode
from eth_abi.exceptions import EncodingError

from ogpu.chain.config import ChainConfig
from ogpu.chain.rpc import JsonRpcErrorObject, get_rpc_client
from ogpu.core.codec import checksum, none_if_zero, to_address, to_enum
from ogpu.core.errors import (
    DecodeError,
    EventNotFoundError,
    InvalidParamsError,
    JsonRpcError,
    NotFoundError,
    OGPUError,
    SignerMismatchError,
    TxRevertError,
    UnsupportedOnNetworkError,
)
from ogpu.runtime.reverts import decode_revert_data
from ogpu.runtime.signers import Signer, resolve_signer
from ogpu.schema.enums import Role
from ogpu.schema.networks import NETWORKS, ChainId
from ogpu.types.options import TxOptions
from ogpu.types.receipt import Receipt

T = TypeVar("T")
BlockId = Union[int, str]

__all__ = [
    "BlockId",
    "Call",
    "ContractRef",
    "Fn",
    "Instance",
    "batch_call",
    "call",
    "checksum",
    "none_if_zero",
    "to_address",
    "to_enum",
    "transact",
]


@dataclass(frozen=True)
class ContractRef:
    """Where a contract's address comes from: the network table, a view, or the caller."""

    name: str
    kind: str  # singleton | instance | discovered
    address_key: str | None = None
    discover: Callable[[ChainId], str] | None = None


@dataclass(frozen=True)
class Fn(Generic[T]):
    """One contract function, fully described at generation time."""

    contract: ContractRef
    name: str
    signature: str
    selector: bytes
    input_types: tuple[str, ...]
    output_types: tuple[str, ...]
    chain_ids: frozenset[int]  # the networks whose ABI has this function
    decode: Callable[[tuple[Any, ...]], T] | None = None

    @property
    def label(self) -> str:
        return f"{self.contract.name}.{self.name}"

    def encode(self, args: tuple[Any, ...]) -> bytes:
        """Calldata: selector plus eth-abi encoded arguments; bad values are typed errors."""
        try:
            return self.selector + abi_encode(self.input_types, args)
        except (EncodingError, TypeError, ValueError, OverflowError) as exc:
            if isinstance(exc, OGPUError):
                raise
            raise InvalidParamsError(self.signature, str(exc), context=self.label) from exc


def _chain(chain: ChainId | None) -> ChainId:
    return chain if chain is not None else ChainConfig.get_current_chain()


def _check_network(fn: Fn[Any], chain: ChainId) -> None:
    if chain.value not in fn.chain_ids:
        raise UnsupportedOnNetworkError(fn.contract.name, fn.name, chain, context=fn.label)


def _target(fn: Fn[Any], to: str | None, chain: ChainId) -> str:
    ref = fn.contract
    if to is not None:
        return to
    if ref.address_key is not None:
        try:
            return ChainConfig.get_contract_address(ref.address_key, chain)
        except OGPUError:
            if ref.discover is None:
                raise
    if ref.discover is not None:
        return ref.discover(chain)
    raise InvalidParamsError(
        "address", f"{ref.name} is deployed per entity; pass its address", context=fn.label
    )


def _block_tag(block: BlockId) -> str:
    return hex(block) if isinstance(block, int) else block


def _decode_output(fn: Fn[T], raw: str) -> T:
    try:
        out = abi_decode(fn.output_types, bytes.fromhex(raw[2:]))
    except Exception as exc:  # eth-abi's decoding errors do not share one base class
        reason = "no contract code at the address" if raw in ("0x", "") else "undecodable output"
        raise DecodeError(f"{fn.label} output ({reason})", raw, context=fn.label) from exc
    assert fn.decode is not None
    return fn.decode(tuple(out))


def _revert(fn: Fn[Any], data: Any) -> OGPUError:
    raw = data if isinstance(data, str) and data.startswith("0x") else "0x"
    return decode_revert_data(bytes.fromhex(raw[2:]), context=fn.label)


def call(
    fn: Fn[T],
    args: tuple[Any, ...],
    *,
    to: str | None = None,
    chain: ChainId | None = None,
    block: BlockId = "latest",
) -> T:
    """``eth_call`` one view and decode it; reverts become typed errors."""
    chain_id = _chain(chain)
    _check_network(fn, chain_id)
    data = fn.encode(args)
    target = _target(fn, to, chain_id)
    client = get_rpc_client(chain_id)
    try:
        raw = client.request(
            "eth_call", [{"to": target, "data": "0x" + data.hex()}, _block_tag(block)]
        )
    except JsonRpcError as exc:
        if exc.code == 3 or "revert" in exc.reason.lower():
            raise _revert(fn, exc.data) from exc
        raise
    return _decode_output(fn, raw)


@dataclass(frozen=True)
class Call(Generic[T]):
    """A prepared read for :func:`batch_call`."""

    fn: Fn[T]
    args: tuple[Any, ...] = ()
    to: str | None = None


def batch_call(
    calls: Sequence[Call[Any]], *, chain: ChainId | None = None, block: BlockId | None = None
) -> tuple[int, list[Any]]:
    """Run reads in ONE JSON-RPC batch, all at one block; returns (block number, results).

    With ``block=None`` the batch is bracketed by ``eth_blockNumber``; when both brackets agree
    every call in between read that block. If a block was mined in between (rare), the batch
    is repeated pinned to the later number, so results never mix two blocks.
    """
    chain_id = _chain(chain)
    prepared = []
    for c in calls:
        _check_network(c.fn, chain_id)
        prepared.append(
            {"to": _target(c.fn, c.to, chain_id), "data": "0x" + c.fn.encode(c.args).hex()}
        )
    client = get_rpc_client(chain_id)
    if block is None:
        items: list[tuple[str, list[Any]]] = [("eth_blockNumber", [])]
        items += [("eth_call", [p, "latest"]) for p in prepared]
        items.append(("eth_blockNumber", []))
        replies = client.batch(items)
        first, last = replies[0], replies[-1]
        if not isinstance(first, JsonRpcErrorObject) and first == last:
            return int(first, 16), _decode_batch(calls, replies[1:-1])
        block = int(last, 16) if not isinstance(last, JsonRpcErrorObject) else "latest"
    replies = client.batch([("eth_call", [p, _block_tag(block)]) for p in prepared])
    number = block if isinstance(block, int) else int(client.request("eth_blockNumber", []), 16)
    return number, _decode_batch(calls, replies)


def _decode_batch(calls: Sequence[Call[Any]], replies: list[Any]) -> list[Any]:
    results = []
    for c, reply in zip(calls, replies):
        if isinstance(reply, JsonRpcErrorObject):
            raise _revert(c.fn, reply.data)
        results.append(_decode_output(c.fn, reply))
    return results


def transact(
    fn: Fn[Any],
    args: tuple[Any, ...],
    *,
    to: str | None = None,
    signer: Signer | None,
    role: Role | None,
    value: int = 0,
    chain: ChainId | None = None,
    options: TxOptions | None = None,
    expect_signer: str | None = None,
) -> Receipt:
    """Send one write through the single transaction path and return its ``Receipt``.

    Everything that can be checked offline is checked before the signer is used: the network
    has the function, the arguments encode, the value is a non-negative int, and (for instance
    methods acting for their own address) the signer is that address.
    """
    from ogpu.runtime.tx import send_transaction

    chain_id = _chain(chain)
    _check_network(fn, chain_id)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidParamsError(
            "value", f"must be a non-negative int of wei, got {value!r}", context=fn.label
        )
    data = fn.encode(args)
    target = _target(fn, to, chain_id)
    account = resolve_signer(signer, role)
    if expect_signer is not None and account.address.lower() != expect_signer.lower():
        raise SignerMismatchError(expect_signer, account.address, context=fn.label)
    return send_transaction(
        chain_id, target, data, signer=account, value=value, options=options, context=fn.label
    )


def extract(receipt: Receipt, event_class: type[Any], field: str) -> str:
    """A field of the first ``event_class`` event among ``receipt.events``."""
    for event in receipt.events:
        if isinstance(event, event_class):
            value: str = getattr(event, field)
            return value
    raise EventNotFoundError(event_class.__name__.removesuffix("Event"), receipt.tx_hash)


class Instance:
    """Base of the generated instance classes: an address and an optional chain, nothing else.

    No chain state is cached; ``repr`` and attribute access never do I/O.
    """

    __slots__ = ("address", "chain", "receipt")
    KIND: ClassVar[str] = "Instance"
    NOT_FOUND: ClassVar[type[NotFoundError]] = NotFoundError

    def __init__(self, address: str, chain: ChainId | None = None) -> None:
        self.address: str = to_address(address, "address")
        self.chain: ChainId | None = chain
        self.receipt: Receipt | None = None

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Instance):
            return type(self) is type(other) and self.address.lower() == other.address.lower()
        return NotImplemented

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.address.lower()))

    def __str__(self) -> str:
        return self.address

    def __repr__(self) -> str:
        chain = self.chain if self.chain is not None else ChainConfig.get_current_chain()
        a = self.address
        return f"<{type(self).__name__} {a[:8]}...{a[-4:]} @{NETWORKS[chain].name}>"

    def _prove(
        self, check: Callable[[], bool], expectation: str, *, needs_code: bool = True
    ) -> None:
        """``load()``: the address holds code (for contract classes) and ``check()`` holds,
        else ``NOT_FOUND``. Transport failures stay ``RpcError``: a timeout is not "not found".
        """
        if needs_code:
            code = get_rpc_client(_chain(self.chain)).request(
                "eth_getCode", [self.address, "latest"]
            )
            if code in ("0x", "0x0", ""):
                raise self.NOT_FOUND(self.address, reason="no contract code at this address")
        try:
            ok = check()
        except (TxRevertError, DecodeError, InvalidParamsError) as exc:
            raise self.NOT_FOUND(self.address, reason=f"not a {self.KIND}: {exc}") from exc
        if not ok:
            raise self.NOT_FOUND(self.address, reason=f"not a {self.KIND}: {expectation}")


def check_range(lower: object, upper: object) -> None:
    """``lower`` is an int >= 0 and ``upper`` None or an int >= ``lower`` (pagination bounds)."""
    if isinstance(lower, bool) or not isinstance(lower, int) or lower < 0:
        raise InvalidParamsError("lower", f"expected a non-negative int, got {lower!r}")
    if upper is not None and (
        isinstance(upper, bool) or not isinstance(upper, int) or upper < lower
    ):
        raise InvalidParamsError("upper", f"expected None or an int >= lower, got {upper!r}")


def paginate(
    fn: Fn[list[T]],
    count: Fn[int],
    lower: int = 0,
    upper: int | None = None,
    *,
    prefix: tuple[Any, ...] = (),
    to: str | None = None,
    chain: ChainId | None = None,
    block: BlockId | None = None,
    chunk: int = 100,
    drop_zero: bool = False,
) -> list[T]:
    """Read ``fn(*prefix, lo, hi)`` over ``[lower, upper)`` in chunks, all at one block.

    Without ``upper`` the count is read first and its block pins the chunks. The chunks go in
    one JSON-RPC batch. ``drop_zero`` removes empty (zero address) slots.
    """
    check_range(lower, upper)
    chain_id = _chain(chain)
    pinned = None if block in (None, "latest") else block
    if upper is None:
        pinned, (upper,) = batch_call([Call(count, prefix, to)], chain=chain_id, block=pinned)
    calls = [
        Call(fn, (*prefix, lo, min(lo + chunk, upper)), to) for lo in range(lower, upper, chunk)
    ]
    if not calls:
        return []
    _, parts = batch_call(calls, chain=chain_id, block=pinned)
    items: list[T] = [item for part in parts for item in part]
    if drop_zero:
        items = [item for item in items if int(str(item), 16) != 0]
    return items


def enumerate_until_revert(
    fn: Fn[T],
    prefix: tuple[Any, ...] = (),
    *,
    to: str | None = None,
    chain: ChainId | None = None,
    block: BlockId | None = None,
    batch: int = 32,
    limit: int = 100_000,
) -> list[T]:
    """``fn(*prefix, i)`` for i = 0, 1, ... until the first revert (an array getter past its
    end), ``batch`` indices per JSON-RPC batch, all at one block."""
    chain_id = _chain(chain)
    _check_network(fn, chain_id)
    target = _target(fn, to, chain_id)
    client = get_rpc_client(chain_id)
    pinned = int(client.request("eth_blockNumber", []), 16) if block in (None, "latest") else block
    assert pinned is not None
    items: list[T] = []
    while len(items) < limit:
        calls = [
            (
                "eth_call",
                [
                    {"to": target, "data": "0x" + fn.encode((*prefix, len(items) + i)).hex()},
                    _block_tag(pinned),
                ],
            )
            for i in range(batch)
        ]
        for reply in client.batch(calls):
            if isinstance(reply, JsonRpcErrorObject):
                return items
            items.append(_decode_output(fn, reply))
    raise InvalidParamsError(
        "limit", f"more than {limit} items; read them with explicit indices", context=fn.label
    )


def select(
    candidates: Fn[list[str]],
    count: Fn[int],
    keep: Fn[Any],
    arg: Any,
    lower: int = 0,
    upper: int | None = None,
    *,
    chain: ChainId | None = None,
    block: BlockId | None = None,
    chunk: int = 100,
) -> list[str]:
    """The addresses of a paginated list for which ``keep(arg)``, called on each of them, is
    nonzero (or true); ``[lower, upper)`` of the kept ones. The count, the list and every check
    are read at one block, ``chunk`` calls per JSON-RPC batch."""
    check_range(lower, upper)
    chain_id = _chain(chain)
    pinned, (total,) = batch_call(
        [Call(count, ())], chain=chain_id, block=None if block in (None, "latest") else block
    )
    items = paginate(candidates, count, 0, total, chain=chain_id, block=pinned, chunk=chunk)
    kept: list[str] = []
    for start in range(0, len(items), chunk):
        page = items[start : start + chunk]
        _, flags = batch_call(
            [Call(keep, (arg,), item) for item in page], chain=chain_id, block=pinned
        )
        kept += [item for item, flag in zip(page, flags) if flag]
    return kept[lower:upper]
