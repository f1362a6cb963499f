"""The one write path: build, sign, broadcast and confirm a transaction (defects 5-8).

``send_transaction`` estimates gas (a revert there is decoded into a typed error before anything
is sent), prices the transaction with EIP-1559 fees, takes the per-(chain, address) nonce lock,
signs, computes the hash, broadcasts, records the nonce as used once the node accepts it,
releases the lock, and waits for the receipt. Broadcast answers are handled without ever
re-sending a transaction under a new nonce by mistake:

- "already known": the node has our exact transaction; wait for its hash.
- "nonce too low": if our hash is known to the node it was accepted (or mined) already; else,
  for a managed nonce, allocate afresh and re-sign; for ``TxOptions.nonce``, ``NonceError``.
- "underpriced" / fee below base fee: bump both fees by 12.5% (more than the usual 10%
  replacement minimum) at the same nonce, up to ``max_retries`` times, then ``GasError``.

A receipt with status 0 is replayed with ``eth_call`` at its block to recover the revert reason.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from eth_hash.auto import keccak

from ogpu.chain.nonce import NonceManager
from ogpu.chain.rpc import JsonRpcErrorObject, RpcClient, get_rpc_client, quantity
from ogpu.core.address import to_checksum
from ogpu.core.errors import (
    GasError,
    InvalidParamsError,
    InvalidSignerError,
    JsonRpcError,
    NonceError,
    OGPUError,
    RpcError,
    TxError,
    TxRevertError,
    TxTimeoutError,
)
from ogpu.runtime.reverts import decode_revert
from ogpu.runtime.signers import Signer, TxSigner, resolve_signer
from ogpu.schema.networks import ChainId
from ogpu.types.options import TxOptions
from ogpu.types.receipt import Receipt

__all__ = ["broadcast_transaction", "build_transaction", "send_transaction"]

logger = logging.getLogger("ogpu.tx")

_BUMP_NUMERATOR, _BUMP_DENOMINATOR = 9, 8
_FEE_HISTORY_BLOCKS = "0x5"
_FEE_HISTORY_PERCENTILE = 50
_POLL_FIRST_S, _POLL_MAX_S, _POLL_GROWTH = 0.05, 1.0, 1.5
_TIMESTAMP_CACHE_SIZE = 1024

_ALREADY_KNOWN = ("already known", "already imported", "known transaction", "alreadyknown")
_NONCE_TOO_LOW = ("nonce too low", "nonce is too low", "oldnonce", "nonce has already been used")
_UNDERPRICED = (
    "underpriced",
    "less than block base fee",
    "fee cap less than",
    "fee too low",
    "gas price too low",
    "max fee per gas less than",
)

_timestamps: dict[tuple[int, str], int] = {}
_timestamps_lock = threading.Lock()


@dataclass(frozen=True)
class _Call:
    """What is being sent, by whom, where."""

    chain: ChainId
    rpc: RpcClient
    sender: str
    to: str | None
    data: bytes
    value: int
    context: str | None

    def call_object(self) -> dict[str, str]:
        obj = {"from": self.sender, "data": "0x" + self.data.hex(), "value": hex(self.value)}
        if self.to is not None:
            obj["to"] = self.to
        return obj


@dataclass(frozen=True)
class _Fees:
    max_fee: int
    priority: int

    def bumped(self) -> _Fees:
        return _Fees(_bump(self.max_fee), _bump(self.priority))


def send_transaction(
    chain: ChainId | None,
    to: str | None,
    data: bytes,
    *,
    signer: Signer | None,
    value: int = 0,
    options: TxOptions | None = None,
    context: str | None = None,
) -> Receipt:
    """Send ``data`` (with ``value`` wei) to ``to`` (None deploys) and return the ``Receipt``.

    ``chain`` None means the current chain; ``context`` names the operation in errors (for
    example ``"Vault.lock"``). Raises the typed revert error for a revert found while estimating
    (nothing is sent) or in a mined transaction (with ``tx_hash`` set), ``TxTimeoutError`` when
    no receipt arrives within ``options.timeout``, ``NonceError``, ``GasError``, ``TxError`` for
    other rejections, and ``RpcError`` when the node cannot be reached.
    """
    opts = options or TxOptions()
    call, gas, tx_hash = _submit(chain, to, data, signer, value, opts, context)
    receipt = _wait_for_receipt(call, tx_hash, opts.timeout)
    if quantity(receipt.get("status"), url=call.rpc.url, method="eth_getTransactionReceipt") == 0:
        raise _mined_revert(call, receipt, gas, tx_hash)
    return Receipt.from_web3_receipt(receipt, _block_timestamp(call, receipt))


def broadcast_transaction(
    chain: ChainId | None,
    to: str | None,
    data: bytes,
    *,
    signer: Signer | None,
    value: int = 0,
    options: TxOptions | None = None,
    context: str | None = None,
) -> str:
    """Like :func:`send_transaction` up to the node's acceptance; returns the hash, no waiting."""
    _, _, tx_hash = _submit(chain, to, data, signer, value, options or TxOptions(), context)
    return tx_hash


def build_transaction(
    chain: ChainId | None,
    to: str | None,
    data: bytes,
    *,
    signer: Signer | None,
    value: int = 0,
    options: TxOptions | None = None,
    context: str | None = None,
) -> dict[str, Any]:
    """The unsigned EIP-1559 transaction ``send_transaction`` would sign, in web3's field names.

    Gas is estimated (a revert raises the typed error) and the nonce is the next free one
    (or ``options.nonce``); nothing is reserved or sent.
    """
    opts = options or TxOptions()
    account = resolve_signer(signer)
    call = _make_call(chain, to, data, account, value, context)
    gas, fees, _ = _prepare(call, opts)
    nonce = opts.nonce
    if nonce is None:
        nonce = NonceManager.allocate(call.chain.value, call.sender, lambda: _pending_count(call))
    return {"from": call.sender, **_tx_dict(call, nonce, gas, fees)}


# --- preparation ------------------------------------------------------------------------------


def _submit(
    chain: ChainId | None,
    to: str | None,
    data: bytes,
    signer: Signer | None,
    value: int,
    opts: TxOptions,
    context: str | None,
) -> tuple[_Call, int, str]:
    """Prepare, sign and broadcast; returns the call, its gas limit and the accepted hash."""
    account = resolve_signer(signer)
    call = _make_call(chain, to, data, account, value, context)
    gas, fees, auto_fees = _prepare(call, opts)
    return call, gas, _broadcast(call, account, gas, fees, auto_fees, opts)


def _make_call(
    chain: ChainId | None,
    to: str | None,
    data: bytes,
    account: TxSigner,
    value: int,
    context: str | None,
) -> _Call:
    from ogpu.chain.config import ChainConfig

    if not isinstance(data, (bytes, bytearray)):
        raise InvalidParamsError("data", f"must be bytes, not {type(data).__name__}")
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidParamsError("value", f"must be a non-negative int, got {value!r}")
    resolved = chain if chain is not None else ChainConfig.get_current_chain()
    return _Call(
        chain=resolved,
        rpc=get_rpc_client(resolved),
        sender=to_checksum(account.address, field="signer address"),
        to=None if to is None else to_checksum(to, field="to"),
        data=bytes(data),
        value=value,
        context=context,
    )


def _prepare(call: _Call, opts: TxOptions) -> tuple[int, _Fees, bool]:
    """Gas limit and fees, from one batched request; returns whether fees were chosen here."""
    requests: list[tuple[str, list[Any]]] = []
    if opts.gas is None:
        requests.append(("eth_estimateGas", [call.call_object()]))
    auto_fees = opts.max_fee_per_gas is None or opts.max_priority_fee_per_gas is None
    if auto_fees:
        requests += _fee_requests()
    answers = call.rpc.batch(requests) if requests else []
    gas = opts.gas if opts.gas is not None else _gas_limit(call, answers.pop(0), opts.gas_buffer)
    if auto_fees:
        return gas, _fees(call, opts, answers), True
    return gas, _Fees(opts.max_fee_per_gas or 0, opts.max_priority_fee_per_gas or 0), False


def _fee_requests() -> list[tuple[str, list[Any]]]:
    history = ("eth_feeHistory", [_FEE_HISTORY_BLOCKS, "latest", [_FEE_HISTORY_PERCENTILE]])
    return [history, ("eth_maxPriorityFeePerGas", [])]


def _gas_limit(call: _Call, answer: Any, buffer: float) -> int:
    if isinstance(answer, JsonRpcErrorObject):
        raise _estimate_error(call, answer)
    estimate = quantity(answer, url=call.rpc.url, method="eth_estimateGas")
    return math.ceil(estimate * buffer)


def _estimate_error(call: _Call, error: JsonRpcErrorObject) -> OGPUError:
    """A failed estimate: a revert becomes its typed error; anything else a TxError."""
    cause = JsonRpcError(
        call.rpc.url, "eth_estimateGas", error.message, code=error.code, data=error.data
    )
    if _is_revert(error):
        return decode_revert(cause, context=call.context, caller=call.sender)
    if "insufficient funds" in error.message.lower():
        typed: OGPUError = TxError(
            f"{call.sender} cannot pay for this transaction: {error.message}", context=call.context
        )
    else:
        typed = GasError(f"estimation failed: {error.message}", context=call.context)
    typed.__cause__ = cause
    return typed


def _fees(call: _Call, opts: TxOptions, answers: list[Any]) -> _Fees:
    history, suggested_tip = answers
    base_fee = _next_base_fee(call, history)
    tip = opts.max_priority_fee_per_gas
    if tip is None:
        tip = _suggested_tip(call, history, suggested_tip)
    max_fee = opts.max_fee_per_gas if opts.max_fee_per_gas is not None else 2 * base_fee + tip
    return _Fees(max_fee, min(tip, max_fee))


def _next_base_fee(call: _Call, history: Any) -> int:
    if isinstance(history, JsonRpcErrorObject):
        raise GasError(
            f"the node does not report EIP-1559 fees: {history.message}", context=call.context
        )
    base_fees = history.get("baseFeePerGas") if isinstance(history, dict) else None
    if not base_fees:
        raise GasError("the node reports no base fee (EIP-1559 is required)", context=call.context)
    return quantity(base_fees[-1], url=call.rpc.url, method="eth_feeHistory")


def _suggested_tip(call: _Call, history: Any, suggested: Any) -> int:
    """The node's suggestion, else the median reward of recent blocks."""
    if not isinstance(suggested, JsonRpcErrorObject):
        return quantity(suggested, url=call.rpc.url, method="eth_maxPriorityFeePerGas")
    rewards = [
        quantity(r[0], url=call.rpc.url, method="eth_feeHistory")
        for r in history.get("reward") or ()
        if r
    ]
    return sorted(rewards)[len(rewards) // 2] if rewards else 0


def _refreshed_fees(call: _Call, opts: TxOptions) -> _Fees:
    return _fees(call, opts, call.rpc.batch(_fee_requests()))


# --- broadcast --------------------------------------------------------------------------------


def _broadcast(
    call: _Call, account: TxSigner, gas: int, fees: _Fees, auto_fees: bool, opts: TxOptions
) -> str:
    """Sign and send under the nonce lock; return the hash of the accepted transaction."""
    chain_id = call.chain.value
    with NonceManager.lock(chain_id, call.sender):
        nonce = opts.nonce
        if nonce is None:
            nonce = NonceManager.allocate(chain_id, call.sender, lambda: _pending_count(call))
        for attempt in range(opts.max_retries + 1):
            raw, tx_hash = _sign(account, _tx_dict(call, nonce, gas, fees), call.context)
            rejection = _send_raw(call, raw, tx_hash)
            if rejection is None or _accepted_anyway(call, rejection, tx_hash):
                NonceManager.mark_used(chain_id, call.sender, nonce)
                logger.debug(
                    "sent %s (nonce %d) for %s", tx_hash, nonce, call.context or "transaction"
                )
                return tx_hash
            last = attempt == opts.max_retries
            if _matches(rejection.reason, _NONCE_TOO_LOW):
                if opts.nonce is not None or last:
                    suggested = _pending_count(call)
                    raise NonceError(
                        call.sender, nonce, suggested, context=call.context
                    ) from rejection
                NonceManager.forget(chain_id, call.sender)
                nonce = NonceManager.allocate(chain_id, call.sender, lambda: _pending_count(call))
            elif _matches(rejection.reason, _UNDERPRICED):
                if last:
                    raise GasError(
                        f"fees still too low after {opts.max_retries} bumps (max fee {fees.max_fee} "
                        f"wei, tip {fees.priority} wei): {rejection.reason}",
                        context=call.context,
                    ) from rejection
                fees = _next_fees(call, opts, fees, auto_fees)
                logger.info(
                    "%s: fees too low, retrying nonce %d at max fee %d",
                    call.context,
                    nonce,
                    fees.max_fee,
                )
            else:
                raise _rejected(call, rejection)
    raise AssertionError("unreachable")  # pragma: no cover


def _accepted_anyway(call: _Call, rejection: JsonRpcError, tx_hash: str) -> bool:
    """True for "already known", and for "nonce too low" when our own transaction took the nonce."""
    if _matches(rejection.reason, _ALREADY_KNOWN):
        return True
    return _matches(rejection.reason, _NONCE_TOO_LOW) and _is_known(call, tx_hash)


def _next_fees(call: _Call, opts: TxOptions, fees: _Fees, auto_fees: bool) -> _Fees:
    bumped = fees.bumped()
    if not auto_fees:
        return bumped
    fresh = _refreshed_fees(call, opts)
    return _Fees(max(bumped.max_fee, fresh.max_fee), max(bumped.priority, fresh.priority))


def _send_raw(call: _Call, raw: bytes, tx_hash: str) -> JsonRpcError | None:
    """Broadcast; None when accepted, else the node's rejection.

    A transport failure is resolved by asking whether the node has our hash after all.
    """
    try:
        call.rpc.request("eth_sendRawTransaction", ["0x" + raw.hex()])
    except JsonRpcError as exc:
        return exc
    except RpcError:
        if _is_known(call, tx_hash):
            return None
        raise
    return None


def _rejected(call: _Call, rejection: JsonRpcError) -> OGPUError:
    if "insufficient funds" in rejection.reason.lower():
        error = TxError(
            f"{call.sender} cannot pay for this transaction: {rejection.reason}",
            context=call.context,
        )
    else:
        error = TxError(
            f"the node rejected the transaction: {rejection.reason}", context=call.context
        )
    error.__cause__ = rejection
    return error


def _sign(account: TxSigner, tx: dict[str, Any], context: str | None) -> tuple[bytes, str]:
    try:
        signed = account.sign_transaction(tx)
        raw = bytes(signed.raw_transaction)
    except Exception as exc:  # a custom signer may raise anything
        raise InvalidSignerError(f"signing failed ({type(exc).__name__})", context=context) from exc
    return raw, "0x" + keccak(raw).hex()


def _tx_dict(call: _Call, nonce: int, gas: int, fees: _Fees) -> dict[str, Any]:
    tx: dict[str, Any] = {
        "type": 2,
        "chainId": call.chain.value,
        "nonce": nonce,
        "gas": gas,
        "maxFeePerGas": fees.max_fee,
        "maxPriorityFeePerGas": fees.priority,
        "value": call.value,
        "data": "0x" + call.data.hex(),
    }
    if call.to is not None:
        tx["to"] = call.to
    return tx


def _pending_count(call: _Call) -> int:
    answer = call.rpc.request("eth_getTransactionCount", [call.sender, "pending"])
    return quantity(answer, url=call.rpc.url, method="eth_getTransactionCount")


def _is_known(call: _Call, tx_hash: str) -> bool:
    """Whether the node has the transaction, pending or mined."""
    return call.rpc.request("eth_getTransactionByHash", [tx_hash]) is not None


# --- after the broadcast ----------------------------------------------------------------------


def _wait_for_receipt(call: _Call, tx_hash: str, timeout: float) -> Mapping[str, Any]:
    """Poll for the receipt; transient node errors are retried until the deadline."""
    deadline = time.monotonic() + timeout
    delay = _POLL_FIRST_S
    last_error: RpcError | None = None
    while True:
        try:
            receipt = call.rpc.request("eth_getTransactionReceipt", [tx_hash])
        except RpcError as exc:
            logger.warning("waiting for %s: %s", tx_hash, exc.reason)
            last_error, receipt = exc, None
        if isinstance(receipt, dict):
            return receipt
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TxTimeoutError(tx_hash, timeout, context=call.context) from last_error
        time.sleep(min(delay, remaining))
        delay = min(delay * _POLL_GROWTH, _POLL_MAX_S)


def _mined_revert(call: _Call, receipt: Mapping[str, Any], gas: int, tx_hash: str) -> OGPUError:
    """Replay a reverted transaction at its block with ``eth_call`` to recover the reason."""
    replay = {**call.call_object(), "gas": hex(gas)}
    try:
        call.rpc.request("eth_call", [replay, receipt.get("blockNumber")])
    except JsonRpcError as exc:
        if _is_revert(exc):
            return decode_revert(exc, context=call.context, caller=call.sender, tx_hash=tx_hash)
        note = f"replay: {exc.reason}"
    except RpcError as exc:
        note = f"the replay failed: {exc.reason}"
    else:
        note = "the replay succeeded"
    used = quantity(receipt.get("gasUsed"), url=call.rpc.url, method="eth_getTransactionReceipt")
    reason = f"out of gas (gas limit {gas}; {note})" if used >= gas else f"reason unknown ({note})"
    return TxRevertError(reason, tx_hash=tx_hash, context=call.context)


def _block_timestamp(call: _Call, receipt: Mapping[str, Any]) -> int:
    """The timestamp of the receipt's block, cached per (chain, block hash)."""
    block_hash = str(receipt.get("blockHash"))
    key = (call.chain.value, block_hash)
    cached = _timestamps.get(key)
    if cached is not None:
        return cached
    block = call.rpc.request("eth_getBlockByHash", [block_hash, False])
    if not isinstance(block, dict):
        raise RpcError(
            call.rpc.url, "eth_getBlockByHash", f"block {block_hash} is unknown to the node"
        )
    timestamp = quantity(block.get("timestamp"), url=call.rpc.url, method="eth_getBlockByHash")
    with _timestamps_lock:
        if len(_timestamps) >= _TIMESTAMP_CACHE_SIZE:
            del _timestamps[next(iter(_timestamps))]
        _timestamps[key] = timestamp
    return timestamp


# --- helpers ----------------------------------------------------------------------------------


def _bump(amount: int) -> int:
    return max(amount + 1, -(-amount * _BUMP_NUMERATOR // _BUMP_DENOMINATOR))


def _matches(message: str, needles: tuple[str, ...]) -> bool:
    lowered = message.lower()
    return any(needle in lowered for needle in needles)


def _is_revert(error: JsonRpcError | JsonRpcErrorObject) -> bool:
    message = error.reason if isinstance(error, JsonRpcError) else error.message
    return error.code == 3 or "revert" in message.lower()
