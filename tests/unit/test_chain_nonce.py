"""``NonceManager``: per-(chain id, address) cache and locks (defect 5)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from ogpu.chain import NonceManager

A = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    NonceManager.clear_all()
    yield
    NonceManager.clear_all()


class FakeEth:
    def __init__(self, chain_id: int, pending: int) -> None:
        self.chain_id = chain_id
        self.pending = pending
        self.asked: list[tuple[str, str]] = []

    def get_transaction_count(self, address: str, block: str) -> int:
        self.asked.append((address, block))
        return self.pending


class FakeWeb3:
    """Only what NonceManager touches: ``eth.chain_id`` and ``eth.get_transaction_count``."""

    def __init__(self, chain_id: int, pending: int) -> None:
        self.eth = FakeEth(chain_id, pending)


def as_web3(fake: FakeWeb3) -> Any:
    return fake


def test_get_nonce_caches_until_refreshed() -> None:
    web3 = FakeWeb3(31337, 7)
    assert NonceManager.get_nonce(A.lower(), as_web3(web3)) == 7
    web3.eth.pending = 9
    assert NonceManager.get_nonce(A, as_web3(web3)) == 7
    assert NonceManager.get_nonce(A, as_web3(web3), force_refresh=True) == 9
    assert web3.eth.asked == [(A, "pending"), (A, "pending")]


def test_increment_reset_and_cached() -> None:
    web3 = FakeWeb3(31337, 3)
    assert NonceManager.get_cached_nonce(A, as_web3(web3)) is None
    NonceManager.increment_nonce(A, as_web3(web3))
    assert NonceManager.get_cached_nonce(A, as_web3(web3)) is None
    NonceManager.get_nonce(A, as_web3(web3))
    NonceManager.increment_nonce(A, as_web3(web3))
    assert NonceManager.get_cached_nonce(A, as_web3(web3)) == 4
    NonceManager.reset_nonce(A, as_web3(web3))
    assert NonceManager.get_cached_nonce(A, as_web3(web3)) is None


def test_cache_is_keyed_by_chain() -> None:
    local, testnet = FakeWeb3(31337, 5), FakeWeb3(200820172034, 50)
    assert NonceManager.get_nonce(A, as_web3(local)) == 5
    assert NonceManager.get_nonce(A, as_web3(testnet)) == 50
    NonceManager.mark_used(31337, A, 5)
    assert NonceManager.cached(31337, A) == 6
    assert NonceManager.cached(200820172034, A) == 50
    assert NonceManager.lock(31337, A) is not NonceManager.lock(200820172034, A)


def test_allocate_takes_the_higher_of_cache_and_node() -> None:
    assert NonceManager.allocate(1, A, lambda: 4) == 4
    NonceManager.mark_used(1, A, 9)
    assert NonceManager.allocate(1, A, lambda: 4) == 10
    assert NonceManager.allocate(1, A, lambda: 12) == 12
    NonceManager.mark_used(1, A, 2)
    assert NonceManager.cached(1, A) == 10


def test_clear_all_keeps_the_locks() -> None:
    lock = NonceManager.lock(1, A)
    NonceManager.mark_used(1, A, 0)
    with lock:
        NonceManager.clear_all()
        assert NonceManager.cached(1, A) is None
        assert NonceManager.lock(1, A.lower()) is lock


def test_threads_allocating_under_the_lock_never_share_a_nonce() -> None:
    taken: list[int] = []

    def worker() -> None:
        for _ in range(50):
            with NonceManager.lock(1, A):
                nonce = NonceManager.allocate(1, A, lambda: 0)
                taken.append(nonce)
                NonceManager.mark_used(1, A, nonce)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(taken) == list(range(400))


def test_not_instantiable() -> None:
    with pytest.raises(TypeError):
        NonceManager()
