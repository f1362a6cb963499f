"""Source workflows of the client: publish, update, inactivate (api.md 2.15)."""

from __future__ import annotations

import time
from typing import Any

from ogpu.client._calls import chain_of, prepare_write
from ogpu.client.preflight import check_source_owner
from ogpu.core.codec import to_address
from ogpu.core.errors import InvalidParamsError
from ogpu.ipfs import publish_to_ipfs
from ogpu.protocol import nexus
from ogpu.protocol.nexus import extract_source_address
from ogpu.protocol.source import Source
from ogpu.runtime.signers import Signer
from ogpu.schema.enums import Role
from ogpu.schema.networks import ChainId
from ogpu.types.metadata import SourceInfo
from ogpu.types.options import TxOptions
from ogpu.types.receipt import Receipt

__all__ = ["inactivate_source", "publish_source", "update_source"]

METADATA_FILENAME = "imageMetadata.json"


def publish_source(
    source_info: SourceInfo,
    private_key: Signer | None = None,
    *,
    signer: Signer | None = None,
    chain: ChainId | None = None,
    tx: TxOptions | None = None,
    nonce: int | None = None,
    max_retries: int | None = None,
    auto_fix_nonce: Any = None,
) -> Source:
    """Publish a source owned by the signer; return it, with the creating receipt in ``.receipt``.

    Checks ``source_info`` offline, uploads its metadata as ``imageMetadata.json``, builds the
    ``SourceParams`` (client = the signer, environments from the non-empty compose URLs,
    ``lastUpdateTime`` = now) and sends ``Nexus.publishSource``. Signs with ``private_key`` or
    ``signer``, else ``CLIENT_PRIVATE_KEY``.
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
    _check_info(source_info)
    params = source_info.to_params(ctx.address, _upload_metadata(source_info), int(time.time()))
    receipt = nexus.publish_source(params, signer=ctx.account, chain=ctx.chain, tx=ctx.tx)
    created = Source(extract_source_address(receipt), chain=ctx.chain)
    created.receipt = receipt
    return created


def update_source(
    source: str | Source,
    new_info: SourceInfo,
    private_key: Signer | None = None,
    *,
    signer: Signer | None = None,
    chain: ChainId | None = None,
    tx: TxOptions | None = None,
    nonce: int | None = None,
    max_retries: int | None = None,
    auto_fix_nonce: Any = None,
) -> Receipt:
    """Replace a source's parameters and metadata; return the ``Receipt``.

    Pre-flight (before the upload): the source exists and the signer is its client or the
    client's agent. Then the new metadata is uploaded and ``Nexus.updateSource`` sent, keeping
    the source's client. Inactive sources may be updated (they stay inactive).
    """
    ctx = prepare_write(
        private_key,
        signer,
        role=Role.CLIENT,
        chain=chain_of(source, chain),
        tx=tx,
        nonce=nonce,
        max_retries=max_retries,
        auto_fix_nonce=auto_fix_nonce,
    )
    address = to_address(source, "source")
    _check_info(new_info)
    current = check_source_owner(address, ctx.address, chain=ctx.chain)
    params = new_info.to_params(current.params.client, _upload_metadata(new_info), int(time.time()))
    return nexus.update_source(address, params, signer=ctx.account, chain=ctx.chain, tx=ctx.tx)


def inactivate_source(
    source: str | Source,
    private_key: Signer | None = None,
    *,
    signer: Signer | None = None,
    chain: ChainId | None = None,
    tx: TxOptions | None = None,
    nonce: int | None = None,
    max_retries: int | None = None,
    auto_fix_nonce: Any = None,
) -> Receipt:
    """Make a source INACTIVE for good (no new tasks or registrations); return the ``Receipt``.

    Pre-flight: the source exists, is ACTIVE, and the signer is its client or the client's agent.
    """
    ctx = prepare_write(
        private_key,
        signer,
        role=Role.CLIENT,
        chain=chain_of(source, chain),
        tx=tx,
        nonce=nonce,
        max_retries=max_retries,
        auto_fix_nonce=auto_fix_nonce,
    )
    address = to_address(source, "source")
    check_source_owner(address, ctx.address, chain=ctx.chain, require_active=True)
    return nexus.inactivate_source(address, signer=ctx.account, chain=ctx.chain, tx=ctx.tx)


def _check_info(info: object) -> None:
    if not isinstance(info, SourceInfo):
        raise InvalidParamsError("source_info", f"expected a SourceInfo, got {type(info).__name__}")
    info.validate()


def _upload_metadata(info: SourceInfo) -> str:
    return publish_to_ipfs(info.to_metadata().to_dict(), METADATA_FILENAME)
