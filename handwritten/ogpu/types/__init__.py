"""``ogpu.types``: pure data. Enums, structs, builders, ``Receipt``, ``TxOptions``, all errors.

A leaf: imports nothing above ``ogpu.core`` and ``ogpu.schema`` and does no I/O.
"""

from __future__ import annotations

from ogpu.core.errors import *  # noqa: F403
from ogpu.core.errors import __all__ as _errors_all
from ogpu.schema.enums import (
    DeliveryMethod,
    Environment,
    ResponseStatus,
    Role,
    SourceStatus,
    TaskStatus,
)
from ogpu.schema.errors import *  # noqa: F403
from ogpu.schema.errors import __all__ as _custom_errors_all
from ogpu.schema.structs import ResponseParams, SourceParams, TaskParams
from ogpu.types.metadata import *  # noqa: F403
from ogpu.types.metadata import __all__ as _metadata_all
from ogpu.types.options import TxOptions
from ogpu.types.receipt import Receipt

__all__ = [
    "DeliveryMethod",
    "Environment",
    "ResponseStatus",
    "Role",
    "SourceStatus",
    "TaskStatus",
    "ResponseParams",
    "SourceParams",
    "TaskParams",
    "Receipt",
    "TxOptions",
    *_errors_all,
    *_custom_errors_all,
]

__all__ += list(_metadata_all)
