"""``RpcClient`` against a scripted loopback HTTP server (one unit: the client)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from ogpu.chain import CHAIN_RPC_URLS, ChainId
from ogpu.chain.rpc import JsonRpcErrorObject, RpcClient, get_rpc_client, quantity, unwrap
from ogpu.core.errors import JsonRpcError, RpcError

Reply = tuple[int, bytes]


class Server:
    """Answers each POST with ``respond(parsed body)``; records bodies and client ports."""

    def __init__(self) -> None:
        self.respond: Callable[[Any], Reply] = lambda body: (200, b"{}")
        self.bodies: list[Any] = []
        self.client_ports: list[int] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                owner.bodies.append(body)
                owner.client_ports.append(self.client_address[1])
                status, payload = owner.respond(body)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.01,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[Server]:
    running = Server()
    try:
        yield running
    finally:
        running.close()


def result_of(body: Any, value: Any) -> bytes:
    return json.dumps({"jsonrpc": "2.0", "id": body["id"], "result": value}).encode()


def test_request_returns_the_result(server: Server) -> None:
    server.respond = lambda body: (200, result_of(body, "0x7a69"))
    client = RpcClient(server.url)
    assert client.request("eth_chainId") == "0x7a69"
    sent = server.bodies[0]
    assert sent["method"] == "eth_chainId" and sent["params"] == [] and sent["jsonrpc"] == "2.0"


def test_error_response_keeps_code_and_data(server: Server) -> None:
    error = {"code": 3, "message": "execution reverted", "data": "0x08c379a0"}
    server.respond = lambda body: (
        200,
        json.dumps({"jsonrpc": "2.0", "id": body["id"], "error": error}).encode(),
    )
    with pytest.raises(JsonRpcError) as info:
        RpcClient(server.url).request("eth_call", [{"to": "0x00"}, "latest"])
    assert info.value.code == 3
    assert info.value.data == "0x08c379a0"
    assert info.value.reason == "execution reverted"
    assert info.value.method == "eth_call" and info.value.url == server.url
    assert isinstance(info.value, ConnectionError)


def test_http_errors_and_garbage(server: Server) -> None:
    server.respond = lambda body: (503, b"busy")
    with pytest.raises(RpcError) as info:
        RpcClient(server.url).request("eth_blockNumber")
    assert info.value.code == 503 and "HTTP 503" in info.value.reason
    server.respond = lambda body: (200, b"not json")
    with pytest.raises(RpcError, match="not JSON"):
        RpcClient(server.url).request("eth_blockNumber")
    server.respond = lambda body: (200, b"[1, 2]")
    with pytest.raises(RpcError, match="JSON object"):
        RpcClient(server.url).request("eth_blockNumber")
    server.respond = lambda body: (200, b'{"jsonrpc": "2.0", "id": 1}')
    with pytest.raises(RpcError, match="neither result nor error"):
        RpcClient(server.url).request("eth_blockNumber")


def test_http_error_with_a_json_rpc_error_body(server: Server) -> None:
    error = {"code": -32005, "message": "rate limited"}
    server.respond = lambda body: (
        429,
        json.dumps({"jsonrpc": "2.0", "id": body["id"], "error": error}).encode(),
    )
    with pytest.raises(JsonRpcError, match="rate limited") as info:
        RpcClient(server.url).request("eth_blockNumber")
    assert info.value.code == -32005


def test_transport_failure(unused_port: int) -> None:
    with pytest.raises(RpcError, match="ConnectionError") as info:
        RpcClient(f"http://127.0.0.1:{unused_port}", timeout=2).request("eth_chainId")
    assert info.value.__cause__ is not None


def test_batch_is_one_post_reordered_by_id_with_error_items(server: Server) -> None:
    def respond(body: Any) -> Reply:
        items: list[dict[str, Any]] = []
        for call in reversed(body):
            if call["method"] == "eth_bad":
                items.append(
                    {
                        "jsonrpc": "2.0",
                        "id": call["id"],
                        "error": {"code": -32601, "message": "nope"},
                    }
                )
            else:
                items.append({"jsonrpc": "2.0", "id": call["id"], "result": call["params"][0]})
        return 200, json.dumps(items).encode()

    server.respond = respond
    results = RpcClient(server.url).batch([("echo", ["a"]), ("eth_bad", []), ("echo", ["c"])])
    assert results == ["a", JsonRpcErrorObject(-32601, "nope"), "c"]
    assert len(server.bodies) == 1 and len(server.bodies[0]) == 3
    assert len({call["id"] for call in server.bodies[0]}) == 3


def test_batch_edge_cases(server: Server) -> None:
    client = RpcClient(server.url)
    assert client.batch([]) == [] and server.bodies == []
    server.respond = lambda body: (
        200,
        json.dumps([{"jsonrpc": "2.0", "id": body[0]["id"], "result": 1}]).encode(),
    )
    with pytest.raises(RpcError, match="lacks 1 of 2"):
        client.batch([("a", []), ("b", [])])
    server.respond = lambda body: (
        200,
        json.dumps(
            {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "batches off"}}
        ).encode(),
    )
    with pytest.raises(JsonRpcError, match="batches off"):
        client.batch([("a", [])])


def test_one_keep_alive_session_per_url(server: Server) -> None:
    server.respond = lambda body: (200, result_of(body, "0x1"))
    first, second = RpcClient(server.url), RpcClient(server.url)
    for _ in range(3):
        first.request("eth_blockNumber")
        second.request("eth_blockNumber")
    assert len(set(server.client_ports)) == 1


def test_get_rpc_client_follows_the_chain_url(server: Server, chain_config_state: None) -> None:
    CHAIN_RPC_URLS[ChainId.LOCAL] = server.url
    client = get_rpc_client(ChainId.LOCAL)
    assert client.url == server.url
    assert get_rpc_client(ChainId.LOCAL) is client
    CHAIN_RPC_URLS[ChainId.LOCAL] = server.url + "/other"
    assert get_rpc_client(ChainId.LOCAL).url == server.url + "/other"


def test_quantity_and_unwrap() -> None:
    assert quantity("0x10", url="u", method="m") == 16
    for bad in ("16", None, "0xzz", 16):
        with pytest.raises(RpcError):
            quantity(bad, url="u", method="m")
    with pytest.raises(JsonRpcError) as info:
        unwrap(JsonRpcErrorObject(3, "reverted", "0x"), url="u", method="eth_call")
    assert info.value.data == "0x"
    assert unwrap({"a": 1}, url="u", method="m") == {"a": 1}
