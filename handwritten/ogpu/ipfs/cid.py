"""Content identifiers (CIDs): parsing, encoding and matching a block against one.

Supported: CIDv0 (base58btc ``Qm...``: dag-pb, sha2-256) and CIDv1 in multibase base32 (``b``,
``B``), base58btc (``z``) or base36 (``k``, as subdomain gateways write long CIDs). Any codec and multihash parse; :meth:`CID.unsupported_reason` says
which ones this package cannot verify (only raw 0x55 and dag-pb 0x70 blocks, hashed with
sha2-256 or identity).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ogpu.ipfs.codec import base32_decode, base32_encode, base58_decode, base58_encode
from ogpu.ipfs.codec import decode_varint, encode_varint

__all__ = ["CID", "RAW", "DAG_PB", "SHA2_256", "IDENTITY"]

RAW = 0x55
DAG_PB = 0x70
SHA2_256 = 0x12
IDENTITY = 0x00

_SHA2_256_SIZE = 32
_CIDV0_LENGTH = 46  # characters of a base58btc sha2-256 multihash
_CODEC_NAMES = {RAW: "raw", DAG_PB: "dag-pb"}
_HASH_NAMES = {SHA2_256: "sha2-256", IDENTITY: "identity"}


@dataclass(frozen=True)
class CID:
    """A parsed CID. ``str()`` gives the canonical text (base58btc for v0, base32 for v1)."""

    version: int
    codec: int
    hash_code: int
    digest: bytes

    @classmethod
    def parse(cls, text: str) -> CID:
        """Parse a CID string; raise ``ValueError`` saying why it is not one."""
        if len(text) == _CIDV0_LENGTH and text.startswith("Qm"):
            raw = base58_decode(text)
        elif text[:1] in ("b", "B"):
            raw = base32_decode(text[1:])
        elif text[:1] == "z":
            raw = base58_decode(text[1:])
        elif text[:1] == "k":
            raw = _base36_decode(text[1:])
        else:
            raise ValueError(f"{text[:1]!r} is not a supported multibase prefix (b, B, z or k)")
        cid = cls.from_bytes(raw)
        if (cid.version == 0) != text.startswith("Qm"):
            raise ValueError("a CIDv0 is bare base58btc and a CIDv1 carries a multibase prefix")
        return cid

    @classmethod
    def from_bytes(cls, raw: bytes) -> CID:
        """Decode a binary CID (a bare sha2-256 multihash is CIDv0)."""
        if raw[:2] == bytes([SHA2_256, _SHA2_256_SIZE]):
            cid = cls(0, DAG_PB, SHA2_256, raw[2:])
        else:
            version, pos = decode_varint(raw)
            if version != 1:
                raise ValueError(f"unknown CID version {version}")
            codec, pos = decode_varint(raw, pos)
            hash_code, pos = decode_varint(raw, pos)
            size, pos = decode_varint(raw, pos)
            cid = cls(1, codec, hash_code, raw[pos:])
            if len(cid.digest) != size:
                raise ValueError(f"multihash declares {size} digest bytes, holds {len(cid.digest)}")
        if cid.hash_code == SHA2_256 and len(cid.digest) != _SHA2_256_SIZE:
            raise ValueError(f"sha2-256 digest of {len(cid.digest)} bytes")
        if cid.to_bytes() != raw:
            raise ValueError("CID bytes are not in canonical form")
        return cid

    @classmethod
    def of_block(cls, block: bytes, *, version: int, codec: int) -> CID:
        """The sha2-256 CID of ``block`` (version 0 implies dag-pb)."""
        return cls(version, codec, SHA2_256, hashlib.sha256(block).digest())

    @property
    def multihash(self) -> bytes:
        """The multihash: hash code, digest length, digest."""
        return encode_varint(self.hash_code) + encode_varint(len(self.digest)) + self.digest

    def to_bytes(self) -> bytes:
        """The binary CID, as dag-pb links hold it."""
        if self.version == 0:
            return self.multihash
        return encode_varint(1) + encode_varint(self.codec) + self.multihash

    def __str__(self) -> str:
        if self.version == 0:
            return base58_encode(self.multihash)
        return "b" + base32_encode(self.to_bytes())

    def unsupported_reason(self) -> str | None:
        """Why blocks under this CID cannot be verified here, or ``None`` if they can."""
        if self.codec not in _CODEC_NAMES:
            return f"codec 0x{self.codec:x} is not supported (only raw and dag-pb)"
        if self.hash_code not in _HASH_NAMES:
            return f"multihash 0x{self.hash_code:x} is not supported (only sha2-256 and identity)"
        return None

    def matches_block(self, block: bytes) -> bool:
        """Whether ``block`` hashes to this CID's multihash (codec not checked)."""
        if self.hash_code == SHA2_256:
            return hashlib.sha256(block).digest() == self.digest
        if self.hash_code == IDENTITY:
            return block == self.digest
        return False


def _base36_decode(text: str) -> bytes:
    """Decode lower-case base36 (multibase ``k``); a CIDv1 never starts with a zero byte."""
    if not text or text.strip("0123456789abcdefghijklmnopqrstuvwxyz"):
        raise ValueError("invalid base36 text")
    number = int(text, 36)
    return number.to_bytes((number.bit_length() + 7) // 8, "big")
