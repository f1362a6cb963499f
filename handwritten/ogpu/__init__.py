"""ogpu: the Python SDK for the OpenGPU Network.

``import ogpu`` does no network I/O, reads no dotenv file and changes no logging. Sub-packages
load on first attribute access (``ogpu.protocol``, ``ogpu.events``, ``ogpu.service``...).
"""

from __future__ import annotations

import importlib
from pkgutil import extend_path
from typing import TYPE_CHECKING, Any

# In a source checkout the package is split over handwritten/ and generated/; an installed
# wheel merges both into one folder. extend_path makes the checkout behave like the wheel.
__path__ = extend_path(__path__, __name__)

__version__ = "0.3.0"

_SUBMODULES = ("agent", "chain", "client", "events", "ipfs", "protocol", "types")
# Reachable as attributes too, outside the 0.2.1 ``__all__``: the provider runtime's helpers and
# the local devnet.
_EXTRA = ("provider", "devnet")
_LAZY = {
    "ChainConfig": "ogpu.chain",
    "ChainId": "ogpu.chain",
    "fix_nonce": "ogpu.chain",
    "reset_nonce_cache": "ogpu.chain",
    "clear_all_nonce_caches": "ogpu.chain",
    "get_nonce_info": "ogpu.chain",
    "publish_to_ipfs": "ogpu.ipfs",
    "fetch_ipfs_json": "ogpu.ipfs",
}

__all__ = [*_SUBMODULES, *_LAZY, "__version__"]

if TYPE_CHECKING:  # pragma: no cover
    from ogpu import agent, chain, client, events, ipfs, protocol, types
    from ogpu.chain import (
        ChainConfig,
        ChainId,
        clear_all_nonce_caches,
        fix_nonce,
        get_nonce_info,
        reset_nonce_cache,
    )
    from ogpu.ipfs import fetch_ipfs_json, publish_to_ipfs


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES or name in _EXTRA:
        return importlib.import_module(f"ogpu.{name}")
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'ogpu' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
