"""Networks, RPC endpoints, web3 instances and nonces.

Importing this package does no network I/O and reads no file: the network file named by
``OGPU_NETWORK_FILE`` is read at the first use of :class:`ChainConfig`, and web3 is imported
when a ``Web3`` instance is first asked for.
"""

from ogpu.chain.config import CHAIN_RPC_URLS, ChainConfig
from ogpu.chain.nonce import (
    NonceManager,
    clear_all_nonce_caches,
    fix_nonce,
    get_nonce_info,
    reset_nonce_cache,
)
from ogpu.chain.web3_manager import WEB3, Web3Manager, get_web3_for_chain
from ogpu.schema.networks import ChainId

__all__ = [
    "ChainConfig",
    "ChainId",
    "CHAIN_RPC_URLS",
    "Web3Manager",
    "WEB3",
    "get_web3_for_chain",
    "NonceManager",
    "fix_nonce",
    "reset_nonce_cache",
    "clear_all_nonce_caches",
    "get_nonce_info",
]
