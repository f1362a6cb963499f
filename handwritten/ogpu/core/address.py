"""Offline address normalisation (defect 13): no RPC is needed to checksum an address."""

from __future__ import annotations

import functools
import re

from eth_hash.auto import keccak

from ogpu.core.errors import InvalidAddressError

__all__ = ["ZERO_ADDRESS", "to_checksum"]

ZERO_ADDRESS = "0x" + "0" * 40
"""The zero address, ``0x`` followed by 40 zeros."""

_HEX40 = re.compile(r"[0-9a-fA-F]{40}")


def to_checksum(value: object, *, field: str = "address") -> str:
    """Return ``value`` as an EIP-55 checksummed address.

    All-lower-case and all-upper-case hex is accepted as is; mixed case must carry a correct
    checksum. ``field`` names the argument in the error. Raises :class:`InvalidAddressError` for
    a value that is not a ``str``, lacks the ``0x`` prefix, has the wrong length, holds a non-hex
    character, or has a wrong checksum.
    """
    if not isinstance(value, str):
        raise InvalidAddressError(value, f"{field} must be a str, not {type(value).__name__}")
    return _checksum_str(value, field)


@functools.lru_cache(maxsize=4096)
def _checksum_str(value: str, field: str) -> str:
    if not value.startswith(("0x", "0X")):
        raise InvalidAddressError(value, f"{field} must start with 0x")
    body = value[2:]
    if len(body) != 40:
        raise InvalidAddressError(value, f"{field} must have 40 hex digits, not {len(body)}")
    if not _HEX40.fullmatch(body):
        raise InvalidAddressError(value, f"{field} holds a non-hex character")
    checksummed = _eip55(body.lower())
    mixed = body != body.lower() and body != body.upper()
    if mixed and body != checksummed[2:]:
        raise InvalidAddressError(value, f"{field} has a wrong EIP-55 checksum")
    return checksummed


def _eip55(lower_hex: str) -> str:
    digest = keccak(lower_hex.encode("ascii")).hex()
    chars = (c.upper() if int(d, 16) >= 8 else c for c, d in zip(lower_hex, digest))
    return "0x" + "".join(chars)
