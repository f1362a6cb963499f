"""Signer resolution (api.md 3.5) and the .env fallback."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account

from ogpu.core.errors import InvalidSignerError, MissingSignerError
from ogpu.runtime import signers
from ogpu.runtime.signers import TxSigner, parse_dotenv, resolve_signer
from ogpu.schema.enums import Role

KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
ADDRESS = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
OTHER_KEY = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"
OTHER_ADDRESS = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """No role keys, an empty working directory and home, and a fresh dotenv state.

    The whole environment is restored afterwards, including what a .env file added.
    """
    saved = dict(os.environ)
    for role in Role:
        monkeypatch.delenv(role.env_var, raising=False)
    monkeypatch.delenv(signers.NO_DOTENV_ENV, raising=False)
    home = tmp_path / "home"
    work = tmp_path / "work"
    home.mkdir()
    work.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
    monkeypatch.setattr(signers, "_dotenv_done", False)
    yield tmp_path
    os.environ.clear()
    os.environ.update(saved)


class HardwareSigner:
    """A TxSigner that is not a LocalAccount."""

    address = OTHER_ADDRESS

    def sign_transaction(self, transaction_dict: dict[str, Any]) -> Any:
        return Account.from_key(OTHER_KEY).sign_transaction(transaction_dict)


def test_local_account_is_returned_as_is() -> None:
    account = Account.from_key(KEY)
    assert resolve_signer(account) is account


def test_any_tx_signer_is_returned_as_is() -> None:
    signer = HardwareSigner()
    assert isinstance(signer, TxSigner)
    assert resolve_signer(signer, Role.CLIENT) is signer


@pytest.mark.parametrize("text", [KEY, KEY[2:], KEY.upper().replace("0X", "0x"), f"  {KEY}\n"])
def test_key_strings_are_parsed(text: str) -> None:
    assert resolve_signer(text).address == ADDRESS


@pytest.mark.parametrize("text", ["", "0x1234", KEY + "00", "0x" + "zz" * 32, "0x" + "00" * 32])
def test_malformed_keys_are_refused_without_echoing_them(text: str) -> None:
    with pytest.raises(InvalidSignerError) as info:
        resolve_signer(text)
    if text:
        assert text not in str(info.value)
    assert info.value.__cause__ is None


@pytest.mark.parametrize("value", [123, b"\x01" * 32, object()])
def test_other_types_are_refused(value: Any) -> None:
    with pytest.raises(InvalidSignerError, match=type(value).__name__):
        resolve_signer(value)


def test_none_without_role_needs_an_explicit_signer() -> None:
    with pytest.raises(MissingSignerError) as info:
        resolve_signer(None)
    assert info.value.role is None
    assert "explicit signer" in str(info.value)


def test_none_with_role_reads_the_role_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROVIDER_PRIVATE_KEY", KEY)
    assert resolve_signer(None, Role.PROVIDER).address == ADDRESS
    with pytest.raises(MissingSignerError) as info:
        resolve_signer(None, Role.CLIENT)
    assert info.value.role is Role.CLIENT
    assert "CLIENT_PRIVATE_KEY" in str(info.value)


def test_empty_variable_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENT_PRIVATE_KEY", "  ")
    with pytest.raises(MissingSignerError):
        resolve_signer(None, Role.AGENT)


def test_malformed_variable_is_invalid_and_not_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MASTER_PRIVATE_KEY", "0xdeadbeef")
    with pytest.raises(InvalidSignerError) as info:
        resolve_signer(None, Role.MASTER)
    assert "MASTER_PRIVATE_KEY" in str(info.value)
    assert "deadbeef" not in str(info.value)


def test_dotenv_of_cwd_then_home_fills_unset_variables_only(
    monkeypatch: pytest.MonkeyPatch, clean_env: Path
) -> None:
    (clean_env / "work" / ".env").write_text(f"CLIENT_PRIVATE_KEY={KEY}\nOGPU_TEST_A=cwd\n")
    (clean_env / "home" / ".env").write_text(
        f"CLIENT_PRIVATE_KEY={OTHER_KEY}\nPROVIDER_PRIVATE_KEY={OTHER_KEY}\nOGPU_TEST_A=home\nOGPU_TEST_B=home\n"
    )
    monkeypatch.setenv("OGPU_TEST_B", "already set")
    monkeypatch.delenv("OGPU_TEST_A", raising=False)
    assert resolve_signer(None, Role.CLIENT).address == ADDRESS
    assert resolve_signer(None, Role.PROVIDER).address == OTHER_ADDRESS
    assert os.environ["OGPU_TEST_A"] == "cwd"
    assert os.environ["OGPU_TEST_B"] == "already set"


def test_dotenv_is_read_once(monkeypatch: pytest.MonkeyPatch, clean_env: Path) -> None:
    with pytest.raises(MissingSignerError):
        resolve_signer(None, Role.CLIENT)
    (clean_env / "work" / ".env").write_text(f"CLIENT_PRIVATE_KEY={KEY}\n")
    with pytest.raises(MissingSignerError):
        resolve_signer(None, Role.CLIENT)


def test_dotenv_is_not_read_for_explicit_signers(clean_env: Path) -> None:
    (clean_env / "work" / ".env").write_text(f"CLIENT_PRIVATE_KEY={KEY}\n")
    resolve_signer(OTHER_KEY, Role.CLIENT)
    assert signers._dotenv_done is False


def test_dotenv_can_be_disabled(monkeypatch: pytest.MonkeyPatch, clean_env: Path) -> None:
    (clean_env / "work" / ".env").write_text(f"CLIENT_PRIVATE_KEY={KEY}\n")
    monkeypatch.setenv(signers.NO_DOTENV_ENV, "1")
    with pytest.raises(MissingSignerError):
        resolve_signer(None, Role.CLIENT)


def test_parse_dotenv() -> None:
    text = "\n".join(
        [
            "# comment",
            "A=plain",
            "export B = spaced  ",
            "C='single # not a comment'",
            'D="line\\nbreak \\"quoted\\"" # trailing comment',
            "E=value # comment",
            "not a line",
            "F=",
            "1BAD=x",
        ]
    )
    assert parse_dotenv(text) == {
        "A": "plain",
        "B": "spaced",
        "C": "single # not a comment",
        "D": 'line\nbreak "quoted"',
        "E": "value",
        "F": "",
    }
