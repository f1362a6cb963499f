"""Testnet parity: the testnet Vault lacks ``cancelUnbonding``, ``emergencyExit`` and
``withdrawSanctionOf``, and the SDK refuses them on ``ChainId.OGPU_TESTNET`` before any RPC.

A second devnet is deployed with the testnet Vault (``ogpu.devnet.start(testnet_vault=True)``).
Its chain id is LOCAL, whose ABI set is mainnet's, so there the SDK sends the call and the
contract, lacking the function, reverts without data. For the testnet chain itself the RPC URL
points at a closed loopback port: any request would raise ``RpcError``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from protocol_kit import ETHER, Account, one

from ogpu.chain import CHAIN_RPC_URLS, ChainConfig, clear_all_nonce_caches
from ogpu.chain.rpc import get_rpc_client
from ogpu.core.errors import RpcError, TxRevertError, UnsupportedOnNetworkError
from ogpu.devnet import Devnet, start
from ogpu.protocol import vault
from ogpu.protocol.master import Master
from ogpu.protocol.provider import Provider
from ogpu.schema.events import ClaimedEvent, DepositedEvent, LockedEvent, UnbondedEvent
from ogpu.schema.networks import ChainId
from ogpu.types.receipt import Receipt

pytestmark = pytest.mark.integration

MAINNET_ONLY = ("cancelUnbonding", "emergencyExit", "withdrawSanctionOf")


@pytest.fixture(scope="module")
def testnet_devnet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Devnet]:
    """A devnet whose Vault has the testnet interface (for this module only)."""
    folder = tmp_path_factory.mktemp("testnet-vault")
    with start(testnet_vault=True, log_path=folder / "anvil.log") as running:
        running.write_document(folder / "devnet.json")
        yield running


@pytest.fixture
def on_testnet_vault(testnet_devnet: Devnet, chain_config_state: None) -> Account:
    """The SDK pointed at the testnet-Vault devnet (configuration restored afterwards); the provider."""
    assert testnet_devnet.document_path is not None
    clear_all_nonce_caches()  # same chain id and accounts as the session devnet, other nonces
    ChainConfig.use_network_file(Path(testnet_devnet.document_path))
    entry = testnet_devnet.document["accounts"]["provider"]
    return Account(entry["address"], entry["private_key"])


def test_testnet_vault_has_the_shared_surface_only(on_testnet_vault: Account) -> None:
    me = on_testnet_vault
    assert (
        one(vault.deposit(me.address, 2 * ETHER, signer=me.key), DepositedEvent).amount == 2 * ETHER
    )
    assert one(vault.lock(ETHER, signer=me.key), LockedEvent).amount == ETHER
    assert one(vault.unbond(ETHER, signer=me.key), UnbondedEvent).amount == ETHER

    absent: list[Callable[[], Receipt]] = [
        lambda: vault.cancel_unbonding(signer=me.key),
        lambda: vault.emergency_exit(me.address, signer=me.key),
        lambda: vault.withdraw_sanction_of(me.address, signer=me.key),
    ]
    for call in absent:
        with pytest.raises(TxRevertError, match="reverted without data"):
            call()
    assert vault.get_unbonding_of(me.address) == ETHER  # nothing moved back to the lockup

    rpc = get_rpc_client(ChainId.LOCAL)
    rpc.request("evm_increaseTime", [vault.get_unbonding_period()])
    rpc.request("evm_mine", [])
    claimed = one(vault.claim(signer=me.key), ClaimedEvent)
    assert (claimed.account, claimed.amount) == (me.address, ETHER)


def test_mainnet_only_functions_are_refused_on_testnet_before_any_rpc(
    on_testnet_vault: Account, unused_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    me = on_testnet_vault
    monkeypatch.setitem(CHAIN_RPC_URLS, ChainId.OGPU_TESTNET, f"http://127.0.0.1:{unused_port}")
    testnet = ChainId.OGPU_TESTNET
    refused: list[Callable[[], Receipt]] = [
        lambda: vault.cancel_unbonding(signer=me.key, chain=testnet),
        lambda: vault.emergency_exit(me.address, signer=me.key, chain=testnet),
        lambda: vault.withdraw_sanction_of(me.address, signer=me.key, chain=testnet),
        lambda: Provider(me.address, chain=testnet).cancel_unbonding(signer=me.key),
        lambda: Master(me.address, chain=testnet).cancel_unbonding(signer=me.key),
    ]
    for call in refused:
        with pytest.raises(UnsupportedOnNetworkError) as error:
            call()
        assert (error.value.contract, error.value.chain) == ("Vault", testnet)
        assert error.value.function in MAINNET_ONLY
    # The closed port notices a request: a function the testnet has does reach it.
    with pytest.raises(RpcError):
        vault.get_balance_of(me.address, chain=testnet)

    for name in MAINNET_ONLY:
        assert ChainConfig.supports("Vault", name, testnet) is False
        assert ChainConfig.supports("Vault", name, ChainId.OGPU_MAINNET) is True
    assert ChainConfig.supports("Vault", "claim", testnet) is True
