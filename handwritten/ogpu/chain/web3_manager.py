"""``Web3Manager``: one cached, probed synchronous ``Web3`` per chain.

web3 is imported on first use, so ``import ogpu.chain`` stays cheap. The SDK's own reads and
writes go through :mod:`ogpu.chain.rpc`; these instances serve code that wants web3 itself.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, ClassVar

from ogpu.chain.config import CHAIN_RPC_URLS, ChainConfig
from ogpu.core.errors import InvalidRpcUrlError

if TYPE_CHECKING:  # pragma: no cover
    from web3 import Web3

    from ogpu.schema.networks import ChainId

__all__ = ["WEB3", "Web3Manager", "get_web3_for_chain"]

_HTTP_TIMEOUT_S = 30.0


class Web3Manager:
    """Per-chain ``Web3`` instances, rebuilt when the chain's RPC URL changes."""

    _instances: ClassVar[dict[ChainId, tuple[str, Web3]]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self) -> None:
        raise TypeError("Web3Manager is process-global; use its classmethods")

    @classmethod
    def get_web3_instance(cls, chain_id: ChainId | None = None) -> Web3:
        """The chain's ``Web3`` (default: the current chain), probed when first built.

        The probe asks ``eth_chainId``: an unreachable node raises ``RpcError``, a node of
        another chain raises ``InvalidRpcUrlError``.
        """
        chain = chain_id if chain_id is not None else ChainConfig.get_current_chain()
        url = ChainConfig.get_rpc(chain)
        entry = cls._instances.get(chain)
        if entry is not None and entry[0] == url:
            return entry[1]
        web3 = _connect(chain, url)
        with cls._lock:
            cls._instances[chain] = (url, web3)
        return web3

    @classmethod
    def update_rpc_url(cls, chain_id: ChainId, rpc_url: str) -> None:
        """Point the chain at ``rpc_url``; the next ``get_web3_instance`` builds and probes anew."""
        if not isinstance(rpc_url, str) or not rpc_url.startswith(("http://", "https://")):
            raise InvalidRpcUrlError(
                str(rpc_url), reason="only http:// and https:// URLs are supported"
            )
        ChainConfig.get_rpc(chain_id)  # raises ChainNotSupportedError for an unknown chain
        with cls._lock:
            CHAIN_RPC_URLS[chain_id] = rpc_url
            cls._instances.pop(chain_id, None)


def WEB3() -> Web3:  # noqa: N802 - the 0.2.1 name
    """The ``Web3`` of the current chain."""
    return Web3Manager.get_web3_instance()


def get_web3_for_chain(chain_id: ChainId) -> Web3:
    """The ``Web3`` of ``chain_id``."""
    return Web3Manager.get_web3_instance(chain_id)


def _connect(chain: ChainId, url: str) -> Web3:
    from web3 import HTTPProvider, Web3
    from web3.middleware import ExtraDataToPOAMiddleware

    from ogpu.chain.rpc import RpcClient, quantity

    served = quantity(RpcClient(url).request("eth_chainId"), url=url, method="eth_chainId")
    if served != chain.value:
        raise InvalidRpcUrlError(url, reason=f"it serves chain id {served}, not {chain.value}")
    web3 = Web3(HTTPProvider(url, request_kwargs={"timeout": _HTTP_TIMEOUT_S}))
    web3.middleware_onion.inject(ExtraDataToPOAMiddleware, layer=0)
    return web3
