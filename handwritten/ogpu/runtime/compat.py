"""Names ``ogpu.protocol`` exported in 0.2.1 besides the contract modules, kept working.

New code uses the generated functions (``ogpu.protocol.vault.lock(...)``); these remain for
scripts that built web3 contracts and transactions themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ogpu.chain.config import ChainConfig
from ogpu.chain.web3_manager import Web3Manager
from ogpu.core.address import ZERO_ADDRESS
from ogpu.runtime.reverts import REVERT_PATTERN_MAP, decode_revert
from ogpu.runtime.signers import Signer, resolve_signer
from ogpu.schema.networks import ChainId
from ogpu.types.options import TxOptions
from ogpu.types.receipt import Receipt

__all__ = [
    "REVERT_PATTERN_MAP",
    "Signer",
    "TxExecutor",
    "ZERO_ADDRESS",
    "decode_revert",
    "load_contract",
    "resolve_signer",
]

_contracts: dict[tuple[ChainId, str, str], Any] = {}


def load_contract(abi_name: str, address: str | None = None, chain: ChainId | None = None) -> Any:
    """A web3 ``Contract`` for ``abi_name`` (``"NexusAbi"``); singletons resolve their address.

    Cached per (chain, ABI, address).
    """
    chain_id = chain or ChainConfig.get_current_chain()
    base = abi_name[:-3] if abi_name.endswith("Abi") else abi_name
    target = address or ChainConfig.get_contract_address(base.upper(), chain_id)
    key = (chain_id, base, target.lower())
    if key not in _contracts:
        web3 = Web3Manager.get_web3_instance(chain_id)
        _contracts[key] = web3.eth.contract(
            address=web3.to_checksum_address(target), abi=ChainConfig.load_abi(base, chain_id)
        )
    return _contracts[key]


@dataclass
class TxExecutor:
    """0.2.1's write path over a web3 contract, now running through the single send path."""

    contract: Any
    function_name: str
    args: tuple[Any, ...] = ()
    signer: Signer | None = None
    value: int = 0
    context: str | None = None
    max_retries: int = 3
    options: TxOptions | None = field(default=None)

    def _calldata(self) -> bytes:
        data = self.contract.encode_abi(self.function_name, args=list(self.args))
        return bytes.fromhex(data[2:])

    def _options(self) -> TxOptions:
        if self.options is not None:
            return self.options
        return TxOptions(max_retries=self.max_retries)

    def build(self) -> dict[str, Any]:
        """The unsigned transaction, as the send path would sign it."""
        from ogpu.runtime.tx import build_transaction

        chain = _chain_of(self.contract)
        account = resolve_signer(self.signer, None)
        return build_transaction(
            chain,
            self.contract.address,
            self._calldata(),
            signer=account,
            value=self.value,
            options=self._options(),
        )

    def execute(self) -> Receipt:
        from ogpu.runtime.tx import send_transaction

        chain = _chain_of(self.contract)
        account = resolve_signer(self.signer, None)
        return send_transaction(
            chain,
            self.contract.address,
            self._calldata(),
            signer=account,
            value=self.value,
            options=self._options(),
            context=self.context or self.function_name,
        )


def _chain_of(contract: Any) -> ChainId:
    chain_id = int(contract.w3.eth.chain_id)
    return ChainId(chain_id)
