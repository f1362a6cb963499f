"""Addresses of created entities, read from a receipt's decoded events (no RPC)."""

from __future__ import annotations

from typing import TypeVar

from ogpu.core.errors import EventNotFoundError
from ogpu.schema.events import ResponseSubmittedEvent, SourcePublishedEvent, TaskPublishedEvent
from ogpu.types.receipt import Receipt

__all__ = ["extract_response_address", "extract_source_address", "extract_task_address"]

E = TypeVar("E")


def extract_source_address(receipt: Receipt) -> str:
    """The new Source's address: the ``source`` of the ``SourcePublished`` event in ``receipt``.

    Raises ``EventNotFoundError`` (also a ``ValueError``) when the receipt has none.
    """
    return _first(receipt, SourcePublishedEvent, "SourcePublished").source


def extract_task_address(receipt: Receipt) -> str:
    """The new Task's address: the ``task`` of Nexus's ``TaskPublished`` event in ``receipt``.

    Nexus emits the event although the transaction goes to Controller. Raises
    ``EventNotFoundError`` when the receipt has none.
    """
    return _first(receipt, TaskPublishedEvent, "TaskPublished").task


def extract_response_address(receipt: Receipt) -> str:
    """The new Response's address: the ``response`` of the ``ResponseSubmitted`` event."""
    return _first(receipt, ResponseSubmittedEvent, "ResponseSubmitted").response


def _first(receipt: Receipt, event_type: type[E], name: str) -> E:
    if not isinstance(receipt, Receipt):
        raise TypeError(f"expected a Receipt, got {type(receipt).__name__}")
    for event in receipt.events:
        if isinstance(event, event_type):
            return event
    raise EventNotFoundError(name, receipt.tx_hash)
