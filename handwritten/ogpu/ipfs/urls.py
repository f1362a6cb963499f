"""Recognising IPFS URLs: ``ipfs://CID[/path]`` and gateway URLs that name a CID.

Gateway URLs come in two styles: path (``https://host[/prefix]/ipfs/CID[/path]``) and subdomain
(``https://CID.ipfs.host/[path]``, when the first label parses as a CID, so that a host such as
``docs.ipfs.tech`` stays a plain host). Anything else over http(s) is a plain URL, fetched as is.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from ogpu.ipfs.cid import CID

__all__ = ["IPFSTarget", "parse_ipfs_url"]


@dataclass(frozen=True)
class IPFSTarget:
    """The CID (as written), the path below it and the URL's own gateway origin, if any."""

    cid: str
    path: str = ""  # "" or "/a/b", percent-encoded as in the URL
    gateway: str | None = None

    def gateways(self, configured: tuple[str, ...]) -> list[str]:
        """Gateway origins to try, in order: the URL's own first, then ``configured``."""
        ordered = [self.gateway] if self.gateway else []
        ordered += [gw for gw in configured if gw != self.gateway]
        return ordered

    def url(self, gateway: str, cid: str | None = None, path: str | None = None) -> str:
        """The path-style URL of this target (or of ``cid``/``path``) on ``gateway``."""
        return f"{gateway}/ipfs/{cid or self.cid}{self.path if path is None else path}"

    @property
    def segments(self) -> list[str]:
        """The path's segments, still percent-encoded."""
        return [part for part in self.path.split("/") if part]


def parse_ipfs_url(url: str) -> IPFSTarget | None:
    """Return the target of an IPFS URL, or ``None`` for a plain http(s) URL.

    Raises ``ValueError`` for a scheme other than ipfs, http and https, or an ``ipfs://`` URL
    without a CID.
    """
    parts = urlsplit(url)
    if parts.scheme == "ipfs":
        if not parts.netloc:
            raise ValueError("ipfs:// URL without a CID")
        return IPFSTarget(parts.netloc, _clean_path(parts.path.split("/")))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("not an http(s) or ipfs:// URL")
    labels = parts.netloc.split(".", 2)
    if len(labels) == 3 and labels[1] == "ipfs" and _is_cid(labels[0]):
        return IPFSTarget(
            labels[0], _clean_path(parts.path.split("/")), f"{parts.scheme}://{labels[2]}"
        )
    segments = parts.path.split("/")
    for i, segment in enumerate(segments[:-1]):
        if segment == "ipfs" and segments[i + 1]:
            origin = f"{parts.scheme}://{parts.netloc}{'/'.join(segments[:i])}"
            return IPFSTarget(segments[i + 1], _clean_path(segments[i + 2 :]), origin)
    return None


def _clean_path(segments: list[str]) -> str:
    kept = [segment for segment in segments if segment]
    return "".join(f"/{segment}" for segment in kept)


def _is_cid(label: str) -> bool:
    try:
        CID.parse(label)
    except ValueError:
        return False
    return True
