"""UnixFS file DAGs as Kubo and js-ipfs build them by default, and dag-pb directory lookups.

:func:`build_file` recomputes the DAG of a file from its bytes: fixed-size chunks of 262144
bytes, a balanced tree of at most 174 links per node, leaves that are raw blocks (CIDv1 with
raw leaves) or UnixFS dag-pb nodes (CIDv0), and a single chunk standing alone as the root.
:func:`verify_file` compares the root with a CID under each such layout.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ogpu.ipfs.cid import CID, DAG_PB, RAW
from ogpu.ipfs.codec import pb_bytes_field, pb_fields, pb_varint_field

__all__ = [
    "CHUNK_SIZE",
    "MAX_LINKS",
    "FileLayout",
    "DagNode",
    "build_file",
    "layouts_for",
    "verify_file",
    "PBLink",
    "decode_links",
    "unixfs_type",
    "DIRECTORY",
    "HAMT_SHARD",
]

CHUNK_SIZE = 262144
MAX_LINKS = 174

# UnixFS Data.Type values
DIRECTORY = 1
FILE = 2
HAMT_SHARD = 5

# dag-pb PBNode / PBLink and UnixFS Data field numbers
_NODE_DATA, _NODE_LINKS = 1, 2
_LINK_HASH, _LINK_NAME, _LINK_TSIZE = 1, 2, 3
_FS_TYPE, _FS_DATA, _FS_FILESIZE, _FS_BLOCKSIZES = 1, 2, 3, 4


@dataclass(frozen=True)
class FileLayout:
    """How a file's DAG is cut and encoded."""

    cid_version: int  # of the dag-pb nodes: 0 or 1
    raw_leaves: bool
    chunk_size: int = CHUNK_SIZE
    max_links: int = MAX_LINKS

    def describe(self) -> str:
        """A short human-readable summary, for error messages."""
        leaves = "raw leaves" if self.raw_leaves else "dag-pb leaves"
        return (
            f"CIDv{self.cid_version}, {leaves}, {self.chunk_size}-byte chunks, "
            f"balanced, {self.max_links} links"
        )


@dataclass(frozen=True)
class DagNode:
    """A built block: its CID, its bytes, the file bytes under it and its cumulative size."""

    cid: CID
    block: bytes
    file_size: int
    dag_size: int  # the block plus every block below it (a link's Tsize)


def build_file(data: bytes, layout: FileLayout) -> DagNode:
    """Build the UnixFS file DAG of ``data`` and return its root."""
    level = [_leaf(chunk, layout) for chunk in _chunks(data, layout.chunk_size)]
    while len(level) > 1:
        level = [
            _parent(level[i : i + layout.max_links], layout)
            for i in range(0, len(level), layout.max_links)
        ]
    return level[0]


def layouts_for(cid: CID) -> tuple[FileLayout, ...]:
    """The default layouts that can give a dag-pb root of this CID's version, likeliest first."""
    if cid.version == 0:
        return (FileLayout(0, raw_leaves=False),)
    return (FileLayout(1, raw_leaves=True), FileLayout(1, raw_leaves=False))


def verify_file(data: bytes, cid: CID) -> str | None:
    """Return ``None`` if ``data`` is the content of ``cid``, else the reason it is not.

    A raw CID must hash the bytes themselves; a dag-pb CID must be the root of one of
    :func:`layouts_for`. A CID this package cannot check gives a reason too (fail closed).
    """
    unsupported = cid.unsupported_reason()
    if unsupported:
        return unsupported
    if cid.codec == RAW:
        return None if cid.matches_block(data) else "the bytes do not hash to this raw CID"
    layouts = layouts_for(cid)
    for layout in layouts:
        root = build_file(data, layout)
        if root.cid.codec == DAG_PB and cid.matches_block(root.block):
            return None
    tried = "; ".join(layout.describe() for layout in layouts)
    return (
        f"the {len(data)} bytes are not the UnixFS file of this CID under the default layouts "
        f"({tried}); they were altered, or built with another chunker or layout that this "
        "client does not reproduce"
    )


# --- building --------------------------------------------------------------------------------


def _chunks(data: bytes, size: int) -> Iterator[bytes]:
    if not data:
        yield b""
        return
    for start in range(0, len(data), size):
        yield data[start : start + size]


def _leaf(chunk: bytes, layout: FileLayout) -> DagNode:
    if layout.raw_leaves:
        block = chunk
        cid = CID.of_block(block, version=1, codec=RAW)
    else:
        block = _encode_node([], _file_data(len(chunk), chunk=chunk))
        cid = CID.of_block(block, version=layout.cid_version, codec=DAG_PB)
    return DagNode(cid, block, len(chunk), len(block))


def _parent(children: list[DagNode], layout: FileLayout) -> DagNode:
    file_size = sum(child.file_size for child in children)
    links = [PBLink(child.cid.to_bytes(), "", child.dag_size) for child in children]
    data = _file_data(file_size, blocksizes=[child.file_size for child in children])
    block = _encode_node(links, data)
    cid = CID.of_block(block, version=layout.cid_version, codec=DAG_PB)
    return DagNode(cid, block, file_size, len(block) + sum(child.dag_size for child in children))


def _file_data(file_size: int, *, chunk: bytes = b"", blocksizes: list[int] | None = None) -> bytes:
    """UnixFS ``Data`` of a file node; an empty chunk is left out, as both importers do."""
    out = pb_varint_field(_FS_TYPE, FILE)
    if chunk:
        out += pb_bytes_field(_FS_DATA, chunk)
    out += pb_varint_field(_FS_FILESIZE, file_size)
    for size in blocksizes or []:
        out += pb_varint_field(_FS_BLOCKSIZES, size)
    return out


def _encode_node(links: list[PBLink], data: bytes) -> bytes:
    """Canonical dag-pb: links first, then data (field order 2 before 1)."""
    out = b""
    for link in links:
        body = (
            pb_bytes_field(_LINK_HASH, link.cid_bytes)
            + pb_bytes_field(_LINK_NAME, link.name.encode())
            + pb_varint_field(_LINK_TSIZE, link.tsize)
        )
        out += pb_bytes_field(_NODE_LINKS, body)
    return out + pb_bytes_field(_NODE_DATA, data)


# --- reading directories ---------------------------------------------------------------------


@dataclass(frozen=True)
class PBLink:
    """A dag-pb link: the child's binary CID, its name and cumulative size."""

    cid_bytes: bytes
    name: str
    tsize: int


def decode_links(block: bytes) -> tuple[list[PBLink], bytes]:
    """Decode a dag-pb block into its links and its ``Data`` (empty when absent)."""
    links: list[PBLink] = []
    data = b""
    for field, value in pb_fields(block):
        if field == _NODE_LINKS and isinstance(value, bytes):
            links.append(_decode_link(value))
        elif field == _NODE_DATA and isinstance(value, bytes):
            data = value
        else:
            raise ValueError(f"unexpected dag-pb field {field}")
    return links, data


def unixfs_type(data: bytes) -> int:
    """The ``Type`` of a UnixFS ``Data`` message."""
    for field, value in pb_fields(data):
        if field == _FS_TYPE and isinstance(value, int):
            return value
    raise ValueError("UnixFS data has no Type")


def _decode_link(body: bytes) -> PBLink:
    cid_bytes, name, tsize = b"", "", 0
    for field, value in pb_fields(body):
        if field == _LINK_HASH and isinstance(value, bytes):
            cid_bytes = value
        elif field == _LINK_NAME and isinstance(value, bytes):
            name = value.decode("utf-8")
        elif field == _LINK_TSIZE and isinstance(value, int):
            tsize = value
        else:
            raise ValueError(f"unexpected dag-pb link field {field}")
    return PBLink(cid_bytes, name, tsize)
