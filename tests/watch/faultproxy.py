"""A JSON-RPC proxy on 127.0.0.1 that injects faults between a client and a real node.

Each request is forwarded to the upstream node unless the proxy picks a fault for it, with
probability ``fault_rate``, from ``kinds``:

- ``drop``: close the connection without answering (nothing is forwarded);
- ``reset``: forward, then close the connection without answering (the reply is lost);
- ``http500`` / ``http429``: answer with that HTTP status and a text body;
- ``rate_limit``: answer a JSON-RPC error object ``-32005 rate limit exceeded``;
- ``slow``: wait ``slow_s`` seconds (longer than the client's timeout), then forward;
- ``truncate``: forward, then send the headers and half the body and close;
- ``invalid_params`` (only when asked for; not transient): a JSON-RPC error ``-32602``.

Independently, ``max_log_range`` makes the proxy behave like a node with a range limit: an
``eth_getLogs`` spanning more blocks is answered with an Infura-style "query returned more
than 10000 results. Try with this block range [a, b]." error item. ``mangle_logs`` makes it
answer every ``eth_getLogs`` with each log twice, out of order. ``on_forward``, when set, is
called with each request body before it is forwarded (to change the chain at that moment).
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

FAULT_KINDS = ("drop", "reset", "http500", "http429", "rate_limit", "slow", "truncate")
"""The transient kinds, the default."""
_ERROR_ANSWERS = {
    "rate_limit": {"code": -32005, "message": "rate limit exceeded"},
    "invalid_params": {"code": -32602, "message": "invalid argument 0: hex string has odd length"},
}


@dataclass
class ProxyStats:
    """What the proxy saw: ``faulted / requests`` is the share of failed requests."""

    requests: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    range_refusals: int = 0

    @property
    def faulted(self) -> int:
        return sum(self.faults.values())

    @property
    def fault_share(self) -> float:
        return self.faulted / self.requests if self.requests else 0.0

    def summary(self) -> str:
        kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(self.faults.items()))
        return (
            f"{self.requests} requests, {self.faulted} faulted ({self.fault_share:.0%}: {kinds}), "
            f"{self.range_refusals} getLogs refused as too wide"
        )


class FaultProxy:
    """Start with ``with FaultProxy(upstream_url, fault_rate=0.3) as proxy: ... proxy.url``."""

    def __init__(
        self,
        upstream: str,
        *,
        fault_rate: float = 0.0,
        kinds: Sequence[str] = FAULT_KINDS,
        slow_s: float = 1.0,
        max_log_range: int | None = None,
        mangle_logs: bool = False,
        seed: int = 0,
    ) -> None:
        unknown = set(kinds) - set(FAULT_KINDS) - set(_ERROR_ANSWERS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}")
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.fault_rate = fault_rate
        self.kinds = tuple(kinds)
        self.slow_s = slow_s
        self.max_log_range = max_log_range
        self.mangle_logs = mangle_logs
        self.on_forward: Callable[[bytes], None] | None = None
        self.stats = ProxyStats()
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._local = threading.local()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name="fault-proxy",
            daemon=True,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def choose_fault(self) -> str | None:
        """Count a request and pick its fault (None: answer it faithfully)."""
        with self._lock:
            self.stats.requests += 1
            if self._random.random() >= self.fault_rate:
                return None
            kind = self._random.choice(self.kinds)
            self.stats.faults[kind] += 1
            return kind

    def forward(self, body: bytes) -> bytes:
        """Send ``body`` to the upstream node over this thread's keep-alive connection."""
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._local.connection = http.client.HTTPConnection(
                *self.upstream, timeout=30
            )
        try:
            connection.request("POST", "/", body, {"Content-Type": "application/json"})
            return connection.getresponse().read()
        except (OSError, http.client.HTTPException):
            connection.close()
            self._local.connection = None
            raise

    def rewrite(self, body: bytes, reply: bytes) -> bytes:
        """Apply the node quirks (range refusals, mangled logs) to the upstream ``reply``."""
        if self.max_log_range is None and not self.mangle_logs:
            return reply
        requests = {item.get("id"): item for item in _items(json.loads(body))}
        answers = json.loads(reply)
        patched = [
            self._quirk(requests.get(answer.get("id")), answer) for answer in _items(answers)
        ]
        return json.dumps(patched if isinstance(answers, list) else patched[0]).encode()

    def _quirk(self, request: dict[str, Any] | None, answer: dict[str, Any]) -> dict[str, Any]:
        if request is None or request.get("method") != "eth_getLogs" or "result" not in answer:
            return answer
        error = self._range_error(request)
        if error is not None:
            with self._lock:
                self.stats.range_refusals += 1
            return {"jsonrpc": "2.0", "id": answer["id"], "error": error}
        if self.mangle_logs:
            return {**answer, "result": answer["result"][::-1] + answer["result"]}
        return answer

    def _range_error(self, item: dict[str, Any]) -> dict[str, Any] | None:
        if self.max_log_range is None:
            return None
        log_filter = item["params"][0]
        first, last = int(log_filter["fromBlock"], 16), int(log_filter["toBlock"], 16)
        if last - first + 1 <= self.max_log_range:
            return None
        hint = f"[{hex(first)}, {hex(first + self.max_log_range - 1)}]"
        return {
            "code": -32005,
            "message": f"query returned more than 10000 results. Try with this block range {hint}.",
        }


def _items(message: Any) -> list[dict[str, Any]]:
    return message if isinstance(message, list) else [message]


def _handler_for(proxy: FaultProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go in separate writes

        def do_POST(self) -> None:  # noqa: N802 - the http.server naming
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            fault = proxy.choose_fault()
            if fault == "drop":
                self.close_connection = True
            elif fault in ("http500", "http429"):
                status = 500 if fault == "http500" else 429
                self._send(status, f"injected HTTP {status}".encode(), "text/plain")
            elif fault in _ERROR_ANSWERS:
                error = {"jsonrpc": "2.0", "id": None, "error": _ERROR_ANSWERS[fault]}
                self._send(200, json.dumps(error).encode(), "application/json")
            else:
                self._forward(body, fault)

        def _forward(self, body: bytes, fault: str | None) -> None:
            if fault == "slow":
                time.sleep(proxy.slow_s)
            if proxy.on_forward is not None:
                proxy.on_forward(body)
            reply = proxy.rewrite(body, proxy.forward(body))
            if fault == "reset":
                self.close_connection = True
            elif fault == "truncate":
                self._send(200, reply, "application/json", cut=True)
            else:
                self._send(200, reply, "application/json")

        def _send(self, status: int, payload: bytes, content_type: str, cut: bool = False) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload[: len(payload) // 2] if cut else payload)
            if cut:
                self.close_connection = True

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base signature
            pass

        def handle(self) -> None:
            try:
                super().handle()
            except OSError:  # the client gave up on a slow answer
                pass

    return Handler
