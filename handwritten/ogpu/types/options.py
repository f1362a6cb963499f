"""``TxOptions``: per-call overrides for the transaction path (defect 7)."""

from __future__ import annotations

from dataclasses import dataclass

from ogpu.core.errors import InvalidParamsError

__all__ = ["TxOptions"]


@dataclass(frozen=True)
class TxOptions:
    """Overrides for one write. Every field left at its default lets the SDK decide.

    - ``gas``: a fixed gas limit; estimation (and its pre-flight revert check) is skipped.
    - ``gas_buffer``: multiplier applied to the node's estimate when ``gas`` is None.
    - ``max_fee_per_gas`` / ``max_priority_fee_per_gas``: EIP-1559 fees in wei; None asks the
      node (``eth_feeHistory`` and ``eth_maxPriorityFeePerGas``).
    - ``nonce``: send at exactly this nonce instead of the managed one.
    - ``timeout``: seconds to wait for the receipt before ``TxTimeoutError``.
    - ``max_retries``: fee bumps (or nonce refreshes) tried before giving up.
    """

    gas: int | None = None
    gas_buffer: float = 1.2
    max_fee_per_gas: int | None = None
    max_priority_fee_per_gas: int | None = None
    nonce: int | None = None
    timeout: float = 120
    max_retries: int = 3

    def __post_init__(self) -> None:
        _check_optional_int("gas", self.gas, minimum=21_000)
        _check_optional_int("max_fee_per_gas", self.max_fee_per_gas, minimum=0)
        _check_optional_int("max_priority_fee_per_gas", self.max_priority_fee_per_gas, minimum=0)
        _check_optional_int("nonce", self.nonce, minimum=0)
        _check_int("max_retries", self.max_retries, minimum=0)
        if not isinstance(self.gas_buffer, (int, float)) or not self.gas_buffer >= 1.0:
            raise InvalidParamsError(
                "gas_buffer", f"must be a number >= 1.0, got {self.gas_buffer!r}"
            )
        if not isinstance(self.timeout, (int, float)) or not self.timeout > 0:
            raise InvalidParamsError("timeout", f"must be a positive number, got {self.timeout!r}")
        fee, tip = self.max_fee_per_gas, self.max_priority_fee_per_gas
        if fee is not None and tip is not None and tip > fee:
            raise InvalidParamsError("max_priority_fee_per_gas", "must not exceed max_fee_per_gas")


def _check_optional_int(name: str, value: object, *, minimum: int) -> None:
    if value is not None:
        _check_int(name, value, minimum=minimum)


def _check_int(name: str, value: object, *, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidParamsError(name, f"must be an int, got {type(value).__name__}")
    if value < minimum:
        raise InvalidParamsError(name, f"must be >= {minimum}, got {value}")
