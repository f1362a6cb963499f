"""Publish to and fetch from the real local js-ipfs node, through honest and lying gateways."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
import requests

from ogpu.core.errors import IPFSFetchError, IPFSGatewayError, IPFSVerificationError
from ogpu.ipfs import CID, IPFSConfig, fetch_ipfs_bytes, fetch_ipfs_json, publish_to_ipfs
from ogpu.ipfs.node import LocalIPFSNode
from ogpu.ipfs.unixfs import CHUNK_SIZE, FileLayout, build_file

if TYPE_CHECKING:
    from conftest import Exchange, FakeServer, ServerPool

pytestmark = pytest.mark.ipfs

BIG = 1536 * 1024  # 6 chunks


def text_of(size: int) -> str:
    """Printable, non-repeating-per-chunk text of ``size`` characters."""
    line = "".join(chr(32 + (i * 7) % 95) for i in range(9973))
    return (line * (size // len(line) + 1))[:size]


def cid_of(url: str) -> str:
    return url.rsplit("/ipfs/", 1)[1]


def proxy(node: LocalIPFSNode, alter: Callable[[bytes], bytes]) -> Callable[[Exchange], None]:
    """A gateway that asks the node's gateway and passes on ``alter(bytes)``."""

    def respond(exchange: Exchange) -> None:
        upstream = requests.get(node.gateway_url + exchange.seen.target, timeout=10)
        exchange.reply(upstream.status_code, alter(upstream.content), "application/octet-stream")

    return respond


def flip_middle_byte(body: bytes) -> bytes:
    middle = len(body) // 2
    return body[:middle] + bytes([body[middle] ^ 0x01]) + body[middle + 1 :]


# --- publish through the Kubo API, fetch through the gateway -------------------------------------


@pytest.mark.parametrize("version", [0, 1])
@pytest.mark.parametrize("size", [20, BIG])
def test_publish_then_fetch_verified(node_config: IPFSConfig, version: int, size: int) -> None:
    config = node_config.replace(kubo_cid_version=version)
    content = text_of(size)
    url = publish_to_ipfs(content, "data.txt", "text/plain", config=config)
    cid = CID.parse(cid_of(url))
    assert url.startswith(f"{config.gateways[0]}/ipfs/")
    assert cid.version == version
    assert fetch_ipfs_bytes(url, config=config) == content.encode()
    assert fetch_ipfs_bytes(f"ipfs://{cid}", config=config) == content.encode()


def test_dict_round_trips_as_json(node_config: IPFSConfig) -> None:
    data = {"function_name": "generate", "data": {"prompt": "a cat", "steps": 30}}
    for version in (0, 1):
        url = publish_to_ipfs(data, config=node_config.replace(kubo_cid_version=version))
        assert fetch_ipfs_json(url, config=node_config) == data


@pytest.mark.parametrize("size", [0, 1, CHUNK_SIZE, 3 * CHUNK_SIZE + 7])
def test_local_dag_matches_the_nodes_cids(ipfs_node: LocalIPFSNode, size: int) -> None:
    content = text_of(size).encode()
    cases = [
        ({"cid-version": "0"}, FileLayout(0, raw_leaves=False)),
        ({"cid-version": "1", "cid-base": "base32"}, FileLayout(1, raw_leaves=True)),
        (
            {"cid-version": "1", "raw-leaves": "false", "cid-base": "base32"},
            FileLayout(1, raw_leaves=False),
        ),
    ]
    for params, layout in cases:
        answer = requests.post(
            f"{ipfs_node.api_url}/api/v0/add",
            params=params,
            files={"file": ("f", content, "application/octet-stream")},
            timeout=10,
        )
        assert answer.json()["Hash"] == str(build_file(content, layout).cid), params


# --- gateway fallback ----------------------------------------------------------------------------


@pytest.fixture
def published(node_config: IPFSConfig) -> tuple[str, bytes]:
    """(CID, content) of a multi-chunk file on the node."""
    content = text_of(BIG + 11)
    return cid_of(publish_to_ipfs(content, config=node_config)), content.encode()


def test_dead_first_gateway_falls_back_to_the_next(
    node_config: IPFSConfig, published: tuple[str, bytes], dead_url: str
) -> None:
    cid, content = published
    config = node_config.replace(gateways=(dead_url, *node_config.gateways))
    assert fetch_ipfs_bytes(f"ipfs://{cid}", config=config) == content


def test_a_gateway_urls_own_host_is_tried_first_then_the_configured_ones(
    node_config: IPFSConfig, published: tuple[str, bytes], dead_url: str, servers: ServerPool
) -> None:
    cid, content = published
    first = servers.scripted((404, b"not here"))
    assert fetch_ipfs_bytes(f"{first.url}/ipfs/{cid}", config=node_config) == content
    assert [seen.path for seen in first.seen] == [f"/ipfs/{cid}"]
    assert fetch_ipfs_bytes(f"{dead_url}/ipfs/{cid}", config=node_config) == content


def test_every_gateway_down_is_an_error(
    node_config: IPFSConfig, published: tuple[str, bytes], dead_url: str
) -> None:
    with pytest.raises(IPFSFetchError):
        fetch_ipfs_bytes(f"ipfs://{published[0]}", config=node_config.replace(gateways=(dead_url,)))


# --- lying gateways ------------------------------------------------------------------------------


@pytest.mark.parametrize("version", [0, 1])
@pytest.mark.parametrize("size", [30, BIG])
def test_tampered_bytes_are_rejected(
    ipfs_node: LocalIPFSNode, node_config: IPFSConfig, servers: ServerPool, version: int, size: int
) -> None:
    url = publish_to_ipfs(text_of(size), config=node_config.replace(kubo_cid_version=version))
    liar = servers.start(proxy(ipfs_node, flip_middle_byte))
    tampered_url = f"{liar.url}/ipfs/{cid_of(url)}"
    config = node_config.replace(gateways=(liar.url,))
    with pytest.raises(IPFSVerificationError) as caught:
        fetch_ipfs_bytes(tampered_url, config=config)
    assert caught.value.url == tampered_url
    assert caught.value.cid == cid_of(url)
    assert liar.url in caught.value.reason
    # with verification off the altered bytes come through: the check is what stops them
    assert fetch_ipfs_bytes(tampered_url, config=config.replace(verify=False)) == flip_middle_byte(
        text_of(size).encode()
    )


def test_other_valid_content_under_a_cid_is_rejected(
    ipfs_node: LocalIPFSNode, node_config: IPFSConfig, servers: ServerPool
) -> None:
    wanted = cid_of(publish_to_ipfs({"answer": 42}, config=node_config))
    swapped = text_of(40).encode()
    liar = servers.start(proxy(ipfs_node, lambda _: swapped))
    with pytest.raises(IPFSVerificationError):
        fetch_ipfs_json(f"ipfs://{wanted}", config=node_config.replace(gateways=(liar.url,)))


def test_a_lying_gateway_is_skipped_for_an_honest_one(
    ipfs_node: LocalIPFSNode,
    node_config: IPFSConfig,
    published: tuple[str, bytes],
    servers: ServerPool,
) -> None:
    cid, content = published
    liar = servers.start(proxy(ipfs_node, flip_middle_byte))
    config = node_config.replace(gateways=(liar.url, *node_config.gateways))
    assert fetch_ipfs_bytes(f"ipfs://{cid}", config=config) == content
    assert len(liar.seen) == 1


def test_unverifiable_cids_fail_closed_before_any_request(
    node_config: IPFSConfig, servers: ServerPool
) -> None:
    gateway = servers.scripted((200, b"{}"))
    config = node_config.replace(gateways=(gateway.url,))
    dag_cbor = CID(1, 0x71, 0x12, bytes(32))
    for url, reason in [(f"ipfs://{dag_cbor}", "codec 0x71"), ("ipfs://not-a-cid", "not a CID")]:
        with pytest.raises(IPFSVerificationError, match=reason):
            fetch_ipfs_json(url, config=config)
    assert gateway.seen == []
    assert fetch_ipfs_json("ipfs://not-a-cid", config=config.replace(verify=False)) == {}


# --- paths below a directory CID -----------------------------------------------------------------


@pytest.fixture
def directory(ipfs_node: LocalIPFSNode) -> tuple[str, bytes]:
    """(directory CID, content of its entry "task config.json")."""
    content = json.dumps({"function_name": "f", "data": {"x": text_of(CHUNK_SIZE)}}).encode()
    answer = requests.post(
        f"{ipfs_node.api_url}/api/v0/add",
        params={"cid-version": "1", "wrap-with-directory": "true", "cid-base": "base32"},
        files={"file": ("task config.json", content, "application/json")},
        timeout=10,
    )
    entries = [json.loads(line) for line in answer.text.splitlines()]
    (root,) = [entry["Hash"] for entry in entries if entry["Name"] == ""]
    return root, content


def trustless_gateway(
    node: LocalIPFSNode, alter: Callable[[bytes], bytes] = lambda b: b
) -> Callable[[Exchange], None]:
    """A gateway that also serves raw blocks (``?format=raw``), taken from the node's block API."""

    def respond(exchange: Exchange) -> None:
        if exchange.seen.query.get("format") != ["raw"]:
            proxy(node, lambda body: body)(exchange)
            return
        cid = exchange.seen.path.rsplit("/", 1)[1]
        block = requests.post(f"{node.api_url}/api/v0/block/get", params={"arg": cid}, timeout=10)
        exchange.reply(200, alter(block.content), "application/vnd.ipld.raw")

    return respond


def test_path_below_a_directory_is_resolved_block_by_block(
    ipfs_node: LocalIPFSNode,
    node_config: IPFSConfig,
    directory: tuple[str, bytes],
    servers: ServerPool,
) -> None:
    root, content = directory
    gateway = servers.start(trustless_gateway(ipfs_node))
    config = node_config.replace(gateways=(gateway.url,))
    assert fetch_ipfs_bytes(f"ipfs://{root}/task%20config.json", config=config) == content
    assert [seen.query.get("format") for seen in gateway.seen] == [["raw"], None]
    with pytest.raises(IPFSFetchError, match="no entry 'missing.json'"):
        fetch_ipfs_bytes(f"ipfs://{root}/missing.json", config=config)


def test_a_tampered_directory_block_is_rejected(
    ipfs_node: LocalIPFSNode,
    node_config: IPFSConfig,
    directory: tuple[str, bytes],
    servers: ServerPool,
) -> None:
    gateway = servers.start(trustless_gateway(ipfs_node, flip_middle_byte))
    with pytest.raises(IPFSVerificationError, match="raw block"):
        fetch_ipfs_bytes(
            f"ipfs://{directory[0]}/task%20config.json",
            config=node_config.replace(gateways=(gateway.url,)),
        )


def test_path_on_a_gateway_without_raw_blocks_fails_closed(
    node_config: IPFSConfig, directory: tuple[str, bytes]
) -> None:
    root, content = directory
    url = f"{node_config.gateways[0]}/ipfs/{root}/task%20config.json"
    with pytest.raises(IPFSVerificationError, match="trustless"):
        fetch_ipfs_bytes(url, config=node_config)
    assert fetch_ipfs_bytes(url, config=node_config.replace(verify=False)) == content


def test_kubo_publish_error_status_is_a_gateway_error(
    node_config: IPFSConfig, servers: ServerPool
) -> None:
    broken = servers.scripted((500, b'{"Message": "repo locked"}'))
    with pytest.raises(IPFSGatewayError) as caught:
        publish_to_ipfs("x", config=node_config.replace(kubo_api_url=broken.url))
    assert caught.value.status_code == 500
