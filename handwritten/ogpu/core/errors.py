"""The ``OGPUError`` tree: every error the SDK raises derives from :class:`OGPUError`.

Names, bases and constructor fields follow ogpu 0.2.1 so existing ``except`` clauses keep
working. Classes that replace an untyped failure of 0.2.1 also inherit the builtin that 0.2.1
raised in their place (``ConnectionError``, ``ValueError``).

Messages never contain private keys: nothing here formats a signer.
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from ogpu.schema.enums import Role

__all__ = [
    "OGPUError",
    "NotFoundError",
    "TaskNotFoundError",
    "SourceNotFoundError",
    "ResponseNotFoundError",
    "ProviderNotFoundError",
    "MasterNotFoundError",
    "StateError",
    "TaskExpiredError",
    "TaskAlreadyFinalizedError",
    "ResponseAlreadyConfirmedError",
    "SourceInactiveError",
    "PermissionError",
    "NotTaskOwnerError",
    "NotSourceOwnerError",
    "NotMasterError",
    "NotProviderError",
    "NotOwnerError",
    "VaultError",
    "InsufficientBalanceError",
    "InsufficientLockupError",
    "UnbondingPeriodNotElapsedError",
    "NotEligibleError",
    "TxError",
    "TxRevertError",
    "NonceError",
    "GasError",
    "TxTimeoutError",
    "ConfigError",
    "InvalidRpcUrlError",
    "MissingSignerError",
    "InvalidSignerError",
    "ChainNotSupportedError",
    "InvalidAddressError",
    "UnsupportedOnNetworkError",
    "SignerMismatchError",
    "IPFSError",
    "IPFSFetchError",
    "IPFSGatewayError",
    "RpcError",
    "EventNotFoundError",
    "InvalidParamsError",
    "DecodeError",
    "ContractCustomError",
    "AnvilNotFoundError",
    "DevnetError",
    "IPFSVerificationError",
    "ReorgError",
]


class OGPUError(Exception):
    """Root of every error the SDK raises.

    ``context`` names the operation that failed (for example ``"Vault.lock"``), kept apart from
    the fields so that address fields hold addresses.
    """

    context: str | None = None

    def __init__(self, message: str = "", *, context: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.context = context

    def __str__(self) -> str:
        if self.context:
            return f"{self.message} [{self.context}]"
        return self.message


# --- not found -----------------------------------------------------------------------------


class NotFoundError(OGPUError):
    """An address does not hold the kind of entity that was asked for."""

    kind = "entity"

    def __init__(self, address: str, *, reason: str = "", context: str | None = None) -> None:
        self.address = address
        self.reason = reason
        detail = f": {reason}" if reason else ""
        super().__init__(f"{self.kind} not found at {address}{detail}", context=context)


class TaskNotFoundError(NotFoundError):
    kind = "Task"


class SourceNotFoundError(NotFoundError):
    kind = "Source"


class ResponseNotFoundError(NotFoundError):
    kind = "Response"


class ProviderNotFoundError(NotFoundError):
    kind = "Provider"


class MasterNotFoundError(NotFoundError):
    kind = "Master"


# --- state ---------------------------------------------------------------------------------


class StateError(OGPUError):
    """The entity is in a state that does not allow the operation."""


class TaskExpiredError(StateError):
    def __init__(
        self, task: str | None = None, expiry: int | None = None, *, context: str | None = None
    ) -> None:
        self.task = task
        self.expiry = expiry
        when = f" (expired at {expiry})" if expiry is not None else ""
        super().__init__(f"task {task or '?'} has expired{when}", context=context)


class TaskAlreadyFinalizedError(StateError):
    def __init__(self, task: str | None = None, *, context: str | None = None) -> None:
        self.task = task
        super().__init__(f"task {task or '?'} is already closed", context=context)


class ResponseAlreadyConfirmedError(StateError):
    def __init__(self, response: str | None = None, *, context: str | None = None) -> None:
        self.response = response
        super().__init__(f"response {response or '?'} is already confirmed", context=context)


class SourceInactiveError(StateError):
    def __init__(self, source: str | None = None, *, context: str | None = None) -> None:
        self.source = source
        super().__init__(f"source {source or '?'} is inactive", context=context)


# --- permission ----------------------------------------------------------------------------


class PermissionError(OGPUError):  # noqa: A001 - the 0.2.1 name, kept on purpose
    """The caller is not allowed to do this. Not a subclass of the builtin of the same name."""


class NotTaskOwnerError(PermissionError):
    def __init__(
        self, task: str | None = None, caller: str | None = None, *, context: str | None = None
    ) -> None:
        self.task = task
        self.caller = caller
        super().__init__(f"{caller or 'caller'} is not the client of task {task or '?'}", context=context)


class NotSourceOwnerError(PermissionError):
    def __init__(
        self, source: str | None = None, caller: str | None = None, *, context: str | None = None
    ) -> None:
        self.source = source
        self.caller = caller
        super().__init__(
            f"{caller or 'caller'} is not the client of source {source or '?'}", context=context
        )


class NotMasterError(PermissionError):
    def __init__(self, account: str | None = None, *, context: str | None = None) -> None:
        self.account = account
        super().__init__(f"{account or 'caller'} is not the master", context=context)


class NotProviderError(PermissionError):
    def __init__(self, account: str | None = None, *, context: str | None = None) -> None:
        self.account = account
        super().__init__(f"{account or 'caller'} is not the provider", context=context)


class NotOwnerError(PermissionError):
    """``OwnableUnauthorizedAccount``: the account is not the contract's owner."""

    contract: str | None = None
    account: str | None = None

    def __init__(
        self, contract: str | None = None, account: str | None = None, *, context: str | None = None
    ) -> None:
        self.contract = contract
        self.account = account
        super().__init__(
            f"{account or 'caller'} is not the owner of {contract or 'the contract'}", context=context
        )


# --- vault ---------------------------------------------------------------------------------


class VaultError(OGPUError):
    """A vault balance or lockup rule was not met."""


class _Shortfall(VaultError):
    """An account holds less than an operation needs; the numbers are real values or None."""

    what = "amount"

    def __init__(
        self,
        account: str | None = None,
        required: int | None = None,
        available: int | None = None,
        *,
        context: str | None = None,
    ) -> None:
        self.account = account
        self.required = required
        self.available = available
        super().__init__(
            f"insufficient {self.what} for {account or '?'}: "
            f"required {_amount(required)}, available {_amount(available)}",
            context=context,
        )


class InsufficientBalanceError(_Shortfall):
    what = "vault balance"


class InsufficientLockupError(_Shortfall):
    what = "lockup"


class UnbondingPeriodNotElapsedError(VaultError):
    def __init__(
        self,
        account: str | None = None,
        remaining_seconds: int | None = None,
        *,
        context: str | None = None,
    ) -> None:
        self.account = account
        self.remaining_seconds = remaining_seconds
        left = f", {remaining_seconds} s left" if remaining_seconds is not None else ""
        super().__init__(f"unbonding of {account or '?'} has not matured{left}", context=context)


class NotEligibleError(VaultError):
    def __init__(self, account: str | None = None, *, context: str | None = None) -> None:
        self.account = account
        super().__init__(f"{account or 'account'} is not eligible", context=context)


# --- transactions --------------------------------------------------------------------------


class TxError(OGPUError):
    """A transaction could not be built, sent or mined successfully."""


class TxRevertError(TxError):
    """The contract reverted. ``error_name``/``error_args`` hold a decoded custom error."""

    def __init__(
        self,
        reason: str = "",
        *,
        tx_hash: str | None = None,
        error_name: str | None = None,
        error_args: tuple[Any, ...] | None = None,
        context: str | None = None,
    ) -> None:
        self.reason = reason
        self.tx_hash = tx_hash
        self.error_name = error_name
        self.error_args = error_args
        where = f" (tx {tx_hash})" if tx_hash else ""
        # Not super(): generated custom errors also derive from a typed branch (NotOwnerError)
        # whose constructor takes other fields; they set those fields themselves.
        OGPUError.__init__(self, f"reverted: {reason or 'no reason given'}{where}", context=context)


class ContractCustomError(TxRevertError):
    """Base of the generated classes for the ABIs' custom errors (``error X(...)``)."""

    error_signature: str = ""
    selector: bytes = b""

    @classmethod
    def decode(cls, data: bytes) -> ContractCustomError:
        """Build the error from its ABI-encoded arguments (generated classes override this)."""
        raise NotImplementedError(cls.__name__)


class NonceError(TxError):
    def __init__(
        self,
        address: str | None = None,
        tried: int | None = None,
        suggested: int | None = None,
        *,
        context: str | None = None,
    ) -> None:
        self.address = address
        self.tried = tried
        self.suggested = suggested
        super().__init__(
            f"nonce {tried} rejected for {address or '?'}; the node's pending count is {suggested}",
            context=context,
        )


class GasError(TxError):
    def __init__(self, reason: str = "", *, context: str | None = None) -> None:
        self.reason = reason
        super().__init__(f"gas: {reason}", context=context)


class TxTimeoutError(TxError):
    """The receipt did not arrive in time. The transaction may still be mined."""

    def __init__(self, tx_hash: str, timeout_s: float, *, context: str | None = None) -> None:
        self.tx_hash = tx_hash
        self.timeout_s = timeout_s
        super().__init__(
            f"no receipt for {tx_hash} after {timeout_s:g} s (it may still be mined)",
            context=context,
        )


# --- configuration -------------------------------------------------------------------------


class ConfigError(OGPUError):
    """The SDK was given a configuration or argument it cannot use."""


class InvalidRpcUrlError(TxError, ConfigError):
    def __init__(self, url: str, *, reason: str = "", context: str | None = None) -> None:
        self.url = url
        self.reason = reason
        detail = f": {reason}" if reason else ""
        super().__init__(f"RPC URL {url!r} is not usable{detail}", context=context)


class MissingSignerError(ConfigError):
    def __init__(self, role: Role | None = None, *, context: str | None = None) -> None:
        self.role = role
        if role is None:
            msg = (
                "no signer given; this call needs an explicit signer= "
                "(vault writes never fall back to an environment variable)"
            )
        else:
            env = f"{str(role.value).upper()}_PRIVATE_KEY"
            msg = f"no signer given and {env} is not set"
        super().__init__(msg, context=context)


class InvalidSignerError(ConfigError):
    def __init__(self, reason: str = "", *, context: str | None = None) -> None:
        self.reason = reason
        super().__init__(f"invalid signer: {reason}", context=context)


class ChainNotSupportedError(ConfigError):
    def __init__(self, chain_id: object, *, context: str | None = None) -> None:
        self.chain_id = chain_id
        super().__init__(f"chain {chain_id!r} is not supported", context=context)


class InvalidAddressError(ConfigError, ValueError):
    def __init__(self, value: object, reason: str = "", *, context: str | None = None) -> None:
        self.value = value
        self.reason = reason
        shown = value if isinstance(value, str) and len(value) <= 66 else type(value).__name__
        super().__init__(f"invalid address {shown!r}: {reason}", context=context)


class UnsupportedOnNetworkError(ConfigError):
    def __init__(self, contract: str, function: str, chain: object, *, context: str | None = None) -> None:
        self.contract = contract
        self.function = function
        self.chain = chain
        name = getattr(chain, "name", chain)
        super().__init__(f"{contract}.{function} is not available on {name}", context=context)


class SignerMismatchError(ConfigError):
    def __init__(self, expected: str, actual: str, *, context: str | None = None) -> None:
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"signer {actual} does not match the account {expected} this call acts for",
            context=context,
        )


# --- IPFS ----------------------------------------------------------------------------------


class IPFSError(OGPUError):
    """Publishing to or fetching from IPFS failed."""


class IPFSFetchError(IPFSError):
    def __init__(self, url: str, reason: str = "", *, context: str | None = None) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"fetching {url} failed: {reason}", context=context)


class IPFSGatewayError(IPFSError):
    def __init__(self, gateway: str, status_code: int, *, context: str | None = None) -> None:
        self.gateway = gateway
        self.status_code = status_code
        super().__init__(f"{gateway} answered HTTP {status_code}", context=context)


# --- new in 0.3 ----------------------------------------------------------------------------


class RpcError(OGPUError, builtins.ConnectionError):
    """The JSON-RPC node could not be reached or answered with an error."""

    def __init__(
        self, url: str, method: str, reason: str, *, code: int | None = None, context: str | None = None
    ) -> None:
        self.url = url
        self.method = method
        self.reason = reason
        self.code = code
        OGPUError.__init__(self, f"{method} on {url} failed: {reason}", context=context)


class EventNotFoundError(OGPUError, ValueError):
    def __init__(self, event: str, tx_hash: str, *, context: str | None = None) -> None:
        self.event = event
        self.tx_hash = tx_hash
        super().__init__(f"no {event} event in transaction {tx_hash}", context=context)


class InvalidParamsError(OGPUError, ValueError):
    def __init__(self, field: str, reason: str, *, context: str | None = None) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"invalid {field}: {reason}", context=context)


class DecodeError(OGPUError, ValueError):
    def __init__(self, what: str, raw: object, *, context: str | None = None) -> None:
        self.what = what
        self.raw = raw
        super().__init__(f"cannot decode {what} from {raw!r}", context=context)


def _amount(value: int | None) -> str:
    return "?" if value is None else f"{value} wei"


class AnvilNotFoundError(ConfigError):
    """No anvil binary was found to run the local devnet.

    ``searched`` lists the places that were looked at, in order.
    """

    def __init__(self, searched: tuple[str, ...], *, context: str | None = None) -> None:
        self.searched = searched
        places = "; ".join(searched) if searched else "nowhere"
        super().__init__(
            "anvil not found (run `npm install` in the project, set OGPU_ANVIL to the binary, "
            f"or put anvil on PATH); searched: {places}",
            context=context,
        )


class DevnetError(OGPUError):
    """The local devnet could not be started, deployed, found or stopped.

    ``reason`` says what went wrong; ``log_tail`` holds the last lines anvil wrote, if any.
    """

    def __init__(self, reason: str, *, log_tail: str = "", context: str | None = None) -> None:
        self.reason = reason
        self.log_tail = log_tail
        detail = f"\n--- anvil log (last lines) ---\n{log_tail}" if log_tail else ""
        super().__init__(f"devnet: {reason}{detail}", context=context)


class JsonRpcError(RpcError):
    """The node answered with a JSON-RPC error object.

    ``reason`` is the node's message, ``code`` its error code and ``data`` its ``data`` member
    as sent (for a revert, usually the ABI-encoded revert data as a ``0x`` hex string).
    """

    def __init__(
        self,
        url: str,
        method: str,
        reason: str,
        *,
        code: int | None = None,
        data: Any = None,
        context: str | None = None,
    ) -> None:
        super().__init__(url, method, reason, code=code, context=context)
        self.data = data


class IPFSVerificationError(IPFSError):
    """Bytes fetched for a URL that names a CID are not that CID's content, or cannot be shown
    to be (an unsupported codec, hash or DAG layout): the fetch fails closed.

    ``url`` is the URL asked for, ``cid`` the CID the bytes were checked against, ``reason``
    what did not match.
    """

    def __init__(self, url: str, cid: str, reason: str, *, context: str | None = None) -> None:
        self.url = url
        self.cid = cid
        self.reason = reason
        super().__init__(f"content of {url} failed verification against {cid}: {reason}", context=context)


class ReorgError(OGPUError):
    """A chain reorganisation replaced a block an event watcher had processed, and no block it
    processed since is left on the chain (the reorg is deeper than the blocks it remembers, or
    it replaced the block of a cursor given at start), so it cannot tell which delivered events
    were removed. Restart from an earlier block and deduplicate, or with more confirmations.

    ``block_number``: the replaced block; ``expected_hash``: the hash the watcher processed;
    ``actual_hash``: the node's hash there now (None when the node has no such block).
    """

    def __init__(
        self, block_number: int, expected_hash: str, actual_hash: str | None, *, context: str | None = None
    ) -> None:
        self.block_number = block_number
        self.expected_hash = expected_hash
        self.actual_hash = actual_hash
        now = actual_hash or "no block"
        super().__init__(
            f"block {block_number} was {expected_hash} when processed and is now {now}; the fork "
            "point is beyond the blocks the watcher remembers",
            context=context,
        )
