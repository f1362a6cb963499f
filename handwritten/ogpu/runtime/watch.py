"""The watcher engine behind ``ogpu.events``: every event exactly once, in chain order.

Every generated watcher is a thin wrapper around :func:`watch`; :func:`watch_many` follows
several event types in one polling loop and :func:`query` reads history. There is no server
state (no ``eth_newFilter``): the engine polls ``eth_getLogs`` over block ranges, filtered by
contract address and ``topic0``, and applies ``where`` in Python (Nexus, Terminal and Vault
events have no indexed parameters).

Delivery rules
--------------
- **Ranges.** A range spans at most ``max_range`` blocks. When the node refuses a range ("query
  returned more than 10000 results", "block range too large", ...) the range shrinks, to the
  node's suggestion when its message carries one, else by half; after a few full-size
  successes it doubles again, up to ``max_range``. Backfill reads range after range with no
  pause; once caught up, the watcher sleeps ``poll_interval`` seconds between polls.
- **Confirmations.** Only blocks at least ``confirmations`` deep are read (``head -
  confirmations``; 0 delivers the head block). ``None`` takes the network default.
- **Order and dedup.** Events come in chain order (block number, log index) and each
  (block hash, log index) is delivered at most once: an event is yielded only when its
  position is past the cursor, on a chain checked to still hold the cursor block.
- **Reorgs.** Near the head, a range is read between two reads of the cursor block's and the
  range end's headers, and used only when both reads agree (else it is read again). When the
  cursor block's hash has changed, the watcher goes back to the newest block it processed
  below the oldest one that changed (it remembers, for ``reorg_window`` blocks below the head,
  the hash of every block it delivered events from or ended a range at), reports every
  delivered event above it as removed, and rescans from there. Removed events go to ``on_removed(event)`` (newest first, before any
  replacement is yielded); without that callback each is logged as a warning on
  ``ogpu.watch``. Events at least ``confirmations`` deep are only removed by a deeper reorg.
  When no processed block is left on the chain (a reorg deeper than ``reorg_window``, or a
  ``cursor`` given at start whose block was replaced) the watcher raises ``ReorgError``: it
  cannot tell what was removed. If the node's head falls below the cursor (the chain was
  rewound, or a load-balanced node lags), the watcher waits for the chain to reach the cursor
  again and then compares hashes.
- **Resume.** :attr:`Watcher.cursor` is the position of the last delivered event, or the end
  of the last range read; pass it back as ``cursor=`` (it takes precedence over
  ``from_block``) and delivery continues after it with nothing lost or repeated. A cursor
  taken from an event (:meth:`Cursor.from_event`) resumes inside that block. :meth:`Cursor.save`
  writes a cursor to a file atomically; :meth:`Cursor.load` reads it back.
- **Faults.** Transport failures, timeouts, HTTP 408/425/429/5xx and JSON-RPC errors that say
  "rate limit", "timeout", "header not found", "internal error" and the like are retried with
  exponential backoff and jitter, each retry logged as a warning on ``ogpu.watch``. After
  ``RetryPolicy.attempts`` failed attempts of one request, ``RpcError`` is raised out of the
  iterator; any other JSON-RPC error is raised at once.

The engine does not rely on the order in which a node answers the items of a batch. It does
rely on the node serving every block up to the head it reports: behind a load balancer whose
nodes lag each other, use ``confirmations``.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import inspect
import json
import logging
import os
import random
import re
import tempfile
import time
from collections.abc import AsyncGenerator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Generic, NamedTuple, TypeVar, Union

from ogpu.chain.config import ChainConfig
from ogpu.chain.rpc import RpcClient, quantity, unwrap
from ogpu.core.address import to_checksum
from ogpu.core.errors import (
    ChainNotSupportedError,
    ConfigError,
    DecodeError,
    InvalidParamsError,
    JsonRpcError,
    OGPUError,
    ReorgError,
    RpcError,
    UnsupportedOnNetworkError,
)
from ogpu.core.logs import EventSpec
from ogpu.schema.networks import NETWORKS, ChainId

__all__ = [
    "DEFAULT_MAX_RANGE",
    "DEFAULT_REORG_WINDOW",
    "Cursor",
    "RetryPolicy",
    "WatchStats",
    "Watcher",
    "Where",
    "query",
    "watch",
    "watch_many",
]

E = TypeVar("E")
T = TypeVar("T")

logger = logging.getLogger("ogpu.watch")

DEFAULT_MAX_RANGE = 2000
"""Default upper bound on the blocks one ``eth_getLogs`` spans."""

DEFAULT_REORG_WINDOW = 128
"""Default depth, in blocks below the head, over which delivered blocks are remembered."""

Where = Union[Mapping[str, object], Callable[[Any], bool]]
"""Event scoping: ``{field: value}`` (every field must match; strings such as addresses compare
case-insensitively; a list or set value matches any of its items), or a predicate."""

_SINGLETONS = frozenset({"NEXUS", "CONTROLLER", "TERMINAL", "VAULT", "MANAGER"})
_HASH = re.compile(r"^0x[0-9a-f]{64}$")
_GROW_AFTER = 4  # full-size successes before a shrunken range doubles again
_RETRY_HTTP = frozenset({408, 425, 429})
_RATE_LIMIT = re.compile(r"rate.?limit|too many requests|throttl|capacity|credits", re.I)
_RANGE_LIMIT = re.compile(
    r"more than \d+ (results|logs)|too many (results|logs|blocks)|block range|range (is )?too"
    r"|range limit|limited to|max(imum)? (block )?range|response size|response too large"
    r"|exceeds? max results|results? limit|query timeout",
    re.I,
)
_TRANSIENT = re.compile(
    r"timeout|timed out|temporar|try again|busy|overload|unavailable|header not found"
    r"|unknown block|internal error|backend|not available yet",
    re.I,
)
_SUGGESTED_RANGE = re.compile(r"\[\s*(0x[0-9a-f]+)\s*,\s*(0x[0-9a-f]+)\s*\]", re.I)


# --- cursor ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    """How far a watcher has delivered: every matching event up to this point has been yielded.

    ``block_number``/``block_hash`` name the last block processed. ``log_index`` is None when
    that whole block was processed, else the log index of the last event delivered from it
    (its later events are still to come).
    """

    block_number: int
    block_hash: str
    log_index: int | None = None

    def __post_init__(self) -> None:
        if (
            isinstance(self.block_number, bool)
            or not isinstance(self.block_number, int)
            or self.block_number < 0
        ):
            raise InvalidParamsError(
                "cursor.block_number", f"expected an int >= 0, got {self.block_number!r}"
            )
        if not isinstance(self.block_hash, str) or not _HASH.match(self.block_hash.lower()):
            raise InvalidParamsError(
                "cursor.block_hash", f"expected a 0x-prefixed 32-byte hex, got {self.block_hash!r}"
            )
        index = self.log_index
        if index is not None and (
            isinstance(index, bool) or not isinstance(index, int) or index < 0
        ):
            raise InvalidParamsError(
                "cursor.log_index", f"expected None or an int >= 0, got {index!r}"
            )
        object.__setattr__(self, "block_hash", self.block_hash.lower())

    @classmethod
    def from_event(cls, event: Any) -> Cursor:
        """The cursor just after ``event`` (any generated event dataclass)."""
        return cls(event.block_number, event.block_hash, event.log_index)

    def to_json(self) -> str:
        """``{"block_number": ..., "block_hash": ..., "log_index": ...}`` as a JSON string."""
        return json.dumps(dataclasses.asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> Cursor:
        """Parse :meth:`to_json` output; anything else raises ``DecodeError``."""
        try:
            data = json.loads(text)
            return cls(data["block_number"], data["block_hash"], data.get("log_index"))
        except (ValueError, TypeError, KeyError, AttributeError, InvalidParamsError) as exc:
            raise DecodeError("cursor", text) from exc

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the cursor to ``path`` atomically: readers see the old or the new file, whole.

        The data is written to a temporary file in the same folder, flushed to disk, and renamed
        over ``path``. An I/O failure raises ``ConfigError``.
        """
        target = Path(path)
        try:
            descriptor, temporary = tempfile.mkstemp(
                prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
            )
            try:
                with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                    handle.write(self.to_json())
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(temporary, target)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise
            _fsync_directory(target.parent)
        except OSError as exc:
            raise ConfigError(f"cannot save the cursor to {str(target)!r}: {exc}") from exc

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Cursor | None:
        """The cursor saved at ``path``, or None when there is no such file.

        A malformed file raises ``DecodeError``; another I/O failure ``ConfigError``.
        """
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise ConfigError(f"cannot read the cursor file {str(path)!r}: {exc}") from exc
        return cls.from_json(text)


def _fsync_directory(folder: Path) -> None:
    """Make a rename in ``folder`` durable (a no-op where directories cannot be opened)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


class _Mark(NamedTuple):
    """A cursor as the engine keeps it: no validation, cheap to make for every event."""

    block_number: int
    block_hash: str
    log_index: int | None = None


def _position(mark: _Mark) -> tuple[int, float]:
    return (mark.block_number, float("inf") if mark.log_index is None else mark.log_index)


# --- retries and statistics -----------------------------------------------------------------


@dataclass(frozen=True)
class RetryPolicy:
    """How one JSON-RPC request is retried.

    ``attempts``: tries of one request before ``RpcError`` is raised (>= 1). ``base_delay`` and
    ``max_delay``: the backoff before retry n is drawn from [d/2, d] with
    d = min(max_delay, base_delay * 2**(n-1)) seconds. ``timeout``: seconds per HTTP request.
    """

    attempts: int = 8
    base_delay: float = 0.5
    max_delay: float = 15.0
    timeout: float = 20.0

    def __post_init__(self) -> None:
        _check_int("retry.attempts", self.attempts, 1)
        for name in ("base_delay", "max_delay", "timeout"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise InvalidParamsError(f"retry.{name}", f"expected a number >= 0, got {value!r}")

    def delay(self, failures: int) -> float:
        """Seconds to wait after the ``failures``-th consecutive failure."""
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** (failures - 1))
        return ceiling / 2 + random.random() * ceiling / 2


@dataclass
class WatchStats:
    """Counters of one watcher or query (read them any time; the engine only adds)."""

    requests: int = 0
    """HTTP requests sent, retries included."""
    failures: int = 0
    """Requests that failed with a transient error and were retried."""
    log_queries: int = 0
    """``eth_getLogs`` ranges read successfully."""
    range_shrinks: int = 0
    """Ranges the node refused as too large."""
    reorgs: int = 0
    """Reorganisations that reached a block already processed."""
    removed: int = 0
    """Delivered events reported as removed by a reorg."""
    delivered: int = 0
    """Events yielded."""


def _classify(exc: RpcError) -> str:
    """``"range"`` (shrink and retry), ``"transient"`` (back off and retry) or ``"fatal"``."""
    if isinstance(exc, JsonRpcError):
        if _RATE_LIMIT.search(exc.reason):
            return "transient"
        if _RANGE_LIMIT.search(exc.reason):
            return "range"
        return "transient" if _TRANSIENT.search(exc.reason) or exc.code == -32603 else "fatal"
    if exc.code is None or exc.code in _RETRY_HTTP or exc.code >= 500:
        return "transient"
    return "fatal"


class _Rpc:
    """JSON-RPC for one watcher or query: batches, retries, backoff, counters."""

    def __init__(self, url: str, policy: RetryPolicy, stats: WatchStats) -> None:
        self.client = RpcClient(url, timeout=policy.timeout)
        self.policy = policy
        self.stats = stats

    def batch(self, calls: Sequence[tuple[str, Sequence[Any]]]) -> list[Any]:
        """One attempt: send ``calls`` as one batch; a failed item raises its ``JsonRpcError``."""
        self.stats.requests += 1
        replies = self.client.batch(calls)
        return [
            unwrap(reply, url=self.client.url, method=call[0])
            for reply, call in zip(replies, calls)
        ]

    def retry_later(self, method: str, reason: str) -> RpcError:
        """A transient error for an answer that cannot be used yet (e.g. a missing block)."""
        return RpcError(self.client.url, method, reason)

    async def run(self, attempt: Callable[[], T], what: str) -> T:
        """Run the blocking ``attempt`` in a worker thread until it succeeds or fails for good."""
        failures = 0
        while True:
            try:
                return await asyncio.to_thread(attempt)
            except RpcError as exc:
                failures += 1
                await asyncio.sleep(self._backoff(exc, failures, what))

    def run_sync(self, attempt: Callable[[], T], what: str) -> T:
        """:meth:`run` for synchronous callers."""
        failures = 0
        while True:
            try:
                return attempt()
            except RpcError as exc:
                failures += 1
                time.sleep(self._backoff(exc, failures, what))

    def _backoff(self, exc: RpcError, failures: int, what: str) -> float:
        """The delay before the next try; raises when ``exc`` is not retried or the budget is spent."""
        if _classify(exc) != "transient":
            raise exc
        if failures >= self.policy.attempts:
            raise RpcError(
                exc.url,
                exc.method,
                f"gave up after {failures} attempts; last error: {exc.reason}",
                code=exc.code,
            ) from exc
        self.stats.failures += 1
        delay = self.policy.delay(failures)
        logger.warning(
            "%s failed (%s: %s); retry %d of %d in %.2f s",
            what,
            exc.method,
            exc.reason,
            failures,
            self.policy.attempts - 1,
            delay,
        )
        return delay


# --- range sizing ---------------------------------------------------------------------------


class _RangeSizer:
    """How many blocks the next ``eth_getLogs`` may span."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = limit
        self._streak = 0

    def span(self, start: int, last: int) -> int:
        """The end block of the next range from ``start``, at most ``last``."""
        return min(last, start + self.size - 1)

    def shrink(self, exc: RpcError, span: int) -> None:
        """The node refused ``span`` blocks: use its suggestion if smaller, else half."""
        if span <= 1:
            raise exc
        suggested = _suggested_span(exc.reason)
        self.size = max(1, suggested if suggested is not None and suggested < span else span // 2)
        self._streak = 0

    def succeeded(self, span: int) -> None:
        """A range of ``span`` blocks was read; grow after a streak of full-size reads."""
        if span < self.size:
            return
        self._streak += 1
        if self._streak >= _GROW_AFTER and self.size < self.limit:
            self.size = min(self.limit, self.size * 2)
            self._streak = 0


def _suggested_span(reason: str) -> int | None:
    match = _SUGGESTED_RANGE.search(reason)
    if match is None:
        return None
    first, last = (int(value, 16) for value in match.groups())
    return last - first + 1 if last >= first else None


# --- what to read and how to decode it ------------------------------------------------------


@dataclass(frozen=True)
class _Selection:
    """The logs a watcher reads (addresses x topic0s) and the events it keeps."""

    # (lower-case address, topic0) -> (checksummed address, spec)
    sources: Mapping[tuple[str, str], tuple[str, EventSpec[Any]]]
    accepts: Callable[[Any], bool]

    def log_filter(self, start: int, end: int) -> dict[str, Any]:
        """The ``eth_getLogs`` filter of blocks ``start..end``: every address, every topic0."""
        addresses = sorted({address for address, _ in self.sources})
        topics = sorted({topic for _, topic in self.sources})
        return {
            "fromBlock": hex(start),
            "toBlock": hex(end),
            "address": addresses[0] if len(addresses) == 1 else addresses,
            "topics": [topics[0] if len(topics) == 1 else topics],
        }

    def decode(self, logs: Iterable[dict[str, Any]]) -> list[Any]:
        """The kept events of ``logs``, in chain order; logs of other contracts are ignored.

        The logs' ``address`` is replaced by the checksummed form (events carry it so).
        """
        keyed = []
        for log in logs:
            if log.get("removed"):
                continue
            topics = log.get("topics") or ()
            source = self.sources.get(
                (str(log.get("address", "")).lower(), str(topics[0] if topics else "").lower())
            )
            if source is not None:
                log["address"], spec = source
                keyed.append(((int(log["blockNumber"], 16), int(log["logIndex"], 16)), spec, log))
        keyed.sort(key=lambda item: item[0])
        events = (spec.decode(log) for _, spec, log in keyed)
        return [event for event in events if self.accepts(event)]


def _resolve_spec(event: EventSpec[E] | type[E]) -> EventSpec[E]:
    """The spec of ``event``: itself, or the one spec whose dataclass it is."""
    if isinstance(event, EventSpec):
        return event
    from ogpu.schema import events as generated

    matches = [spec for spec in generated.EVENT_SPECS if spec.event_class is event]
    if len(matches) == 1:
        found: EventSpec[E] = matches[0]
        return found
    if not matches:
        raise InvalidParamsError(
            "event", f"{event!r} is neither an EventSpec nor a generated event class"
        )
    names = ", ".join(
        name for name, value in vars(generated).items() if any(value is spec for spec in matches)
    )
    raise InvalidParamsError(
        "event", f"{event.__name__} comes from several contracts; pass one spec: {names}"
    )


def _network(chain: ChainId | None) -> tuple[ChainId, Any]:
    resolved = chain if chain is not None else ChainConfig.get_current_chain()
    network = NETWORKS.get(resolved) if isinstance(resolved, ChainId) else None
    if network is None:
        raise ChainNotSupportedError(chain)
    return resolved, network


def _address_of(spec: EventSpec[Any], chain: ChainId, abi_set: str, address: str | None) -> str:
    """The checksummed address of the contract emitting ``spec`` on ``chain``."""
    if abi_set not in spec.abi_sets:
        raise UnsupportedOnNetworkError(spec.contract, spec.name, chain)
    if address is not None:
        return to_checksum(address, field="address")
    if spec.contract.upper() not in _SINGLETONS:
        raise InvalidParamsError(
            "address", f"{spec.contract} is deployed once per entity; pass the contract's address="
        )
    return ChainConfig.get_contract_address(spec.contract.upper(), chain)


def _normalise(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def _predicate(
    where: Where | None, classes: Sequence[type], field_equals: Mapping[str, object]
) -> Callable[[Any], bool]:
    """One test for ``where`` and the keyword filters; unknown field names are refused."""
    if callable(where):
        if field_equals:
            raise InvalidParamsError("where", "give either a predicate or field filters, not both")
        return where
    wanted = {**(where or {}), **field_equals}
    for name in wanted:
        lacking = [
            cls.__name__ for cls in classes if name not in {f.name for f in dataclasses.fields(cls)}
        ]
        if lacking:
            raise InvalidParamsError("where", f"{', '.join(lacking)} has no field {name!r}")
    allowed = {
        name: (
            [_normalise(v) for v in value]
            if isinstance(value, (list, set, frozenset))
            else [_normalise(value)]
        )
        for name, value in wanted.items()
    }
    if not allowed:
        return lambda event: True
    return lambda event: all(
        _normalise(getattr(event, name)) in values for name, values in allowed.items()
    )


def _selection(
    specs: Sequence[EventSpec[Any]],
    chain: ChainId,
    abi_set: str,
    address: str | None,
    where: Where | None,
    field_equals: Mapping[str, object],
) -> _Selection:
    if not specs:
        raise InvalidParamsError("specs", "name at least one event")
    sources = {}
    for spec in specs:
        emitter = _address_of(spec, chain, abi_set, address)
        sources[(emitter.lower(), spec.topic0)] = (emitter, spec)
    classes = list(dict.fromkeys(spec.event_class for spec in specs))
    return _Selection(sources, _predicate(where, classes, field_equals))


def _check_int(name: str, value: object, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidParamsError(name, f"expected an int >= {minimum}, got {value!r}")


def _decode_answer(selection: _Selection, logs: Any, rpc: _Rpc) -> list[Any]:
    """Decode an ``eth_getLogs`` answer; a malformed one is a transient ``RpcError`` (read again).

    A log of a watched contract and topic that does not decode raises ``DecodeError``.
    """
    try:
        return selection.decode(logs)
    except OGPUError:
        raise
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        reason = f"malformed answer ({type(exc).__name__}: {exc})"
        raise RpcError(rpc.client.url, "eth_getLogs", reason) from exc


def _header_call(number: int) -> tuple[str, list[Any]]:
    return ("eth_getBlockByNumber", [hex(number), False])


def _hash_of(header: Any) -> str | None:
    return str(header["hash"]).lower() if isinstance(header, Mapping) else None


# --- the watcher ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Range:
    """One range read: its end block and hash, its events, and whether the cursor still held."""

    start: int
    end: int
    end_hash: str
    events: list[Any]
    linked: bool


class Watcher(Generic[E]):
    """An async iterator of events: ``async for event in watcher``. Made by :func:`watch`.

    :attr:`cursor` tells how far delivery has got and :attr:`stats` counts the work done;
    :meth:`aclose` stops it (leaving an ``async for`` early does too, once it is collected).
    """

    def __init__(
        self,
        selection: _Selection,
        rpc: _Rpc,
        *,
        start: int | None,
        cursor: Cursor | None,
        confirmations: int,
        poll_interval: float,
        max_range: int,
        reorg_window: int,
        on_removed: Callable[[E], object] | None,
    ) -> None:
        self._selection = selection
        self._rpc = rpc
        self._start = start
        self._cursor = _Mark(*dataclasses.astuple(cursor)) if cursor else None
        self._confirmations = confirmations
        self._poll_interval = poll_interval
        self._sizer = _RangeSizer(max_range)
        self._reorg_window = reorg_window
        self._on_removed = on_removed
        self._anchors: dict[int, _Mark] = (
            {self._cursor.block_number: self._cursor} if self._cursor else {}
        )
        self._delivered: dict[int, list[E]] = {}
        self._head = -1
        self._waiting = False  # for the node to reach the cursor block again
        self._stream = self._run()

    @property
    def cursor(self) -> Cursor | None:
        """The last delivered event's position, or the end of the last range read (None before)."""
        return Cursor(*self._cursor) if self._cursor else None

    @property
    def stats(self) -> WatchStats:
        """Requests, retries, ranges, reorgs and events so far."""
        return self._rpc.stats

    def __aiter__(self) -> Watcher[E]:
        return self

    async def __anext__(self) -> E:
        return await self._stream.__anext__()

    async def aclose(self) -> None:
        """Stop watching."""
        await self._stream.aclose()

    async def _run(self) -> AsyncGenerator[E, None]:
        while True:
            target = await self._poll()
            while target is not None and self._next_block() <= target:
                found = await self._read_next(target)
                if found is None:
                    break
                for event in found.events:
                    if self._accept(event):
                        yield event
                self._finish(found)
            await asyncio.sleep(self._poll_interval)

    def _next_block(self) -> int:
        cursor = self._cursor
        if cursor is None:
            assert self._start is not None, "set by the first poll"
            return self._start
        return cursor.block_number + (1 if cursor.log_index is None else 0)

    async def _poll(self) -> int | None:
        """Read the head (and check the cursor); return the newest block to read, or None to wait."""
        cursor = self._cursor
        calls = [("eth_blockNumber", [])] + ([_header_call(cursor.block_number)] if cursor else [])
        replies = await self._rpc.run(partial(self._rpc.batch, calls), "poll")
        self._head = quantity(replies[0], url=self._rpc.client.url, method="eth_blockNumber")
        target = self._head - self._confirmations
        if cursor is None:
            if self._start is None:
                self._start = max(0, target + 1)
            return target
        actual = _hash_of(replies[1])
        if actual is None:  # the node lags, or the chain was rewound
            if not self._waiting:
                logger.warning(
                    "the node's head %d is below block %d, processed already; waiting for it",
                    self._head,
                    cursor.block_number,
                )
            self._waiting = True
            return None
        self._waiting = False
        if actual != cursor.block_hash:
            await self._rewind()
        return target

    async def _read_next(self, target: int) -> _Range | None:
        """Read the next range up to ``target``; None when the cursor no longer holds."""
        while True:
            start = self._next_block()
            end = self._sizer.span(start, target)
            try:
                found = await self._rpc.run(partial(self._read_range, start, end), "eth_getLogs")
            except RpcError as exc:
                if _classify(exc) != "range":
                    raise
                self._sizer.shrink(exc, end - start + 1)
                self.stats.range_shrinks += 1
                continue
            if not found.linked:
                await self._rewind()
                return None
            return found

    def _read_range(self, start: int, end: int) -> _Range:
        """One attempt, in a worker thread: the events of ``start..end``, decoded.

        Within ``reorg_window`` of the head this is three requests in sequence: the headers of
        the cursor block and of ``end``, the logs, the same headers again. Equal hashes before
        and after mean the logs come from a chain that held both blocks throughout, whatever
        order the node answers the items of a batch in. Deeper ranges take one request.
        """
        cursor = self._cursor
        numbers = [end] + ([cursor.block_number] if cursor else [])
        logs_call = ("eth_getLogs", [self._selection.log_filter(start, end)])
        if end <= self._head - self._reorg_window:
            *headers, logs = self._rpc.batch([*map(_header_call, numbers), logs_call])
            before = after = [_hash_of(header) for header in headers]
        else:
            before = self._hashes(numbers)
            (logs,) = self._rpc.batch([logs_call])
            after = self._hashes(numbers)
        if before != after:
            raise self._rpc.retry_later(
                "eth_getLogs", f"the chain changed while reading {start}..{end}"
            )
        end_hash = before[0]
        if end_hash is None:
            raise self._rpc.retry_later("eth_getBlockByNumber", f"block {end} is not available yet")
        linked = cursor is None or before[1] == cursor.block_hash
        events = _decode_answer(self._selection, logs, self._rpc) if linked else []
        self.stats.log_queries += 1
        return _Range(start, end, end_hash, events, linked)

    def _hashes(self, numbers: Sequence[int]) -> list[str | None]:
        """One request: the hashes of blocks ``numbers`` (None where the node has no block)."""
        return [_hash_of(header) for header in self._rpc.batch([*map(_header_call, numbers)])]

    def _accept(self, event: E) -> bool:
        """Move the cursor onto ``event`` and record it, unless it is not past the cursor.

        This is the deduplication: every range read has checked that the chain still holds
        the cursor block, so an event at or before the cursor's position is one delivered.
        """
        number: int = getattr(event, "block_number")
        index: int = getattr(event, "log_index")
        cursor = self._cursor
        if cursor is not None and (
            number < cursor.block_number
            or (
                number == cursor.block_number
                and (cursor.log_index is None or index <= cursor.log_index)
            )
        ):
            return False
        self._delivered.setdefault(number, []).append(event)
        self._cursor = self._anchors[number] = _Mark(number, getattr(event, "block_hash"), index)
        self._rpc.stats.delivered += 1
        return True

    def _finish(self, found: _Range) -> None:
        """The whole range was delivered: move the cursor to its end and forget old blocks."""
        self._cursor = self._anchors[found.end] = _Mark(found.end, found.end_hash)
        self._sizer.succeeded(found.end - found.start + 1)
        floor = self._head - self._reorg_window
        for number in [n for n in self._anchors if n < floor and n != found.end]:
            del self._anchors[number]
        for number in [n for n in self._delivered if n < floor]:
            del self._delivered[number]

    async def _rewind(self) -> None:
        """The cursor block was replaced: go back to the newest processed block still on chain.

        That is the newest remembered block below the oldest one whose hash changed, so a view
        of the chain taken while it changed cannot make the watcher skip a replaced block.
        """
        assert self._cursor is not None
        anchors = sorted(self._anchors.values(), key=_position)
        numbers = sorted({anchor.block_number for anchor in anchors})
        hashes = await self._rpc.run(partial(self._hashes, numbers), "reorg check")
        canonical = dict(zip(numbers, hashes))
        changed = [a for a in anchors if canonical[a.block_number] != a.block_hash]
        if not changed:
            return  # the node shows the chain as processed again
        if changed[0] is anchors[0]:
            lost = changed[0]
            raise ReorgError(lost.block_number, lost.block_hash, canonical[lost.block_number])
        fork = anchors[anchors.index(changed[0]) - 1]
        removed = self._forget_after(fork.block_number)
        logger.warning(
            "chain reorganisation: block %d changed; resuming after block %d; "
            "%d delivered events removed",
            self._cursor.block_number,
            fork.block_number,
            len(removed),
        )
        self._cursor = fork
        self.stats.reorgs += 1
        for event in removed:
            await self._report_removed(event)

    def _forget_after(self, number: int) -> list[E]:
        """Drop what was recorded above block ``number``; return its events, newest first."""
        for block in [n for n in self._anchors if n > number]:
            del self._anchors[block]
        removed: list[E] = []
        for block in sorted((n for n in self._delivered if n > number), reverse=True):
            removed.extend(reversed(self._delivered.pop(block)))
        return removed

    async def _report_removed(self, event: E) -> None:
        self.stats.removed += 1
        if self._on_removed is None:
            logger.warning("event removed by a chain reorganisation: %r", event)
            return
        outcome = self._on_removed(event)
        if inspect.isawaitable(outcome):
            await outcome


# --- public entry points --------------------------------------------------------------------


def watch(
    event: EventSpec[E] | type[E],
    *,
    from_block: int | None = None,
    poll_interval: float = 2.0,
    confirmations: int | None = None,
    chain: ChainId | None = None,
    cursor: Cursor | None = None,
    where: Where | None = None,
    address: str | None = None,
    on_removed: Callable[[E], object] | None = None,
    max_range: int = DEFAULT_MAX_RANGE,
    retry: RetryPolicy | None = None,
    reorg_window: int = DEFAULT_REORG_WINDOW,
    **field_equals: object,
) -> Watcher[E]:
    """Follow one event type: ``async for e in watch(ogpu.events.AttemptedEvent, task=addr)``.

    ``event``: an ``EventSpec`` (``ogpu.events.NEXUS_ATTEMPTED``) or an event dataclass that
    one contract emits. ``from_block``: None starts after the newest block that is
    ``confirmations`` deep (events not yet that deep when the watcher starts still come); a
    number backfills from that block. ``cursor``: resume after it (overrides ``from_block``).
    ``confirmations``: None takes the network default. ``where`` and ``**field_equals``: scoping,
    see :data:`Where`. ``address``: the emitting contract, required for per-entity contracts
    (Source, Task, Response), else the network's singleton. ``on_removed``: called (awaited if
    it returns an awaitable) with each delivered event a reorg removes. ``max_range``: blocks
    per ``eth_getLogs`` at most. ``retry``: see :class:`RetryPolicy`. ``reorg_window``: how
    many blocks below the head delivered blocks are remembered for reorg handling.

    Invalid arguments raise ``InvalidParamsError`` here; RPC failures are raised by the
    iterator (see the module docstring for every rule).
    """
    spec = _resolve_spec(event)
    return _make_watcher(
        [spec],
        address=address,
        where=where,
        field_equals=field_equals,
        from_block=from_block,
        poll_interval=poll_interval,
        confirmations=confirmations,
        chain=chain,
        cursor=cursor,
        on_removed=on_removed,
        max_range=max_range,
        retry=retry,
        reorg_window=reorg_window,
    )


def watch_many(
    events: Sequence[EventSpec[Any] | type],
    *,
    from_block: int | None = None,
    poll_interval: float = 2.0,
    confirmations: int | None = None,
    chain: ChainId | None = None,
    cursor: Cursor | None = None,
    where: Where | None = None,
    on_removed: Callable[[Any], object] | None = None,
    max_range: int = DEFAULT_MAX_RANGE,
    retry: RetryPolicy | None = None,
    reorg_window: int = DEFAULT_REORG_WINDOW,
    **field_equals: object,
) -> Watcher[Any]:
    """Follow several event types of the network's singleton contracts in one polling loop.

    Each poll is one ``eth_getLogs`` whose filter lists every address and every topic0; events
    of all the types come interleaved in chain order. A ``where`` mapping (or field keyword)
    must name a field every one of the event types has; use a predicate otherwise. The other
    arguments are those of :func:`watch`.
    """
    specs = [_resolve_spec(event) for event in events]
    return _make_watcher(
        specs,
        address=None,
        where=where,
        field_equals=field_equals,
        from_block=from_block,
        poll_interval=poll_interval,
        confirmations=confirmations,
        chain=chain,
        cursor=cursor,
        on_removed=on_removed,
        max_range=max_range,
        retry=retry,
        reorg_window=reorg_window,
    )


def _make_watcher(
    specs: Sequence[EventSpec[Any]],
    *,
    address: str | None,
    where: Where | None,
    field_equals: Mapping[str, object],
    from_block: int | None,
    poll_interval: float,
    confirmations: int | None,
    chain: ChainId | None,
    cursor: Cursor | None,
    on_removed: Callable[[Any], object] | None,
    max_range: int,
    retry: RetryPolicy | None,
    reorg_window: int,
) -> Watcher[Any]:
    resolved, network = _network(chain)
    depth = network.confirmations if confirmations is None else confirmations
    _check_int("confirmations", depth, 0)
    _check_int("max_range", max_range, 1)
    _check_int("reorg_window", reorg_window, 1)
    if from_block is not None:
        _check_int("from_block", from_block, 0)
    if (
        isinstance(poll_interval, bool)
        or not isinstance(poll_interval, (int, float))
        or poll_interval < 0
    ):
        raise InvalidParamsError(
            "poll_interval", f"expected a number of seconds >= 0, got {poll_interval!r}"
        )
    if cursor is not None and not isinstance(cursor, Cursor):
        raise InvalidParamsError("cursor", f"expected a Cursor, got {type(cursor).__name__}")
    selection = _selection(specs, resolved, network.abi_set, address, where, field_equals)
    rpc = _Rpc(ChainConfig.get_rpc(resolved), retry or RetryPolicy(), WatchStats())
    return Watcher(
        selection,
        rpc,
        start=from_block,
        cursor=cursor,
        confirmations=depth,
        poll_interval=float(poll_interval),
        max_range=max_range,
        reorg_window=reorg_window,
        on_removed=on_removed,
    )


def query(
    event: EventSpec[E] | type[E],
    from_block: int,
    to_block: int | None = None,
    *,
    where: Where | None = None,
    chain: ChainId | None = None,
    address: str | None = None,
    max_range: int = DEFAULT_MAX_RANGE,
    retry: RetryPolicy | None = None,
    **field_equals: object,
) -> list[E]:
    """The events of ``from_block..to_block`` (inclusive; ``to_block=None``: the head), in order.

    Synchronous, so the sync SDK can use it (from async code, run it with
    ``asyncio.to_thread``). Reads ranges of at most ``max_range`` blocks, shrinking them when
    the node refuses, and retries transient failures like :func:`watch`; takes no
    confirmations and does no reorg handling: ask for blocks deep enough to be final.
    """
    spec = _resolve_spec(event)
    resolved, network = _network(chain)
    _check_int("from_block", from_block, 0)
    _check_int("max_range", max_range, 1)
    selection = _selection([spec], resolved, network.abi_set, address, where, field_equals)
    rpc = _Rpc(ChainConfig.get_rpc(resolved), retry or RetryPolicy(), WatchStats())
    if to_block is None:
        head = rpc.run_sync(partial(rpc.batch, [("eth_blockNumber", [])]), "eth_blockNumber")[0]
        to_block = quantity(head, url=rpc.client.url, method="eth_blockNumber")
    _check_int("to_block", to_block, 0)
    return _read_history(selection, rpc, _RangeSizer(max_range), from_block, to_block)


def _read_history(
    selection: _Selection, rpc: _Rpc, sizer: _RangeSizer, start: int, last: int
) -> list[Any]:
    events: list[Any] = []
    while start <= last:
        end = sizer.span(start, last)
        try:
            events.extend(
                rpc.run_sync(partial(_read_logs, selection, rpc, start, end), "eth_getLogs")
            )
        except RpcError as exc:
            if _classify(exc) != "range":
                raise
            sizer.shrink(exc, end - start + 1)
            rpc.stats.range_shrinks += 1
            continue
        rpc.stats.log_queries += 1
        sizer.succeeded(end - start + 1)
        start = end + 1
    return events


def _read_logs(selection: _Selection, rpc: _Rpc, start: int, end: int) -> list[Any]:
    """One attempt: the kept events of ``start..end``."""
    (logs,) = rpc.batch([("eth_getLogs", [selection.log_filter(start, end)])])
    return _decode_answer(selection, logs, rpc)
