"""Unit tests of the user builders (``ogpu.types.metadata``): pure data, no I/O."""

from __future__ import annotations

import dataclasses
import json

import pytest
from pydantic import BaseModel

from ogpu.client import (
    DeliveryMethod,
    Environment,
    ImageEnvironments,
    SourceInfo,
    SourceMetadata,
    TaskInfo,
    TaskInput,
    combine_environments,
    environment_names,
    parse_environments,
)
from ogpu.types import InvalidAddressError, InvalidParamsError

CLIENT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def source_info(**changes: object) -> SourceInfo:
    fields: dict[str, object] = {
        "name": "echo",
        "description": "echoes its input",
        "logoUrl": "https://example.invalid/l.png",
        "imageEnvs": ImageEnvironments(cpu="c.yml"),
        "minPayment": 1,
        "minAvailableLockup": 0,
        "maxExpiryDuration": 60,
    }
    fields.update(changes)
    return SourceInfo(**fields)  # type: ignore[arg-type]


class Prompt(BaseModel):
    text: str
    temperature: float = 0.5


def test_environment_helpers_round_trip() -> None:
    assert combine_environments(Environment.CPU, Environment.AMD) == 5
    assert combine_environments() == 0
    assert parse_environments(7) == [Environment.CPU, Environment.NVIDIA, Environment.AMD]
    assert parse_environments(6) == [Environment.NVIDIA, Environment.AMD]
    assert parse_environments(8 | 1) == [Environment.CPU]  # unknown bits are ignored
    assert environment_names(3) == ["CPU", "NVIDIA"]
    for bad in (-1, "3", True, 1.0):
        with pytest.raises(InvalidParamsError):
            parse_environments(bad)  # type: ignore[arg-type]


def test_source_info_builds_metadata_and_params() -> None:
    info = source_info(
        imageEnvs=ImageEnvironments(nvidia="n.yml", amd="a.yml"),
        privacyEnabled=True,
        optionalParamsUrl="ipfs://params",
        deliveryMethod=1,
    )
    info.validate()
    assert info.to_metadata() == SourceMetadata(
        "", "n.yml", "a.yml", "echo", "echoes its input", info.logoUrl
    )
    assert list(info.to_metadata().to_dict()) == [
        "cpu",
        "nvidia",
        "amd",
        "name",
        "description",
        "logoUrl",
    ]
    params = info.to_params(CLIENT.lower(), "https://gw/ipfs/x", 1234)
    assert params.imageEnvironments == Environment.NVIDIA | Environment.AMD
    assert params.deliveryMethod is DeliveryMethod.FIRST_RESPONSE
    assert (params.privacyEnabled, params.optionalParamsUrl, params.lastUpdateTime) == (
        True,
        "ipfs://params",
        1234,
    )
    assert params.to_tuple()[0] == CLIENT  # checksummed on the way to the chain


def test_builders_are_mutable_dataclasses_with_0_2_1_field_names() -> None:
    info = source_info()
    info.minPayment = 7
    assert [f.name for f in dataclasses.fields(info)] == [
        "name",
        "description",
        "logoUrl",
        "imageEnvs",
        "minPayment",
        "minAvailableLockup",
        "maxExpiryDuration",
        "deliveryMethod",
        "privacyEnabled",
        "optionalParamsUrl",
    ]
    assert [f.name for f in dataclasses.fields(TaskInfo)] == [
        "source",
        "config",
        "expiryTime",
        "payment",
    ]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"imageEnvs": ImageEnvironments()}, "imageEnvs"),
        ({"imageEnvs": {"cpu": "x"}}, "imageEnvs"),
        ({"minPayment": -1}, "minPayment"),
        ({"minAvailableLockup": 1.5}, "minAvailableLockup"),
        ({"maxExpiryDuration": 0}, "maxExpiryDuration"),
        ({"deliveryMethod": 2}, "deliveryMethod"),
        ({"privacyEnabled": 1}, "privacyEnabled"),
        ({"name": None}, "name"),
    ],
)
def test_source_info_validation_names_the_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidParamsError) as caught:
        source_info(**changes).validate()
    assert caught.value.field == field


def test_task_input_to_dict_keeps_extras_and_dumps_models() -> None:
    plain = TaskInput("predict", {"x": 1}, priority=2, tags=["a"])
    assert plain.to_dict() == {
        "function_name": "predict",
        "data": {"x": 1},
        "priority": 2,
        "tags": ["a"],
    }
    assert plain.extras == {"priority": 2, "tags": ["a"]}
    model = TaskInput(function_name="chat", data=Prompt(text="hi"))
    assert model.to_dict() == {"function_name": "chat", "data": {"text": "hi", "temperature": 0.5}}
    assert json.loads(json.dumps(model.to_dict()))["data"]["text"] == "hi"


def test_task_info_validation() -> None:
    good = TaskInfo(CLIENT.lower(), TaskInput("f", {}), 10, 0)
    good.validate()
    assert good.source_address() == CLIENT
    with pytest.raises(InvalidAddressError):
        TaskInfo("0x1234", TaskInput("f", {}), 10, 0).validate()
    with pytest.raises(InvalidParamsError, match="function_name"):
        TaskInfo(CLIENT, TaskInput("", {}), 10, 0).validate()
    with pytest.raises(InvalidParamsError, match="data"):
        TaskInfo(CLIENT, TaskInput("f", [1, 2]), 10, 0).validate()  # type: ignore[arg-type]
    with pytest.raises(InvalidParamsError, match="payment"):
        TaskInfo(CLIENT, TaskInput("f", {}), 10, -5).validate()
    with pytest.raises(InvalidParamsError, match="config"):
        TaskInfo(CLIENT, {"function_name": "f"}, 10, 1).validate()  # type: ignore[arg-type]
