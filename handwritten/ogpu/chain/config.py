"""``ChainConfig``: the process-global choice of network, RPC URLs, addresses and ABIs.

Network data comes from the generated ``ogpu.schema.networks``. Nothing here touches the network
or the disk at import: the ``OGPU_NETWORK_FILE`` environment variable is read at the first use
of ``ChainConfig``, ABIs when they are first asked for, and RPC URLs are probed only by
``set_rpc``.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar

import ogpu.schema
from ogpu.core.address import to_checksum
from ogpu.core.errors import (
    ChainNotSupportedError,
    ConfigError,
    InvalidParamsError,
    InvalidRpcUrlError,
    RpcError,
)
from ogpu.schema.networks import DEFAULT_CHAIN, NETWORKS, ChainId

__all__ = ["CHAIN_RPC_URLS", "NETWORK_FILE_ENV", "ChainConfig"]

NETWORK_FILE_ENV = "OGPU_NETWORK_FILE"
"""Environment variable naming a devnet network document to load at first use."""

_SINGLETONS = ("NEXUS", "CONTROLLER", "TERMINAL", "VAULT")
_ABI_ROOT = Path(ogpu.schema.__file__).parent / "abis"
_PROBE_TIMEOUT_S = 10.0

CHAIN_RPC_URLS: dict[ChainId, str] = {cid: net.default_rpc for cid, net in NETWORKS.items()}
"""The RPC URL in use for each chain (mutable; ``ChainConfig.set_rpc`` changes it)."""

NetworkFileHook = Callable[[Mapping[str, Any]], None]


class ChainConfig:
    """Process-global network configuration. Never instantiated: only classmethods.

    ``CHAIN_CONTRACTS`` maps each chain to its singleton addresses (``NEXUS``, ``CONTROLLER``,
    ``TERMINAL``, ``VAULT``; a devnet document may add ``MANAGER``). ``CHAIN_DIRECTORIES`` maps
    each chain to the folder of the ABIs shipped for it. ``on_network_file`` holds callbacks
    that receive every network document loaded (the IPFS layer registers itself there).
    """

    CHAIN_CONTRACTS: ClassVar[dict[ChainId, dict[str, str]]] = {
        cid: dict(net.contracts) for cid, net in NETWORKS.items()
    }
    CHAIN_DIRECTORIES: ClassVar[dict[ChainId, str]] = {
        cid: str(_ABI_ROOT / net.abi_set) for cid, net in NETWORKS.items()
    }
    on_network_file: ClassVar[list[NetworkFileHook]] = []  # filled below: _configure_ipfs

    _current: ClassVar[ChainId] = DEFAULT_CHAIN
    _document: ClassVar[Mapping[str, Any] | None] = None
    _bootstrapped: ClassVar[bool] = False
    _abi_cache: ClassVar[dict[tuple[str, str], list[Any]]] = {}
    _lock: ClassVar[threading.RLock] = threading.RLock()

    def __init__(self) -> None:
        raise TypeError("ChainConfig is process-global; use its classmethods")

    # --- the current chain -------------------------------------------------------------------

    @classmethod
    def set_chain(cls, chain_id: ChainId) -> None:
        """Make ``chain_id`` the current chain. Raises ``ChainNotSupportedError``."""
        chain = cls._resolve(chain_id)
        with cls._lock:
            cls._current = chain

    @classmethod
    def get_current_chain(cls) -> ChainId:
        """The chain used when a call names none (mainnet unless changed)."""
        cls._bootstrap()
        return cls._current

    @classmethod
    def get_all_supported_chains(cls) -> list[ChainId]:
        """Every known chain, testnet first."""
        chains = list(NETWORKS)
        chains.sort(key=lambda c: c is not ChainId.OGPU_TESTNET)
        return chains

    # --- addresses and ABIs ------------------------------------------------------------------

    @classmethod
    def get_contract_address(cls, contract_name: str, chain: ChainId | None = None) -> str:
        """The checksummed address of a singleton (``NEXUS``, ``CONTROLLER``, ...)."""
        resolved = cls._resolve(chain)
        name = str(contract_name).upper()
        address = cls.CHAIN_CONTRACTS.get(resolved, {}).get(name)
        if address:
            return to_checksum(address, field=name)
        if name not in _SINGLETONS and name != "MANAGER":
            raise InvalidParamsError("contract_name", f"unknown contract {contract_name!r}")
        raise ConfigError(
            f"no {name} address is configured for {NETWORKS[resolved].name}; for a local devnet "
            f"call ChainConfig.use_network_file() or set {NETWORK_FILE_ENV}"
        )

    @classmethod
    def get_chain_abi_directory(cls, chain: ChainId | None = None) -> str:
        """The folder of the ABIs shipped for the chain (default: the current chain)."""
        return cls.CHAIN_DIRECTORIES[cls._resolve(chain)]

    @classmethod
    def load_abi(cls, abi_name: str, chain: ChainId | None = None) -> list[Any]:
        """The ABI list of a contract, e.g. ``"NexusAbi"`` or ``"Nexus"``; cached per chain.

        The returned list is shared: do not modify it.
        """
        directory = Path(cls.get_chain_abi_directory(chain))
        base = _abi_base_name(abi_name)
        key = (str(directory), base)
        cached = cls._abi_cache.get(key)
        if cached is not None:
            return cached
        abi = _read_abi(directory, base, abi_name)
        with cls._lock:
            return cls._abi_cache.setdefault(key, abi)

    @classmethod
    def supports(cls, contract_name: str, function_name: str, chain: ChainId | None = None) -> bool:
        """Whether the chain's ABI of ``contract_name`` has ``function_name`` (defect 15).

        Asks the generated capability table first; a miss there is checked against the ABI,
        which also finds events and snake_case spellings (``"cancel_unbonding"``).
        """
        resolved = cls._resolve(chain)
        from ogpu.schema import networks

        table: Callable[[str, str, ChainId], bool] | None = getattr(networks, "supports", None)
        if table is not None and table(_abi_base_name(contract_name), function_name, resolved):
            return True
        wanted = _loose(function_name)
        return any(
            entry.get("type") in ("function", "event") and _loose(str(entry.get("name"))) == wanted
            for entry in cls.load_abi(contract_name, resolved)
        )

    # --- RPC URLs ----------------------------------------------------------------------------

    @classmethod
    def set_rpc(cls, url: str, chain: ChainId | None = None) -> None:
        """Use ``url`` for the chain after one ``web3_clientVersion`` probe.

        Raises ``InvalidRpcUrlError`` if the URL is not http(s) or the probe fails.
        """
        resolved = cls._resolve(chain)
        _probe(url)
        with cls._lock:
            CHAIN_RPC_URLS[resolved] = url

    @classmethod
    def get_rpc(cls, chain: ChainId | None = None) -> str:
        """The RPC URL in use for the chain (default: the current chain)."""
        return CHAIN_RPC_URLS[cls._resolve(chain)]

    @classmethod
    def reset_rpc(cls, chain: ChainId | None = None) -> None:
        """Restore the chain's default RPC URL."""
        resolved = cls._resolve(chain)
        with cls._lock:
            CHAIN_RPC_URLS[resolved] = NETWORKS[resolved].default_rpc

    # --- devnet network documents ------------------------------------------------------------

    @classmethod
    def use_network_file(cls, path: str | os.PathLike[str]) -> None:
        """Load a devnet network document and make the local chain current.

        The document (``{"rpc_url", "chain_id", "contracts", "accounts", "ipfs"?}``) must be
        for chain id 31337, else ``ChainNotSupportedError``; an unreadable or malformed file
        raises ``ConfigError``. Every callback in ``on_network_file`` then receives it.
        """
        document = _read_document(Path(path))
        with cls._lock:
            cls._apply_document(document)
            cls._bootstrapped = True
        for hook in list(cls.on_network_file):
            hook(document)

    @classmethod
    def network_document(cls) -> Mapping[str, Any] | None:
        """The network document in use (after loading ``OGPU_NETWORK_FILE`` if set), or None."""
        cls._bootstrap()
        return cls._document

    # --- internals ---------------------------------------------------------------------------

    @classmethod
    def _resolve(cls, chain: ChainId | int | None) -> ChainId:
        cls._bootstrap()
        if chain is None:
            return cls._current
        try:
            resolved = chain if isinstance(chain, ChainId) else ChainId(chain)
        except ValueError:
            raise ChainNotSupportedError(chain) from None
        if resolved not in NETWORKS:
            raise ChainNotSupportedError(chain)
        return resolved

    @classmethod
    def _bootstrap(cls) -> None:
        if cls._bootstrapped:
            return
        with cls._lock:
            if cls._bootstrapped:
                return
            path = os.environ.get(NETWORK_FILE_ENV)
            if not path:
                cls._bootstrapped = True
                return
            document = _read_document(Path(path))
            cls._apply_document(document)
            cls._bootstrapped = True
        for hook in list(cls.on_network_file):
            hook(document)

    @classmethod
    def _apply_document(cls, document: Mapping[str, Any]) -> None:
        contracts = {
            str(name).upper(): to_checksum(address, field=f"contracts.{name}")
            for name, address in document["contracts"].items()
        }
        cls.CHAIN_CONTRACTS[ChainId.LOCAL] = contracts
        CHAIN_RPC_URLS[ChainId.LOCAL] = document["rpc_url"]
        cls._document = document
        cls._current = ChainId.LOCAL


def _read_document(path: Path) -> Mapping[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read the network file {str(path)!r}: {exc}") from exc
    if not isinstance(document, dict):
        raise ConfigError(f"the network file {str(path)!r} does not hold a JSON object")
    problem = _document_problem(document)
    if problem:
        raise ConfigError(f"the network file {str(path)!r} is malformed: {problem}")
    if document["chain_id"] != ChainId.LOCAL.value:
        raise ChainNotSupportedError(document["chain_id"], context=f"network file {str(path)!r}")
    return document


def _document_problem(document: Mapping[str, Any]) -> str:
    rpc_url = document.get("rpc_url")
    if not isinstance(rpc_url, str) or not rpc_url.startswith(("http://", "https://")):
        return "rpc_url must be an http(s) URL"
    if isinstance(document.get("chain_id"), bool) or not isinstance(document.get("chain_id"), int):
        return "chain_id must be an integer"
    contracts = document.get("contracts")
    if not isinstance(contracts, dict):
        return "contracts must be an object"
    missing = [name for name in _SINGLETONS if name not in contracts]
    if missing:
        return f"contracts lacks {', '.join(missing)}"
    return ""


def _probe(url: str) -> None:
    from ogpu.chain.rpc import RpcClient

    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise InvalidRpcUrlError(str(url), reason="only http:// and https:// URLs are supported")
    try:
        RpcClient(url, timeout=_PROBE_TIMEOUT_S).request("web3_clientVersion")
    except RpcError as exc:
        raise InvalidRpcUrlError(url, reason=exc.reason) from exc


def _abi_base_name(abi_name: str) -> str:
    base = str(abi_name).removesuffix(".json")
    base = base.removesuffix("Abi") or base
    if base.isupper() or base.islower():
        return base.capitalize()
    return base[:1].upper() + base[1:]


def _read_abi(directory: Path, base: str, abi_name: str) -> list[Any]:
    for candidate in (directory / f"{base}.json", directory / f"{base}Abi.json"):
        try:
            text = candidate.read_text(encoding="utf-8")
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise ConfigError(f"cannot read the ABI file {str(candidate)!r}: {exc}") from exc
        return _parse_abi(text, candidate)
    raise ConfigError(f"no ABI named {abi_name!r} in {str(directory)!r}")


def _parse_abi(text: str, path: Path) -> list[Any]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"the ABI file {str(path)!r} is not valid JSON: {exc}") from exc
    abi = data.get("abi") if isinstance(data, dict) else data
    if not isinstance(abi, list):
        raise ConfigError(f"the ABI file {str(path)!r} does not hold an ABI list")
    return abi


def _loose(name: str) -> str:
    return name.replace("_", "").lower()


def _configure_ipfs(document: Mapping[str, Any]) -> None:
    """A devnet document naming a local IPFS node points ``ogpu.ipfs`` at it.

    The one link between the two leaf packages, taken lazily and only for such a document, so
    ``publish_source`` and ``fetch_*`` work on the devnet with no other change.
    """
    node = document.get("ipfs")
    if not node:
        return
    from ogpu.ipfs import configure

    configure(publish_backend="kubo", kubo_api_url=str(node["api_url"]), gateways=(str(node["gateway_url"]),))


ChainConfig.on_network_file.append(_configure_ipfs)
