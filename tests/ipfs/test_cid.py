"""Unit tests of ogpu.ipfs.cid.CID."""

from __future__ import annotations

import hashlib

import pytest

from ogpu.ipfs.cid import CID, DAG_PB, IDENTITY, RAW, SHA2_256
from ogpu.ipfs.codec import base32_encode, base58_encode

HELLO = b"hello\n"
HELLO_V0 = "QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXEN"  # `ipfs add` of HELLO
HELLO_RAW = "bafkreicysg23kiwv34eg2d7qweipxwosdo2py4ldv42nbauguluen5v6am"  # with --cid-version=1


def test_cidv0_parses_and_prints_back() -> None:
    cid = CID.parse(HELLO_V0)
    assert (cid.version, cid.codec, cid.hash_code, len(cid.digest)) == (0, DAG_PB, SHA2_256, 32)
    assert cid.to_bytes()[:2] == b"\x12\x20"
    assert str(cid) == HELLO_V0
    assert CID.from_bytes(cid.to_bytes()) == cid


def test_cidv1_raw_is_the_sha256_of_the_bytes() -> None:
    cid = CID.parse(HELLO_RAW)
    assert (cid.version, cid.codec, cid.hash_code) == (1, RAW, SHA2_256)
    assert cid.digest == hashlib.sha256(HELLO).digest()
    assert cid == CID.of_block(HELLO, version=1, codec=RAW)
    assert cid.matches_block(HELLO)
    assert not cid.matches_block(HELLO + b"!")
    assert str(cid) == HELLO_RAW


def test_cidv1_parses_in_base58btc_and_upper_case_base32() -> None:
    cid = CID.parse(HELLO_RAW)
    assert CID.parse("z" + base58_encode(cid.to_bytes())) == cid
    assert CID.parse(HELLO_RAW.upper()) == cid


def test_base36_cids_parse() -> None:
    # an IPNS name as published in the docs: CIDv1, libp2p-key codec, identity hash of a key
    cid = CID.parse("k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8")
    assert (cid.version, cid.codec, cid.hash_code, len(cid.digest)) == (1, 0x72, IDENTITY, 36)
    raw = CID.parse(HELLO_RAW)
    number = int.from_bytes(raw.to_bytes(), "big")
    digits = ""
    while number:
        number, rem = divmod(number, 36)
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"[rem] + digits
    assert CID.parse("k" + digits) == raw
    for bad in ("k", "k1_0", "k-1", "kABC"):
        with pytest.raises(ValueError):
            CID.parse(bad)


def test_identity_multihash_holds_the_block_itself() -> None:
    cid = CID(1, RAW, IDENTITY, b"hi")
    assert cid.to_bytes() == bytes([1, RAW, IDENTITY, 2]) + b"hi"
    parsed = CID.parse(str(cid))
    assert parsed == cid
    assert parsed.unsupported_reason() is None
    assert parsed.matches_block(b"hi")
    assert not parsed.matches_block(b"ho")


def _b32(raw: bytes) -> str:
    return "b" + base32_encode(raw)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("f01551220" + "00" * 32, "multibase prefix"),  # base16 is not supported
        ("", "multibase prefix"),
        ("Qm" + "1" * 44, "version"),  # 46 characters, but not a sha2-256 multihash
        (_b32(bytes([2, RAW, SHA2_256, 32]) + b"\0" * 32), "version 2"),
        (_b32(bytes([1, RAW, SHA2_256, 32]) + b"\0" * 31), "declares 32"),
        (_b32(bytes([1, RAW, SHA2_256, 4]) + b"\0" * 4), "sha2-256 digest of 4"),
        (_b32(bytes([1, RAW])), "truncated"),
        ("z" + HELLO_V0, "multibase prefix"),  # a CIDv0 must be bare
        (_b32(bytes([1, 0x80, 0x00, SHA2_256, 32]) + b"\0" * 32), "non-minimal"),
        ("bafkrei!", "base32"),
    ],
)
def test_parse_rejects_malformed_cids(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CID.parse(text)


def test_unsupported_codecs_and_hashes_are_named() -> None:
    dag_cbor = CID(1, 0x71, SHA2_256, b"\0" * 32)
    blake = CID(1, RAW, 0xB220, b"\0" * 32)
    assert "codec 0x71" in (dag_cbor.unsupported_reason() or "")
    assert "multihash 0xb220" in (blake.unsupported_reason() or "")
    assert not blake.matches_block(b"")
    # both still parse: they are CIDs, just not ones this client can verify
    assert CID.parse(str(dag_cbor)) == dag_cbor
    assert CID.parse(str(blake)) == blake
