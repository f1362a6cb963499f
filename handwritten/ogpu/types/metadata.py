"""User builders: what a client fills in to publish a source or a task (api.md 2.3).

The builders are mutable dataclasses whose camelCase field names are part of the public API
(ogpu 0.2.1 spelling). They are pure data: nothing here does I/O. ``validate()`` checks a
builder offline and raises ``InvalidParamsError`` naming the field, so the client workflows can
refuse bad input before anything is uploaded or sent.

pydantic is not needed: ``TaskInput.data`` accepts a dict or any object with ``model_dump()``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, Union, runtime_checkable

from ogpu.core.codec import to_address
from ogpu.core.errors import InvalidParamsError
from ogpu.schema.enums import DeliveryMethod, Environment
from ogpu.schema.structs import SourceParams

__all__ = [
    "ImageEnvironments",
    "SourceMetadata",
    "SourceInfo",
    "SupportsModelDump",
    "TaskInput",
    "TaskInfo",
    "combine_environments",
    "parse_environments",
    "environment_names",
]

_ENVIRONMENT_ORDER = (Environment.CPU, Environment.NVIDIA, Environment.AMD)


# --- environment helpers --------------------------------------------------------------------


def combine_environments(*environments: Environment | int) -> int:
    """The bitmask of ``environments`` (bitwise OR), e.g. ``CPU | NVIDIA`` -> 3."""
    mask = 0
    for env in environments:
        mask |= _mask(env, "environments")
    return mask


def parse_environments(mask: int) -> list[Environment]:
    """The environments set in ``mask``, in CPU, NVIDIA, AMD order; unknown bits are ignored."""
    value = _mask(mask, "mask")
    return [env for env in _ENVIRONMENT_ORDER if value & env]


def environment_names(mask: int) -> list[str]:
    """The names (``"CPU"``, ``"NVIDIA"``, ``"AMD"``) of the environments set in ``mask``."""
    return [str(env.name) for env in parse_environments(mask)]


def _mask(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidParamsError(what, f"expected a non-negative int bitmask, got {value!r}")
    return int(value)


# --- sources ----------------------------------------------------------------------------------


@dataclass
class ImageEnvironments:
    """Docker-compose URLs per environment; ``""`` means the environment is not offered."""

    cpu: str = ""
    nvidia: str = ""
    amd: str = ""

    def mask(self) -> int:
        """The ``imageEnvironments`` bitmask: one bit per non-empty compose URL."""
        urls = (self.cpu, self.nvidia, self.amd)
        return combine_environments(*(env for env, url in zip(_ENVIRONMENT_ORDER, urls) if url))

    def validate(self) -> None:
        """Raise ``InvalidParamsError`` unless every URL is a str and at least one is set."""
        for name in ("cpu", "nvidia", "amd"):
            _require_str(getattr(self, name), f"imageEnvs.{name}")
        if self.mask() == 0:
            raise InvalidParamsError(
                "imageEnvs", "at least one compose URL (cpu, nvidia, amd) is needed"
            )


@dataclass
class SourceMetadata:
    """The JSON document uploaded as ``imageMetadata.json`` (protocol 7.1)."""

    cpu: str
    nvidia: str
    amd: str
    name: str
    description: str
    logoUrl: str

    def to_dict(self) -> dict[str, str]:
        """The flat JSON object, keys in protocol order."""
        return {
            "cpu": self.cpu,
            "nvidia": self.nvidia,
            "amd": self.amd,
            "name": self.name,
            "description": self.description,
            "logoUrl": self.logoUrl,
        }


@dataclass
class SourceInfo:
    """Everything needed to publish (or update) a source.

    Amounts are wei, ``maxExpiryDuration`` is seconds. ``privacyEnabled`` and
    ``optionalParamsUrl`` are reserved by the protocol (``False`` and ``""`` today).
    """

    name: str
    description: str
    logoUrl: str
    imageEnvs: ImageEnvironments
    minPayment: int
    minAvailableLockup: int
    maxExpiryDuration: int
    deliveryMethod: DeliveryMethod = DeliveryMethod.MANUAL_CONFIRMATION
    privacyEnabled: bool = False
    optionalParamsUrl: str = ""

    def validate(self) -> None:
        """Check every field offline; raise ``InvalidParamsError`` naming the first bad one."""
        for name in ("name", "description", "logoUrl", "optionalParamsUrl"):
            _require_str(getattr(self, name), name)
        if not isinstance(self.imageEnvs, ImageEnvironments):
            raise InvalidParamsError(
                "imageEnvs", f"expected ImageEnvironments, got {type(self.imageEnvs).__name__}"
            )
        self.imageEnvs.validate()
        _require_amount(self.minPayment, "minPayment")
        _require_amount(self.minAvailableLockup, "minAvailableLockup")
        _require_amount(self.maxExpiryDuration, "maxExpiryDuration")
        if self.maxExpiryDuration == 0:
            raise InvalidParamsError(
                "maxExpiryDuration", "must be positive, or no task could ever be published"
            )
        if not isinstance(self.privacyEnabled, bool):
            raise InvalidParamsError(
                "privacyEnabled", f"expected a bool, got {self.privacyEnabled!r}"
            )
        self.delivery_method()

    def delivery_method(self) -> DeliveryMethod:
        """``deliveryMethod`` as a ``DeliveryMethod`` (a raw 0 or 1 is accepted)."""
        value = self.deliveryMethod
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidParamsError("deliveryMethod", f"expected a DeliveryMethod, got {value!r}")
        try:
            return DeliveryMethod(value)
        except ValueError:
            raise InvalidParamsError(
                "deliveryMethod", f"unknown delivery method {value!r}"
            ) from None

    def to_metadata(self) -> SourceMetadata:
        """The metadata document uploaded for this source."""
        envs = self.imageEnvs
        return SourceMetadata(
            envs.cpu, envs.nvidia, envs.amd, self.name, self.description, self.logoUrl
        )

    def to_params(
        self, client: str, image_metadata_url: str, last_update_time: int
    ) -> SourceParams:
        """The on-chain ``SourceParams`` for ``client``, once the metadata is at ``image_metadata_url``."""
        return SourceParams(
            client=client,
            imageMetadataUrl=image_metadata_url,
            imageEnvironments=self.imageEnvs.mask(),
            minPayment=self.minPayment,
            minAvailableLockup=self.minAvailableLockup,
            maxExpiryDuration=self.maxExpiryDuration,
            privacyEnabled=self.privacyEnabled,
            optionalParamsUrl=self.optionalParamsUrl,
            deliveryMethod=self.delivery_method(),
            lastUpdateTime=last_update_time,
        )


# --- tasks ------------------------------------------------------------------------------------


@runtime_checkable
class SupportsModelDump(Protocol):
    """A pydantic-style model: anything whose ``model_dump()`` returns a dict."""

    def model_dump(self) -> dict[str, Any]: ...


TaskData = Union[dict[str, Any], SupportsModelDump]


@dataclass(init=False)
class TaskInput:
    """A task's configuration: the handler to run, its input, and extra top-level keys.

    ``TaskInput("predict", {"x": 1}, priority=2).to_dict()`` is
    ``{"function_name": "predict", "data": {"x": 1}, "priority": 2}``, the JSON uploaded as
    ``taskConfig.json``. Extra keys are kept in ``extras``.
    """

    function_name: str
    data: TaskData
    extras: dict[str, Any] = field(default_factory=dict)

    def __init__(self, function_name: str, data: TaskData, **kwargs: Any) -> None:
        self.function_name = function_name
        self.data = data
        self.extras = dict(kwargs)

    def to_dict(self) -> dict[str, Any]:
        """``{"function_name", "data", **extras}``; a model in ``data`` goes through ``model_dump()``."""
        if not isinstance(self.function_name, str) or not self.function_name:
            raise InvalidParamsError(
                "function_name", f"expected a non-empty str, got {self.function_name!r}"
            )
        return {"function_name": self.function_name, "data": _task_data(self.data), **self.extras}


@dataclass
class TaskInfo:
    """Everything needed to publish a task to ``source``.

    ``expiryTime`` is an absolute unix time; ``payment`` (wei) is escrowed from the client's
    vault balance.
    """

    source: str
    config: TaskInput
    expiryTime: int
    payment: int

    def source_address(self) -> str:
        """``source`` checksummed (a ``Source`` instance is accepted); ``InvalidAddressError`` if bad."""
        return to_address(self.source, "source")

    def validate(self) -> None:
        """Check the fields offline; raise ``InvalidParamsError`` (or ``InvalidAddressError``)."""
        self.source_address()
        if not isinstance(self.config, TaskInput):
            raise InvalidParamsError(
                "config", f"expected a TaskInput, got {type(self.config).__name__}"
            )
        self.config.to_dict()
        _require_amount(self.expiryTime, "expiryTime")
        _require_amount(self.payment, "payment")


def _task_data(data: object) -> dict[str, Any]:
    if isinstance(data, dict):
        return data
    if isinstance(data, SupportsModelDump):
        dumped = data.model_dump()
        if isinstance(dumped, dict):
            return dumped
    raise InvalidParamsError(
        "data", f"expected a dict or a model with model_dump(), got {type(data).__name__}"
    )


def _require_str(value: object, what: str) -> None:
    if not isinstance(value, str):
        raise InvalidParamsError(what, f"expected a str, got {type(value).__name__}")


def _require_amount(value: object, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidParamsError(what, f"expected a non-negative int, got {value!r}")
