"""The write path against real anvil nodes: sends, reverts, nonce races, rebroadcasts, fees.

Contracts are hand-assembled init code: one whose runtime always reverts with fixed data, and
one that emits a fixed ``Nexus.SourcePublished`` log.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from eth_abi.abi import encode
from eth_account import Account
from eth_utils.crypto import keccak

import ogpu.runtime.tx as tx_module
import ogpu.schema.errors  # noqa: F401 - registers the ABIs' custom errors
import ogpu.schema.events  # noqa: F401 - registers the generated event specs
from ogpu.chain import (
    CHAIN_RPC_URLS,
    ChainConfig,
    ChainId,
    NonceManager,
    Web3Manager,
    fix_nonce,
    get_nonce_info,
    reset_nonce_cache,
)
from ogpu.chain.rpc import JsonRpcErrorObject, RpcClient
from ogpu.core.errors import (
    GasError,
    InvalidRpcUrlError,
    NonceError,
    NotMasterError,
    NotOwnerError,
    NotSourceOwnerError,
    SignerMismatchError,
    TxRevertError,
    TxTimeoutError,
)
from ogpu.runtime.tx import build_transaction, send_transaction
from ogpu.types.options import TxOptions
from ogpu.types.receipt import Receipt

pytestmark = pytest.mark.integration

LOCAL = ChainId.LOCAL
GWEI = 10**9
SINK = "0x000000000000000000000000000000000000dEaD"
SOURCE = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


# --- helpers -------------------------------------------------------------------------------------


def rpc(url: str, method: str, *params: Any) -> Any:
    return RpcClient(url).request(method, list(params))


def address_of(key: str) -> str:
    return str(Account.from_key(key).address)


def nonce_count(url: str, key: str, tag: str = "latest") -> int:
    return int(rpc(url, "eth_getTransactionCount", address_of(key), tag), 16)


def error_string(reason: str) -> bytes:
    return keccak(text="Error(string)")[:4] + encode(["string"], [reason])


def _copy_and(opcode: int, body: bytes) -> bytes:
    """Code that copies ``body`` (placed right after it) to memory and REVERTs/RETURNs it."""
    size = len(body)
    assert size < 256
    return bytes([0x60, size, 0x60, 12, 0x60, 0, 0x39, 0x60, size, 0x60, 0, opcode]) + body


def reverting_init_code(revert_data: bytes) -> bytes:
    """Init code of a contract whose every call reverts with ``revert_data``."""
    return _copy_and(0xF3, _copy_and(0xFD, revert_data))


def emitting_init_code(topic: bytes, word: bytes) -> bytes:
    """Init code of a contract whose every call emits LOG1(topic, word) and stops."""
    prefix = (
        bytes([0x60, 32, 0x60, 46, 0x60, 0, 0x39, 0x7F])
        + topic
        + bytes([0x60, 32, 0x60, 0, 0xA1, 0x00])
    )
    assert len(prefix) == 46
    return _copy_and(0xF3, prefix + word)


def deploy(url: str, key: str, init_code: bytes) -> str:
    receipt = send_transaction(LOCAL, None, init_code, signer=key)
    assert receipt.to_address is None
    address = rpc(url, "eth_getTransactionReceipt", receipt.tx_hash)["contractAddress"]
    assert rpc(url, "eth_getCode", address, "latest") != "0x"
    return str(address)


class Miner:
    """Mines a block every ``interval`` seconds on a --no-mining node while active.

    With ``when``, a block is mined only when ``when(pending pool)`` is true.
    """

    def __init__(
        self, url: str, interval: float = 0.05, when: Callable[[Any], bool] | None = None
    ) -> None:
        self.url, self.interval, self.when = url, interval, when
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            if self.when is None or self.when(rpc(self.url, "txpool_content")["pending"]):
                rpc(self.url, "evm_mine")

    def __enter__(self) -> Miner:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


@pytest.fixture
def point_local(chain_config_state: None) -> Iterator[Callable[[str], None]]:
    """Point ChainId.LOCAL at a node URL with empty nonce caches; restored afterwards."""

    def point(url: str) -> None:
        CHAIN_RPC_URLS[LOCAL] = url
        NonceManager.clear_all()

    yield point


@pytest.fixture
def local(anvil: str, point_local: Callable[[str], None]) -> str:
    """The session anvil as ChainId.LOCAL."""
    point_local(anvil)
    return anvil


@pytest.fixture
def quiet(anvil_factory: Callable[..., str], point_local: Callable[[str], None]) -> str:
    """A private --no-mining anvil as ChainId.LOCAL."""
    url = anvil_factory("--no-mining")
    point_local(url)
    return url


# --- sends ---------------------------------------------------------------------------------------


def test_value_transfer_receipt(local: str, anvil_keys: tuple[str, ...]) -> None:
    key = anvil_keys[1]
    before = int(rpc(local, "eth_getBalance", SINK, "latest"), 16)
    receipt = send_transaction(
        LOCAL, SINK.lower(), b"", signer=key, value=12345, context="transfer"
    )
    assert isinstance(receipt, Receipt)
    assert receipt.status == 1 and receipt.gas_used == 21000
    assert len(receipt.tx_hash) == 66 and receipt.tx_hash == receipt.tx_hash.lower()
    assert receipt.from_address == address_of(key) and receipt.to_address == SINK
    block = rpc(local, "eth_getBlockByNumber", hex(receipt.block_number), False)
    assert receipt.block_hash == block["hash"]
    assert receipt.timestamp == int(block["timestamp"], 16)
    assert receipt.effective_gas_price > 0
    assert int(rpc(local, "eth_getBalance", SINK, "latest"), 16) == before + 12345
    assert receipt == rpc(local, "eth_getTransactionByHash", receipt.tx_hash)[
        "hash"
    ].upper().replace("0X", "0x")


def test_build_transaction_sends_nothing(local: str, anvil_keys: tuple[str, ...]) -> None:
    key = anvil_keys[6]
    pending = nonce_count(local, key, "pending")
    built = build_transaction(
        LOCAL, SINK, b"\x01\x02", signer=key, value=7, options=TxOptions(gas_buffer=1.5)
    )
    estimate = int(
        rpc(
            local,
            "eth_estimateGas",
            {"from": address_of(key), "to": SINK, "data": "0x0102", "value": "0x7"},
        ),
        16,
    )
    assert built["from"] == address_of(key) and built["to"] == SINK
    assert (built["type"], built["chainId"], built["nonce"], built["value"]) == (
        2,
        31337,
        pending,
        7,
    )
    assert built["gas"] == -(-estimate * 3 // 2)
    assert built["data"] == "0x0102"
    assert 0 < built["maxPriorityFeePerGas"] <= built["maxFeePerGas"]
    assert nonce_count(local, key, "pending") == pending
    assert NonceManager.cached(31337, address_of(key)) is None


def test_concurrent_sends_use_each_nonce_once(local: str, anvil_keys: tuple[str, ...]) -> None:
    key = anvil_keys[2]
    start = nonce_count(local, key)
    receipts: list[Receipt] = []
    failures: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(5):
                receipts.append(send_transaction(LOCAL, SINK, b"", signer=key, value=1))
        except BaseException as exc:  # surfaced by the assertion below
            failures.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    nonces = sorted(
        int(rpc(local, "eth_getTransactionByHash", r.tx_hash)["nonce"], 16) for r in receipts
    )
    assert nonces == list(range(start, start + 20))
    assert nonce_count(local, key) == start + 20


def test_deploy_and_decode_events(local: str, anvil_keys: tuple[str, ...]) -> None:
    key = anvil_keys[5]
    topic = keccak(text="SourcePublished(address)")
    emitter = deploy(local, key, emitting_init_code(topic, encode(["address"], [SOURCE])))
    receipt = send_transaction(LOCAL, emitter, b"", signer=key)
    assert len(receipt.logs) == 1 and receipt.logs[0]["topics"][0] == topic
    (event,) = receipt.events
    assert type(event).__name__ == "SourcePublishedEvent"
    assert getattr(event, "source") == SOURCE
    assert getattr(event, "transaction_hash") == receipt.tx_hash
    assert getattr(event, "block_number") == receipt.block_number


# --- reverts -------------------------------------------------------------------------------------


def test_reverts_found_by_estimation_raise_before_sending(
    local: str, anvil_keys: tuple[str, ...]
) -> None:
    key = anvil_keys[3]
    sender = address_of(key)
    master = deploy(local, key, reverting_init_code(error_string("NotMaster")))
    owner = deploy(
        local,
        key,
        reverting_init_code(
            keccak(text="OwnableUnauthorizedAccount(address)")[:4] + encode(["address"], [sender])
        ),
    )
    panic = deploy(
        local,
        key,
        reverting_init_code(keccak(text="Panic(uint256)")[:4] + encode(["uint256"], [0x11])),
    )
    bare = deploy(local, key, reverting_init_code(b""))
    count = nonce_count(local, key, "pending")

    with pytest.raises(NotMasterError) as not_master:
        send_transaction(LOCAL, master, b"", signer=key, context="Terminal.announceProvider")
    assert (
        not_master.value.account == sender
        and not_master.value.context == "Terminal.announceProvider"
    )
    with pytest.raises(NotOwnerError) as not_owner:
        send_transaction(LOCAL, owner, b"", signer=key, context="Nexus.setSourceStatus")
    assert not_owner.value.account == sender and not_owner.value.contract == "Nexus"
    with pytest.raises(TxRevertError, match="0x11: arithmetic overflow"):
        send_transaction(LOCAL, panic, b"", signer=key)
    with pytest.raises(TxRevertError, match="reverted without data"):
        send_transaction(LOCAL, bare, b"", signer=key)
    assert nonce_count(local, key, "pending") == count


def test_mined_revert_is_replayed_for_its_reason(local: str, anvil_keys: tuple[str, ...]) -> None:
    key = anvil_keys[3]
    target = deploy(local, key, reverting_init_code(error_string("NotOwner")))
    with pytest.raises(NotSourceOwnerError) as info:
        send_transaction(
            LOCAL,
            target,
            b"",
            signer=key,
            options=TxOptions(gas=100_000),
            context="Nexus.updateSource",
        )
    tx_hash = getattr(info.value, "tx_hash")
    assert info.value.caller == address_of(key)
    assert rpc(local, "eth_getTransactionReceipt", tx_hash)["status"] == "0x0"
    assert (
        isinstance(info.value.__cause__, TxRevertError) and info.value.__cause__.tx_hash == tx_hash
    )


def test_mined_out_of_gas(local: str, anvil_keys: tuple[str, ...]) -> None:
    key = anvil_keys[3]
    target = deploy(local, key, reverting_init_code(error_string("NotOwner")))
    with pytest.raises(TxRevertError) as info:
        send_transaction(LOCAL, target, b"", signer=key, options=TxOptions(gas=21_010))
    assert "out of gas" in info.value.reason.lower()
    assert rpc(local, "eth_getTransactionReceipt", info.value.tx_hash)["status"] == "0x0"


# --- rebroadcasts, nonces and fees ---------------------------------------------------------------


def test_already_known_waits_for_the_same_hash(quiet: str, anvil_keys: tuple[str, ...]) -> None:
    key = anvil_keys[0]
    options = TxOptions(
        gas=21_000, max_fee_per_gas=3 * GWEI, max_priority_fee_per_gas=GWEI, nonce=0
    )
    built = build_transaction(LOCAL, SINK, b"", signer=key, value=5, options=options)
    signed = Account.from_key(key).sign_transaction({k: v for k, v in built.items() if k != "from"})
    manual = rpc(quiet, "eth_sendRawTransaction", "0x" + signed.raw_transaction.hex())
    with Miner(quiet):
        receipt = send_transaction(LOCAL, SINK, b"", signer=key, value=5, options=options)
    assert receipt.tx_hash == manual
    assert nonce_count(quiet, key) == 1
    assert NonceManager.cached(31337, address_of(key)) == 1


def test_nonce_too_low_for_our_own_mined_transaction(
    local: str, anvil_keys: tuple[str, ...]
) -> None:
    key = anvil_keys[4]
    nonce = nonce_count(local, key, "pending")
    options = TxOptions(
        gas=21_000, max_fee_per_gas=5 * GWEI, max_priority_fee_per_gas=GWEI, nonce=nonce
    )
    first = send_transaction(LOCAL, SINK, b"", signer=key, value=3, options=options)
    again = send_transaction(LOCAL, SINK, b"", signer=key, value=3, options=options)
    assert again.tx_hash == first.tx_hash
    assert nonce_count(local, key) == nonce + 1


def test_nonce_too_low_for_someone_elses_transaction(
    local: str, anvil_keys: tuple[str, ...]
) -> None:
    key = anvil_keys[4]
    send_transaction(LOCAL, SINK, b"", signer=key, value=1)
    pending = nonce_count(local, key, "pending")
    with pytest.raises(NonceError) as info:
        send_transaction(
            LOCAL, SINK, b"", signer=key, value=999, options=TxOptions(nonce=pending - 1)
        )
    assert (info.value.tried, info.value.suggested) == (pending - 1, pending)
    assert info.value.address == address_of(key)


def test_managed_nonce_recovers_from_a_stale_count(
    local: str, anvil_keys: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process took the nonce between our count and our broadcast."""
    key = anvil_keys[4]
    send_transaction(LOCAL, SINK, b"", signer=key, value=1)
    NonceManager.clear_all()
    real = tx_module._pending_count
    stale = iter([True])

    def first_stale(call: Any) -> int:
        return real(call) - (1 if next(stale, False) else 0)

    monkeypatch.setattr(tx_module, "_pending_count", first_stale)
    expected = nonce_count(local, key, "pending")
    receipt = send_transaction(LOCAL, SINK, b"", signer=key, value=2)
    assert int(rpc(local, "eth_getTransactionByHash", receipt.tx_hash)["nonce"], 16) == expected


def test_underpriced_replacement_bumps_fees_at_the_same_nonce(
    quiet: str, anvil_keys: tuple[str, ...]
) -> None:
    key = anvil_keys[1]
    options = TxOptions(
        gas=21_000, max_fee_per_gas=3 * GWEI, max_priority_fee_per_gas=GWEI, nonce=0
    )
    built = build_transaction(LOCAL, SINK, b"", signer=key, value=1, options=options)
    signed = Account.from_key(key).sign_transaction({k: v for k, v in built.items() if k != "from"})
    replaced = rpc(quiet, "eth_sendRawTransaction", "0x" + signed.raw_transaction.hex())
    sender = address_of(key).lower()

    def replacement_pending(pool: Any) -> bool:
        return bool(pool.get(sender, {}).get("0", {}).get("value") == "0x2")

    with Miner(quiet, when=replacement_pending):
        receipt = send_transaction(LOCAL, SINK, b"", signer=key, value=2, options=options)
    mined = rpc(quiet, "eth_getTransactionByHash", receipt.tx_hash)
    assert (int(mined["nonce"], 16), int(mined["value"], 16)) == (0, 2)
    assert int(mined["maxFeePerGas"], 16) >= 3 * GWEI * 11 // 10
    assert int(mined["maxPriorityFeePerGas"], 16) >= GWEI * 11 // 10
    assert rpc(quiet, "eth_getTransactionReceipt", replaced) is None


def test_fee_below_base_fee_gives_gas_error_after_retries(
    local: str, anvil_keys: tuple[str, ...]
) -> None:
    key = anvil_keys[7]
    pending = nonce_count(local, key, "pending")
    options = TxOptions(max_fee_per_gas=1, max_priority_fee_per_gas=1, max_retries=2)
    with pytest.raises(GasError, match="after 2 bumps"):
        send_transaction(LOCAL, SINK, b"", signer=key, value=1, options=options)
    assert nonce_count(local, key, "pending") == pending


def test_receipt_timeout_carries_the_hash(quiet: str, anvil_keys: tuple[str, ...]) -> None:
    key = anvil_keys[2]
    with pytest.raises(TxTimeoutError) as info:
        send_transaction(LOCAL, SINK, b"", signer=key, value=1, options=TxOptions(timeout=0.3))
    assert info.value.timeout_s == 0.3
    pending = rpc(quiet, "eth_getTransactionByHash", info.value.tx_hash)
    assert pending is not None and pending["blockNumber"] is None
    assert NonceManager.cached(31337, address_of(key)) == 1


# --- RPC, web3 and the nonce utilities -----------------------------------------------------------


def test_set_rpc_probe_and_batches(local: str) -> None:
    ChainConfig.set_rpc(local, LOCAL)
    assert ChainConfig.get_rpc(LOCAL) == local
    chain_id, missing = RpcClient(local).batch([("eth_chainId", []), ("eth_noSuchMethod", [])])
    assert chain_id == "0x7a69"
    assert isinstance(missing, JsonRpcErrorObject) and missing.code == -32601


def test_web3_manager(local: str, anvil_keys: tuple[str, ...]) -> None:
    web3 = Web3Manager.get_web3_instance(LOCAL)
    assert web3.eth.chain_id == 31337
    assert Web3Manager.get_web3_instance(LOCAL) is web3
    key = anvil_keys[8]
    assert NonceManager.get_nonce(address_of(key), web3) == nonce_count(local, key, "pending")
    Web3Manager.update_rpc_url(LOCAL, local + "/")
    assert Web3Manager.get_web3_instance(LOCAL) is not web3
    with pytest.raises(InvalidRpcUrlError, match="serves chain id 31337"):
        Web3Manager.update_rpc_url(ChainId.OGPU_MAINNET, local)
        Web3Manager.get_web3_instance(ChainId.OGPU_MAINNET)


def test_nonce_utilities_fill_pending_gaps(quiet: str, anvil_keys: tuple[str, ...]) -> None:
    key = anvil_keys[3]
    ChainConfig.set_chain(LOCAL)
    stuck = []
    for nonce in (0, 1):
        tx = {
            "type": 2,
            "chainId": 31337,
            "nonce": nonce,
            "to": SINK,
            "value": 1,
            "gas": 21_000,
            "maxFeePerGas": 2 * GWEI,
            "maxPriorityFeePerGas": GWEI // 2,
            "data": "0x",
        }
        raw = Account.from_key(key).sign_transaction(tx).raw_transaction
        stuck.append(rpc(quiet, "eth_sendRawTransaction", "0x" + raw.hex()))
    info = get_nonce_info(address_of(key).lower())
    assert info == {
        "address": address_of(key),
        "mined_nonce": 0,
        "pending_nonce": 2,
        "cached_nonce": None,
        "has_pending": True,
        "pending_count": 2,
    }
    with pytest.raises(SignerMismatchError):
        fix_nonce(address=SINK, private_key=key)
    sender = address_of(key).lower()

    def all_replaced(pool: Any) -> bool:
        mine = pool.get(sender, {}).values()
        return len(mine) == 2 and all(tx["to"].lower() == sender for tx in mine)

    with Miner(quiet, when=all_replaced):
        assert fix_nonce(private_key=key) == 2
    assert all(rpc(quiet, "eth_getTransactionReceipt", h) is None for h in stuck)
    mined = [
        tx
        for number in range(1, int(rpc(quiet, "eth_blockNumber"), 16) + 1)
        for tx in rpc(quiet, "eth_getBlockByNumber", hex(number), True)["transactions"]
        if tx["from"].lower() == sender
    ]
    assert sorted(int(tx["nonce"], 16) for tx in mined) == [0, 1]
    assert all(tx["to"].lower() == sender and tx["value"] == "0x0" for tx in mined)
    info = get_nonce_info(private_key=key)
    assert (info["mined_nonce"], info["pending_nonce"], info["has_pending"]) == (2, 2, False)
    NonceManager.mark_used(31337, address_of(key), 5)
    reset_nonce_cache(address_of(key))
    assert get_nonce_info(address_of(key))["cached_nonce"] is None
