"""Offline address normalisation: ``ogpu.core.address.to_checksum``."""

from __future__ import annotations

import pytest

from ogpu.core.address import ZERO_ADDRESS, to_checksum
from ogpu.core.errors import ConfigError, InvalidAddressError

CHECKSUMMED = "0x2b0cC6058313801D5feb184a539e3a0C5A87a6a1"  # mainnet Nexus (api.md 2.2)


@pytest.mark.parametrize(
    "value",
    [
        CHECKSUMMED,
        CHECKSUMMED.lower(),
        "0x" + CHECKSUMMED[2:].upper(),
        "0X" + CHECKSUMMED[2:].lower(),
    ],
)
def test_accepts_lower_upper_and_checksummed(value: str) -> None:
    assert to_checksum(value) == CHECKSUMMED


def test_zero_address() -> None:
    assert ZERO_ADDRESS == "0x" + "0" * 40
    assert to_checksum(ZERO_ADDRESS) == ZERO_ADDRESS


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (CHECKSUMMED.replace("cC", "Cc"), "checksum"),
        (CHECKSUMMED[:-1], "40 hex digits"),
        (CHECKSUMMED + "0", "40 hex digits"),
        ("0x" + "g" * 40, "non-hex"),
        (CHECKSUMMED[2:], "start with 0x"),
        ("", "start with 0x"),
    ],
)
def test_rejects_bad_strings(value: str, fragment: str) -> None:
    with pytest.raises(InvalidAddressError) as info:
        to_checksum(value, field="provider")
    assert fragment in info.value.reason
    assert info.value.reason.startswith("provider")
    assert info.value.value == value


@pytest.mark.parametrize("value", [None, 123, b"\x00" * 20, ["0x"]])
def test_rejects_non_strings(value: object) -> None:
    with pytest.raises(InvalidAddressError, match="must be a str"):
        to_checksum(value)


def test_error_is_config_and_value_error() -> None:
    with pytest.raises(ValueError):
        to_checksum("nope")
    with pytest.raises(ConfigError):
        to_checksum("nope")
