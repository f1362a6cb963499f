"""Byte encodings under CIDs and dag-pb blocks: unsigned varints, base32, base58btc, protobuf.

Only what IPFS content verification needs: the multibase alphabets used by CIDs (RFC 4648
base32 in lower case without padding, Bitcoin's base58) and the two protobuf wire types that
dag-pb and UnixFS use (varint and length-delimited). Decoders raise ``ValueError``.
"""

from __future__ import annotations

from collections.abc import Iterator

__all__ = [
    "encode_varint",
    "decode_varint",
    "base32_encode",
    "base32_decode",
    "base58_encode",
    "base58_decode",
    "pb_varint_field",
    "pb_bytes_field",
    "pb_fields",
]

_VARINT_MAX_BYTES = 10  # enough for any unsigned 64-bit value
_BASE32_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
_BASE32_INDEX = {ch: i for i, ch in enumerate(_BASE32_ALPHABET)}
_BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BASE58_INDEX = {ch: i for i, ch in enumerate(_BASE58_ALPHABET)}

_WIRE_VARINT = 0
_WIRE_BYTES = 2


# --- varint ----------------------------------------------------------------------------------


def encode_varint(value: int) -> bytes:
    """Encode a non-negative integer as an unsigned LEB128 varint (7 bits a byte, low first)."""
    if value < 0:
        raise ValueError(f"varint must be non-negative, got {value}")
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def decode_varint(data: bytes, pos: int = 0) -> tuple[int, int]:
    """Decode the varint at ``data[pos:]``; return ``(value, position after it)``.

    Rejects truncated input, more than 10 bytes, and non-minimal encodings (a trailing zero
    byte), so each value has exactly one encoding.
    """
    value = 0
    for i in range(_VARINT_MAX_BYTES):
        if pos + i >= len(data):
            raise ValueError("truncated varint")
        byte = data[pos + i]
        value |= (byte & 0x7F) << (7 * i)
        if byte < 0x80:
            if byte == 0 and i > 0:
                raise ValueError("non-minimal varint")
            return value, pos + i + 1
    raise ValueError("varint longer than 10 bytes")


# --- base32 (RFC 4648, lower case, no padding) ------------------------------------------------


def base32_encode(data: bytes) -> str:
    """Encode bytes as RFC 4648 base32 in lower case without ``=`` padding."""
    bits = len(data) * 8
    number = int.from_bytes(data, "big")
    pad = -bits % 5  # zero bits appended to fill the last 5-bit group
    number <<= pad
    count = (bits + pad) // 5
    return "".join(_BASE32_ALPHABET[(number >> (5 * (count - 1 - i))) & 31] for i in range(count))


def base32_decode(text: str) -> bytes:
    """Decode unpadded RFC 4648 base32 (either case); reject stray characters and lengths."""
    number = 0
    for ch in text.lower():
        digit = _BASE32_INDEX.get(ch)
        if digit is None:
            raise ValueError(f"invalid base32 character {ch!r}")
        number = (number << 5) | digit
    bits = len(text) * 5
    size, pad = divmod(bits, 8)
    if pad >= 5:
        raise ValueError(f"invalid base32 length {len(text)}")
    if number & ((1 << pad) - 1):
        raise ValueError("base32 has non-zero padding bits")
    return (number >> pad).to_bytes(size, "big")


# --- base58btc -------------------------------------------------------------------------------


def base58_encode(data: bytes) -> str:
    """Encode bytes in base58 with the Bitcoin alphabet (leading zero bytes become ``1``)."""
    zeros = len(data) - len(data.lstrip(b"\0"))
    number = int.from_bytes(data, "big")
    digits: list[str] = []
    while number:
        number, rem = divmod(number, 58)
        digits.append(_BASE58_ALPHABET[rem])
    return "1" * zeros + "".join(reversed(digits))


def base58_decode(text: str) -> bytes:
    """Decode Bitcoin-alphabet base58; each leading ``1`` is a zero byte."""
    number = 0
    for ch in text:
        digit = _BASE58_INDEX.get(ch)
        if digit is None:
            raise ValueError(f"invalid base58 character {ch!r}")
        number = number * 58 + digit
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return b"\0" * zeros + body


# --- protobuf --------------------------------------------------------------------------------


def pb_varint_field(field: int, value: int) -> bytes:
    """One protobuf field of wire type 0 (varint)."""
    return encode_varint(field << 3 | _WIRE_VARINT) + encode_varint(value)


def pb_bytes_field(field: int, value: bytes) -> bytes:
    """One protobuf field of wire type 2 (length-delimited bytes)."""
    return encode_varint(field << 3 | _WIRE_BYTES) + encode_varint(len(value)) + value


def pb_fields(data: bytes) -> Iterator[tuple[int, int | bytes]]:
    """Yield ``(field number, value)`` for each field of a protobuf message, in order.

    Varint fields give an ``int``, length-delimited fields ``bytes``; any other wire type, or a
    field running past the end, raises ``ValueError``.
    """
    pos = 0
    while pos < len(data):
        key, pos = decode_varint(data, pos)
        field, wire = key >> 3, key & 7
        if field == 0:
            raise ValueError("protobuf field number 0")
        if wire == _WIRE_VARINT:
            value, pos = decode_varint(data, pos)
            yield field, value
        elif wire == _WIRE_BYTES:
            length, pos = decode_varint(data, pos)
            if pos + length > len(data):
                raise ValueError("protobuf field runs past the end")
            yield field, data[pos : pos + length]
            pos += length
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
