"""``ogpu.client``: the client's workflows (api.md 2.15). Default signer: ``CLIENT_PRIVATE_KEY``.

Every write takes ``private_key`` (positional or keyword, as in 0.2.1) or the keyword-only
``signer`` (not both: ``TypeError``), plus ``chain=``, ``tx=`` (:class:`ogpu.types.TxOptions`)
and the 0.2.0 options ``nonce=``/``max_retries=`` (mapped onto ``tx``; ``auto_fix_nonce=`` only
warns). Creations return the new instance with its receipt in ``.receipt``; every other write
returns a :class:`ogpu.types.Receipt`, which also stands in for its transaction hash.

Writes that would upload content or spend gas check the chain first (one pinned read) and
refuse with a typed error, before any upload or transaction.
"""

from __future__ import annotations

from ogpu.client.access import set_agent
from ogpu.client.sources import inactivate_source, publish_source, update_source
from ogpu.client.tasks import cancel_task, confirm_response, get_task_responses, publish_task
from ogpu.protocol.controller import extract_task_address
from ogpu.protocol.nexus import extract_source_address
from ogpu.protocol.response import Response
from ogpu.protocol.source import Source
from ogpu.protocol.task import Task
from ogpu.schema.enums import DeliveryMethod, Environment
from ogpu.types.metadata import (
    ImageEnvironments,
    SourceInfo,
    SourceMetadata,
    TaskInfo,
    TaskInput,
    combine_environments,
    environment_names,
    parse_environments,
)

__all__ = [
    "publish_source",
    "publish_task",
    "confirm_response",
    "set_agent",
    "get_task_responses",
    "cancel_task",
    "update_source",
    "inactivate_source",
    "extract_source_address",
    "extract_task_address",
    "Source",
    "Task",
    "Response",
    "SourceInfo",
    "TaskInfo",
    "TaskInput",
    "SourceMetadata",
    "ImageEnvironments",
    "DeliveryMethod",
    "Environment",
    "combine_environments",
    "environment_names",
    "parse_environments",
]
