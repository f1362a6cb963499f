"""Fetching over HTTP from local fake servers: retries, backoff, size cap, JSON checks."""

from __future__ import annotations

import json
import threading
import time

from typing import TYPE_CHECKING

import pytest

from ogpu.core.errors import IPFSFetchError, IPFSGatewayError
from ogpu.ipfs import IPFSConfig, configure, fetch_ipfs_bytes, fetch_ipfs_json

if TYPE_CHECKING:
    from conftest import Exchange, ServerPool


def test_plain_http_url_is_fetched_as_is(servers: ServerPool, fast: IPFSConfig) -> None:
    server = servers.scripted((200, b'{"result": 42}'))
    assert fetch_ipfs_json(f"{server.url}/out.json", config=fast) == {"result": 42}
    assert [seen.target for seen in server.seen] == ["/out.json"]


def test_503_then_200_is_retried(servers: ServerPool, fast: IPFSConfig) -> None:
    server = servers.scripted((503, b"busy"), (200, b"{}"))
    assert fetch_ipfs_json(server.url, config=fast) == {}
    assert len(server.seen) == 2


def test_429_is_retried_with_exponential_backoff(servers: ServerPool, fast: IPFSConfig) -> None:
    server = servers.scripted((429, b""), (429, b""), (200, b"ok"))
    started = time.monotonic()
    assert fetch_ipfs_bytes(server.url, config=fast.replace(backoff=0.1)) == b"ok"
    assert len(server.seen) == 3
    assert time.monotonic() - started >= 0.1 + 0.2  # waited backoff, then 2 * backoff


def test_retries_run_out_with_the_last_status(servers: ServerPool, fast: IPFSConfig) -> None:
    server = servers.scripted((502, b""))
    with pytest.raises(IPFSGatewayError) as caught:
        fetch_ipfs_bytes(server.url, config=fast.replace(retries=3))
    assert caught.value.status_code == 502
    assert len(server.seen) == 4  # first try + 3 retries


@pytest.mark.parametrize("status", [400, 403, 404, 410])
def test_4xx_is_not_retried(servers: ServerPool, status: int, fast: IPFSConfig) -> None:
    server = servers.scripted((status, b"no"))
    with pytest.raises(IPFSGatewayError) as caught:
        fetch_ipfs_bytes(server.url, config=fast)
    assert caught.value.status_code == status
    assert caught.value.gateway == server.url
    assert len(server.seen) == 1


def test_transport_failure_is_a_fetch_error_after_retries(fast: IPFSConfig, dead_url: str) -> None:
    url = dead_url
    with pytest.raises(IPFSFetchError) as caught:
        fetch_ipfs_bytes(url, config=fast)
    assert caught.value.url == url
    assert "ConnectionError" in caught.value.reason


def test_global_configuration_applies_when_no_config_is_passed(servers: ServerPool) -> None:
    server = servers.scripted((503, b""), (200, b"late"))
    configure(retries=0)
    with pytest.raises(IPFSGatewayError):
        fetch_ipfs_bytes(server.url)
    configure(retries=1, backoff=0.01)
    assert fetch_ipfs_bytes(server.url) == b"late"


def test_declared_oversize_body_is_refused_before_reading(
    servers: ServerPool, fast: IPFSConfig
) -> None:
    server = servers.scripted((200, b"x" * 2000))
    with pytest.raises(IPFSFetchError, match="declares 2000 bytes"):
        fetch_ipfs_bytes(server.url, config=fast.replace(max_bytes=1000))
    assert fetch_ipfs_bytes(server.url, config=fast.replace(max_bytes=2000)) == b"x" * 2000


def test_oversize_stream_is_cut_off_without_reading_it_all(
    servers: ServerPool, fast: IPFSConfig
) -> None:
    total = 256 * 1024 * 1024
    sent = 0
    done = threading.Event()

    def endless(exchange: Exchange) -> None:
        nonlocal sent
        exchange.handler.send_response(200)
        exchange.handler.end_headers()  # no Content-Length: the body ends when the socket closes
        chunk = b"\0" * 65536
        try:
            while sent < total:
                exchange.handler.wfile.write(chunk)
                sent += len(chunk)
        except OSError:
            pass  # the client hung up
        finally:
            done.set()

    server = servers.start(endless)
    started = time.monotonic()
    with pytest.raises(IPFSFetchError, match="over the 1048576-byte cap"):
        fetch_ipfs_bytes(server.url, config=fast.replace(max_bytes=1024 * 1024))
    assert done.wait(10)
    assert sent < total // 8  # the client stopped; only socket buffers' worth more was sent
    assert time.monotonic() - started < 5
    assert len(server.seen) == 1  # an oversize body is not retried


def test_invalid_json_is_a_fetch_error(servers: ServerPool, fast: IPFSConfig) -> None:
    server = servers.scripted((200, b"{not json"))
    with pytest.raises(IPFSFetchError, match="not valid JSON"):
        fetch_ipfs_json(server.url, config=fast)


def test_deeply_nested_json_is_a_fetch_error(servers: ServerPool, fast: IPFSConfig) -> None:
    server = servers.scripted((200, b"[" * 100_000 + b"]" * 100_000))
    with pytest.raises(IPFSFetchError, match="not valid JSON"):
        fetch_ipfs_json(server.url, config=fast)


@pytest.mark.parametrize("value", [[1, 2], "text", 3, None])
def test_json_that_is_not_an_object_is_a_fetch_error(
    servers: ServerPool, value: object, fast: IPFSConfig
) -> None:
    server = servers.scripted((200, json.dumps(value).encode()))
    with pytest.raises(IPFSFetchError, match="not an object"):
        fetch_ipfs_json(server.url, config=fast)


@pytest.mark.parametrize("url", ["ftp://example.com/x.json", "x.json", "ipfs://"])
def test_unusable_urls_are_fetch_errors(url: str, fast: IPFSConfig) -> None:
    with pytest.raises(IPFSFetchError) as caught:
        fetch_ipfs_bytes(url, config=fast)
    assert caught.value.url == url


@pytest.mark.parametrize(
    "body,depth",
    [(b"{}", 1), (b"[[1],[2,[3]]]", 3), (b'{"a":"[[[["}', 1), (b'{"a":"x\\"[["}', 1), (b'["\\\\",[[]]]', 3)],
)
def test_nesting_depth_ignores_brackets_in_strings(body: bytes, depth: int) -> None:
    from ogpu.ipfs.fetch import _nesting_depth

    assert _nesting_depth(body) == depth


def test_deep_json_is_refused_even_when_the_recursion_limit_is_huge(servers: ServerPool, fast: IPFSConfig) -> None:
    """py_ecc (imported with web3) raises the recursion limit to 100000: parsing 100000 levels
    would overflow the C stack and kill the process instead of raising."""
    import py_ecc  # noqa: F401  (sets the limit, as in every process that imports web3)

    server = servers.scripted((200, b'{"a":' * 600 + b"1" + b"}" * 600))
    with pytest.raises(IPFSFetchError, match="nested 600 deep"):
        fetch_ipfs_json(server.url, config=fast)
