"""Decoding raw logs into the generated event dataclasses, with eth-abi and nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Generic, Mapping, TypeVar

from eth_abi.abi import decode as abi_decode

from ogpu.core.address import to_checksum
from ogpu.core.errors import DecodeError

E = TypeVar("E")

__all__ = ["EventSpec", "LogMeta", "decode_log", "log_meta", "register_events"]


@dataclass(frozen=True)
class LogMeta:
    """Where a log sits in the chain."""

    address: str
    block_number: int
    block_hash: str
    transaction_hash: str
    log_index: int
    removed: bool = False


def _int(value: Any) -> int:
    return value if isinstance(value, int) else int(value, 16)


def _hex(value: Any) -> str:
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    text = str(value).lower()
    return text if text.startswith("0x") else "0x" + text


def log_meta(log: Mapping[str, Any]) -> LogMeta:
    """Position fields of a JSON-RPC (hex strings) or web3 (ints, HexBytes) log."""
    return LogMeta(
        address=to_checksum(str(log["address"]), field="log address") if log.get("address") else "",
        block_number=_int(log["blockNumber"]),
        block_hash=_hex(log.get("blockHash") or ""),
        transaction_hash=_hex(log["transactionHash"]),
        log_index=_int(log["logIndex"]),
        removed=bool(log.get("removed", False)),
    )


@dataclass(frozen=True)
class EventSpec(Generic[E]):
    """Everything needed to recognise and decode one event, known at generation time."""

    contract: str
    name: str
    signature: str
    topic0: str
    abi_sets: frozenset[str]
    indexed_types: tuple[str, ...]
    data_types: tuple[str, ...]
    event_class: type[E]
    build: Callable[[tuple[Any, ...], tuple[Any, ...], LogMeta], E]
    scope_field: str | None = None

    def decode(self, log: Mapping[str, Any]) -> E:
        """Decode one raw log of this event; malformed logs raise ``DecodeError``."""
        topics: list[Any] = list(log.get("topics") or ())
        if len(topics) != 1 + len(self.indexed_types) or _hex(topics[0]) != self.topic0:
            raise DecodeError(self.name, log)
        try:
            indexed = tuple(
                abi_decode((typ,), bytes.fromhex(_hex(topic)[2:]))[0]
                for typ, topic in zip(self.indexed_types, topics[1:])
            )
            data = log.get("data") or b""
            raw = (
                bytes(data)
                if isinstance(data, (bytes, bytearray))
                else bytes.fromhex(_hex(data)[2:])
            )
            values = abi_decode(self.data_types, raw) if self.data_types else ()
        except Exception as exc:  # eth-abi raises several unrelated types for bad input
            raise DecodeError(self.name, log) from exc
        return self.build(indexed, tuple(values), log_meta(log))


# topic0 -> specs of every generated package imported in this process (ogpu and any fork
# built on its runtime), so a Receipt decodes the logs of every known contract.
_REGISTRY: dict[str, list[EventSpec[Any]]] = {}


def register_events(specs: tuple[EventSpec[Any], ...]) -> None:
    """Make ``specs`` known to :func:`decode_log`; generated event modules call this."""
    for spec in specs:
        known = _REGISTRY.setdefault(spec.topic0, [])
        if spec not in known:
            known.append(spec)


def decode_log(log: Mapping[str, Any]) -> object | None:
    """Decode a raw log with the registered specs, or None when no known event matches."""
    topics = log.get("topics") or ()
    if not topics:
        return None
    for spec in _REGISTRY.get(_hex(topics[0]), ()):
        try:
            decoded: object = spec.decode(log)
        except DecodeError:  # same topic, other indexing (another contract's event)
            continue
        return decoded
    return None
