"""Unit tests of ogpu.ipfs.codec: varint, base32, base58btc, protobuf fields."""

from __future__ import annotations

import base64
import random

import pytest

from ogpu.ipfs.codec import (
    base32_decode,
    base32_encode,
    base58_decode,
    base58_encode,
    decode_varint,
    encode_varint,
    pb_bytes_field,
    pb_fields,
    pb_varint_field,
)


@pytest.mark.parametrize(
    ("value", "encoded"),
    [(0, "00"), (1, "01"), (127, "7f"), (128, "8001"), (300, "ac02"), (16384, "808001")],
)
def test_varint_known_encodings(value: int, encoded: str) -> None:
    assert encode_varint(value).hex() == encoded
    assert decode_varint(bytes.fromhex(encoded)) == (value, len(encoded) // 2)


def test_varint_round_trips_64_bit_values_at_an_offset() -> None:
    for value in (2**32, 2**63, 2**64 - 1):
        data = b"\xff" + encode_varint(value) + b"tail"
        assert decode_varint(data, 1) == (value, len(data) - 4)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "truncated"),
        (b"\x80", "truncated"),
        (b"\x80\x00", "non-minimal"),
        (b"\xff" * 11, "longer"),
    ],
)
def test_varint_rejects_bad_input(data: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        decode_varint(data)


def test_varint_rejects_negative() -> None:
    with pytest.raises(ValueError):
        encode_varint(-1)


def test_base32_matches_the_standard_library() -> None:
    rng = random.Random(4)
    for size in range(0, 41):
        data = rng.randbytes(size)
        expected = base64.b32encode(data).decode().lower().rstrip("=")
        assert base32_encode(data) == expected
        assert base32_decode(expected) == data
        assert base32_decode(expected.upper()) == data


@pytest.mark.parametrize(
    "text",
    [
        "a",  # lengths 1, 3 and 6 (mod 8) cannot come from whole bytes
        "abc",
        "abcdef",
        "a1",  # not in the alphabet
        "ab=",  # no padding in multibase
        "ab",  # one byte, but the two leftover bits are not zero
    ],
)
def test_base32_rejects_bad_text(text: str) -> None:
    with pytest.raises(ValueError):
        base32_decode(text)


@pytest.mark.parametrize(
    ("data", "text"),
    [(b"", ""), (b"\0", "1"), (b"\0\0\x01", "112"), (b"Hello World!", "2NEpo7TZRRrLZSi2U")],
)
def test_base58_known_encodings(data: bytes, text: str) -> None:
    assert base58_encode(data) == text
    assert base58_decode(text) == data


def test_base58_round_trips_random_bytes() -> None:
    rng = random.Random(58)
    for size in range(0, 40):
        data = bytes(rng.randrange(3)) * rng.randrange(3) + rng.randbytes(size)
        assert base58_decode(base58_encode(data)) == data


@pytest.mark.parametrize("char", ["0", "O", "I", "l", "+"])
def test_base58_rejects_characters_outside_the_alphabet(char: str) -> None:
    with pytest.raises(ValueError, match="base58"):
        base58_decode("abc" + char)


def test_protobuf_fields_round_trip() -> None:
    message = pb_varint_field(1, 2) + pb_bytes_field(2, b"chunk") + pb_varint_field(4, 300)
    assert message.hex() == "0802" + "1205" + b"chunk".hex() + "20ac02"
    assert list(pb_fields(message)) == [(1, 2), (2, b"chunk"), (4, 300)]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (bytes([1 << 3 | 1]) + b"\0" * 8, "wire type 1"),
        (bytes([2 << 3 | 2, 5]) + b"abc", "past the end"),
        (bytes([0 << 3 | 0, 1]), "field number 0"),
    ],
)
def test_protobuf_rejects_bad_messages(data: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        list(pb_fields(data))
