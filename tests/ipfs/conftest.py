"""Fixtures of the IPFS tests: one real local js-ipfs node per session, and fake HTTP servers.

The fakes are tiny threaded HTTP servers on 127.0.0.1 (free ports) whose answers each test
scripts. They live here, behind fixtures, because the suite runs with ``--import-mode=importlib``
(test modules cannot import siblings); test modules import names from here for typing only.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from ogpu.ipfs import IPFSConfig, reset_config
from ogpu.ipfs.node import LocalIPFSNode

FAST = IPFSConfig(timeout=10.0, retries=2, backoff=0.01)
"""Settings for tests: the defaults with a short backoff and timeout."""


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def ipfs_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalIPFSNode]:
    """The session's local IPFS node; its clean shutdown (exit code 0) is checked at the end."""
    node = LocalIPFSNode(tmp_path_factory.mktemp("ipfs-repo")).start()
    yield node
    assert node.stop() == 0


@pytest.fixture
def fast() -> IPFSConfig:
    return FAST


@pytest.fixture
def node_config(ipfs_node: LocalIPFSNode) -> IPFSConfig:
    """Fast settings publishing to and reading from the session node."""
    return ipfs_node.ipfs_config(FAST)


@pytest.fixture(autouse=True)
def _fresh_global_config() -> Iterator[None]:
    reset_config()
    yield
    reset_config()


@pytest.fixture
def servers() -> Iterator[ServerPool]:
    """Fake servers: ``servers.start(respond)``, ``servers.scripted(...)``; closed at the end."""
    pool = ServerPool()
    yield pool
    pool.close()


@pytest.fixture
def dead_url() -> str:
    """An http URL on 127.0.0.1 where nothing listens (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


# --- fake servers --------------------------------------------------------------------------------


@dataclass
class Seen:
    """A request the server received."""

    method: str
    target: str  # path and query
    headers: Message
    body: bytes

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.target).query)

    def multipart(self) -> dict[str, tuple[str | None, str, bytes]]:
        """Form fields of a multipart body: name -> (filename, content type, bytes)."""
        raw = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode() + self.body
        message = BytesParser(policy=HTTP).parsebytes(raw)
        fields = {}
        for part in message.iter_parts():
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            fields[str(part.get_param("name", header="content-disposition"))] = (
                part.get_filename(),
                part.get_content_type(),
                payload,
            )
        return fields


class Exchange:
    """One request and the means to answer it."""

    def __init__(self, handler: BaseHTTPRequestHandler, seen: Seen) -> None:
        self.handler = handler
        self.seen = seen

    def reply(self, status: int, body: bytes = b"", content_type: str = "application/json") -> None:
        self.handler.send_response(status)
        self.handler.send_header("Content-Type", content_type)
        self.handler.send_header("Content-Length", str(len(body)))
        self.handler.end_headers()
        self.handler.wfile.write(body)


Respond = Callable[[Exchange], None]


class FakeServer:
    """A threaded HTTP server on 127.0.0.1 (free port) that lets ``respond`` answer each request."""

    def __init__(self, respond: Respond) -> None:
        self.seen: list[Seen] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                seen = Seen(self.command, self.path, self.headers, self.rfile.read(length))
                server.seen.append(seen)
                respond(Exchange(self, seen))

            do_GET = do_POST = _handle

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,), daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()


class ServerPool:
    """Fake servers started by one test."""

    def __init__(self) -> None:
        self._servers: list[FakeServer] = []

    def start(self, respond: Respond) -> FakeServer:
        self._servers.append(FakeServer(respond))
        return self._servers[-1]

    def scripted(self, *answers: tuple[int, bytes]) -> FakeServer:
        """A server answering the n-th request with ``answers[n]`` (the last one repeats)."""
        count = 0

        def respond(exchange: Exchange) -> None:
            nonlocal count
            status, body = answers[min(count, len(answers) - 1)]
            count += 1
            exchange.reply(status, body)

        return self.start(respond)

    def close(self) -> None:
        for server in self._servers:
            server.close()
