"""Smoke test of the reference contracts on a real anvil node.

Deploys the protocol in the documented order from the compiled artifacts, then runs one
publish-source / publish-task / attempt / submit / confirm round (manual confirmation) and one
FIRST_RESPONSE round (auto-confirmed on submit). The exhaustive per-function suite lives
elsewhere; this only proves the contracts work together.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import ContractLogicError
from web3.logs import DISCARD
from web3.middleware import SignAndSendRawMiddlewareBuilder
from web3.types import RPCEndpoint, TxReceipt

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
ARTIFACT_DIR = ROOT / "handwritten" / "ogpu" / "devnet" / "artifacts"
ETHER = 10**18
MANUAL_CONFIRMATION, FIRST_RESPONSE = 0, 1
TASK_RESPONDED, TASK_FINALIZED = 2, 5
RESPONSE_CONFIRMED = 1
CPU = 1


@pytest.fixture(scope="module")
def w3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web3]:
    """A Web3 connected to a fresh anvil (the devnet's launcher), stopped afterwards."""
    from ogpu.devnet.anvil import AnvilProcess

    node = AnvilProcess.launch(
        chain_id=31337, port=None, log_path=tmp_path_factory.mktemp("smoke") / "anvil.log"
    )
    try:
        yield Web3(Web3.HTTPProvider(node.rpc_url))
    finally:
        node.stop()


@dataclass
class Actors:
    deployer: LocalAccount
    client: LocalAccount
    master: LocalAccount
    provider: LocalAccount


@dataclass
class Protocol:
    w3: Web3
    manager: Contract
    nexus: Contract
    terminal: Contract
    vault: Contract
    controller: Contract


def _artifact(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ARTIFACT_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return data


def _send(w3: Web3, call: Any, sender: LocalAccount, value: int = 0) -> TxReceipt:
    tx_hash = call.transact({"from": sender.address, "value": value})
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash)
    assert receipt["status"] == 1
    return receipt


def _deploy(w3: Web3, name: str, sender: LocalAccount, *args: Any) -> Contract:
    artifact = _artifact(name)
    factory = w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
    address = _send(w3, factory.constructor(*args), sender)["contractAddress"]
    assert address is not None
    return _at(w3, name, address)


def _at(w3: Web3, name: str, address: str) -> Contract:
    return w3.eth.contract(address=Web3.to_checksum_address(address), abi=_artifact(name)["abi"])


@pytest.fixture(scope="module")
def actors(w3: Web3) -> Actors:
    """Fresh local keys, funded through anvil and used by a local signing middleware."""
    accounts = [Account.create() for _ in range(4)]
    for account in accounts:
        w3.provider.make_request(
            RPCEndpoint("anvil_setBalance"), [account.address, hex(100 * ETHER)]
        )
    w3.middleware_onion.inject(SignAndSendRawMiddlewareBuilder.build(accounts), layer=0)
    return Actors(*accounts)


@pytest.fixture(scope="module")
def protocol(w3: Web3, actors: Actors) -> Protocol:
    """The protocol deployed in the documented order (protocol.md §1.4)."""
    me = actors.deployer
    zero = "0x" + "00" * 20
    manager = _deploy(w3, "Manager", me)
    nexus = _deploy(w3, "Nexus", me, manager.address, zero, zero)
    terminal = _deploy(w3, "Terminal", me, manager.address, zero)
    vault = _deploy(w3, "Vault", me, manager.address, nexus.address, terminal.address)
    _send(w3, nexus.functions.setTerminal(terminal.address), me)
    _send(w3, nexus.functions.setVault(vault.address), me)
    _send(w3, terminal.functions.setVault(vault.address), me)
    controller = _deploy(w3, "Controller", me, nexus.address, terminal.address, vault.address)
    _send(
        w3,
        manager.functions.grantRole(manager.functions.CONTROLLER().call(), controller.address),
        me,
    )
    return Protocol(w3, manager, nexus, terminal, vault, controller)


def _publish_source(p: Protocol, client: LocalAccount, delivery: int) -> Contract:
    params = (
        client.address,
        "ipfs://meta",
        CPU,
        ETHER // 10,
        ETHER // 2,
        86400,
        False,
        "",
        delivery,
        0,
    )
    receipt = _send(p.w3, p.nexus.functions.publishSource(params), client)
    (event,) = p.nexus.events.SourcePublished().process_receipt(receipt, errors=DISCARD)
    return _at(p.w3, "Source", event["args"]["source"])


def _publish_task(p: Protocol, client: LocalAccount, source: Contract, payment: int) -> Contract:
    expiry = p.w3.eth.get_block("latest")["timestamp"] + 3600
    receipt = _send(
        p.w3,
        p.controller.functions.publishTask((source.address, "ipfs://cfg", expiry, payment)),
        client,
    )
    (event,) = p.nexus.events.TaskPublished().process_receipt(receipt, errors=DISCARD)
    assert event["args"]["source"] == source.address
    return _at(p.w3, "Task", event["args"]["task"])


def _submit(
    p: Protocol, provider: LocalAccount, task: Contract, data: str
) -> tuple[Contract, list[int]]:
    """Submits a response; returns it and the task statuses the submission emitted, in order."""
    receipt = _send(
        p.w3, p.nexus.functions.submitResponse((task.address, provider.address, data, 0)), provider
    )
    (event,) = p.nexus.events.ResponseSubmitted().process_receipt(receipt, errors=DISCARD)
    changes = p.nexus.events.TaskStatusChanged().process_receipt(receipt, errors=DISCARD)
    return _at(p.w3, "Response", event["args"]["response"]), [c["args"]["status"] for c in changes]


@pytest.fixture(scope="module")
def paired(protocol: Protocol, actors: Actors) -> Protocol:
    """The master funds and pairs with its provider; the client funds its Vault balance."""
    p, a = protocol, actors
    _send(
        p.w3,
        p.terminal.functions.announceProvider(a.provider.address, ETHER),
        a.master,
        value=ETHER,
    )
    _send(p.w3, p.terminal.functions.announceMaster(a.master.address), a.provider)
    _send(p.w3, p.vault.functions.deposit(a.client.address), a.client, value=5 * ETHER)
    assert p.terminal.functions.masterOf(a.provider.address).call() == a.master.address
    assert p.vault.functions.lockupOf(a.provider.address).call() == ETHER
    return p


def test_manual_confirmation_round(paired: Protocol, actors: Actors) -> None:
    p, a = paired, actors
    source = _publish_source(p, a.client, MANUAL_CONFIRMATION)
    _send(p.w3, p.nexus.functions.register(source.address, a.provider.address, CPU), a.master)
    assert source.functions.getRegistrantId(a.provider.address).call() == 1

    payment = ETHER // 5
    task = _publish_task(p, a.client, source, payment)
    assert task.functions.owner().call() == a.client.address
    assert p.vault.functions.frozenPayment(a.client.address).call() == payment

    _send(p.w3, p.nexus.functions.attempt(task.address, a.provider.address, payment), a.master)
    response, statuses = _submit(p, a.provider, task, "ipfs://result-1")
    assert statuses == [TASK_RESPONDED]
    assert task.functions.responseOf(a.provider.address).call() == response.address
    _send(p.w3, p.controller.functions.confirmResponse(response.address), a.client)

    assert task.functions.getStatus().call() == TASK_FINALIZED
    assert task.functions.winningProvider().call() == a.provider.address
    assert response.functions.getStatus().call() == RESPONSE_CONFIRMED
    assert response.functions.confirmedFinal().call() is True
    assert p.vault.functions.balanceOf(a.provider.address).call() == payment
    assert p.vault.functions.totalEarningsOf(a.provider.address).call() == payment
    assert p.vault.functions.frozenPayment(a.client.address).call() == 0
    with pytest.raises(ContractLogicError, match="AlreadyConfirmed"):
        p.controller.functions.confirmResponse(response.address).estimate_gas(
            {"from": a.client.address}
        )


def test_first_response_round_is_auto_confirmed(paired: Protocol, actors: Actors) -> None:
    p, a = paired, actors
    source = _publish_source(p, a.client, FIRST_RESPONSE)
    _send(p.w3, p.nexus.functions.register(source.address, a.provider.address, CPU), a.provider)
    earned_before = p.vault.functions.totalEarningsOf(a.provider.address).call()

    payment = ETHER // 4
    task = _publish_task(p, a.client, source, payment)
    _send(p.w3, p.nexus.functions.attempt(task.address, a.provider.address, 0), a.provider)
    response, statuses = _submit(p, a.provider, task, "ipfs://result-2")
    assert statuses == [TASK_RESPONDED, TASK_FINALIZED]

    assert task.functions.getStatus().call() == TASK_FINALIZED
    assert task.functions.winningProvider().call() == a.provider.address
    assert response.functions.confirmedFinal().call() is True
    assert p.vault.functions.totalEarningsOf(a.provider.address).call() == earned_before + payment
    with pytest.raises(ContractLogicError, match="AlreadyFinalized"):
        p.controller.functions.cancelTask(task.address).estimate_gas({"from": a.client.address})
