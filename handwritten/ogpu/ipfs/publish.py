"""Publishing content: the network's pinning endpoint (default) or a Kubo-compatible RPC API."""

from __future__ import annotations

import json
from typing import Any

from ogpu.core.errors import IPFSGatewayError, IPFSVerificationError, InvalidParamsError
from ogpu.ipfs.cid import CID
from ogpu.ipfs.config import IPFSConfig, get_config
from ogpu.ipfs.transport import Reply, request
from ogpu.ipfs.unixfs import CHUNK_SIZE, FileLayout, build_file

__all__ = ["publish_to_ipfs"]

_CREATED = frozenset({200, 201})


def publish_to_ipfs(
    data: str | dict[str, Any],
    filename: str = "data.json",
    content_type: str = "application/json",
    *,
    config: IPFSConfig | None = None,
) -> str:
    """Upload ``data`` (a dict is JSON-encoded first) and return its gateway URL.

    The backend is ``config.publish_backend`` (see :class:`IPFSConfig`). A transport failure
    raises :class:`IPFSFetchError`; a bad status or answer raises :class:`IPFSGatewayError`.
    With the Kubo backend the CID the node reports must be the one computed locally for the
    requested layout, else :class:`IPFSVerificationError`.
    """
    cfg = config or get_config()
    payload = _payload(data)
    file_field = {"file": (filename, payload, content_type)}
    if cfg.publish_backend == "kubo":
        return _publish_kubo(payload, file_field, cfg)
    reply = request("POST", cfg.publish_url, cfg, ok=_CREATED, files=file_field)
    link = _json_object(reply.body).get("link")
    if not isinstance(link, str) or not link:
        raise _bad_answer(cfg.publish_url, reply, 'no "link" string')
    return link


def _payload(data: str | dict[str, Any]) -> bytes:
    if isinstance(data, str):
        return data.encode("utf-8")
    if isinstance(data, dict):
        try:
            return json.dumps(data).encode("utf-8")
        except (TypeError, ValueError) as exc:
            raise InvalidParamsError("data", f"not JSON-serialisable: {exc}") from exc
    raise InvalidParamsError("data", f"expected str or dict, got {type(data).__name__}")


def _publish_kubo(
    payload: bytes, file_field: dict[str, tuple[str, bytes, str]], cfg: IPFSConfig
) -> str:
    layout = FileLayout(cfg.kubo_cid_version, raw_leaves=cfg.kubo_cid_version == 1)
    params = {
        "cid-version": str(layout.cid_version),
        "raw-leaves": str(layout.raw_leaves).lower(),
        "chunker": f"size-{CHUNK_SIZE}",
        "hash": "sha2-256",
        "pin": "true",
    }
    if layout.cid_version == 1:
        params["cid-base"] = "base32"
    url = f"{cfg.kubo_api_url}/api/v0/add"
    reply = request("POST", url, cfg, params=params, files=file_field)
    # the API streams one JSON object per added entry; a single file gives one line
    lines = reply.body.strip().splitlines()
    cid = _cid_or_none(_json_object(lines[-1] if lines else b"").get("Hash"))
    if cid is None:
        raise _bad_answer(url, reply, 'no valid "Hash"')
    expected = build_file(payload, layout).cid
    if cid != expected:
        raise IPFSVerificationError(
            url,
            str(cid),
            f"the node stored the content as {cid}, but {layout.describe()} gives {expected}",
        )
    return f"{cfg.gateways[0]}/ipfs/{cid}"


def _json_object(body: bytes) -> dict[str, Any]:
    """The JSON object in ``body``, or ``{}`` if it holds none."""
    try:
        value = json.loads(body)
    except (ValueError, RecursionError):
        return {}
    return value if isinstance(value, dict) else {}


def _cid_or_none(value: object) -> CID | None:
    if not isinstance(value, str):
        return None
    try:
        return CID.parse(value)
    except ValueError:
        return None


def _bad_answer(url: str, reply: Reply, what: str) -> IPFSGatewayError:
    return IPFSGatewayError(url, reply.status, context=f"publish_to_ipfs: answer has {what}")
