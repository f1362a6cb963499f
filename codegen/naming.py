"""All naming decisions of the generator, in one place.

Policy (documented in docs/codegen.md):

* Python names are the snake_case of the Solidity names (``balanceOf`` -> ``balance_of``,
  ``MIN_LOCKUP_PER_SOURCE`` -> ``min_lockup_per_source``).
* Views and pure functions read as questions or getters: a name already starting with
  ``get``/``is``/``has``/``check``/``supports`` keeps it; any other view gets ``get_``.
* When a public storage getter and an explicit getter would get the same name
  (``balanceOf`` and ``getBalanceOf`` both -> ``get_balance_of``) the explicit getter keeps the
  ``get_`` name and the storage getter keeps its bare snake_case name (``balance_of``). Both
  read the same value; neither is dropped.
* Overloads get a suffix from their parameter types (``foo_uint256_address``).
* Parameters: unnamed ones become ``arg{i}``; leading underscores go; Python keywords,
  builtins and the generated functions' own keyword names get a trailing underscore.
* Any collision left after these rules is an error naming both functions; nothing is
  silently merged or shadowed.
"""

from __future__ import annotations

import builtins
import keyword
import re

GETTER_PREFIXES = ("get", "is", "has", "check", "supports")

# Keyword names every generated callable may take; ABI parameters must not shadow them.
RESERVED_PARAMS = frozenset({"signer", "chain", "block", "tx", "value", "self", "cls", "address"})
# Names the generated instance classes already use.
RESERVED_MEMBERS = frozenset({"address", "chain", "load", "snapshot", "receipt"})

_BUILTINS = frozenset(name for name in dir(builtins) if not name.startswith("_"))


def snake(name: str) -> str:
    """``getBalanceOf`` -> ``get_balance_of``; ``MIN_LOCKUP`` -> ``min_lockup``; ``_x`` -> ``x``."""
    stripped = name.strip("_$") or name
    if stripped.isupper() or re.fullmatch(r"[A-Z0-9_]+", stripped):
        return stripped.lower()
    out = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", stripped)
    out = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", out)
    return out.replace("$", "_").lower()


def pascal(name: str) -> str:
    """``task_status`` or ``taskStatus`` -> ``TaskStatus``."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[_$]+", name) if part)


def is_explicit_getter(solidity_name: str) -> bool:
    """True for names that already read as a getter or predicate (``getX``, ``isX``...)."""
    for prefix in GETTER_PREFIXES:
        if (
            solidity_name.startswith(prefix)
            and solidity_name[len(prefix) : len(prefix) + 1].isupper()
        ):
            return True
    return False


def view_name(solidity_name: str) -> str:
    """The preferred Python name of a view: ``balanceOf`` -> ``get_balance_of``."""
    if is_explicit_getter(solidity_name):
        return snake(solidity_name)
    return "get_" + snake(solidity_name)


def param_name(
    raw: str, index: int, *, taken: set[str] | None = None, allow: frozenset[str] = frozenset()
) -> str:
    """A safe, unique Python parameter name for an ABI input.

    ``allow`` lifts a reservation where it cannot clash (``value`` on a function that takes no
    ``value=`` keyword).
    """
    name = snake(raw) if raw else f"arg{index}"
    if (
        keyword.iskeyword(name)
        or name in _BUILTINS
        or (name in RESERVED_PARAMS and name not in allow)
    ):
        name += "_"
    if taken is not None:
        base, n = name, 2
        while name in taken:
            name = f"{base}_{n}"
            n += 1
        taken.add(name)
    return name


# Fields every event dataclass already has.
RESERVED_EVENT_FIELDS = frozenset(
    {"block_number", "transaction_hash", "log_index", "block_hash", "contract_address"}
)


def field_name(raw: str, index: int) -> str:
    """A dataclass field name for an event or output field (snake_case, keyword-safe).

    Builtins are fine as attribute names (``event.id``); keywords and the event metadata
    fields get a trailing underscore.
    """
    name = snake(raw) if raw else f"arg{index}"
    if keyword.iskeyword(name) or name in RESERVED_EVENT_FIELDS:
        name += "_"
    return name


def member_safe(name: str) -> str:
    """Instance-class method names must not shadow the class's own members."""
    if name in RESERVED_MEMBERS or keyword.iskeyword(name):
        return name + "_"
    return name


def overload_suffix(types: list[str]) -> str:
    """``["uint256", "address[]"]`` -> ``uint256_address_array``."""
    if not types:
        return "noargs"
    parts = [
        re.sub(r"[^a-z0-9]+", "_", t.replace("[]", "_array").lower()).strip("_") for t in types
    ]
    return "_".join(parts)


def upper_snake(name: str) -> str:
    """``TaskStatus`` -> ``TASK_STATUS``."""
    return snake(name).upper()
