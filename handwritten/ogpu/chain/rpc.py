"""A small, fast JSON-RPC client over one keep-alive HTTP session per URL.

This is the path the generated contract layer reads through (``eth_call``, ``eth_getLogs``,
``eth_blockNumber``) and the transaction path writes through: bodies are built with
``json.dumps``, with no web3 middleware in between. Transport failures, HTTP errors and error
responses raise :class:`~ogpu.core.errors.RpcError` (error responses as its subclass
:class:`~ogpu.core.errors.JsonRpcError`, which keeps the node's ``data``).
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ogpu.core.errors import JsonRpcError, RpcError

if TYPE_CHECKING:  # pragma: no cover
    import requests

    from ogpu.schema.networks import ChainId

__all__ = ["JsonRpcErrorObject", "RpcClient", "get_rpc_client", "quantity", "unwrap"]

_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}
_sessions: dict[str, requests.Session] = {}
_clients: dict[str, RpcClient] = {}
_lock = threading.RLock()


@dataclass(frozen=True)
class JsonRpcErrorObject:
    """One failed item of a batch, returned in place of its result (not raised)."""

    code: int | None
    message: str
    data: Any = None


class RpcClient:
    """JSON-RPC over HTTP to ``url``, sharing one keep-alive session with every client of it."""

    def __init__(self, url: str, *, timeout: float = 30.0) -> None:
        self.url = url
        self.timeout = timeout
        self._ids = itertools.count(1)
        self._session = _session_for(url)

    def __repr__(self) -> str:
        return f"RpcClient({self.url!r}, timeout={self.timeout:g})"

    def request(self, method: str, params: Sequence[Any] = ()) -> Any:
        """Call ``method`` and return its ``result``; any failure raises ``RpcError``."""
        request_id = next(self._ids)
        body = json.dumps(
            {"jsonrpc": "2.0", "id": request_id, "method": method, "params": list(params)}
        )
        reply = self._post(body, method)
        if not isinstance(reply, dict):
            raise RpcError(self.url, method, f"expected a JSON object, got {type(reply).__name__}")
        error = reply.get("error")
        if error is not None:
            item = _error_object(error)
            raise JsonRpcError(self.url, method, item.message, code=item.code, data=item.data)
        if "result" not in reply:
            raise RpcError(self.url, method, "the reply has neither result nor error")
        return reply["result"]

    def batch(self, calls: Sequence[tuple[str, Sequence[Any]]]) -> list[Any]:
        """Send ``calls`` as one JSON array in one HTTP POST; return the results in call order.

        A call that failed on the node yields a :class:`JsonRpcErrorObject` in its place. A
        transport failure, or a reply that is not a matching array, raises ``RpcError``.
        """
        if not calls:
            return []
        first_id = next(self._ids)
        ids = [first_id] + [next(self._ids) for _ in calls[1:]]
        body = json.dumps(
            [
                {"jsonrpc": "2.0", "id": i, "method": method, "params": list(params)}
                for i, (method, params) in zip(ids, calls)
            ]
        )
        label = f"batch of {len(calls)} ({calls[0][0]}, ...)"
        reply = self._post(body, label)
        return self._order_batch(reply, ids, label)

    def _order_batch(self, reply: Any, ids: list[int], label: str) -> list[Any]:
        if isinstance(reply, dict) and "error" in reply:
            item = _error_object(reply["error"])
            raise JsonRpcError(self.url, label, item.message, code=item.code, data=item.data)
        if not isinstance(reply, list):
            raise RpcError(self.url, label, f"expected a JSON array, got {type(reply).__name__}")
        by_id = {item.get("id"): item for item in reply if isinstance(item, dict)}
        missing = [i for i in ids if i not in by_id]
        if missing:
            raise RpcError(self.url, label, f"the reply lacks {len(missing)} of {len(ids)} answers")
        return [_batch_value(by_id[i]) for i in ids]

    def _post(self, body: str, method: str) -> Any:
        import requests

        try:
            response = self._session.post(
                self.url, data=body, headers=_HEADERS, timeout=self.timeout
            )
        except requests.RequestException as exc:
            raise RpcError(self.url, method, f"{type(exc).__name__}: {exc}") from exc
        try:
            reply = json.loads(response.content)
        except ValueError as exc:
            status = response.status_code
            reason = f"HTTP {status}" if status != 200 else "the reply is not JSON"
            raise RpcError(
                self.url, method, reason, code=status if status != 200 else None
            ) from exc
        if response.status_code != 200 and not _has_error_member(reply):
            code = response.status_code
            raise RpcError(self.url, method, f"HTTP {code}", code=code)
        return reply


def get_rpc_client(chain: ChainId | None = None) -> RpcClient:
    """The cached client for the current RPC URL of ``chain`` (default: the current chain)."""
    from ogpu.chain.config import ChainConfig

    url = ChainConfig.get_rpc(chain)
    client = _clients.get(url)
    if client is None:
        with _lock:
            client = _clients.get(url)
            if client is None:
                client = _clients[url] = RpcClient(url)
    return client


def unwrap(value: Any, *, url: str, method: str) -> Any:
    """A batch item's result, raising ``JsonRpcError`` if the item is an error object."""
    if isinstance(value, JsonRpcErrorObject):
        raise JsonRpcError(url, method, value.message, code=value.code, data=value.data)
    return value


def quantity(value: Any, *, url: str, method: str) -> int:
    """Parse a JSON-RPC quantity (``"0x1a"``); an error item or anything else raises ``RpcError``."""
    value = unwrap(value, url=url, method=method)
    if isinstance(value, str) and value.startswith(("0x", "0X")):
        try:
            return int(value, 16)
        except ValueError:
            pass
    raise RpcError(url, method, f"expected a hex quantity, got {value!r:.80}")


def _session_for(url: str) -> requests.Session:
    session = _sessions.get(url)
    if session is None:
        import requests

        with _lock:
            session = _sessions.get(url)
            if session is None:
                session = _sessions[url] = requests.Session()
    return session


def _has_error_member(reply: Any) -> bool:
    if isinstance(reply, dict):
        return "error" in reply
    return isinstance(reply, list) and any(isinstance(i, dict) and "error" in i for i in reply)


def _error_object(error: Any) -> JsonRpcErrorObject:
    if isinstance(error, dict):
        code = error.get("code")
        return JsonRpcErrorObject(
            code if isinstance(code, int) else None,
            str(error.get("message", "")),
            error.get("data"),
        )
    return JsonRpcErrorObject(None, str(error))


def _batch_value(item: dict[str, Any]) -> Any:
    if item.get("error") is not None:
        return _error_object(item["error"])
    return item.get("result")
