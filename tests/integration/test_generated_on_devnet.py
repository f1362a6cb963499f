"""The generated layer on the devnet: paginated getters pinned to one block, snapshots, load."""

from __future__ import annotations

from typing import Any

import pytest

from ogpu.core.errors import InvalidParamsError, SourceNotFoundError, TaskNotFoundError
from ogpu.protocol import Source, Task, nexus
from ogpu.runtime import contract as rt
from ogpu.schema.structs import SourceParams


def _publish_sources(devnet: Any, count: int) -> list[str]:
    client = devnet.document["accounts"]["client"]
    published = []
    for i in range(count):
        params = SourceParams(
            client=client["address"],
            imageMetadataUrl=f"ipfs://source-{i}",
            imageEnvironments=1,
            minPayment=1,
            minAvailableLockup=0,
            maxExpiryDuration=3600,
        )
        receipt = nexus.publish_source(params, signer=client["private_key"])
        published.append(nexus.extract_source_address(receipt))
    return published


def test_paginated_getter_reads_everything_by_default(devnet: Any) -> None:
    published = _publish_sources(devnet, 5)
    assert nexus.get_sources() == published
    assert nexus.get_sources(1, 3) == published[1:3]
    assert nexus.get_sources(4) == published[4:]
    assert nexus.get_sources(5) == []
    # small chunks: several eth_calls in one batch, still in order and complete
    chunked = rt.paginate(nexus._F_GET_SOURCES, nexus._F_GET_SOURCE_COUNT, chunk=2)
    assert chunked == published
    with pytest.raises(InvalidParamsError):
        nexus.get_sources(3, 1)


def test_paginated_reads_are_pinned_to_one_block(devnet: Any) -> None:
    published = _publish_sources(devnet, 2)
    block = rt.batch_call([rt.Call(nexus._F_GET_SOURCE_COUNT, ())])[0]
    _publish_sources(devnet, 1)
    assert nexus.get_sources(block=block) == published  # the later source is not visible there
    assert len(nexus.get_sources()) == 3


def test_source_instances_load_snapshot_and_reject_other_kinds(devnet: Any) -> None:
    (address,) = _publish_sources(devnet, 1)
    source = Source.load(address)
    snap = source.snapshot()
    assert snap.client == devnet.document["accounts"]["client"]["address"]
    assert snap.params == source.get_params(block=snap.block_number)
    assert (snap.task_count, snap.registrant_count, snap.block_number > 0) == (0, 0, True)
    assert source.get_tasks() == []
    with pytest.raises(TaskNotFoundError):
        Task.load(address)  # a Source is not a Task
    with pytest.raises(SourceNotFoundError):
        Source.load(devnet.document["accounts"]["client"]["address"])  # an account, no code


def test_enumerations_read_until_the_getter_reverts(devnet: Any) -> None:
    client = devnet.document["accounts"]["client"]["address"]
    assert nexus.get_sources_of(client) == [] and nexus.get_clients() == []
    published = _publish_sources(devnet, 3)
    assert nexus.get_sources_of(client) == published
    assert nexus.get_clients() == [client]
    assert nexus.sources_of(client, 1) == published[1]  # the 1:1 getter keeps its bare name
    many = rt.enumerate_until_revert(nexus._F_SOURCES_OF, (client,), batch=2)  # several batches
    assert many == published
