"""Nonce bookkeeping per (chain id, address), and the 0.2.1 nonce utilities (defect 5).

The transaction path holds :meth:`NonceManager.lock` from nonce allocation through broadcast
and records the nonce as used as soon as the node accepts the transaction, so threads of one
process never hand out the same nonce twice. The cache is per process; other processes are
seen through the node's ``pending`` count, which allocation always consults.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from eth_typing import ChecksumAddress, HexAddress, HexStr

from ogpu.chain.rpc import RpcClient, get_rpc_client, quantity
from ogpu.core.address import to_checksum
from ogpu.core.errors import NonceError, SignerMismatchError, TxTimeoutError

if TYPE_CHECKING:  # pragma: no cover
    from web3 import Web3

    from ogpu.schema.networks import ChainId

__all__ = [
    "NonceManager",
    "clear_all_nonce_caches",
    "fix_nonce",
    "get_nonce_info",
    "reset_nonce_cache",
]

logger = logging.getLogger("ogpu.chain")
_FIX_TIMEOUT_S = 120.0
_FIX_POLL_S = 0.1
_Key = tuple[int, str]


class NonceManager:
    """The next nonce to use, per (chain id, checksummed address), plus one lock per key."""

    _next: ClassVar[dict[_Key, int]] = {}
    _locks: ClassVar[dict[_Key, threading.RLock]] = {}
    _chain_ids: ClassVar[weakref.WeakKeyDictionary[Web3, int]] = weakref.WeakKeyDictionary()
    _guard: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self) -> None:
        raise TypeError("NonceManager is process-global; use its classmethods")

    # --- the web3-based 0.2.1 interface -------------------------------------------------------

    @classmethod
    def get_nonce(cls, address: str, web3: Web3, force_refresh: bool = False) -> int:
        """The next nonce for ``address``: the cached one, else the node's pending count."""
        key = cls._key(cls._chain_id_of(web3), address)
        with cls.lock(*key):
            cached = cls._next.get(key)
            if cached is not None and not force_refresh:
                return cached
            pending = int(
                web3.eth.get_transaction_count(
                    ChecksumAddress(HexAddress(HexStr(key[1]))), "pending"
                )
            )
            cls._next[key] = pending
            return pending

    @classmethod
    def increment_nonce(cls, address: str, web3: Web3) -> None:
        """Advance the cached nonce by one (no effect when nothing is cached)."""
        key = cls._key(cls._chain_id_of(web3), address)
        with cls.lock(*key):
            if key in cls._next:
                cls._next[key] += 1

    @classmethod
    def reset_nonce(cls, address: str, web3: Web3) -> None:
        """Forget the cached nonce of ``address`` on the web3's chain."""
        cls.forget(cls._chain_id_of(web3), address)

    @classmethod
    def get_cached_nonce(cls, address: str, web3: Web3) -> int | None:
        """The cached next nonce, or None."""
        return cls.cached(cls._chain_id_of(web3), address)

    @classmethod
    def clear_all(cls) -> None:
        """Forget every cached nonce. Locks stay, so a send in progress keeps its exclusion."""
        with cls._guard:
            cls._next.clear()

    # --- the chain-id-based interface of the transaction path ---------------------------------

    @classmethod
    def lock(cls, chain_id: int, address: str) -> threading.RLock:
        """The lock of (chain id, address); hold it from allocation through broadcast."""
        key = cls._key(chain_id, address)
        lock = cls._locks.get(key)
        if lock is None:
            with cls._guard:
                lock = cls._locks.setdefault(key, threading.RLock())
        return lock

    @classmethod
    def allocate(cls, chain_id: int, address: str, pending: Callable[[], int]) -> int:
        """The nonce for the next transaction: ``max(cached, node's pending count)``.

        Call it while holding :meth:`lock`; ``pending`` asks the node. Nothing is reserved
        until :meth:`mark_used`.
        """
        key = cls._key(chain_id, address)
        node = pending()
        cached = cls._next.get(key)
        return node if cached is None else max(cached, node)

    @classmethod
    def mark_used(cls, chain_id: int, address: str, nonce: int) -> None:
        """Record that the node accepted a transaction at ``nonce``."""
        key = cls._key(chain_id, address)
        with cls._guard:
            cls._next[key] = max(cls._next.get(key, 0), nonce + 1)

    @classmethod
    def cached(cls, chain_id: int, address: str) -> int | None:
        """The cached next nonce of (chain id, address), or None."""
        return cls._next.get(cls._key(chain_id, address))

    @classmethod
    def forget(cls, chain_id: int, address: str) -> None:
        """Drop the cached nonce of (chain id, address); its lock stays."""
        with cls._guard:
            cls._next.pop(cls._key(chain_id, address), None)

    # --- internals ---------------------------------------------------------------------------

    @staticmethod
    def _key(chain_id: int, address: str) -> _Key:
        return (int(chain_id), to_checksum(address))

    @classmethod
    def _chain_id_of(cls, web3: Web3) -> int:
        chain_id = cls._chain_ids.get(web3)
        if chain_id is None:
            chain_id = int(web3.eth.chain_id)
            cls._chain_ids[web3] = chain_id
        return chain_id


# --- 0.2.1 module utilities ---------------------------------------------------------------------


def fix_nonce(address: str | None = None, private_key: str | None = None) -> int:
    """Fill nonce gaps of an account on the current chain; return its new pending count.

    Every nonce from the mined count up to the higher of the node's pending count and this
    process's cached nonce gets a 0-value self-transfer (replacing a stuck transaction there,
    with bumped fees if needed); then it waits until all of them are mined. The key defaults
    to ``CLIENT_PRIVATE_KEY``; if ``address`` is also given it must be the key's address
    (``SignerMismatchError``). Progress is logged on the ``ogpu`` logger.
    """
    from ogpu.runtime.signers import resolve_signer
    from ogpu.runtime.tx import broadcast_transaction
    from ogpu.schema.enums import Role
    from ogpu.types.options import TxOptions

    signer = resolve_signer(private_key, Role.CLIENT)
    account = to_checksum(signer.address)
    if address is not None and to_checksum(address, field="address") != account:
        raise SignerMismatchError(to_checksum(address), account, context="fix_nonce")
    chain, rpc = _current_rpc()
    mined, pending = _counts(rpc, account)
    top = max(pending, NonceManager.cached(chain.value, account) or 0)
    logger.info(
        "fix_nonce %s: mined %d, pending %d, filling up to %d", account, mined, pending, top
    )
    last_hash = ""
    for nonce in range(mined, top):
        try:
            last_hash = broadcast_transaction(
                chain,
                account,
                b"",
                signer=signer,
                options=TxOptions(nonce=nonce),
                context="fix_nonce",
            )
            logger.info("fix_nonce %s: nonce %d filled by %s", account, nonce, last_hash)
        except NonceError:
            logger.info("fix_nonce %s: nonce %d was mined meanwhile", account, nonce)
    new_pending = _wait_until_mined(rpc, account, top, last_hash)
    NonceManager.forget(chain.value, account)
    logger.info("fix_nonce %s: pending count now %d", account, new_pending)
    return new_pending


def reset_nonce_cache(address: str | None = None, private_key: str | None = None) -> None:
    """Forget the cached nonce of one account on the current chain."""
    account = _account_of(address, private_key)
    chain, _ = _current_rpc()
    NonceManager.forget(chain.value, account)


def clear_all_nonce_caches() -> None:
    """Forget every cached nonce, of every chain."""
    NonceManager.clear_all()


def get_nonce_info(address: str | None = None, private_key: str | None = None) -> dict[str, Any]:
    """Nonce state of one account on the current chain.

    Keys: ``address``, ``mined_nonce``, ``pending_nonce``, ``cached_nonce`` (None if
    nothing is cached), ``has_pending`` and ``pending_count``.
    """
    account = _account_of(address, private_key)
    chain, rpc = _current_rpc()
    mined, pending = _counts(rpc, account)
    return {
        "address": account,
        "mined_nonce": mined,
        "pending_nonce": pending,
        "cached_nonce": NonceManager.cached(chain.value, account),
        "has_pending": pending > mined,
        "pending_count": max(pending - mined, 0),
    }


def _account_of(address: str | None, private_key: str | None) -> str:
    """``address`` when given, else the key's address (default ``CLIENT_PRIVATE_KEY``)."""
    if address is not None:
        return to_checksum(address, field="address")
    from ogpu.runtime.signers import resolve_signer
    from ogpu.schema.enums import Role

    return to_checksum(resolve_signer(private_key, Role.CLIENT).address)


def _current_rpc() -> tuple[ChainId, RpcClient]:
    from ogpu.chain.config import ChainConfig

    chain = ChainConfig.get_current_chain()
    return chain, get_rpc_client(chain)


def _wait_until_mined(rpc: RpcClient, account: str, target: int, last_hash: str) -> int:
    """Poll until the mined count reaches ``target``; returns the pending count then."""
    deadline = time.monotonic() + _FIX_TIMEOUT_S
    while True:
        mined, pending = _counts(rpc, account)
        if mined >= target:
            return pending
        if time.monotonic() >= deadline:
            raise TxTimeoutError(last_hash, _FIX_TIMEOUT_S, context="fix_nonce")
        time.sleep(_FIX_POLL_S)


def _counts(rpc: RpcClient, account: str) -> tuple[int, int]:
    """The (mined, pending) transaction counts of ``account``, in one batch."""
    method = "eth_getTransactionCount"
    answers = rpc.batch([(method, [account, "latest"]), (method, [account, "pending"])])
    mined, pending = (quantity(answer, url=rpc.url, method=method) for answer in answers)
    return mined, pending
