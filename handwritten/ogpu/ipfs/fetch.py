"""Fetching IPFS content: gateway fallback, and verification of bytes against the URL's CID.

For an IPFS URL (``ipfs://CID[/path]`` or a gateway URL naming a CID) each gateway is tried in
turn, the URL's own first. With ``verify`` on, a path below the CID is resolved through raw
dag-pb blocks (``?format=raw``, each checked against its CID), and the file's bytes must
rebuild the file's CID (see :mod:`ogpu.ipfs.unixfs`); anything that cannot be checked fails
closed with :class:`IPFSVerificationError`.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote

from ogpu.core.errors import IPFSError, IPFSFetchError, IPFSVerificationError
from ogpu.ipfs.cid import CID, DAG_PB
from ogpu.ipfs.config import IPFSConfig, get_config
from ogpu.ipfs.transport import request
from ogpu.ipfs.unixfs import DIRECTORY, HAMT_SHARD, decode_links, unixfs_type, verify_file
from ogpu.ipfs.urls import IPFSTarget, parse_ipfs_url

__all__ = ["fetch_ipfs_bytes", "fetch_ipfs_json"]

_RAW_BLOCK_TYPE = "application/vnd.ipld.raw"


def fetch_ipfs_bytes(url: str, *, config: IPFSConfig | None = None) -> bytes:
    """Fetch the bytes behind ``url``: ``ipfs://CID[/path]``, a gateway URL or any http(s) URL.

    Raises :class:`IPFSFetchError` (transport failure, body over the size cap, bad URL),
    :class:`IPFSGatewayError` (unexpected HTTP status) or :class:`IPFSVerificationError`
    (bytes that are not, or cannot be shown to be, the named CID's content). When every
    gateway fails, a verification failure is reported before other errors, else the last one.
    """
    cfg = config or get_config()
    target = _target(url)
    if target is None:
        return request("GET", url, cfg).body
    cid = _claimed_cid(url, target) if cfg.verify else None
    errors: list[IPFSError] = []
    for gateway in target.gateways(cfg.gateways):
        try:
            if cid is None:
                return request("GET", target.url(gateway), cfg).body
            return _fetch_verified(url, target, cid, gateway, cfg)
        except IPFSError as error:
            errors.append(error)
    raise next((e for e in errors if isinstance(e, IPFSVerificationError)), errors[-1])


def fetch_ipfs_json(url: str, *, config: IPFSConfig | None = None) -> dict[str, Any]:
    """Fetch ``url`` like :func:`fetch_ipfs_bytes` and decode it as a JSON object.

    Content that is not JSON, or JSON that is not an object, raises :class:`IPFSFetchError`.
    """
    body = fetch_ipfs_bytes(url, config=config)
    depth = _nesting_depth(body)
    if depth > MAX_JSON_DEPTH:
        # Parsing it could overflow the C stack: libraries in a web3 process (py_ecc) raise
        # the recursion limit far above what the C stack holds, so RecursionError never comes.
        raise IPFSFetchError(url, f"the content is not valid JSON (nested {depth} deep, limit {MAX_JSON_DEPTH})")
    try:
        value = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise IPFSFetchError(url, f"the content is not valid JSON ({type(exc).__name__})") from exc
    if not isinstance(value, dict):
        raise IPFSFetchError(url, f"the JSON content is a {type(value).__name__}, not an object")
    return value


MAX_JSON_DEPTH = 512
"""Deepest JSON nesting ``fetch_ipfs_json`` parses; provider-written content is untrusted."""

_OPENERS = re.compile(rb'[\[{\]}"\\]')


def _nesting_depth(body: bytes) -> int:
    """The deepest ``[``/``{`` nesting of ``body``, ignoring brackets inside strings."""
    depth = deepest = 0
    in_string = False
    escaped_at = -1  # position of the character a backslash escapes
    for match in _OPENERS.finditer(body):
        char, at = match.group(), match.start()
        if at == escaped_at:
            continue
        if in_string:
            if char == b"\\":
                escaped_at = at + 1
            elif char == b'"':
                in_string = False
        elif char == b'"':
            in_string = True
        elif char in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        elif char in (b"]", b"}"):
            depth -= 1
    return deepest


def _target(url: str) -> IPFSTarget | None:
    try:
        return parse_ipfs_url(url)
    except ValueError as exc:
        raise IPFSFetchError(url, str(exc)) from exc


def _claimed_cid(url: str, target: IPFSTarget) -> CID:
    """The URL's CID, if this client can verify content against it; else fail closed."""
    try:
        cid = CID.parse(target.cid)
    except ValueError as exc:
        raise IPFSVerificationError(
            url, target.cid, f"not a CID this client can read: {exc}"
        ) from exc
    reason = cid.unsupported_reason()
    if reason:
        raise IPFSVerificationError(url, target.cid, reason)
    return cid


def _fetch_verified(url: str, target: IPFSTarget, cid: CID, gateway: str, cfg: IPFSConfig) -> bytes:
    file_cid = cid
    for segment in target.segments:
        file_cid = _child(url, file_cid, _raw_block(url, file_cid, gateway, cfg), unquote(segment))
    data = request("GET", target.url(gateway, str(file_cid), path=""), cfg).body
    reason = verify_file(data, file_cid)
    if reason:
        raise IPFSVerificationError(url, str(file_cid), f"{reason} (served by {gateway})")
    return data


def _raw_block(url: str, cid: CID, gateway: str, cfg: IPFSConfig) -> bytes:
    """The verified dag-pb block of ``cid``, fetched as a trustless-gateway raw block."""
    if cid.codec != DAG_PB:
        raise IPFSVerificationError(url, str(cid), "a path cannot go below a raw block")
    block = request(
        "GET",
        f"{gateway}/ipfs/{cid}",
        cfg,
        params={"format": "raw"},
        headers={"Accept": _RAW_BLOCK_TYPE},
    ).body
    if not cid.matches_block(block):
        raise IPFSVerificationError(
            url,
            str(cid),
            f"{gateway} did not return the raw block needed to resolve the path "
            "(it may not support trustless block requests; pass verify=False to skip checks)",
        )
    return block


def _child(url: str, parent: CID, block: bytes, name: str) -> CID:
    """The CID of entry ``name`` in the UnixFS directory ``block``."""
    try:
        links, data = decode_links(block)
        kind = unixfs_type(data)
    except ValueError as exc:
        raise IPFSVerificationError(url, str(parent), f"not a UnixFS node: {exc}") from exc
    if kind == HAMT_SHARD:
        raise IPFSVerificationError(
            url, str(parent), "paths in sharded (HAMT) directories are not supported"
        )
    if kind != DIRECTORY:
        raise IPFSFetchError(url, f"{parent} is not a directory, so it has no entry {name!r}")
    for link in links:
        if link.name == name:
            try:
                return CID.from_bytes(link.cid_bytes)
            except ValueError as exc:
                raise IPFSVerificationError(
                    url, str(parent), f"entry {name!r} has a bad CID: {exc}"
                ) from exc
    raise IPFSFetchError(url, f"directory {parent} has no entry {name!r}")
