"""Deploy and wire the reference contracts on a fresh anvil node.

Plain web3.py (ABI encoding) and eth_account (signing) only: this layer does not use the
generated SDK, so the devnet can come up while the SDK is broken.

For speed, every transaction is built and signed offline (contract addresses follow from the
deployer's nonce) and a whole phase is sent in one JSON-RPC batch; receipts are checked
after each phase. Order (protocol.md §1.4): Manager; Nexus(manager, 0, 0); Terminal(manager,
0); Vault(manager, nexus, terminal); Nexus.setTerminal, Nexus.setVault, Terminal.setVault;
Controller(nexus, terminal, vault); Vault.setMaxUnbondingPeriod(600),
Vault.setMinLockupPerSource(0); then Manager.grantRole(CONTROLLER, controller) and
Manager.grantRole(JUDGE, deployer), with the role ids read from the deployed Manager.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_account import Account
from web3 import Web3
from web3.contract import Contract

from ogpu.chain.rpc import JsonRpcErrorObject, RpcClient, unwrap
from ogpu.core.errors import DevnetError

__all__ = [
    "ARTIFACTS_ENV_VAR",
    "DEFAULT_ARTIFACTS_DIR",
    "DEPLOYER",
    "MIN_LOCKUP_PER_SOURCE",
    "ROLE_ACCOUNTS",
    "UNBONDING_PERIOD_S",
    "Artifact",
    "DevAccount",
    "artifacts_dir",
    "create_address",
    "deploy_protocol",
    "load_artifact",
]

ARTIFACTS_ENV_VAR = "OGPU_DEVNET_ARTIFACTS"
DEFAULT_ARTIFACTS_DIR = Path(__file__).parent / "artifacts"
UNBONDING_PERIOD_S = 600
MIN_LOCKUP_PER_SOURCE = 0

_CALL_GAS = 300_000
_CONSTRUCTOR_GAS = 1_000_000  # allowance for running a constructor, on top of the size costs
_TIP_WEI = 10**9
_RECEIPT_TIMEOUT_S = 10.0
_RECEIPT_POLL_S = 0.005


@dataclass(frozen=True)
class DevAccount:
    """A funded anvil dev account (its key is public knowledge; still kept out of repr)."""

    private_key: str = field(repr=False)
    address: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "address", Account.from_key(self.private_key).address)


# anvil's default accounts 0-4 (mnemonic "test test ... junk"), each funded with 10 000 coins.
DEPLOYER = DevAccount("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
ROLE_ACCOUNTS: dict[str, DevAccount] = {
    "client": DevAccount("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"),
    "provider": DevAccount("0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"),
    "master": DevAccount("0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6"),
    "agent": DevAccount("0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a"),
}


# --- artifacts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Artifact:
    """A compiled contract: its name, ABI and creation bytecode."""

    name: str
    abi: list[dict[str, Any]]
    bytecode: str


def artifacts_dir() -> Path:
    """The artifact folder: ``$OGPU_DEVNET_ARTIFACTS`` if set, else the one in this package."""
    override = os.environ.get(ARTIFACTS_ENV_VAR)
    return Path(override) if override else DEFAULT_ARTIFACTS_DIR


def load_artifact(directory: Path, name: str) -> Artifact:
    """Read ``<directory>/<name>.json``; raise DevnetError when it is missing or broken."""
    path = directory / f"{name}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DevnetError(f"cannot load the {name} artifact {path}: {exc}") from exc
    abi = data.get("abi") if isinstance(data, dict) else None
    bytecode = data.get("bytecode") if isinstance(data, dict) else None
    if not isinstance(abi, list) or not isinstance(bytecode, str) or len(bytecode) <= 2:
        raise DevnetError(f"the {name} artifact {path} lacks an 'abi' list or a 'bytecode'")
    return Artifact(name, abi, bytecode if bytecode.startswith("0x") else "0x" + bytecode)


# --- addresses -----------------------------------------------------------------------------


def create_address(sender: str, nonce: int) -> str:
    """The address of the contract that ``sender`` creates with transaction ``nonce`` (CREATE).

    keccak256(rlp([sender, nonce]))[12:]; the RLP list is short enough for one-byte prefixes.
    """
    nonce_bytes = nonce.to_bytes((nonce.bit_length() + 7) // 8, "big")
    if len(nonce_bytes) != 1 or nonce_bytes[0] >= 0x80:
        nonce_bytes = bytes([0x80 + len(nonce_bytes)]) + nonce_bytes
    body = bytes([0x80 + 20]) + bytes.fromhex(sender.removeprefix("0x")) + nonce_bytes
    return Web3.to_checksum_address(Web3.keccak(bytes([0xC0 + len(body)]) + body)[12:])


# --- sending -------------------------------------------------------------------------------


@dataclass
class _Tx:
    label: str
    raw: str
    gas: int
    tx_hash: str = ""
    creates: str | None = None


def _deploy_gas(data: str) -> int:
    """A gas limit that covers creating a contract from ``data`` (init code + arguments).

    Intrinsic cost with every byte priced as non-zero, the init-code word cost, the code
    deposit (runtime code is never longer than the init code here), plus a constructor allowance.
    """
    size = len(data.removeprefix("0x")) // 2
    return 53_000 + 16 * size + 2 * -(-size // 32) + 200 * size + _CONSTRUCTOR_GAS


class _Deployer:
    """Builds, signs and sends the deployer's transactions in batches.

    A batch never holds more gas than one block: anvil mines the ready transactions into one
    block and drops those that then have a nonce gap, so an overfull batch would lose some.
    """

    def __init__(self, rpc: RpcClient, account: DevAccount) -> None:
        self.rpc = rpc
        self.address = account.address
        self._signer = Account.from_key(account.private_key)
        self.w3 = Web3()
        chain_id, nonce, block = self._batch(
            [
                ("eth_chainId", []),
                ("eth_getTransactionCount", [account.address, "pending"]),
                ("eth_getBlockByNumber", ["latest", False]),
            ]
        )
        self.chain_id = int(chain_id, 16)
        self.nonce = int(nonce, 16)
        self.block_gas = int(block["gasLimit"], 16)
        self.max_fee = 2 * int(block.get("baseFeePerGas", "0x0"), 16) + _TIP_WEI
        self.pending: list[_Tx] = []
        self._factories: dict[str, type[Contract]] = {}

    def _factory(self, artifact: Artifact) -> type[Contract]:
        if artifact.name not in self._factories:
            self._factories[artifact.name] = self.w3.eth.contract(
                abi=artifact.abi, bytecode=artifact.bytecode
            )
        return self._factories[artifact.name]

    def deploy(self, artifact: Artifact, *args: Any) -> str:
        """Queue the creation of ``artifact``; return the address it will have."""
        data = self._factory(artifact).constructor(*args).data_in_transaction
        address = create_address(self.address, self.nonce)
        self._queue(f"deploy {artifact.name}", None, data, _deploy_gas(data), creates=address)
        return address

    def call(self, artifact: Artifact, address: str, function: str, *args: Any) -> None:
        """Queue a call of ``function`` on the deployed ``artifact`` at ``address``."""
        data = self._factory(artifact).encode_abi(function, args=list(args))
        self._queue(f"{artifact.name}.{function}", address, data, _CALL_GAS)

    def read_words(self, artifact: Artifact, address: str, functions: Sequence[str]) -> list[bytes]:
        """``eth_call`` argument-less functions that each return one 32-byte word."""
        factory = self._factory(artifact)
        calls = [
            ("eth_call", [{"to": address, "data": factory.encode_abi(f)}, "latest"])
            for f in functions
        ]
        return [bytes.fromhex(word.removeprefix("0x"))[:32] for word in self._batch(calls)]

    def _queue(
        self, label: str, to: str | None, data: str, gas: int, creates: str | None = None
    ) -> None:
        gas = min(gas, self.block_gas)
        if sum(tx.gas for tx in self.pending) + gas > self.block_gas:
            self.flush()
        tx: dict[str, Any] = {
            "chainId": self.chain_id,
            "nonce": self.nonce,
            "gas": gas,
            "maxFeePerGas": self.max_fee,
            "maxPriorityFeePerGas": _TIP_WEI,
            "value": 0,
            "data": data,
        }
        if to is not None:
            tx["to"] = to
        signed = self._signer.sign_transaction(tx)
        self.pending.append(_Tx(label, Web3.to_hex(signed.raw_transaction), gas, creates=creates))
        self.nonce += 1

    def flush(self) -> None:
        """Send every queued transaction in one batch, then check each receipt."""
        txs, self.pending = self.pending, []
        hashes = self.rpc.batch([("eth_sendRawTransaction", [tx.raw]) for tx in txs])
        for tx, tx_hash in zip(txs, hashes):
            if isinstance(tx_hash, JsonRpcErrorObject):
                raise DevnetError(f"{tx.label} was rejected: {tx_hash.message}")
            tx.tx_hash = tx_hash
        for tx, receipt in zip(txs, self._receipts([tx.tx_hash for tx in txs])):
            _check_receipt(tx, receipt)

    def _receipts(self, hashes: Sequence[str]) -> list[dict[str, Any]]:
        deadline = time.monotonic() + _RECEIPT_TIMEOUT_S
        while True:
            receipts = self._batch([("eth_getTransactionReceipt", [h]) for h in hashes])
            if all(r is not None for r in receipts):
                return receipts
            if time.monotonic() > deadline:
                raise DevnetError(f"transactions not mined within {_RECEIPT_TIMEOUT_S:g} s")
            time.sleep(_RECEIPT_POLL_S)

    def _batch(self, calls: Sequence[tuple[str, Sequence[Any]]]) -> list[Any]:
        """Results of a batch of calls; the first failed item raises JsonRpcError."""
        results = self.rpc.batch(calls)
        return [unwrap(r, url=self.rpc.url, method=m) for r, (m, _) in zip(results, calls)]


def _check_receipt(tx: _Tx, receipt: dict[str, Any]) -> None:
    if int(receipt["status"], 16) != 1:
        used = int(receipt["gasUsed"], 16)
        raise DevnetError(f"{tx.label} failed (tx {tx.tx_hash}, gas used {used} of {tx.gas})")
    if (
        tx.creates is not None
        and Web3.to_checksum_address(receipt["contractAddress"]) != tx.creates
    ):
        raise DevnetError(f"{tx.label} created {receipt['contractAddress']}, expected {tx.creates}")


# --- the protocol --------------------------------------------------------------------------


def deploy_protocol(
    rpc: RpcClient, *, testnet_vault: bool = False, directory: Path | None = None
) -> dict[str, str]:
    """Deploy and wire the protocol with :data:`DEPLOYER`; return the contract addresses.

    Keys: MANAGER, NEXUS, TERMINAL, VAULT, CONTROLLER. ``testnet_vault`` deploys the testnet
    Vault (``VaultTestnet``) in place of the mainnet one. Raises DevnetError naming the step
    that failed.
    """
    folder = directory or artifacts_dir()
    vault_name = "VaultTestnet" if testnet_vault else "Vault"
    art = {
        name: load_artifact(folder, name) for name in ("Manager", "Nexus", "Terminal", "Controller")
    }
    art["Vault"] = load_artifact(folder, vault_name)
    zero = "0x" + "00" * 20

    sender = _Deployer(rpc, DEPLOYER)
    manager = sender.deploy(art["Manager"])
    nexus = sender.deploy(art["Nexus"], manager, zero, zero)
    terminal = sender.deploy(art["Terminal"], manager, zero)
    vault = sender.deploy(art["Vault"], manager, nexus, terminal)
    sender.call(art["Nexus"], nexus, "setTerminal", terminal)
    sender.call(art["Nexus"], nexus, "setVault", vault)
    sender.call(art["Terminal"], terminal, "setVault", vault)
    controller = sender.deploy(art["Controller"], nexus, terminal, vault)
    sender.call(art["Vault"], vault, "setMaxUnbondingPeriod", UNBONDING_PERIOD_S)
    sender.call(art["Vault"], vault, "setMinLockupPerSource", MIN_LOCKUP_PER_SOURCE)
    sender.flush()

    controller_role, judge_role = sender.read_words(
        art["Manager"], manager, ["CONTROLLER", "JUDGE"]
    )
    sender.call(art["Manager"], manager, "grantRole", controller_role, controller)
    sender.call(art["Manager"], manager, "grantRole", judge_role, DEPLOYER.address)
    sender.flush()
    return {
        "NEXUS": nexus,
        "CONTROLLER": controller,
        "TERMINAL": terminal,
        "VAULT": vault,
        "MANAGER": manager,
    }
