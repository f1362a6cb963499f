"""publish_to_ipfs against local fakes: the pinning endpoint (/file/create) and bad Kubo answers.

The real pinning endpoint is off-network, so a fake on 127.0.0.1 plays it; the Kubo backend's
happy path runs against the real node in test_node_roundtrip.py.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from ogpu.core.errors import (
    InvalidParamsError,
    IPFSFetchError,
    IPFSGatewayError,
    IPFSVerificationError,
)
from ogpu.ipfs import IPFSConfig, configure, publish_to_ipfs

if TYPE_CHECKING:
    from conftest import FakeServer, ServerPool

LINK = "https://cipfs.ogpuscan.io/ipfs/QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXEN"


def pinning(server: FakeServer, fast: IPFSConfig) -> IPFSConfig:
    return fast.replace(publish_url=f"{server.url}/file/create")


@pytest.mark.parametrize("status", [200, 201])
def test_pinning_endpoint_gets_a_multipart_file_and_its_link_is_returned(
    servers: ServerPool, fast: IPFSConfig, status: int
) -> None:
    server = servers.scripted((status, json.dumps({"link": LINK}).encode()))
    data = {"function_name": "run", "data": {"prompt": "hi"}}
    assert publish_to_ipfs(data, "taskConfig.json", config=pinning(server, fast)) == LINK
    (seen,) = server.seen
    assert (seen.method, seen.path) == ("POST", "/file/create")
    assert seen.multipart() == {
        "file": ("taskConfig.json", "application/json", json.dumps(data).encode())
    }


def test_strings_are_sent_as_utf8_with_the_given_name_and_type(
    servers: ServerPool, fast: IPFSConfig
) -> None:
    server = servers.scripted((200, json.dumps({"link": LINK}).encode()))
    publish_to_ipfs(
        "héllo", filename="a.txt", content_type="text/plain", config=pinning(server, fast)
    )
    assert server.seen[0].multipart() == {"file": ("a.txt", "text/plain", "héllo".encode())}


def test_the_global_configuration_is_the_default(servers: ServerPool) -> None:
    server = servers.scripted((201, json.dumps({"link": LINK}).encode()))
    configure(publish_url=f"{server.url}/file/create")
    assert publish_to_ipfs({"a": 1}) == LINK
    assert len(server.seen) == 1


def test_500_is_retried_then_raised_as_a_gateway_error(
    servers: ServerPool, fast: IPFSConfig
) -> None:
    server = servers.scripted((500, b"oops"))
    config = pinning(server, fast)
    with pytest.raises(IPFSGatewayError) as caught:
        publish_to_ipfs({"a": 1}, config=config)
    assert caught.value.status_code == 500
    assert caught.value.gateway == config.publish_url
    assert len(server.seen) == 1 + fast.retries


def test_500_then_success_publishes(servers: ServerPool, fast: IPFSConfig) -> None:
    server = servers.scripted((500, b""), (200, json.dumps({"link": LINK}).encode()))
    assert publish_to_ipfs("x", config=pinning(server, fast)) == LINK
    assert len(server.seen) == 2


def test_400_is_not_retried(servers: ServerPool, fast: IPFSConfig) -> None:
    server = servers.scripted((400, b'{"error": "bad file"}'))
    with pytest.raises(IPFSGatewayError) as caught:
        publish_to_ipfs("x", config=pinning(server, fast))
    assert caught.value.status_code == 400
    assert len(server.seen) == 1


@pytest.mark.parametrize(
    "body", [b"<html>ok</html>", b"[]", b'{"url": "x"}', b'{"link": ""}', b'{"link": 5}']
)
def test_a_bad_answer_is_a_gateway_error(
    servers: ServerPool, fast: IPFSConfig, body: bytes
) -> None:
    server = servers.scripted((200, body))
    with pytest.raises(IPFSGatewayError) as caught:
        publish_to_ipfs("x", config=pinning(server, fast))
    assert caught.value.status_code == 200
    assert 'no "link"' in str(caught.value)
    assert len(server.seen) == 1


def test_unreachable_endpoint_is_a_fetch_error(fast: IPFSConfig, dead_url: str) -> None:
    with pytest.raises(IPFSFetchError) as caught:
        publish_to_ipfs("x", config=fast.replace(publish_url=f"{dead_url}/file/create"))
    assert caught.value.url == f"{dead_url}/file/create"


@pytest.mark.parametrize("data", [b"bytes", 12, ["a"], {"not": {1, 2}}])
def test_data_must_be_a_str_or_a_json_dict(fast: IPFSConfig, data: object) -> None:
    with pytest.raises(InvalidParamsError):
        publish_to_ipfs(data, config=fast)  # type: ignore[arg-type]


def test_kubo_answer_without_a_valid_hash_is_a_gateway_error(
    servers: ServerPool, fast: IPFSConfig
) -> None:
    server = servers.scripted((200, b'{"Name": "data.json", "Hash": "not-a-cid"}\n'))
    config = fast.replace(publish_backend="kubo", kubo_api_url=server.url)
    with pytest.raises(IPFSGatewayError, match='no valid "Hash"'):
        publish_to_ipfs("x", config=config)
    (seen,) = server.seen
    assert seen.path == "/api/v0/add"
    assert seen.query == {
        "cid-version": ["1"],
        "raw-leaves": ["true"],
        "chunker": ["size-262144"],
        "hash": ["sha2-256"],
        "pin": ["true"],
        "cid-base": ["base32"],
    }


def test_kubo_node_reporting_another_cid_is_caught(servers: ServerPool, fast: IPFSConfig) -> None:
    other = "bafkreicysg23kiwv34eg2d7qweipxwosdo2py4ldv42nbauguluen5v6am"  # CID of b"hello\n"
    server = servers.scripted((200, json.dumps({"Name": "data.json", "Hash": other}).encode()))
    config = fast.replace(publish_backend="kubo", kubo_api_url=server.url)
    with pytest.raises(IPFSVerificationError) as caught:
        publish_to_ipfs("not hello", config=config)
    assert caught.value.cid == other
