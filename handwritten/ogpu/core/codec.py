"""Small pure conversions the generated code uses between Python values and eth-abi values."""

from __future__ import annotations

from enum import Enum
from typing import Any, Callable, TypeVar, overload

from ogpu.core.address import ZERO_ADDRESS, to_checksum
from ogpu.core.errors import DecodeError

E = TypeVar("E", bound=Enum)
T = TypeVar("T")

__all__ = ["ZERO_ADDRESS", "checksum", "none_if_zero", "to_address", "to_enum"]


def to_address(value: object, field: str) -> str:
    """Normalise a user-supplied address offline; ``InvalidAddressError`` names ``field``.

    Accepts a ``str`` or anything with an ``address`` attribute (``Task``, ``LocalAccount``).
    """
    if not isinstance(value, str):
        value = getattr(value, "address", value)
    return to_checksum(value, field=field)


def checksum(value: str) -> str:
    """EIP-55 form of an address eth-abi decoded (lower case); cached in ``to_checksum``."""
    return to_checksum(value, field="decoded address")


def to_enum(cls: type[E], value: Any) -> E:
    """Decode an on-chain integer into ``cls``; an unknown value is a typed ``DecodeError``."""
    try:
        return cls(value)
    except ValueError as exc:
        raise DecodeError(cls.__name__, value) from exc


@overload
def none_if_zero(address: str) -> str | None: ...
@overload
def none_if_zero(address: str, factory: Callable[[str], T]) -> T | None: ...
def none_if_zero(address: str, factory: Callable[[str], Any] | None = None) -> Any:
    """None for the zero address, else the address (or ``factory(address)``)."""
    if int(address, 16) == 0:
        return None
    return factory(address) if factory is not None else address
