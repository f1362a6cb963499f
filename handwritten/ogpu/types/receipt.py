"""``Receipt``: what every write returns (api.md 3.2).

A ``Receipt`` also stands in for its transaction hash, so code written for 0.2.1 functions that
returned the hash string keeps working: ``str()`` and ``format()`` give the hash, ``==`` against a
``str`` compares the hash case-insensitively, and ``hash()`` is the hash of ``tx_hash``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from ogpu.core.address import to_checksum
from ogpu.core.errors import DecodeError

__all__ = ["Receipt"]


@dataclass(frozen=True, eq=False)
class Receipt:
    """A mined, successful transaction.

    ``logs`` holds the raw logs in web3's shape (``AttributeDict`` with ``HexBytes`` topics and
    data); ``events`` holds those logs decoded into the SDK's event dataclasses, in log order,
    leaving out logs of unknown contracts. ``timestamp`` is the timestamp of the receipt's block.
    """

    tx_hash: str
    block_number: int
    gas_used: int
    status: int
    logs: list[Any] = field(default_factory=list, repr=False)
    timestamp: int = 0
    block_hash: str = ""
    from_address: str = ""
    to_address: str | None = None
    effective_gas_price: int = 0
    events: tuple[object, ...] = ()

    @classmethod
    def from_web3_receipt(cls, receipt: Mapping[str, Any], timestamp: int = 0) -> Receipt:
        """Build a ``Receipt`` from a node's receipt.

        Accepts web3's formatted receipt (ints, ``HexBytes``) as well as the raw JSON-RPC one
        (hex strings). Hashes become lower-case ``0x`` strings and addresses are checksummed.
        """
        raw_logs = [_raw_log(log) for log in receipt.get("logs") or ()]
        sender, to = receipt.get("from"), receipt.get("to")
        return cls(
            tx_hash=_hash_str(receipt["transactionHash"]),
            block_number=_int(receipt["blockNumber"]),
            gas_used=_int(receipt["gasUsed"]),
            status=_int(receipt["status"]),
            logs=[_web3_log(log) for log in raw_logs],
            timestamp=timestamp,
            block_hash=_hash_str(receipt.get("blockHash") or ""),
            from_address=_address(sender) if sender else "",
            to_address=_address(to) if to else None,
            effective_gas_price=_int(receipt.get("effectiveGasPrice") or 0),
            events=_decode_events(raw_logs),
        )

    def __str__(self) -> str:
        return self.tx_hash

    def __format__(self, format_spec: str) -> str:
        return format(self.tx_hash, format_spec)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return other.lower() == self.tx_hash.lower()
        if isinstance(other, Receipt):
            return all(getattr(self, f.name) == getattr(other, f.name) for f in fields(self))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.tx_hash)


def _decode_events(raw_logs: Iterable[Mapping[str, Any]]) -> tuple[object, ...]:
    """Decode logs with the event specs of every generated package imported so far."""
    from ogpu.core.logs import decode_log

    decoded = (decode_log(log) for log in raw_logs)
    return tuple(event for event in decoded if event is not None)


def _raw_log(log: Mapping[str, Any]) -> dict[str, Any]:
    """A log in the JSON-RPC shape ``eth_getLogs`` returns: hex strings throughout."""
    return {
        "address": _address(log["address"]),
        "topics": [_hash_str(t) for t in log.get("topics") or ()],
        "data": _hex(log.get("data") or b""),
        "blockNumber": hex(_int(log["blockNumber"])),
        "blockHash": _hash_str(log.get("blockHash") or ""),
        "transactionHash": _hash_str(log.get("transactionHash") or ""),
        "transactionIndex": hex(_int(log.get("transactionIndex") or 0)),
        "logIndex": hex(_int(log.get("logIndex") or 0)),
        "removed": bool(log.get("removed", False)),
    }


def _web3_log(raw: Mapping[str, Any]) -> Any:
    """The same log in web3's shape, as 0.2.1 exposed it."""
    from hexbytes import HexBytes
    from web3.datastructures import AttributeDict

    return AttributeDict(
        {
            "address": raw["address"],
            "topics": [HexBytes(t) for t in raw["topics"]],
            "data": HexBytes(raw["data"]),
            "blockNumber": int(raw["blockNumber"], 16),
            "blockHash": HexBytes(raw["blockHash"]) if raw["blockHash"] else None,
            "transactionHash": HexBytes(raw["transactionHash"]) if raw["transactionHash"] else None,
            "transactionIndex": int(raw["transactionIndex"], 16),
            "logIndex": int(raw["logIndex"], 16),
            "removed": raw["removed"],
        }
    )


def _int(value: object) -> int:
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        return int(value, 16) if value.startswith(("0x", "0X")) else int(value)
    raise DecodeError("an integer receipt field", value)


def _hex(value: object) -> str:
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    if isinstance(value, str):
        return value.lower() if value.startswith(("0x", "0X")) else "0x" + value.lower()
    raise DecodeError("a hex receipt field", value)


def _hash_str(value: object) -> str:
    return _hex(value) if value else ""


def _address(value: object) -> str:
    return to_checksum(value if isinstance(value, str) else _hex(value))
