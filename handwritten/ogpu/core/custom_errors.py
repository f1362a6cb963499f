"""Registry of the ABIs' custom errors (``error X(...)``) of every generated package loaded.

Generated ``schema/errors.py`` modules register their classes; the revert decoder looks the
4-byte selector up here, so a fork's package built on this runtime decodes its own errors too.
"""

from __future__ import annotations

from typing import Mapping

from ogpu.core.errors import ContractCustomError

__all__ = ["decode_custom_error", "register_custom_errors"]

_REGISTRY: dict[bytes, type[ContractCustomError]] = {}


def register_custom_errors(errors: Mapping[bytes, type[ContractCustomError]]) -> None:
    """Make ``selector -> class`` pairs known to :func:`decode_custom_error`."""
    _REGISTRY.update(errors)


def decode_custom_error(data: bytes) -> ContractCustomError | None:
    """The typed error for revert ``data``, or None for an unknown selector or bad arguments."""
    cls = _REGISTRY.get(bytes(data[:4]))
    if cls is None:
        return None
    try:
        return cls.decode(bytes(data[4:]))
    except Exception:  # eth-abi raises several unrelated types for malformed arguments
        return None
