"""Unit tests of ogpu.ipfs.unixfs against CIDs that js-ipfs 0.66.1 gave for the same bytes.

The expected CIDs were produced with ``POST /api/v0/add`` on the local node (see
test_node_roundtrip.py, which checks the same agreement live for other content).
"""

from __future__ import annotations

import pytest

from ogpu.ipfs.cid import CID, DAG_PB, IDENTITY, RAW
from ogpu.ipfs.codec import pb_bytes_field, pb_varint_field
from ogpu.ipfs.unixfs import (
    CHUNK_SIZE,
    DIRECTORY,
    MAX_LINKS,
    FileLayout,
    build_file,
    decode_links,
    layouts_for,
    unixfs_type,
    verify_file,
)

V0 = FileLayout(0, raw_leaves=False)
V1_RAW = FileLayout(1, raw_leaves=True)
V1_PB = FileLayout(1, raw_leaves=False)
TWO_LEVELS = MAX_LINKS * CHUNK_SIZE + 1  # 175 leaves: a root over two parents


def pattern(size: int) -> bytes:
    """Deterministic test content: 0, 1, ..., 250, 0, 1, ..."""
    return (bytes(range(251)) * (size // 251 + 1))[:size]


# size -> (CIDv0, CIDv1 with raw leaves, CIDv1 with dag-pb leaves), as js-ipfs computed them
EXPECTED = {
    0: (
        "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH",
        "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku",
        "bafybeif7ztnhq65lumvvtr4ekcwd2ifwgm3awq4zfr3srh462rwyinlb4y",
    ),
    1: (
        "QmS9JArPwa55ePgDnyg6TzX24mYTS1b1vLqWNebyVotKxQ",
        "bafkreidogqfzz75tpkmjzjke425xqcrmpcib2p5tg44hnbirumdbpl5adu",
        "bafybeibyqyrkx66boqbutl5oktknecxgnl43cipcls3knonfmi727rdtnu",
    ),
    CHUNK_SIZE: (
        "QmeqfRyS3vkku7n6krqC3DgGMex3x2sCpSeKMDmrG13QQq",
        "bafkreibruh455iawsviqslif5c7uurdcfdemh22mtnytyzvnzn75kpejxy",
        "bafybeihvfgtilxh7thaf7o5zmjiissdd4swdao3qfltyhm62x2v3ubyasi",
    ),
    CHUNK_SIZE
    + 1: (
        "QmUSjGawaz4ptvREcMKSMJneWCa5j8dAz2wSAAvHtW2rnB",
        "bafybeiexg2oqkfnj56l7fcmawswqbijt5shq4b5rg6a546uwpkqqzwjioi",
        "bafybeidas2dvcqxlierzany6rt2e43v3yojj5ls4b7o7owukcgsgiarvrq",
    ),
    1024
    * 1024: (
        "QmXgkY4miMKJBrg8YYke4xw6C2n8WNsUc1GXLhN84k4QM3",
        "bafybeiedpcapwld4tkgtzwahfofgn4wex5ryysf4se6hwpmlrsh4ntnrau",
        "bafybeig6dzltgwskimoljyivhmtis7azvhvf2gk2pbhv5eul47unt5ekte",
    ),
    MAX_LINKS
    * CHUNK_SIZE: (
        "QmXCym15aFeWjAWyPFaAgwVmkuKB7EBsV77Skt54KmxChF",
        "bafybeihpe5snhzneq7xs53nivmsopto5lrogo3wjynauqylqeym5a3irbm",
        "bafybeifiin5lxhnjhsfqblkhcbt6i52nhhtuyqo44hv24slsom6prmmfbe",
    ),
    TWO_LEVELS: (
        "QmTedsTekQQkgACJXb1sPZSW8bLdS9LPMrT7L4YdjNRd4n",
        "bafybeib4y7ghw2rq7bracc4xwtxrbzo7cfvagdpte2tmrkgwl6dyard3cm",
        "bafybeif6naoec4sq7ocfr3fyvgvu5ct7qwi377tfoduj2tuvshdelumpqi",
    ),
}


@pytest.mark.parametrize("size", sorted(EXPECTED))
def test_build_file_gives_the_cids_js_ipfs_gives(size: int) -> None:
    data = pattern(size)
    for layout, expected in zip((V0, V1_RAW, V1_PB), EXPECTED[size]):
        root = build_file(data, layout)
        assert str(root.cid) == expected, layout.describe()
        assert root.file_size == size
        assert verify_file(data, CID.parse(expected)) is None


def test_a_single_chunk_with_raw_leaves_is_a_raw_root() -> None:
    assert build_file(b"x", V1_RAW).cid.codec == RAW
    assert build_file(pattern(CHUNK_SIZE + 1), V1_RAW).cid.codec == DAG_PB


def test_two_level_tree_shape() -> None:
    root = build_file(pattern(TWO_LEVELS), V1_RAW)
    links, data = decode_links(root.block)
    assert len(links) == 2  # one full parent of 174 leaves, one parent of the last leaf
    assert root.dag_size == sum(link.tsize for link in links) + len(root.block)
    assert unixfs_type(data) == 2
    assert [link.name for link in links] == ["", ""]


def test_verify_rejects_a_single_changed_byte_in_every_layout() -> None:
    data = bytearray(pattern(CHUNK_SIZE * 3 + 17))
    cids = [build_file(bytes(data), layout).cid for layout in (V0, V1_RAW, V1_PB)]
    data[CHUNK_SIZE * 2 + 5] ^= 1
    for cid in cids:
        reason = verify_file(bytes(data), cid)
        assert reason is not None and "default layouts" in reason


def test_verify_rejects_truncated_and_extended_content() -> None:
    data = pattern(CHUNK_SIZE + 10)
    cid = build_file(data, V0).cid
    assert verify_file(data[:-1], cid) is not None
    assert verify_file(data + b"\0", cid) is not None


def test_verify_raw_cid_hashes_the_whole_content() -> None:
    data = pattern(CHUNK_SIZE * 2)  # a raw block may be any size
    cid = CID.of_block(data, version=1, codec=RAW)
    assert verify_file(data, cid) is None
    assert verify_file(data[1:], cid) == "the bytes do not hash to this raw CID"


def test_verify_identity_cids() -> None:
    assert verify_file(b"tiny", CID(1, RAW, IDENTITY, b"tiny")) is None
    node = build_file(b"tiny", V1_PB)
    assert verify_file(b"tiny", CID(1, DAG_PB, IDENTITY, node.block)) is None
    assert verify_file(b"tinY", CID(1, DAG_PB, IDENTITY, node.block)) is not None


def test_verify_fails_closed_on_what_it_cannot_check() -> None:
    assert "codec 0x71" in (verify_file(b"{}", CID(1, 0x71, 0x12, b"\0" * 32)) or "")
    # content chunked differently (here 1024-byte chunks) cannot be shown to match
    data = pattern(5000)
    other = build_file(data, FileLayout(0, raw_leaves=False, chunk_size=1024)).cid
    reason = verify_file(data, other)
    assert reason is not None and "another chunker or layout" in reason


def test_layouts_for_follows_the_cid_version() -> None:
    assert layouts_for(CID.parse(EXPECTED[1][0])) == (V0,)
    assert layouts_for(CID.parse(EXPECTED[1][2])) == (V1_RAW, V1_PB)


def test_decode_links_reads_a_directory_node() -> None:
    child = build_file(b"hello\n", V0)
    link = (
        pb_bytes_field(1, child.cid.to_bytes())
        + pb_bytes_field(2, b"a.json")
        + pb_varint_field(3, 14)
    )
    block = pb_bytes_field(2, link) + pb_bytes_field(1, pb_varint_field(1, DIRECTORY))
    links, data = decode_links(block)
    assert unixfs_type(data) == DIRECTORY
    assert [(CID.from_bytes(x.cid_bytes), x.name, x.tsize) for x in links] == [
        (child.cid, "a.json", 14)
    ]
    with pytest.raises(ValueError):
        decode_links(pb_varint_field(3, 1))
    with pytest.raises(ValueError):
        unixfs_type(b"")
