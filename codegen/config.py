"""Stage 2: the protocol facts the ABIs lack, read from one TOML file into typed values."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


class ConfigError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class NetworkConfig:
    key: str
    enum: str
    chain_id: int
    abi_set: str
    rpc: str
    confirmations: int
    addresses: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class EnumConfig:
    name: str
    kind: str  # IntEnum | IntFlag
    internal_type: str | None
    members: tuple[tuple[str, int], ...]
    fields: tuple[str, ...]


@dataclass(frozen=True)
class RouteConfig:
    name: str
    call: str  # "Contract.function"
    self_param: str
    role: str | None


@dataclass(frozen=True)
class ContractConfig:
    name: str
    kind: str  # singleton | instance | discovered
    address_key: str | None = None
    discovered_by: str | None = None
    default_role: str | None = None
    roles: tuple[tuple[str, str], ...] = ()
    explicit_signer: bool = False
    class_name: str | None = None
    not_found: str | None = None
    validate: tuple[tuple[str, str], ...] = ()
    aliases: tuple[tuple[str, str], ...] = ()
    fetch: tuple[tuple[str, str], ...] = ()
    wrap: tuple[tuple[str, str], ...] = ()
    snapshot: tuple[tuple[str, str], ...] = ()
    routes: tuple[RouteConfig, ...] = ()
    extract: tuple[tuple[str, str], ...] = ()
    paginate: tuple[tuple[str, str, bool], ...] = ()
    enumerate: tuple[tuple[str, str], ...] = ()
    follow: tuple[tuple[str, str], ...] = ()
    project: tuple[tuple[str, str], ...] = ()
    deprecated: tuple[tuple[str, str], ...] = ()
    partials: tuple[tuple[str, str, tuple[tuple[str, Any], ...]], ...] = ()


@dataclass(frozen=True)
class SyntheticConfig:
    name: str
    not_found: str
    validate: tuple[tuple[str, str], ...]
    default_role: str | None
    methods: tuple[tuple[str, str, str], ...]
    snapshot: tuple[tuple[str, str], ...]
    select: tuple[tuple[str, str, str, str], ...] = ()  # (name, candidates, keep, wrap)


@dataclass(frozen=True)
class PayableConfig:
    value_from: str | None = None
    value_param: str | None = None


@dataclass(frozen=True)
class EventConfig:
    scope: str | None = None
    trailing: tuple[str, ...] = ()


@dataclass(frozen=True)
class Config:
    path: Path
    package: str
    runtime: str
    default_network: str
    networks: tuple[NetworkConfig, ...]
    enums: tuple[EnumConfig, ...]
    roles: tuple[tuple[str, str], ...]
    struct_defaults: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...]
    contracts: tuple[ContractConfig, ...]
    synthetic: tuple[SyntheticConfig, ...]
    payable: tuple[tuple[str, PayableConfig], ...] = ()
    events: tuple[tuple[str, EventConfig], ...] = field(default=())

    def contract(self, name: str) -> ContractConfig | None:
        return next((c for c in self.contracts if c.name == name), None)

    def network(self, key: str) -> NetworkConfig:
        return next(n for n in self.networks if n.key == key)


def _pairs(table: object, where: str, problems: list[str]) -> tuple[tuple[str, str], ...]:
    if table is None:
        return ()
    if not isinstance(table, dict):
        problems.append(f"{where}: expected a table")
        return ()
    return tuple((str(k), str(v)) for k, v in table.items())


def _rows(
    value: object, width: int, where: str, problems: list[str]
) -> tuple[tuple[str, ...], ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(
        isinstance(r, list) and len(r) == width for r in value
    ):
        problems.append(f"{where}: expected a list of {width}-item lists")
        return ()
    return tuple(tuple(str(x) for x in row) for row in value)


def load_config(path: Path) -> Config:
    """Parse and check the config; every problem is reported with its key."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError([f"{path}: cannot read: {exc}"]) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{path}: {exc}"]) from exc
    problems: list[str] = []
    package = raw.get("package", {})
    name = package.get("name")
    if not isinstance(name, str) or not name.isidentifier():
        problems.append(f"{path}: [package] name must be a Python identifier")
    networks = []
    for i, net in enumerate(raw.get("networks", [])):
        try:
            networks.append(
                NetworkConfig(
                    key=str(net["key"]),
                    enum=str(net["enum"]),
                    chain_id=int(net["chain_id"]),
                    abi_set=str(net["abi_set"]),
                    rpc=str(net["rpc"]),
                    confirmations=int(net.get("confirmations", 0)),
                    addresses=tuple(
                        sorted((str(k), str(v)) for k, v in net.get("addresses", {}).items())
                    ),
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"{path}: networks[{i}]: missing or invalid {exc}")
    default_network = str(package.get("default_network", networks[0].key if networks else ""))
    if networks and default_network not in {n.key for n in networks}:
        problems.append(
            f"{path}: [package] default_network {default_network!r} is not a network key"
        )
    enums = []
    for ename, e in raw.get("enums", {}).items():
        kind = e.get("kind", "IntEnum")
        if kind not in ("IntEnum", "IntFlag"):
            problems.append(f"{path}: enums.{ename}.kind must be IntEnum or IntFlag")
        members = tuple((str(m), int(v)) for m, v in e.get("members", []))
        if not members:
            problems.append(f"{path}: enums.{ename} has no members")
        enums.append(
            EnumConfig(ename, kind, e.get("internal_type"), members, tuple(e.get("fields", [])))
        )
    contracts = []
    for cname, c in raw.get("contracts", {}).items():
        kind = c.get("kind")
        if kind not in ("singleton", "instance", "discovered"):
            problems.append(
                f"{path}: contracts.{cname}.kind must be singleton, instance or discovered"
            )
        routes = tuple(
            RouteConfig(rname, str(r["call"]), str(r["self"]), r.get("role"))
            for rname, r in c.get("routes", {}).items()
        )
        contracts.append(
            ContractConfig(
                name=cname,
                kind=str(kind),
                address_key=c.get("address_key"),
                discovered_by=c.get("discovered_by"),
                default_role=c.get("default_role"),
                roles=_pairs(c.get("roles"), f"contracts.{cname}.roles", problems),
                explicit_signer=bool(c.get("explicit_signer", False)),
                class_name=c.get("class"),
                not_found=c.get("not_found"),
                validate=_pairs(c.get("validate"), f"contracts.{cname}.validate", problems),
                aliases=_pairs(c.get("aliases"), f"contracts.{cname}.aliases", problems),
                fetch=_pairs(c.get("fetch"), f"contracts.{cname}.fetch", problems),
                wrap=_pairs(c.get("wrap"), f"contracts.{cname}.wrap", problems),
                snapshot=_rows(c.get("snapshot"), 2, f"contracts.{cname}.snapshot", problems),  # type: ignore[arg-type]
                routes=routes,
                extract=_pairs(c.get("extract"), f"contracts.{cname}.extract", problems),
                project=_pairs(c.get("project"), f"contracts.{cname}.project", problems),
                deprecated=_pairs(c.get("deprecated"), f"contracts.{cname}.deprecated", problems),
                follow=tuple((n, f"{a}>{b}") for n, (a, b) in sorted(c.get("follow", {}).items())),
                enumerate=_pairs(c.get("enumerate"), f"contracts.{cname}.enumerate", problems),
                paginate=tuple(
                    (fname, str(p["count"]), bool(p.get("drop_zero", False)))
                    for fname, p in sorted(c.get("paginate", {}).items())
                ),
                partials=tuple(
                    (pname, str(p["call"]), tuple(sorted(p.get("fixed", {}).items())))
                    for pname, p in c.get("partials", {}).items()
                ),
            )
        )
    synthetic = []
    for sname, s in raw.get("synthetic", {}).items():
        synthetic.append(
            SyntheticConfig(
                name=sname,
                not_found=str(s.get("not_found", "NotFoundError")),
                validate=_pairs(s.get("validate"), f"synthetic.{sname}.validate", problems),
                default_role=s.get("default_role"),
                methods=_rows(s.get("methods"), 3, f"synthetic.{sname}.methods", problems),  # type: ignore[arg-type]
                snapshot=_rows(s.get("snapshot"), 2, f"synthetic.{sname}.snapshot", problems),  # type: ignore[arg-type]
                select=tuple(
                    (name, str(v["candidates"]), str(v["keep"]), str(v.get("wrap", "")))
                    for name, v in sorted(s.get("select", {}).items())
                ),
            )
        )
    payable = tuple(
        (key, PayableConfig(value_from=v.get("value_from"), value_param=v.get("value_param")))
        for key, v in sorted(raw.get("payable", {}).items())
    )
    events = tuple(
        (key, EventConfig(scope=v.get("scope"), trailing=tuple(v.get("trailing", []))))
        for key, v in sorted(raw.get("events", {}).items())
    )
    roles = _pairs(raw.get("roles"), "roles", problems)
    role_names = {r for r, _ in roles}
    for c in contracts:
        for role in [c.default_role, *(r for _, r in c.roles), *(r.role for r in c.routes)]:
            if role is not None and role not in role_names:
                problems.append(f"{path}: contracts.{c.name}: unknown role {role!r}")
    struct_defaults = tuple(
        (sname, tuple(s.get("defaults", {}).items()))
        for sname, s in sorted(raw.get("structs", {}).items())
    )
    if problems:
        raise ConfigError(problems)
    return Config(
        path=path,
        package=str(name),
        runtime=str(package.get("runtime", name)),
        default_network=default_network,
        networks=tuple(networks),
        enums=tuple(enums),
        roles=roles,
        struct_defaults=struct_defaults,
        contracts=tuple(contracts),
        synthetic=tuple(synthetic),
        payable=payable,
        events=events,
    )
