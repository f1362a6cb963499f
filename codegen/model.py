"""Stage 3: a typed, frozen model of everything the templates place.

The model owns every decision: Python names (through :mod:`codegen.naming`), annotations,
encode/decode expressions, selectors, which network has which function. Templates only place
what is computed here.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from eth_utils import keccak

from codegen import naming
from codegen.abi import AbiFile, canonical_json, canonical_type
from codegen.config import Config, ContractConfig, SyntheticConfig


class ModelError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


# --------------------------------------------------------------------------------------------
# ABI types


@dataclass(frozen=True)
class AbiType:
    """A tagged ABI type that keeps the Solidity type and knows its Python side."""

    kind: str  # address | bool | int | bytes | string | fixed_bytes | enum | struct | array
    solidity: str  # canonical type for eth-abi, tuples expanded
    py: str  # the Python annotation
    enum: str | None = None
    struct: str | None = None
    item: AbiType | None = None

    def encode(self, expr: str, label: str) -> str:
        """Python expression turning a user value into what eth-abi encodes."""
        if self.kind == "address":
            return f"_rt.to_address({expr}, {label!r})"
        if self.kind == "enum":
            return f"int({expr})"
        if self.kind == "struct":
            return f"{expr}.to_tuple()"
        if self.kind == "array" and self.item is not None:
            inner = self.item.encode("_x", label)
            return f"list({expr})" if inner == "_x" else f"[{inner} for _x in {expr}]"
        return expr

    def decode(self, expr: str) -> str:
        """Python expression turning an eth-abi decoded value into the annotated type."""
        if self.kind == "address":
            return f"_rt.checksum({expr})"
        if self.kind == "enum":
            return f"_rt.to_enum({self.enum}, {expr})"
        if self.kind == "struct":
            return f"{self.struct}.from_tuple({expr})"
        if self.kind == "array" and self.item is not None:
            inner = self.item.decode("_x")
            return f"list({expr})" if inner == "_x" else f"[{inner} for _x in {expr}]"
        return expr


_INT = re.compile(r"^u?int\d*$")
_FIXED_BYTES = re.compile(r"^bytes\d+$")


@dataclass(frozen=True)
class Param:
    abi_name: str
    name: str
    type: AbiType


def _type_names(typ: AbiType, kind: str) -> set[str]:
    """Enum (kind="enum") or struct (kind="struct") names an annotation of ``typ`` uses."""
    if typ.item is not None:
        return _type_names(typ.item, kind)
    if kind == "enum" and typ.enum:
        return {typ.enum}
    if kind == "struct" and typ.struct:
        return {typ.struct}
    return set()


def _used(functions: tuple[FunctionModel, ...] | list[FunctionModel], kind: str) -> tuple[str, ...]:
    names: set[str] = set()
    for f in functions:
        for p in (*f.inputs, *f.outputs):
            names |= _type_names(p.type, kind)
        if kind == "struct" and f.flattened_struct:
            names.add(f.flattened_struct)
    return tuple(sorted(names))


# --------------------------------------------------------------------------------------------
# Model nodes


@dataclass(frozen=True)
class EnumModel:
    name: str
    kind: str
    members: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class StructField:
    name: str  # the ABI component name, kept as the attribute (0.2.1 API: camelCase)
    type: AbiType
    default: str | None  # a Python expression, or None for a required field
    default_factory: str | None = None


@dataclass(frozen=True)
class StructModel:
    name: str
    fields: tuple[StructField, ...]
    solidity: str


@dataclass(frozen=True)
class Returns:
    annotation: str
    expression: str  # decodes `_out` (the tuple eth-abi returned)


@dataclass(frozen=True)
class FunctionModel:
    contract: str
    abi_name: str
    name: str
    signature: str
    selector: str
    inputs: tuple[Param, ...]
    outputs: tuple[Param, ...]
    mutability: str
    abi_sets: tuple[str, ...]
    chain_ids: tuple[int, ...]
    returns: Returns
    role: str | None
    explicit_signer: bool
    value_from: str | None
    value_param: str | None
    flattened_struct: str | None
    doc: str = ""  # what the function is; the signer sentence is added per caller (docstring)
    role_env: str | None = None
    paginate_count: str | None = None  # spec name of the count view: (lower, upper) get defaults
    drop_zero: bool = False  # paginated address lists: drop empty (zero) slots

    @property
    def docstring(self) -> str:
        return self.doc + signer_note(self.is_read, self.explicit_signer, self.role_env)

    @property
    def prefix_inputs(self) -> tuple[Param, ...]:
        """Inputs before ``(lower, upper)`` of a paginated getter."""
        return self.inputs[:-2] if self.paginate_count else self.inputs

    def encoded_prefix(self) -> str:
        return py_tuple([p.type.encode(p.name, p.name) for p in self.prefix_inputs])

    @property
    def is_read(self) -> bool:
        return self.mutability in ("view", "pure")

    @property
    def payable(self) -> bool:
        return self.mutability == "payable"

    @property
    def spec_name(self) -> str:
        return "_F_" + naming.upper_snake(self.name).lstrip("_")

    @property
    def input_types(self) -> tuple[str, ...]:
        return tuple(p.type.solidity for p in self.inputs)

    @property
    def output_types(self) -> tuple[str, ...]:
        return tuple(p.type.solidity for p in self.outputs)

    def encoded_args(self) -> str:
        return py_tuple([p.type.encode(p.name, p.name) for p in self.inputs])


@dataclass(frozen=True)
class EventField:
    abi_name: str
    name: str
    type: AbiType
    indexed: bool
    trailing: bool


@dataclass(frozen=True)
class EventModel:
    contract: str
    abi_name: str
    class_name: str
    signature: str
    topic0: str
    fields: tuple[EventField, ...]
    abi_sets: tuple[str, ...]
    watcher: str
    scope_field: str | None
    scope_param: str | None
    spec_name: str = ""
    per_entity: bool = False  # emitted by per-entity contracts: the watcher needs an address

    @property
    def data_fields(self) -> tuple[EventField, ...]:
        return tuple(f for f in self.fields if not f.indexed)

    @property
    def indexed_fields(self) -> tuple[EventField, ...]:
        return tuple(f for f in self.fields if f.indexed)

    @property
    def ordered_fields(self) -> tuple[EventField, ...]:
        """Dataclass field order: payload, then the compatibility ``trailing`` fields."""
        return tuple(f for f in self.fields if not f.trailing)


@dataclass(frozen=True)
class ErrorModel:
    abi_name: str
    class_name: str
    signature: str
    selector: str
    fields: tuple[Param, ...]
    base: str
    contracts: tuple[str, ...]

    @property
    def message(self) -> str:
        """An f-string source for the reason: ``f"TooLow(wanted={wanted!r}, got={got!r})"``."""
        args = ", ".join(f"{p.abi_name or p.name}={{{p.name}!r}}" for p in self.fields)
        return f'f"{self.abi_name}({args})"' if self.fields else repr(f"{self.abi_name}()")

    @property
    def decode_args(self) -> str:
        return ", ".join(p.type.decode(f"_out[{i}]") for i, p in enumerate(self.fields))


@dataclass(frozen=True)
class InstanceMethod:
    """A method of an instance class bound to one generated module function."""

    name: str
    target_module: str
    function: FunctionModel
    bind: str | None  # the parameter that receives self.address ("0"-style resolved to a name)
    check_signer: bool  # vault rule: the signer must be self.address
    wrap: str | None  # "Source", "Response?", "address?" for address results
    role: str | None
    role_env: str | None = None  # the environment variable of ``role`` (its docstring says so)

    @property
    def docstring(self) -> str:
        f = self.function
        note = signer_note(f.is_read, f.explicit_signer, self.role_env)
        mine = (
            " The signer must be this account (``SignerMismatchError``)."
            if self.check_signer
            else ""
        )
        return f.doc + note + mine

    @property
    def params(self) -> tuple[Param, ...]:
        return tuple(p for p in self.function.inputs if p.name != self.bind)

    @property
    def prefix_params(self) -> tuple[Param, ...]:
        """Parameters before ``(lower, upper)`` of a paginated getter, without the bound one."""
        return tuple(p for p in self.function.prefix_inputs if p.name != self.bind)

    @property
    def returns(self) -> str:
        if self.wrap is None:
            return self.function.returns.annotation
        if self.wrap.endswith("[]"):
            base = self.wrap[:-2]
            return f"list[_{naming.snake(base)}.{base}]"
        base = self.wrap.rstrip("?")
        base = "str" if base == "address" else f"_{naming.snake(base)}.{base}"
        return f"{base} | None" if self.wrap.endswith("?") else base

    @property
    def modules(self) -> tuple[str, ...]:
        found = {self.target_module}
        base = (self.wrap or "").rstrip("?").removesuffix("[]")
        if base and base != "address":
            found.add(naming.snake(base))
        return tuple(sorted(found))

    def wrap_expr(self, expr: str) -> str:
        if self.wrap is None:
            return expr
        if self.wrap.endswith("[]"):
            base = self.wrap[:-2]
            return f"[_{naming.snake(base)}.{base}(_a, chain=self.chain) for _a in {expr}]"
        base = self.wrap.rstrip("?")
        if base == "address":
            return f"_rt.none_if_zero({expr})"
        cls = f"_{naming.snake(base)}.{base}"
        if self.wrap.endswith("?"):
            return f"_rt.none_if_zero({expr}, lambda _a: {cls}(_a, chain=self.chain))"
        return f"{cls}({expr}, chain=self.chain)"


@dataclass(frozen=True)
class SnapshotField:
    name: str
    method: InstanceMethod
    attribute: str | None = None  # a field of the method's struct result (no extra read)

    @property
    def annotation(self) -> str:
        if self.attribute:
            struct_name = self.method.function.returns.annotation
            return _STRUCT_FIELD_TYPES.get((struct_name, self.attribute), "Any")
        wrap = self.method.wrap
        if wrap and wrap.endswith("?"):
            return "str | None"
        return self.method.function.returns.annotation

    def value(self, expr: str) -> str:
        if self.attribute:
            return f"{expr}.{self.attribute}"
        wrap = self.method.wrap
        if wrap and wrap.endswith("?"):
            return f"_rt.none_if_zero({expr})"
        return expr


# (struct, field) -> annotation, filled while the model is built (used by snapshot fields).
_STRUCT_FIELD_TYPES: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class FetchModel:
    name: str  # fetch_<name>
    method: InstanceMethod  # the read that returns the URL (struct or string)
    attribute: str | None  # struct field holding the URL


@dataclass(frozen=True)
class ValidateModel:
    """``load()``: a boolean expression over ``self`` proving the address is the right kind."""

    expression: str
    expectation: str
    modules: tuple[str, ...]


@dataclass(frozen=True)
class FollowModel:
    """``name()``: read ``first`` on the instance, then ``second(result)``; None on a zero address."""

    name: str
    first: InstanceMethod
    second: InstanceMethod


@dataclass(frozen=True)
class Projection:
    """``name()``: one field of a read's struct result, optionally as an instance (one read)."""

    name: str
    method: InstanceMethod
    attribute: str
    annotation: str
    wrap: str | None  # module-qualified class, or None

    def value(self, expr: str) -> str:
        return f"{self.wrap}({expr}, chain=self.chain)" if self.wrap else expr


@dataclass(frozen=True)
class Selection:
    """``name(lower, upper)``: the items of a paginated address list whose per-item view
    ``keep(self.address)`` is nonzero, all read at one block."""

    name: str
    candidates: str  # module-qualified spec of the paginated list
    count: str  # module-qualified spec of its count
    keep: str  # module-qualified spec of the per-item view
    wrap: str | None  # module-qualified class for the kept items
    modules: tuple[str, ...]
    doc: str

    @property
    def annotation(self) -> str:
        return f"list[{self.wrap}]" if self.wrap else "list[str]"


@dataclass(frozen=True)
class InstanceModel:
    """An instance class: bound methods, ``load()`` validation, ``snapshot()``, ``fetch_*``."""

    class_name: str
    contract: str | None  # None for synthetic classes
    not_found: str
    methods: tuple[InstanceMethod, ...]
    snapshot: tuple[SnapshotField, ...]
    fetches: tuple[FetchModel, ...]
    validate: ValidateModel | None
    module: str
    follows: tuple[FollowModel, ...] = ()
    projections: tuple[Projection, ...] = ()
    deprecated: tuple[tuple[str, str, str], ...] = ()  # (old name, method it forwards to, its type)
    selections: tuple[Selection, ...] = ()

    @property
    def imports(self) -> tuple[str, ...]:
        found = {m for method in self.methods for m in method.modules}
        found |= {p.wrap.split(".")[0][1:] for p in self.projections if p.wrap}
        found |= {m for sel in self.selections for m in sel.modules}
        if self.validate is not None:
            found.update(self.validate.modules)
        return tuple(sorted(found - {self.module}))

    @property
    def enum_imports(self) -> tuple[str, ...]:
        return _used([m.function for m in self.methods], "enum")

    @property
    def struct_imports(self) -> tuple[str, ...]:
        return _used([m.function for m in self.methods], "struct")

    @property
    def snapshot_calls(self) -> tuple[InstanceMethod, ...]:
        """The distinct reads a snapshot makes, in first-use order (one batch item each)."""
        seen: dict[str, InstanceMethod] = {}
        for f in self.snapshot:
            seen.setdefault(f.method.name, f.method)
        return tuple(seen.values())

    def snapshot_index(self, field: SnapshotField) -> int:
        return [m.name for m in self.snapshot_calls].index(field.method.name)


@dataclass(frozen=True)
class Extractor:
    """``extract_x(receipt)``: a field of an event found in a receipt (composed, no RPC)."""

    name: str
    event_class: str
    field: str
    event: str


@dataclass(frozen=True)
class Partial:
    """A write with some arguments fixed (``revoke_agent`` = ``set_agent(agent, False)``)."""

    name: str
    function: FunctionModel
    fixed: tuple[tuple[str, str], ...]  # python parameter name -> Python literal

    @property
    def params(self) -> tuple[Param, ...]:
        fixed = {n for n, _ in self.fixed}
        return tuple(p for p in self.function.inputs if p.name not in fixed)

    def call_args(self) -> str:
        fixed = dict(self.fixed)
        return ", ".join(fixed.get(p.name, p.name) for p in self.function.inputs)


@dataclass(frozen=True)
class Enumerator:
    """``name(*prefix)``: an indexed getter (``clients(i)``) read for i = 0, 1, ... until it
    reverts, in batches, pinned to one block (there is no length getter)."""

    name: str
    function: FunctionModel
    param_names: tuple[str, ...] = ()  # names for unnamed ABI inputs ("sourcesOf:client")

    @property
    def params(self) -> tuple[Param, ...]:
        given = self.param_names
        return tuple(
            Param(p.abi_name, given[i] if i < len(given) else p.name, p.type)
            for i, p in enumerate(self.function.inputs[:-1])
        )

    def encoded_prefix(self) -> str:
        return py_tuple([p.type.encode(p.name, p.name) for p in self.params])

    @property
    def annotation(self) -> str:
        return f"list[{self.function.returns.annotation}]"


@dataclass(frozen=True)
class ContractModel:
    name: str
    module: str
    kind: str
    address_key: str | None
    discovered_by: tuple[str, str] | None  # (module, function name)
    functions: tuple[FunctionModel, ...]
    events: tuple[EventModel, ...]
    abi_hash: str
    instance: InstanceModel | None = None
    aliases: tuple[tuple[str, str], ...] = ()  # (alias, generated function name)
    extractors: tuple[Extractor, ...] = ()
    partials: tuple[Partial, ...] = ()
    enumerators: tuple[Enumerator, ...] = ()

    @property
    def enum_imports(self) -> tuple[str, ...]:
        return _used(self._all_functions(), "enum")

    @property
    def struct_imports(self) -> tuple[str, ...]:
        return _used(self._all_functions(), "struct")

    def _all_functions(self) -> list[FunctionModel]:
        found = list(self.functions)
        if self.instance is not None:
            found += [m.function for m in self.instance.methods]
        return found


@dataclass(frozen=True)
class NetworkModel:
    key: str
    enum: str
    chain_id: int
    abi_set: str
    rpc: str
    confirmations: int
    addresses: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class PackageModel:
    name: str
    runtime: str
    generator_version: str
    abi_hash: str
    default_network: str
    networks: tuple[NetworkModel, ...]
    roles: tuple[tuple[str, str], ...]
    enums: tuple[EnumModel, ...]
    structs: tuple[StructModel, ...]
    errors: tuple[ErrorModel, ...]
    contracts: tuple[ContractModel, ...]
    synthetic: tuple[InstanceModel, ...] = field(default=())

    @property
    def events(self) -> tuple[EventModel, ...]:
        return tuple(e for c in self.contracts for e in c.events)

    @property
    def event_classes(self) -> tuple[EventModel, ...]:
        """One event per dataclass: contracts declaring the same event share its class."""
        seen: dict[str, EventModel] = {}
        for e in self.events:
            seen.setdefault(e.class_name, e)
        return tuple(seen.values())

    @property
    def instances(self) -> tuple[InstanceModel, ...]:
        found = tuple(c.instance for c in self.contracts if c.instance is not None)
        return found + self.synthetic

    @property
    def abi_sets(self) -> tuple[str, ...]:
        return tuple(sorted({n.abi_set for n in self.networks}))

    def contract(self, name: str) -> ContractModel:
        return next(c for c in self.contracts if c.name == name)


# --------------------------------------------------------------------------------------------
# Builder


def signer_note(read: bool, explicit: bool, role_env: str | None) -> str:
    """The docstring sentence saying who signs a write."""
    if read:
        return ""
    if explicit:
        return " Needs an explicit ``signer``: no environment fallback."
    return f" Signs with ``signer``, else ``{role_env}``." if role_env else ""


def py_tuple(items: list[str]) -> str:
    """Source of a tuple display without a magic trailing comma (black keeps it on one line)."""
    if len(items) == 1:
        return f"({items[0]},)"
    return "(" + ", ".join(items) + ")"


def _selector(signature: str) -> str:
    return keccak(text=signature).hex()[:8]


def _topic(signature: str) -> str:
    return "0x" + keccak(text=signature).hex()


class _Builder:
    def __init__(
        self, config: Config, abi_sets: dict[str, dict[str, AbiFile]], version: str
    ) -> None:
        self.config = config
        self.abi_sets = abi_sets
        self.version = version
        self.problems: list[str] = []
        self.structs: dict[str, StructModel] = {}
        self.enum_by_internal = {e.internal_type: e.name for e in config.enums if e.internal_type}
        self.enum_by_field = {f: e.name for e in config.enums for f in e.fields}
        self.struct_defaults = {name: dict(d) for name, d in config.struct_defaults}

    # ---- types ---------------------------------------------------------------------------

    def abi_type(self, param: dict[str, Any], where: str) -> AbiType:
        typ = str(param["type"])
        internal = str(param.get("internalType", ""))
        array = re.search(r"(\[\d*\])+$", typ)
        if array:
            inner_param = dict(
                param, type=typ[: array.start()] + re.sub(r"\[\d*\]$", "", array.group(0))
            )
            inner_param["internalType"] = re.sub(r"\[\d*\]$", "", internal)
            item = self.abi_type(inner_param, where)
            return AbiType("array", canonical_type(param), f"list[{item.py}]", item=item)
        if typ == "tuple":
            struct = self.struct_for(param, where)
            return AbiType("struct", struct.solidity, struct.name, struct=struct.name)
        if typ == "address":
            return AbiType("address", typ, "str")
        if typ == "bool":
            return AbiType("bool", typ, "bool")
        if typ == "string":
            return AbiType("string", typ, "str")
        if typ == "bytes" or _FIXED_BYTES.match(typ):
            return AbiType("bytes" if typ == "bytes" else "fixed_bytes", typ, "bytes")
        if _INT.match(typ):
            enum = self.enum_by_internal.get(internal) or self.enum_by_field.get(where)
            if enum:
                return AbiType("enum", typ, enum, enum=enum)
            if internal.startswith("enum "):
                self.problems.append(f"{where}: {internal} has no members in the config ([enums])")
            return AbiType("int", typ, "int")
        self.problems.append(f"{where}: unsupported ABI type {typ!r}")
        return AbiType("int", typ, "Any")

    def struct_for(self, param: dict[str, Any], where: str) -> StructModel:
        internal = str(param.get("internalType", ""))
        match = re.match(r"^struct (?:[A-Za-z0-9_]+\.)?([A-Za-z0-9_]+)$", internal)
        name = (
            match.group(1) if match else naming.pascal(param.get("name", "") or "Tuple") + "Struct"
        )
        components = param.get("components", [])
        defaults = self.struct_defaults.get(name, {})
        fields = []
        for i, comp in enumerate(components):
            fname = comp.get("name") or f"arg{i}"
            ftype = self.abi_type(comp, f"{name}.{fname}")
            default = defaults.get(fname)
            if default is None:
                fields.append(StructField(fname, ftype, None))
            elif default == "now":
                fields.append(StructField(fname, ftype, None, default_factory="_now"))
            elif isinstance(default, str) and ftype.kind == "enum":
                fields.append(StructField(fname, ftype, default))
            else:
                fields.append(StructField(fname, ftype, repr(default)))
        model = StructModel(name, tuple(fields), canonical_type(dict(param, type="tuple")))
        for f in fields:
            _STRUCT_FIELD_TYPES[(name, f.name)] = f.type.py
        known = self.structs.get(name)
        if known is not None and known.solidity != model.solidity:
            self.problems.append(
                f"{where}: struct {name} has two shapes: {known.solidity} and {model.solidity}"
            )
        self.structs.setdefault(name, model)
        return model

    # ---- functions -----------------------------------------------------------------------

    def functions(self, contract: str, cfg: ContractConfig | None) -> tuple[FunctionModel, ...]:
        by_sig: dict[str, tuple[dict[str, Any], list[str]]] = {}
        for abi_set, files in sorted(self.abi_sets.items()):
            abi = files.get(contract)
            if abi is None:
                continue
            for entry in abi.entries:
                if entry.get("type", "function") != "function":
                    continue
                sig = f"{entry['name']}{_sig_types(entry.get('inputs', []))}"
                by_sig.setdefault(sig, (entry, []))[1].append(abi_set)
        overloads: dict[str, int] = {}
        for entry, _ in by_sig.values():
            overloads[entry["name"]] = overloads.get(entry["name"], 0) + 1
        explicit = {
            naming.snake(e["name"])
            for e, _ in by_sig.values()
            if naming.is_explicit_getter(e["name"])
        }
        # Names the config gives composed helpers (``enumerate``) are not taken by 1:1 getters.
        claimed = {name for name, _ in cfg.enumerate} if cfg else set()
        roles = dict(cfg.roles) if cfg else {}
        payable = dict(self.config.payable)
        models: list[FunctionModel] = []
        for sig, (entry, sets) in sorted(by_sig.items()):
            name = entry["name"]
            read = entry.get("stateMutability") in ("view", "pure")
            if read:
                py = naming.view_name(name)
                if not naming.is_explicit_getter(name) and (py in explicit or py in claimed):
                    py = naming.snake(name)
            else:
                py = naming.snake(name)
            if overloads[name] > 1:
                py += "_" + naming.overload_suffix(
                    [canonical_type(p) for p in entry.get("inputs", [])]
                )
            where = f"{contract}.{name}"
            taken: set[str] = set()
            pay = payable.get(where)
            takes_value = entry.get("stateMutability") == "payable" and not pay
            allow = frozenset() if takes_value else frozenset({"value"})
            inputs = tuple(
                Param(
                    p.get("name", ""),
                    naming.param_name(p.get("name", ""), i, taken=taken, allow=allow),
                    self.abi_type(p, f"{where}.{p.get('name', '')}"),
                )
                for i, p in enumerate(entry.get("inputs", []))
            )
            outputs = tuple(
                Param(
                    p.get("name", ""),
                    naming.field_name(p.get("name", ""), i),
                    self.abi_type(p, f"{where}.return"),
                )
                for i, p in enumerate(entry.get("outputs", []))
            )
            flattened = self.flattened_struct(outputs) if read and len(outputs) > 1 else None
            role = (
                None
                if (cfg and cfg.explicit_signer)
                else roles.get(name, cfg.default_role if cfg else None)
            )
            models.append(
                FunctionModel(
                    contract=contract,
                    abi_name=name,
                    name=py,
                    signature=sig,
                    selector=_selector(sig),
                    inputs=inputs,
                    outputs=outputs,
                    mutability=str(entry["stateMutability"]),
                    abi_sets=tuple(sorted(sets)),
                    chain_ids=tuple(
                        sorted(n.chain_id for n in self.config.networks if n.abi_set in sets)
                    ),
                    returns=self.returns(read, outputs, flattened),
                    role=None if read else role,
                    explicit_signer=bool(cfg and cfg.explicit_signer),
                    value_from=pay.value_from if pay else None,
                    value_param=pay.value_param if pay else None,
                    flattened_struct=flattened,
                    doc=self.function_doc(contract, sig, entry, sets),
                    role_env=None if read else dict(self.config.roles).get(role or ""),
                )
            )
        models = self.paginated(contract, cfg, models)
        names: dict[str, str] = {}
        for fn in models:
            if fn.name in names:
                self.problems.append(
                    f"{contract}: {names[fn.name]} and {fn.signature} both map to {fn.name}; rename one in the config"
                )
            names[fn.name] = fn.signature
        return tuple(sorted(models, key=lambda f: f.name))

    def paginated(
        self, contract: str, cfg: ContractConfig | None, models: list[FunctionModel]
    ) -> list[FunctionModel]:
        """``paginate``: a ``getX(lower, upper)`` view reads everything by default, in chunks,
        with its count, all pinned to one block."""
        if cfg is None or not cfg.paginate:
            return models
        by_abi = {f.abi_name: f for f in models}
        out = []
        settings = {name: (count, drop) for name, count, drop in cfg.paginate}
        for name in settings:
            if name not in by_abi:
                self.problems.append(f"contracts.{contract}.paginate.{name}: no such function")
        for fn in models:
            if fn.abi_name not in settings:
                out.append(fn)
                continue
            count_name, drop = settings[fn.abi_name]
            count = by_abi.get(count_name)
            shape_ok = len(fn.inputs) >= 2 and all(
                p.type.solidity == "uint256" for p in fn.inputs[-2:]
            )
            if (
                count is None
                or not shape_ok
                or len(fn.outputs) != 1
                or fn.outputs[0].type.kind != "array"
            ):
                self.problems.append(
                    f"contracts.{contract}.paginate.{fn.abi_name}: needs (..., uint256 lower, uint256 upper) -> array and a count view {count_name!r}"
                )
                out.append(fn)
                continue
            doc = (
                fn.doc
                + f" Reads ``[lower, upper)`` (default: all, up to ``{count_name}``) in chunks,"
                " in one JSON-RPC batch pinned to one block."
                + (" Empty (zero address) slots are dropped." if drop else "")
            )
            out.append(
                FunctionModel(
                    **{
                        **fn.__dict__,
                        "paginate_count": count.spec_name,
                        "drop_zero": drop,
                        "doc": doc,
                    }
                )
            )
        return out

    def function_doc(self, contract: str, sig: str, entry: dict[str, Any], sets: list[str]) -> str:
        all_sets = {n.abi_set for n in self.config.networks}
        doc = f"``{contract}.{sig}``, {entry['stateMutability']}"
        if set(sets) != all_sets:
            networks = sorted(n.key for n in self.config.networks if n.abi_set in sets)
            doc += f"; only on {', '.join(networks)} (elsewhere ``UnsupportedOnNetworkError``, before any RPC)"
        return doc + "."

    def flattened_struct(self, outputs: tuple[Param, ...]) -> str | None:
        """A multi-value getter whose outputs are exactly a struct's fields returns the struct."""
        shape = tuple((p.abi_name, p.type.solidity) for p in outputs)
        for struct in self.structs.values():
            if tuple((f.name, f.type.solidity) for f in struct.fields) == shape:
                return struct.name
        return None

    @staticmethod
    def returns(read: bool, outputs: tuple[Param, ...], flattened: str | None) -> Returns:
        if not read:
            return Returns("Receipt", "")
        if flattened:
            return Returns(flattened, f"{flattened}.from_tuple(_out)")
        if len(outputs) == 1:
            return Returns(outputs[0].type.py, outputs[0].type.decode("_out[0]"))
        annotation = "tuple[" + ", ".join(p.type.py for p in outputs) + "]"
        return Returns(
            annotation, py_tuple([p.type.decode(f"_out[{i}]") for i, p in enumerate(outputs)])
        )

    # ---- events and errors ----------------------------------------------------------------

    def events(self, contract: str) -> tuple[EventModel, ...]:
        by_sig: dict[str, tuple[dict[str, Any], list[str]]] = {}
        for abi_set, files in sorted(self.abi_sets.items()):
            abi = files.get(contract)
            if abi is None:
                continue
            for entry in abi.entries:
                if entry.get("type") == "event" and not entry.get("anonymous", False):
                    sig = f"{entry['name']}{_sig_types(entry.get('inputs', []))}"
                    by_sig.setdefault(sig, (entry, []))[1].append(abi_set)
        settings = dict(self.config.events)
        models = []
        for sig, (entry, sets) in sorted(by_sig.items()):
            name = entry["name"]
            cfg = settings.get(f"{contract}.{name}")
            trailing = set(cfg.trailing) if cfg else set()
            fields = tuple(
                EventField(
                    p.get("name", ""),
                    naming.field_name(p.get("name", ""), i),
                    self.event_type(p, f"{contract}.{name}.{p.get('name', '')}"),
                    bool(p.get("indexed", False)),
                    p.get("name", "") in trailing,
                )
                for i, p in enumerate(entry.get("inputs", []))
            )
            address_fields = [f for f in fields if f.type.kind == "address"]
            scope = (
                cfg.scope
                if cfg and cfg.scope
                else (address_fields[0].abi_name if address_fields else None)
            )
            scope_field = next((f.name for f in fields if f.abi_name == scope), None)
            models.append(
                EventModel(
                    contract=contract,
                    abi_name=name,
                    class_name=f"{name}Event",
                    signature=sig,
                    topic0=_topic(sig),
                    fields=fields,
                    abi_sets=tuple(sorted(sets)),
                    watcher="watch_" + naming.snake(name),
                    scope_field=scope_field,
                    scope_param=f"{scope_field}_address" if scope_field else None,
                )
            )
        return tuple(models)

    def event_type(self, param: dict[str, Any], where: str) -> AbiType:
        """An indexed dynamic value is only its keccak hash in the topic: typed as bytes32."""
        typ = self.abi_type(param, where)
        if param.get("indexed") and typ.kind in ("string", "bytes", "array", "struct"):
            return AbiType("fixed_bytes", "bytes32", "bytes")
        return typ

    def errors(self) -> tuple[ErrorModel, ...]:
        found: dict[str, tuple[dict[str, Any], set[str]]] = {}
        for files in self.abi_sets.values():
            for contract, abi in files.items():
                for entry in abi.entries:
                    if entry.get("type") == "error":
                        sig = f"{entry['name']}{_sig_types(entry.get('inputs', []))}"
                        found.setdefault(sig, (entry, set()))[1].add(contract)
        bases = {"OwnableUnauthorizedAccount": "NotOwnerError"}
        models = []
        names: set[str] = set()
        for sig, (entry, contracts) in sorted(found.items()):
            name = entry["name"]
            cls = name if name.endswith("Error") else f"{name}Error"
            if cls in names:
                cls += "_" + _selector(sig)
            names.add(cls)
            taken: set[str] = set()
            fields = tuple(
                Param(
                    p.get("name", ""),
                    naming.param_name(p.get("name", ""), i, taken=taken),
                    self.abi_type(p, f"error {name}"),
                )
                for i, p in enumerate(entry.get("inputs", []))
            )
            models.append(
                ErrorModel(
                    name,
                    cls,
                    sig,
                    _selector(sig),
                    fields,
                    bases.get(name, ""),
                    tuple(sorted(contracts)),
                )
            )
        return tuple(models)


def _sig_types(params: list[dict[str, Any]]) -> str:
    return "(" + ",".join(canonical_type(p) for p in params) + ")"


# --------------------------------------------------------------------------------------------
# Instances


def _find(
    contract: ContractModel, abi_name: str, problems: list[str], where: str
) -> FunctionModel | None:
    fn = next((f for f in contract.functions if f.abi_name == abi_name), None)
    if fn is None:
        problems.append(f"{where}: {contract.name} has no function {abi_name}")
    return fn


def _instance(
    contract: ContractModel,
    cfg: ContractConfig,
    by_name: dict[str, ContractModel],
    roles: dict[str, str],
    problems: list[str],
) -> InstanceModel:
    where = f"contracts.{contract.name}"
    wrap = dict(cfg.wrap)
    methods: list[InstanceMethod] = []
    by_abi: dict[str, InstanceMethod] = {}
    for fn in contract.functions:
        method = InstanceMethod(
            name=naming.member_safe(fn.name),
            target_module=contract.module,
            function=fn,
            bind="__address__",
            check_signer=False,
            wrap=wrap.get(fn.abi_name),
            role=fn.role,
            role_env=fn.role_env,
        )
        by_abi[fn.abi_name] = method
        methods.append(method)
    routes = {}
    for route in cfg.routes:
        cname, fname = route.call.split(".")
        target = by_name.get(cname)
        fn = _find(target, fname, problems, f"{where}.routes.{route.name}") if target else None
        if target is None:
            problems.append(f"{where}.routes.{route.name}: unknown contract {cname}")
        if fn is None or target is None:
            continue
        bind = next(
            (
                p.name
                for p in fn.inputs
                if p.abi_name == route.self_param or p.name == route.self_param
            ),
            None,
        )
        if bind is None:
            problems.append(
                f"{where}.routes.{route.name}: {route.call} has no parameter {route.self_param}"
            )
            continue
        role = route.role or fn.role
        routes[route.name] = InstanceMethod(
            route.name, target.module, fn, bind, False, None, role, roles.get(role or "")
        )
    for alias, abi_name in cfg.aliases:
        target_method = by_abi.get(abi_name)
        if target_method is None:
            problems.append(f"{where}.aliases.{alias}: no function {abi_name}")
            continue
        routes.setdefault(
            alias,
            InstanceMethod(
                alias,
                contract.module,
                target_method.function,
                "__address__",
                False,
                target_method.wrap,
                target_method.role,
                target_method.role_env,
            ),
        )
    final = {m.name: m for m in methods}
    final.update(routes)
    snapshot = []
    for fname, spec in cfg.snapshot:
        abi_name, _, attribute = spec.partition(".")
        m = by_abi.get(abi_name)
        if m is None:
            problems.append(f"{where}.snapshot.{fname}: no function {abi_name}")
            continue
        snapshot.append(SnapshotField(fname, m, attribute or None))
    fetches = []
    for fname, spec in cfg.fetch:
        abi_name, _, attribute = spec.partition(".")
        m = by_abi.get(abi_name)
        if m is None:
            problems.append(f"{where}.fetch.{fname}: no function {abi_name}")
            continue
        fetches.append(FetchModel(fname, m, attribute or None))
    follows = []
    for fname, spec in cfg.follow:
        first_abi, second_abi = spec.split(">")
        first, second = by_abi.get(first_abi), by_abi.get(second_abi)
        if first is None or second is None or len(second.params) != 1:
            problems.append(
                f"{where}.follow.{fname}: needs a view and a one-argument view, got {spec}"
            )
            continue
        follows.append(FollowModel(fname, first, second))
    projections = []
    for pname, spec in cfg.project:
        source, _, cls = spec.partition(":")
        read, _, attribute = source.partition(".")
        method = by_abi.get(read)
        struct = method.function.returns.annotation if method else ""
        annotation = _STRUCT_FIELD_TYPES.get((struct, attribute))
        if method is None or annotation is None:
            problems.append(
                f"{where}.project.{pname}: {source} is not a field of a struct-returning view"
            )
            continue
        wrap = f"_{naming.snake(cls)}.{cls}" if cls else None
        projections.append(Projection(pname, method, attribute, wrap or annotation, wrap))
    returns = {m.name: m.returns for m in final.values()}
    returns.update({f"fetch_{f}": "dict[str, Any]" for f, _ in cfg.fetch})
    returns.update({p.name: p.annotation for p in projections})
    deprecated = []
    for old, new in cfg.deprecated:
        if new not in returns:
            problems.append(f"{where}.deprecated.{old}: no method {new}")
            continue
        deprecated.append((old, new, returns[new]))
    return InstanceModel(
        projections=tuple(projections),
        deprecated=tuple(deprecated),
        follows=tuple(follows),
        class_name=cfg.class_name or contract.name,
        contract=contract.name,
        not_found=cfg.not_found or "NotFoundError",
        methods=tuple(sorted(final.values(), key=lambda m: m.name)),
        snapshot=tuple(snapshot),
        fetches=tuple(fetches),
        validate=_validate(dict(cfg.validate), contract, by_name, problems, where),
        module=contract.module,
    )


def _validate(
    spec: dict[str, str],
    home: ContractModel | None,
    by_name: dict[str, ContractModel],
    problems: list[str],
    where: str,
) -> ValidateModel | None:
    """Compile ``validate = {call, arg, expect}`` into one expression over ``self``.

    ``arg`` is ``self`` (the instance address), or a chain of reads: ``getX`` on the instance's
    own contract, ``.field`` of its result, then ``>Contract.getY`` applied to that value.
    """
    if not spec:
        return None
    cname, fname = spec["call"].split(".")
    target = by_name.get(cname)
    fn = _find(target, fname, problems, f"{where}.validate") if target else None
    if target is None or fn is None:
        (
            problems.append(f"{where}.validate: unknown function {spec['call']}")
            if target is None
            else None
        )
        return None
    modules = {target.module}
    expr = "self.address"
    arg = spec.get("arg", "self")
    if arg != "self":
        steps = arg.split(">")
        for i, step in enumerate(steps):
            head, _, attribute = step.partition(".")
            if i == 0:
                contract, read = home, head
            else:
                contract, read = by_name.get(head), attribute
                attribute = ""
                if "." in read:
                    read, _, attribute = read.partition(".")
            if contract is None:
                problems.append(f"{where}.validate: cannot resolve {step!r}")
                return None
            read_fn = _find(contract, read, problems, f"{where}.validate")
            if read_fn is None:
                return None
            qualified = read_fn.name if contract is home else f"_{contract.module}.{read_fn.name}"
            if contract is not home:
                modules.add(contract.module)
            expr = f"{qualified}({expr}, chain=self.chain)"
            if attribute:
                expr += f".{attribute}"
    check = f"_{target.module}.{fn.name}({expr}, chain=self.chain)"
    expect = spec.get("expect", "nonzero")
    expression = f"{check} != 0" if expect == "nonzero" else f"{check} is True"
    return ValidateModel(expression, f"{spec['call']}({arg}) is {expect}", tuple(sorted(modules)))


def _aliases(
    contract: ContractModel, cfg: ContractConfig, problems: list[str]
) -> tuple[tuple[str, str], ...]:
    names = {f.name for f in contract.functions}
    out = []
    for alias, abi_name in cfg.aliases:
        fn = next((f for f in contract.functions if f.abi_name == abi_name), None)
        if fn is None:
            problems.append(f"contracts.{contract.name}.aliases.{alias}: no function {abi_name}")
        elif alias in names:
            problems.append(
                f"contracts.{contract.name}.aliases.{alias}: already the name of a generated function"
            )
        else:
            out.append((alias, fn.name))
    return tuple(sorted(out))


def _extractors(
    cfg: ContractConfig, by_name: dict[str, ContractModel], problems: list[str]
) -> tuple[Extractor, ...]:
    out = []
    for name, spec in cfg.extract:
        cname, ename, fname = (spec.split(".") + ["", ""])[:3]
        contract = by_name.get(cname)
        event = (
            next((e for e in contract.events if e.abi_name == ename), None) if contract else None
        )
        field = next((f for f in event.fields if f.abi_name == fname), None) if event else None
        if event is None or field is None:
            problems.append(f"contracts.{cfg.name}.extract.{name}: no event field {spec}")
            continue
        out.append(Extractor(name, event.class_name, field.name, f"{cname}.{ename}"))
    return tuple(out)


def _enumerators(
    contract: ContractModel, cfg: ContractConfig, problems: list[str]
) -> tuple[Enumerator, ...]:
    out = []
    names = {f.name for f in contract.functions}
    for name, spec in cfg.enumerate:
        abi_name, _, given = spec.partition(":")
        fn = next((f for f in contract.functions if f.abi_name == abi_name), None)
        if (
            fn is None
            or not fn.is_read
            or not fn.inputs
            or fn.inputs[-1].type.solidity != "uint256"
            or len(fn.outputs) != 1
        ):
            problems.append(
                f"contracts.{contract.name}.enumerate.{name}: {abi_name} is not a view indexed by a last uint256"
            )
            continue
        if name in names:
            problems.append(
                f"contracts.{contract.name}.enumerate.{name}: already the name of a generated function"
            )
            continue
        out.append(Enumerator(name, fn, tuple(n.strip() for n in given.split(",") if n.strip())))
    return tuple(out)


def _partials(
    contract: ContractModel, cfg: ContractConfig, problems: list[str]
) -> tuple[Partial, ...]:
    out = []
    for name, call, fixed in cfg.partials:
        fn = next((f for f in contract.functions if f.abi_name == call), None)
        if fn is None:
            problems.append(f"contracts.{contract.name}.partials.{name}: no function {call}")
            continue
        by_abi = {p.abi_name: p.name for p in fn.inputs}
        unknown = [k for k, _ in fixed if k not in by_abi]
        if unknown:
            problems.append(
                f"contracts.{contract.name}.partials.{name}: {call} has no parameter {unknown[0]}"
            )
            continue
        out.append(Partial(name, fn, tuple((by_abi[k], repr(v)) for k, v in fixed)))
    return tuple(out)


def _synthetic(
    cfg: SyntheticConfig,
    by_name: dict[str, ContractModel],
    roles: dict[str, str],
    problems: list[str],
) -> InstanceModel:
    where = f"synthetic.{cfg.name}"
    methods = []
    by_method: dict[str, InstanceMethod] = {}
    for mname, call, bind in cfg.methods:
        cname, fname = call.split(".")
        contract = by_name.get(cname)
        if contract is None:
            problems.append(f"{where}.{mname}: unknown contract {cname}")
            continue
        fn = _find(contract, fname, problems, f"{where}.{mname}")
        if fn is None:
            continue
        bound: str | None
        check = False
        if bind.isdigit():
            bound = fn.inputs[int(bind)].name if int(bind) < len(fn.inputs) else None
            if bound is None:
                problems.append(f"{where}.{mname}: {call} has no parameter {bind}")
                continue
        elif bind == "signer":
            bound, check = None, True
        elif bind:
            bound = next((p.name for p in fn.inputs if p.abi_name == bind or p.name == bind), None)
            if bound is None:
                problems.append(f"{where}.{mname}: {call} has no parameter {bind}")
                continue
        else:
            bound = None
        role = None if fn.explicit_signer else (cfg.default_role if fn.role is not None else None)
        method = InstanceMethod(
            mname, contract.module, fn, bound, check, None, role, roles.get(role or "")
        )
        methods.append(method)
        by_method[mname] = method
    snapshot = []
    for fname, mname in cfg.snapshot:
        if mname not in by_method:
            problems.append(f"{where}.snapshot.{fname}: no method {mname}")
            continue
        snapshot.append(SnapshotField(fname, by_method[mname]))
    validate = _validate(dict(cfg.validate), None, by_name, problems, where)
    selections = []
    for sname, candidates, keep, wrap in cfg.select:
        c_contract, c_fn = candidates.split(".")
        k_contract, k_fn = keep.split(".")
        listing = (
            _find(by_name[c_contract], c_fn, problems, f"{where}.select.{sname}")
            if c_contract in by_name
            else None
        )
        check = (
            _find(by_name[k_contract], k_fn, problems, f"{where}.select.{sname}")
            if k_contract in by_name
            else None
        )
        if (
            listing is None
            or check is None
            or listing.paginate_count is None
            or len(check.inputs) != 1
        ):
            problems.append(
                f"{where}.select.{sname}: needs a paginated list and a one-argument per-item view"
            )
            continue
        cm, km = by_name[c_contract].module, by_name[k_contract].module
        wrap_ref = f"_{naming.snake(wrap)}.{wrap}" if wrap else None
        modules = {cm, km} | ({naming.snake(wrap)} if wrap else set())
        doc = (
            f"The items of ``{candidates}`` whose ``{keep}(self)`` is nonzero, ``[lower, upper)`` of"
            " them; the list and every check read at one block, in batches."
        )
        selections.append(
            Selection(
                sname,
                f"_{cm}.{listing.spec_name}",
                f"_{cm}.{listing.paginate_count}",
                f"_{km}.{check.spec_name}",
                wrap_ref,
                tuple(sorted(modules)),
                doc,
            )
        )
    return InstanceModel(
        class_name=cfg.name,
        contract=None,
        not_found=cfg.not_found,
        methods=tuple(sorted(methods, key=lambda m: m.name)),
        snapshot=tuple(snapshot),
        fetches=(),
        validate=validate,
        module=naming.snake(cfg.name),
        selections=tuple(selections),
    )


# --------------------------------------------------------------------------------------------


def build_model(
    config: Config, abi_sets: dict[str, dict[str, AbiFile]], version: str
) -> PackageModel:
    """Build the whole package model; raises :class:`ModelError` listing every problem."""
    builder = _Builder(config, abi_sets, version)
    problems = builder.problems
    needed = {n.abi_set for n in config.networks}
    for missing in sorted(needed - set(abi_sets)):
        problems.append(f"no ABI folder for abi_set {missing!r}")
    contract_names = sorted({name for files in abi_sets.values() for name in files})
    contracts: list[ContractModel] = []
    for name in contract_names:
        cfg = config.contract(name)
        if cfg is None:
            problems.append(f"contract {name}: not described in the config ([contracts.{name}])")
            continue
        functions = builder.functions(name, cfg)
        events = builder.events(name)
        hashes = sorted(files[name].sha256 for files in abi_sets.values() if name in files)
        contracts.append(
            ContractModel(
                name=name,
                module=naming.snake(name),
                kind=cfg.kind,
                address_key=cfg.address_key,
                discovered_by=None,
                functions=functions,
                events=events,
                abi_hash=hashlib.sha256("".join(hashes).encode()).hexdigest()[:16],
            )
        )
    contracts = _name_events(contracts, problems)
    # Every struct must be known before flattened getters are matched; a second pass catches
    # getters seen before their struct's first appearance.
    contracts = [_refresh_flattened(builder, c) for c in contracts]
    by_name = {c.name: c for c in contracts}
    final = []
    for c in contracts:
        cfg = config.contract(c.name)
        assert cfg is not None
        discovered = None
        if cfg.kind == "discovered" and cfg.discovered_by:
            cname, fname = cfg.discovered_by.split(".")
            fn = _find(by_name[cname], fname, problems, f"contracts.{c.name}.discovered_by")
            discovered = (by_name[cname].module, fn.name) if fn else None
        instance = (
            _instance(c, cfg, by_name, dict(config.roles), problems)
            if cfg.kind == "instance"
            else None
        )
        final.append(
            ContractModel(
                c.name,
                c.module,
                c.kind,
                c.address_key,
                discovered,
                c.functions,
                c.events,
                c.abi_hash,
                instance,
                aliases=_aliases(c, cfg, problems),
                extractors=_extractors(cfg, by_name, problems),
                partials=_partials(c, cfg, problems),
                enumerators=_enumerators(c, cfg, problems),
            )
        )
    by_name = {c.name: c for c in final}
    synthetic = tuple(
        _synthetic(s, by_name, dict(config.roles), problems) for s in config.synthetic
    )
    errors = builder.errors()
    all_hash = hashlib.sha256(
        "".join(
            canonical_json(list(files[n].entries))
            for _, files in sorted(abi_sets.items())
            for n in sorted(files)
        ).encode()
    ).hexdigest()
    if problems:
        raise ModelError(problems)
    return PackageModel(
        name=config.package,
        runtime=config.runtime,
        generator_version=version,
        abi_hash=all_hash,
        default_network=config.default_network,
        networks=tuple(
            NetworkModel(n.key, n.enum, n.chain_id, n.abi_set, n.rpc, n.confirmations, n.addresses)
            for n in config.networks
        ),
        roles=config.roles,
        enums=tuple(EnumModel(e.name, e.kind, e.members) for e in config.enums),
        structs=tuple(sorted(builder.structs.values(), key=lambda s: s.name)),
        errors=errors,
        contracts=tuple(final),
        synthetic=synthetic,
    )


def _name_events(contracts: list[ContractModel], problems: list[str]) -> list[ContractModel]:
    """Watchers and specs of an event several contracts declare carry the contract's name
    (``watch_task_ownership_transferred``); identical shapes share one dataclass."""
    declared: dict[str, list[EventModel]] = {}
    for c in contracts:
        for e in c.events:
            declared.setdefault(e.abi_name, []).append(e)
    out = []
    for c in contracts:
        events = []
        for e in c.events:
            shared = len(declared[e.abi_name]) > 1
            shapes = {
                x.signature + str([f.indexed for f in x.fields]) for x in declared[e.abi_name]
            }
            if len(shapes) > 1:
                problems.append(
                    f"event {e.abi_name} has different shapes on {', '.join(x.contract for x in declared[e.abi_name])}"
                )
            prefix = f"{naming.snake(c.name)}_" if shared else ""
            events.append(
                EventModel(
                    **{
                        **e.__dict__,
                        "watcher": f"watch_{prefix}{naming.snake(e.abi_name)}",
                        "spec_name": f"{naming.upper_snake(c.name)}_{naming.upper_snake(e.abi_name)}",
                        "per_entity": c.kind == "instance",
                    }
                )
            )
        out.append(ContractModel(**{**c.__dict__, "events": tuple(events)}))
    return out


def _refresh_flattened(builder: _Builder, contract: ContractModel) -> ContractModel:
    functions = []
    for fn in contract.functions:
        if fn.is_read and len(fn.outputs) > 1 and fn.flattened_struct is None:
            flat = builder.flattened_struct(fn.outputs)
            if flat:
                fn = FunctionModel(
                    **{
                        **fn.__dict__,
                        "flattened_struct": flat,
                        "returns": builder.returns(True, fn.outputs, flat),
                    }
                )
        functions.append(fn)
    return ContractModel(**{**contract.__dict__, "functions": tuple(functions)})
