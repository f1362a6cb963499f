"""Process-wide IPFS settings: :class:`IPFSConfig`, :func:`configure`, :func:`get_config`.

The defaults are ogpu 0.2.1's values (the network's pinning endpoint and gateway, 30 s), with
retries, a size cap and CID verification added. Nothing is read from the environment and no
I/O happens at import; call :func:`configure` to change a setting for the whole process, or
pass ``config=`` to a single call.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

from ogpu.core.errors import ConfigError

__all__ = [
    "IPFSConfig",
    "PublishBackend",
    "DEFAULT_PUBLISH_URL",
    "DEFAULT_GATEWAYS",
    "DEFAULT_KUBO_API_URL",
    "DEFAULT_MAX_BYTES",
    "configure",
    "get_config",
    "reset_config",
]

PublishBackend = Literal["pinning", "kubo"]

DEFAULT_PUBLISH_URL = "https://capi.ogpuscan.io/file/create"
DEFAULT_GATEWAYS = ("https://cipfs.ogpuscan.io",)
DEFAULT_KUBO_API_URL = "http://127.0.0.1:5001"
DEFAULT_MAX_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class IPFSConfig:
    """Where to publish, which gateways to read from, and how hard to try.

    ``publish_backend``: ``"pinning"`` posts the file as multipart field ``file`` to
    ``publish_url`` and returns the ``link`` of its JSON answer; ``"kubo"`` adds it through the
    Kubo-compatible RPC API at ``kubo_api_url`` (CIDv``kubo_cid_version``; version 1 uses raw
    leaves) and returns ``{gateways[0]}/ipfs/{cid}``.
    ``gateways``: gateway origins tried in order for IPFS URLs, after the URL's own gateway.
    ``timeout``: seconds per HTTP attempt (connect, each read and the whole body).
    ``retries``: extra attempts after a transport error, HTTP 5xx or 429, waiting
    ``backoff * 2**n`` seconds before retry ``n + 1``; a 4xx is final.
    ``max_bytes``: the largest body read; a bigger one is cut off with an error.
    ``verify``: check that bytes fetched for a URL naming a CID are that CID's content.
    """

    publish_backend: PublishBackend = "pinning"
    publish_url: str = DEFAULT_PUBLISH_URL
    kubo_api_url: str = DEFAULT_KUBO_API_URL
    kubo_cid_version: int = 1
    gateways: tuple[str, ...] = field(default=DEFAULT_GATEWAYS)
    timeout: float = 30.0
    retries: int = 2
    backoff: float = 0.5
    max_bytes: int = DEFAULT_MAX_BYTES
    verify: bool = True

    def __post_init__(self) -> None:
        if self.publish_backend not in ("pinning", "kubo"):
            raise ConfigError(
                f"publish_backend must be 'pinning' or 'kubo', not {self.publish_backend!r}"
            )
        if self.kubo_cid_version not in (0, 1):
            raise ConfigError(f"kubo_cid_version must be 0 or 1, not {self.kubo_cid_version!r}")
        gateways = (self.gateways,) if isinstance(self.gateways, str) else tuple(self.gateways)
        if not gateways:
            raise ConfigError("gateways must name at least one gateway")
        object.__setattr__(self, "gateways", tuple(_http_url(url, "gateway") for url in gateways))
        object.__setattr__(self, "publish_url", _http_url(self.publish_url, "publish_url"))
        object.__setattr__(self, "kubo_api_url", _http_url(self.kubo_api_url, "kubo_api_url"))
        if not self.timeout > 0:
            raise ConfigError(f"timeout must be positive, not {self.timeout!r}")
        if self.retries < 0 or self.backoff < 0:
            raise ConfigError("retries and backoff must not be negative")
        if self.max_bytes <= 0:
            raise ConfigError(f"max_bytes must be positive, not {self.max_bytes!r}")

    def replace(self, **changes: Any) -> IPFSConfig:
        """A copy with ``changes`` applied; an unknown name raises :class:`ConfigError`."""
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise ConfigError(f"unknown IPFS setting(s): {', '.join(sorted(unknown))}")
        return dataclasses.replace(self, **changes)


def _http_url(url: str, what: str) -> str:
    """Check that ``url`` is an absolute http(s) URL; return it without a trailing slash."""
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{what} must be an http(s) URL, not {url!r}")
    return url.rstrip("/")


_current = IPFSConfig()


def get_config() -> IPFSConfig:
    """The settings in force for this process."""
    return _current


def configure(**changes: Any) -> IPFSConfig:
    """Change process-wide settings (keyword names of :class:`IPFSConfig`); return the result."""
    global _current
    _current = _current.replace(**changes)
    return _current


def reset_config() -> IPFSConfig:
    """Restore the defaults; return them."""
    global _current
    _current = IPFSConfig()
    return _current
