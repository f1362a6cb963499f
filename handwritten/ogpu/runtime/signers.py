"""Signers and their resolution (api.md 3.5).

A signer is a hex private key, an ``eth_account`` ``LocalAccount``, or any object meeting the
:class:`TxSigner` protocol (a hardware wallet adapter, a remote signer, ...). Keys never appear
in a message, a log line or a ``repr`` produced here.

When no signer is given and the call has a default role, ``<ROLE>_PRIVATE_KEY`` is read from
the environment. At that first fallback the ``.env`` files of the working directory, then of
the home directory, are read once into the environment without overriding variables already
set; ``OGPU_NO_DOTENV=1`` turns that off.
"""

from __future__ import annotations

import functools
import os
import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, Union, runtime_checkable

from ogpu.core.errors import InvalidSignerError, MissingSignerError

if TYPE_CHECKING:  # pragma: no cover
    from eth_account.signers.local import LocalAccount

    from ogpu.schema.enums import Role

__all__ = ["NO_DOTENV_ENV", "Signer", "SignedTx", "TxSigner", "resolve_signer"]

NO_DOTENV_ENV = "OGPU_NO_DOTENV"
"""Set to ``1`` (or ``true``/``yes``) to stop the SDK from reading ``.env`` files."""

_KEY_RE = re.compile(r"(?:0[xX])?[0-9a-fA-F]{64}")
_ENV_LINE_RE = re.compile(r"\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*")
_SINGLE_QUOTED_RE = re.compile(r"'([^']*)'")
_DOUBLE_QUOTED_RE = re.compile(r'"((?:[^"\\]|\\.)*)"')
_dotenv_done = False
_dotenv_lock = threading.Lock()


@runtime_checkable
class SignedTx(Protocol):
    """What ``sign_transaction`` returns: the raw signed bytes and the transaction hash."""

    @property
    def raw_transaction(self) -> bytes: ...

    @property
    def hash(self) -> bytes: ...


@runtime_checkable
class TxSigner(Protocol):
    """Anything with an ``address`` that signs a transaction dict (web3's field names)."""

    @property
    def address(self) -> str: ...

    def sign_transaction(self, transaction_dict: dict[str, Any]) -> SignedTx: ...


Signer = Union[str, "LocalAccount", TxSigner]
"""A hex private key, an ``eth_account`` ``LocalAccount`` or any :class:`TxSigner`."""


def resolve_signer(signer: Signer | None, role: Role | None = None) -> TxSigner:
    """Turn ``signer`` (or the role's environment variable) into something that signs.

    1. A ``LocalAccount`` or other :class:`TxSigner` is returned as is.
    2. A ``str`` is parsed as a hex private key (``0x`` optional); a malformed one raises
       ``InvalidSignerError``.
    3. Any other non-None value raises ``InvalidSignerError``.
    4. None without a role raises ``MissingSignerError(role=None)``.
    5. None with a role reads ``<ROLE>_PRIVATE_KEY``: unset or empty raises
       ``MissingSignerError(role)``, malformed raises ``InvalidSignerError``.
    """
    if isinstance(signer, str):
        return _account_from_key(signer, "the private key string")
    if signer is not None:
        if isinstance(signer, TxSigner) and isinstance(getattr(signer, "address", None), str):
            return signer
        raise InvalidSignerError(
            f"expected a hex private key, a LocalAccount or a TxSigner, got {type(signer).__name__}"
        )
    if role is None:
        raise MissingSignerError(None)
    return _signer_from_env(role)


def _signer_from_env(role: Role) -> TxSigner:
    env_var = role.env_var
    _load_dotenv_once()
    key = os.environ.get(env_var, "").strip()
    if not key:
        raise MissingSignerError(role)
    return _account_from_key(key, env_var)


def _account_from_key(key: str, source: str) -> TxSigner:
    stripped = key.strip()
    if not _KEY_RE.fullmatch(stripped):
        raise InvalidSignerError(f"{source} is not 32 bytes of hex")
    try:
        return _cached_account(stripped.lower().removeprefix("0x"))
    except (ValueError, TypeError):
        # Not chained on purpose: the cause's arguments could include the key.
        raise InvalidSignerError(f"{source} is not a valid secp256k1 private key") from None


@functools.lru_cache(maxsize=64)
def _cached_account(hex_key: str) -> LocalAccount:
    from eth_account import Account

    account: LocalAccount = Account.from_key("0x" + hex_key)
    return account


# --- .env -----------------------------------------------------------------------------------


def _load_dotenv_once() -> None:
    """Read ``./.env`` then ``~/.env`` into ``os.environ`` once, never overriding set names."""
    global _dotenv_done
    if _dotenv_done:
        return
    with _dotenv_lock:
        if _dotenv_done:
            return
        _dotenv_done = True
        if os.environ.get(NO_DOTENV_ENV, "").strip().lower() in ("1", "true", "yes"):
            return
        for path in _dotenv_paths():
            for name, value in parse_dotenv(_read_text(path)).items():
                os.environ.setdefault(name, value)


def _dotenv_paths() -> list[Path]:
    paths: list[Path] = []
    for folder in (Path.cwd(), Path.home()):
        candidate = folder / ".env"
        if candidate not in paths and candidate.is_file():
            paths.append(candidate)
    return paths


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def parse_dotenv(text: str) -> dict[str, str]:
    """Parse ``.env`` text: ``NAME=value`` lines, optional ``export``, ``#`` comments.

    Values may be single-quoted (taken literally) or double-quoted (``\\n``, ``\\t``, ``\\"``
    and ``\\\\`` escapes). An unquoted value ends at `` #``. Lines that do not parse are skipped.
    """
    result: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _ENV_LINE_RE.fullmatch(line)
        if match:
            result[match.group(1)] = _dotenv_value(match.group(2))
    return result


def _dotenv_value(raw: str) -> str:
    single = _SINGLE_QUOTED_RE.match(raw)
    if single:
        return single.group(1)
    double = _DOUBLE_QUOTED_RE.match(raw)
    if double:
        return _unescape(double.group(1))
    return raw.split(" #", 1)[0].rstrip()


def _unescape(body: str) -> str:
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(0)), body)
