"""IPFS for the OpenGPU Network: publish content, fetch it back and check it is what the URL names.

``publish_to_ipfs`` and ``fetch_ipfs_json`` keep their ogpu 0.2.1 signatures. Settings live in a
process-wide :class:`IPFSConfig` (:func:`configure`, :func:`get_config`, :func:`reset_config`)
and every call also takes ``config=``. Importing this package does no I/O and reads no
environment variable. :class:`ogpu.ipfs.node.LocalIPFSNode` runs a local node for tests.
"""

from __future__ import annotations

from ogpu.ipfs.cid import CID
from ogpu.ipfs.config import IPFSConfig, configure, get_config, reset_config
from ogpu.ipfs.fetch import fetch_ipfs_bytes, fetch_ipfs_json
from ogpu.ipfs.publish import publish_to_ipfs

__all__ = [
    "publish_to_ipfs",
    "fetch_ipfs_json",
    "fetch_ipfs_bytes",
    "IPFSConfig",
    "configure",
    "get_config",
    "reset_config",
    "CID",
]
