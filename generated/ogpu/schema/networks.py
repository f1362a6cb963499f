# PLACEHOLDER written by hand until the generator emits this module with the same interface.
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType
from typing import Mapping


class ChainId(Enum):
    OGPU_MAINNET = 1071
    OGPU_TESTNET = 200820172034
    LOCAL = 31337


@dataclass(frozen=True)
class Network:
    chain_id: ChainId
    name: str
    abi_set: str
    default_rpc: str
    contracts: Mapping[str, str]
    confirmations: int


NETWORKS: Mapping[ChainId, Network] = MappingProxyType({
    ChainId.OGPU_TESTNET: Network(ChainId.OGPU_TESTNET, "testnet", "testnet", "https://testnetrpc.ogpuscan.io", MappingProxyType({"NEXUS": "0xF87bb2f3edB991a998992f14d35fE142e6Bb50b1", "CONTROLLER": "0x9fb6022074Fd7Bdb429de0776eb693cA0CB55E09", "TERMINAL": "0x1ea332Fc14a5AFD3AF3852B45C263Ab5b1Dd6f52", "VAULT": "0x15905a2FbD3EF5d3532b931b5656BB9EB493Bb15"}), 2),
    ChainId.OGPU_MAINNET: Network(ChainId.OGPU_MAINNET, "mainnet", "mainnet", "https://mainnet-rpc.ogpuscan.io", MappingProxyType({"NEXUS": "0x2b0cC6058313801D5feb184a539e3a0C5A87a6a1", "CONTROLLER": "0x8661F4B9c30e07A04d795A192478dfD905625a1D", "TERMINAL": "0xaEBC7b712D38Fc4d841f0732c21B8774339869D3", "VAULT": "0xa5c582254AA313528898311362bc698b041580cC"}), 2),
    ChainId.LOCAL: Network(ChainId.LOCAL, "local", "mainnet", "http://127.0.0.1:8545", MappingProxyType({}), 0),
})
DEFAULT_CHAIN = ChainId.OGPU_MAINNET
