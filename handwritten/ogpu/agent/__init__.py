"""``ogpu.agent``: a scheduling agent acting for a master's provider (api.md 2.16).

The master authorises the agent with ``Master(master).set_agent(agent, True)``; the contract
then accepts ``register``, ``unregister`` and ``attempt`` for the master's provider from the
agent (``Terminal.isAgentOf(master, agent)``). Default signer: ``AGENT_PRIVATE_KEY``. The
keyword rules are those of :mod:`ogpu.client` (``private_key`` or ``signer``, ``chain=``,
``tx=``, ``nonce=``, ``max_retries=``); every call returns the :class:`ogpu.types.Receipt`.
A refusal by the contract is found while estimating gas, so nothing is sent.
"""

from __future__ import annotations

from typing import Any

from ogpu.client._calls import prepare_write
from ogpu.core.codec import to_address
from ogpu.core.errors import InvalidParamsError
from ogpu.protocol import nexus
from ogpu.runtime.signers import Signer
from ogpu.schema.enums import Environment, Role
from ogpu.schema.networks import ChainId
from ogpu.types.options import TxOptions
from ogpu.types.receipt import Receipt

__all__ = ["attempt", "register_to", "unregister_from"]

_SINGLE_FLAGS = frozenset(int(env) for env in Environment)


def register_to(
    source: str,
    provider: str,
    env: int,
    private_key: Signer | None = None,
    *,
    signer: Signer | None = None,
    chain: ChainId | None = None,
    tx: TxOptions | None = None,
    nonce: int | None = None,
    max_retries: int | None = None,
    auto_fix_nonce: Any = None,
) -> Receipt:
    """Register ``provider`` to ``source`` with its preferred environment ``env`` (one flag).

    Sends ``Nexus.register(source, provider, env)``. ``env`` must be a single
    :class:`Environment` offered by the source (the contract checks the latter).
    """
    ctx = prepare_write(
        private_key,
        signer,
        role=Role.AGENT,
        chain=chain,
        tx=tx,
        nonce=nonce,
        max_retries=max_retries,
        auto_fix_nonce=auto_fix_nonce,
    )
    args = (
        to_address(source, "source"),
        to_address(provider, "provider"),
        _single_environment(env),
    )
    return nexus.register(*args, signer=ctx.account, chain=ctx.chain, tx=ctx.tx)


def unregister_from(
    source: str,
    provider: str,
    private_key: Signer | None = None,
    *,
    signer: Signer | None = None,
    chain: ChainId | None = None,
    tx: TxOptions | None = None,
    nonce: int | None = None,
    max_retries: int | None = None,
    auto_fix_nonce: Any = None,
) -> Receipt:
    """Unregister ``provider`` from ``source`` (``Nexus.unregister``; no event is emitted)."""
    ctx = prepare_write(
        private_key,
        signer,
        role=Role.AGENT,
        chain=chain,
        tx=tx,
        nonce=nonce,
        max_retries=max_retries,
        auto_fix_nonce=auto_fix_nonce,
    )
    args = (to_address(source, "source"), to_address(provider, "provider"))
    return nexus.unregister(*args, signer=ctx.account, chain=ctx.chain, tx=ctx.tx)


def attempt(
    task: str,
    provider: str,
    suggested_payment: int,
    private_key: Signer | None = None,
    *,
    signer: Signer | None = None,
    chain: ChainId | None = None,
    tx: TxOptions | None = None,
    nonce: int | None = None,
    max_retries: int | None = None,
    auto_fix_nonce: Any = None,
) -> Receipt:
    """Attempt ``task`` for ``provider`` (``Nexus.attempt``); ``suggested_payment`` is advisory.

    The first attempt after the task's expiry does not record an attempt: it marks the task
    EXPIRED and refunds the client (protocol 5.5).
    """
    ctx = prepare_write(
        private_key,
        signer,
        role=Role.AGENT,
        chain=chain,
        tx=tx,
        nonce=nonce,
        max_retries=max_retries,
        auto_fix_nonce=auto_fix_nonce,
    )
    if (
        isinstance(suggested_payment, bool)
        or not isinstance(suggested_payment, int)
        or suggested_payment < 0
    ):
        raise InvalidParamsError(
            "suggested_payment", f"expected a non-negative int, got {suggested_payment!r}"
        )
    args = (to_address(task, "task"), to_address(provider, "provider"), suggested_payment)
    return nexus.attempt(*args, signer=ctx.account, chain=ctx.chain, tx=ctx.tx)


def _single_environment(env: object) -> Environment:
    if isinstance(env, bool) or not isinstance(env, int) or int(env) not in _SINGLE_FLAGS:
        raise InvalidParamsError(
            "env", f"expected one Environment flag (CPU=1, NVIDIA=2, AMD=4), got {env!r}"
        )
    return Environment(int(env))
