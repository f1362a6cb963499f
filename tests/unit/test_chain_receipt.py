"""``Receipt`` (api.md 3.2, 2.15) and ``TxOptions`` (api.md 2.3)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from eth_abi.abi import encode
from eth_utils.crypto import keccak
from hexbytes import HexBytes

import ogpu.schema.events  # noqa: F401 - registers the generated event specs
from ogpu.core.errors import InvalidParamsError
from ogpu.types.options import TxOptions
from ogpu.types.receipt import Receipt

TX = "0x" + "AB" * 32
BLOCK = "0x" + "cd" * 32
SENDER = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"
NEXUS = "0x5fbdb2315678afecb367f032d93f642f64180aa3"
SOURCE = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
SOURCE_PUBLISHED = "0x" + keccak(text="SourcePublished(address)").hex()


def raw_receipt(**changes: Any) -> dict[str, Any]:
    """A receipt as eth_getTransactionReceipt returns it: hex strings throughout."""
    receipt: dict[str, Any] = {
        "transactionHash": TX,
        "blockNumber": "0x1b",
        "blockHash": BLOCK,
        "gasUsed": "0x5208",
        "status": "0x1",
        "from": SENDER,
        "to": NEXUS,
        "effectiveGasPrice": "0x3b9aca07",
        "logs": [
            {
                "address": NEXUS,
                "topics": [SOURCE_PUBLISHED],
                "data": "0x" + encode(["address"], [SOURCE]).hex(),
                "blockNumber": "0x1b",
                "blockHash": BLOCK,
                "transactionHash": TX,
                "transactionIndex": "0x0",
                "logIndex": "0x2",
                "removed": False,
            },
            {
                "address": NEXUS,
                "topics": ["0x" + "00" * 32],
                "data": "0x",
                "blockNumber": "0x1b",
                "blockHash": BLOCK,
                "transactionHash": TX,
                "transactionIndex": "0x0",
                "logIndex": "0x3",
                "removed": False,
            },
        ],
    }
    receipt.update(changes)
    return receipt


def test_from_a_json_rpc_receipt() -> None:
    receipt = Receipt.from_web3_receipt(raw_receipt(), timestamp=1_700_000_000)
    assert receipt.tx_hash == TX.lower()
    assert len(receipt.tx_hash) == 66
    assert (receipt.block_number, receipt.gas_used, receipt.status) == (27, 21000, 1)
    assert receipt.timestamp == 1_700_000_000
    assert receipt.block_hash == BLOCK
    assert receipt.from_address == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
    assert receipt.to_address == "0x5FbDB2315678afecb367f032d93F642f64180aa3"
    assert receipt.effective_gas_price == 1_000_000_007
    log = receipt.logs[0]
    assert log["topics"][0] == HexBytes(SOURCE_PUBLISHED) and log.logIndex == 2
    assert isinstance(log.data, HexBytes) and log.blockNumber == 27


def test_events_are_decoded_and_unknown_logs_skipped() -> None:
    receipt = Receipt.from_web3_receipt(raw_receipt())
    assert len(receipt.events) == 1
    event = receipt.events[0]
    assert type(event).__name__ == "SourcePublishedEvent"
    assert getattr(event, "source") == SOURCE
    assert getattr(event, "transaction_hash") == TX.lower()
    assert getattr(event, "log_index") == 2


def test_from_a_web3_formatted_receipt() -> None:
    raw = raw_receipt()
    formatted = {
        "transactionHash": HexBytes(TX),
        "blockNumber": 27,
        "blockHash": HexBytes(BLOCK),
        "gasUsed": 21000,
        "status": 1,
        "from": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
        "to": None,
        "effectiveGasPrice": 7,
        "logs": [
            {
                "address": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
                "topics": [HexBytes(t) for t in raw["logs"][0]["topics"]],
                "data": HexBytes(raw["logs"][0]["data"]),
                "blockNumber": 27,
                "blockHash": HexBytes(BLOCK),
                "transactionHash": HexBytes(TX),
                "transactionIndex": 0,
                "logIndex": 2,
                "removed": False,
            }
        ],
    }
    receipt = Receipt.from_web3_receipt(formatted)
    assert receipt.tx_hash == TX.lower() and receipt.to_address is None
    assert receipt.events == Receipt.from_web3_receipt(raw).events[:1]
    assert receipt.timestamp == 0


def test_acts_as_its_hash() -> None:
    receipt = Receipt.from_web3_receipt(raw_receipt())
    assert str(receipt) == TX.lower()
    assert f"{receipt}" == TX.lower()
    assert f"{receipt:>70}" == "    " + TX.lower()
    assert receipt == TX
    assert receipt == TX.lower()
    assert receipt != "0x" + "00" * 32
    assert hash(receipt) == hash(TX.lower())
    assert {receipt: 1}[receipt] == 1
    assert receipt == Receipt.from_web3_receipt(raw_receipt())
    assert receipt != Receipt.from_web3_receipt(raw_receipt(), timestamp=5)
    assert receipt != 42


def test_positional_construction_of_0_2_1_and_frozen() -> None:
    receipt = Receipt(TX.lower(), 1, 21000, 1, [], 123)
    assert receipt.timestamp == 123 and receipt.events == () and receipt.block_hash == ""
    with pytest.raises(dataclasses.FrozenInstanceError):
        receipt.status = 0  # type: ignore[misc]
    assert "logs" not in repr(receipt)


def test_tx_options_defaults() -> None:
    options = TxOptions()
    assert (options.gas, options.gas_buffer, options.nonce) == (None, 1.2, None)
    assert (options.max_fee_per_gas, options.max_priority_fee_per_gas) == (None, None)
    assert (options.timeout, options.max_retries) == (120, 3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.gas = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"gas": 100}, "gas"),
        ({"gas": 30000.5}, "gas"),
        ({"gas_buffer": 0.9}, "gas_buffer"),
        ({"nonce": -1}, "nonce"),
        ({"nonce": True}, "nonce"),
        ({"timeout": 0}, "timeout"),
        ({"max_retries": -1}, "max_retries"),
        ({"max_fee_per_gas": 10, "max_priority_fee_per_gas": 11}, "max_priority_fee_per_gas"),
    ],
)
def test_tx_options_validation(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidParamsError) as info:
        TxOptions(**kwargs)
    assert info.value.field == field
