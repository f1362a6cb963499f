"""The keyword rules shared by the ``ogpu.client`` and ``ogpu.agent`` writes (api.md 2.15, defect 17).

Every write takes the 0.2.1 ``private_key`` (positional or keyword) and the keyword-only
``signer``; giving both is a ``TypeError``. ``nonce=`` and ``max_retries=`` (0.2.0 options) map
onto :class:`TxOptions`; ``auto_fix_nonce=`` is accepted with a ``DeprecationWarning`` and has
no effect. Any other keyword is a ``TypeError`` because the functions declare their parameters.
"""

from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass
from typing import Any

from ogpu.runtime.contract import check_range
from ogpu.runtime.signers import Signer, TxSigner, resolve_signer
from ogpu.schema.enums import Role
from ogpu.schema.networks import ChainId
from ogpu.types.options import TxOptions

__all__ = ["WriteContext", "chain_of", "check_range", "prepare_write", "tx_options"]


@dataclass(frozen=True)
class WriteContext:
    """Who signs, on which chain, with which transaction options."""

    account: TxSigner
    chain: ChainId | None
    tx: TxOptions | None

    @property
    def address(self) -> str:
        """The signer's address."""
        return self.account.address


def prepare_write(
    private_key: Signer | None,
    signer: Signer | None,
    *,
    role: Role,
    chain: ChainId | None,
    tx: TxOptions | None,
    nonce: int | None,
    max_retries: int | None,
    auto_fix_nonce: Any,
    depth: int = 2,
) -> WriteContext:
    """Resolve the signer (``role``'s env var when neither is given) and the options.

    Runs before any read, upload or transaction, so a missing key fails first. ``depth`` is the
    number of frames between this function and the user's call (for the warning's location).
    """
    if private_key is not None and signer is not None:
        raise TypeError("pass either private_key or signer, not both")
    options = tx_options(
        tx, nonce=nonce, max_retries=max_retries, auto_fix_nonce=auto_fix_nonce, depth=depth + 1
    )
    account = resolve_signer(signer if signer is not None else private_key, role)
    return WriteContext(account=account, chain=chain, tx=options)


def tx_options(
    tx: TxOptions | None,
    *,
    nonce: int | None = None,
    max_retries: int | None = None,
    auto_fix_nonce: Any = None,
    depth: int = 2,
) -> TxOptions | None:
    """``tx`` with ``nonce``/``max_retries`` applied (they win over the same fields of ``tx``).

    ``depth``: frames between this function and the user's call, where the warning points.
    """
    if auto_fix_nonce is not None:
        warnings.warn(
            "auto_fix_nonce= is deprecated and ignored: nonces are managed per (chain, address); "
            "use ogpu.chain.fix_nonce() to fill gaps",
            DeprecationWarning,
            stacklevel=depth + 1,
        )
    if tx is not None and not isinstance(tx, TxOptions):
        raise TypeError(f"tx must be a TxOptions, not {type(tx).__name__}")
    changes: dict[str, int] = {}
    if nonce is not None:
        changes["nonce"] = nonce
    if max_retries is not None:
        changes["max_retries"] = max_retries
    if not changes:
        return tx
    return dataclasses.replace(tx or TxOptions(), **changes)


def chain_of(entity: object, chain: ChainId | None) -> ChainId | None:
    """``chain``, else the chain of an instance argument (a plain address has none)."""
    if chain is not None:
        return chain
    found = getattr(entity, "chain", None)
    return found if isinstance(found, ChainId) else None
