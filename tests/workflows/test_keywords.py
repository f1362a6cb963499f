"""The keyword rules of ``ogpu.client`` and ``ogpu.agent`` (defect 17), checked offline.

Every case fails before any read, upload or transaction, so no node is needed.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable

import pytest

from ogpu import agent, client
from ogpu.client._calls import tx_options
from ogpu.types import InvalidAddressError, InvalidParamsError, MissingSignerError, TxOptions

KEY = "0x" + "11" * 32
ADDRESS = "0x" + "ab" * 20

WRITES: list[tuple[Callable[..., Any], tuple[Any, ...]]] = [
    (client.publish_source, (object(),)),
    (client.publish_task, (object(),)),
    (client.confirm_response, (ADDRESS,)),
    (client.set_agent, (ADDRESS, True)),
    (client.cancel_task, (ADDRESS,)),
    (client.update_source, (ADDRESS, object())),
    (client.inactivate_source, (ADDRESS,)),
    (agent.register_to, (ADDRESS, ADDRESS, 1)),
    (agent.unregister_from, (ADDRESS, ADDRESS)),
    (agent.attempt, (ADDRESS, ADDRESS, 0)),
]
IDS = [f"{fn.__module__.split('.')[1]}.{fn.__name__}" for fn, _ in WRITES]


@pytest.mark.parametrize(("fn", "args"), WRITES, ids=IDS)
def test_private_key_is_positional_or_keyword_and_signer_keyword_only(
    fn: Callable[..., Any], args: tuple[Any, ...]
) -> None:
    params = inspect.signature(fn).parameters
    assert params["private_key"].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    for name in ("signer", "chain", "tx", "nonce", "max_retries", "auto_fix_nonce"):
        assert params[name].kind is inspect.Parameter.KEYWORD_ONLY, name


@pytest.mark.parametrize(("fn", "args"), WRITES, ids=IDS)
def test_both_private_key_and_signer_is_a_type_error(
    fn: Callable[..., Any], args: tuple[Any, ...]
) -> None:
    with pytest.raises(TypeError, match="either private_key or signer"):
        fn(*args, KEY, signer=KEY)


@pytest.mark.parametrize(("fn", "args"), WRITES, ids=IDS)
def test_unknown_keyword_is_a_type_error(fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    with pytest.raises(TypeError, match="gas_price"):
        fn(*args, KEY, gas_price=1)


def test_auto_fix_nonce_warns_at_the_callers_line() -> None:
    with pytest.warns(DeprecationWarning, match="auto_fix_nonce") as record:
        with pytest.raises(InvalidAddressError):
            client.cancel_task("0xnot-an-address", KEY, auto_fix_nonce=True)
    assert record[0].filename == __file__


def test_missing_signer_fails_before_anything_else(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OGPU_NO_DOTENV", "1")
    monkeypatch.delenv("CLIENT_PRIVATE_KEY", raising=False)
    monkeypatch.delenv("AGENT_PRIVATE_KEY", raising=False)
    with pytest.raises(MissingSignerError) as caught:
        client.publish_task(object())  # type: ignore[arg-type]
    assert "CLIENT_PRIVATE_KEY" in str(caught.value)
    with pytest.raises(MissingSignerError, match="AGENT_PRIVATE_KEY"):
        agent.attempt(ADDRESS, ADDRESS, 0)


def test_nonce_and_max_retries_map_onto_tx_options() -> None:
    assert tx_options(None) is None
    assert tx_options(None, nonce=7) == TxOptions(nonce=7)
    base = TxOptions(gas=50_000, nonce=1, max_retries=5)
    assert tx_options(base, nonce=2, max_retries=0) == TxOptions(gas=50_000, nonce=2, max_retries=0)
    assert tx_options(base) is base
    with pytest.raises(InvalidParamsError):
        tx_options(None, nonce=-1)
    with pytest.raises(TypeError):
        tx_options({"nonce": 1})  # type: ignore[arg-type]


def test_offline_argument_checks() -> None:
    with pytest.raises(InvalidParamsError, match="source_info"):
        client.publish_source({"name": "x"}, KEY)  # type: ignore[arg-type]
    with pytest.raises(InvalidParamsError, match="task_info"):
        client.publish_task({"source": ADDRESS}, KEY)  # type: ignore[arg-type]
    with pytest.raises(InvalidAddressError):
        client.set_agent("0x123", True, KEY)
    with pytest.raises(InvalidParamsError, match="value"):
        client.set_agent(ADDRESS, 1, KEY)  # type: ignore[arg-type]
    with pytest.raises(InvalidParamsError, match="env"):
        agent.register_to(ADDRESS, ADDRESS, 3, KEY)  # two flags: not one environment
    with pytest.raises(InvalidParamsError, match="suggested_payment"):
        agent.attempt(ADDRESS, ADDRESS, -1, KEY)
