"""Delegation: let an agent act for the client (api.md 2.15)."""

from __future__ import annotations

from typing import Any

from ogpu.client._calls import prepare_write
from ogpu.core.codec import to_address
from ogpu.core.errors import InvalidParamsError
from ogpu.protocol import terminal
from ogpu.runtime.signers import Signer
from ogpu.schema.enums import Role
from ogpu.schema.networks import ChainId
from ogpu.types.options import TxOptions
from ogpu.types.receipt import Receipt

__all__ = ["set_agent"]


def set_agent(
    agent_address: str,
    value: bool,
    private_key: Signer | None = None,
    *,
    signer: Signer | None = None,
    chain: ChainId | None = None,
    tx: TxOptions | None = None,
    nonce: int | None = None,
    max_retries: int | None = None,
    auto_fix_nonce: Any = None,
) -> Receipt:
    """Authorise (``value=True``) or revoke (``False``) ``agent_address`` for the signer.

    An agent of a client may publish tasks to, cancel tasks of and confirm responses for the
    client's sources. Returns the ``Receipt`` (0.2.1 returned the hash; the receipt compares
    equal to it). A malformed agent address raises ``InvalidAddressError`` before anything is
    sent; providers cannot have agents (the contract refuses).
    """
    ctx = prepare_write(
        private_key,
        signer,
        role=Role.CLIENT,
        chain=chain,
        tx=tx,
        nonce=nonce,
        max_retries=max_retries,
        auto_fix_nonce=auto_fix_nonce,
    )
    agent = to_address(agent_address, "agent_address")
    if not isinstance(value, bool):
        raise InvalidParamsError("value", f"expected a bool, got {value!r}")
    return terminal.set_agent(agent, value, signer=ctx.account, chain=ctx.chain, tx=ctx.tx)
