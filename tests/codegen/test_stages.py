"""Each generator stage alone: load, config, naming, model, render, format, write, CLI."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import jinja2
import pytest
from click.testing import CliRunner

from codegen import naming
from codegen.abi import AbiError, canonical_json, canonicalize, import_abis, read_abi
from codegen.cli import main
from codegen.config import load_config
from codegen.fmt import FormatError, format_all, format_python
from codegen.model import ModelError, build_model
from codegen.pipeline import GenerationError, build, load_abi_sets, plan_package
from codegen.render import environment, render_package
from codegen.write import check_tree, write_tree

ROOT = Path(__file__).resolve().parents[2]
ABIS = ROOT / "abis"
CONFIG = ABIS / "ogpu.toml"


def _fn(
    name: str,
    inputs: list[dict[str, str]] | None = None,
    outputs: list[dict[str, str]] | None = None,
    mut: str = "view",
) -> dict[str, object]:
    return {
        "type": "function",
        "name": name,
        "inputs": inputs or [],
        "outputs": outputs or [],
        "stateMutability": mut,
    }


# ---- load -----------------------------------------------------------------------------------


def test_reads_bare_arrays_and_artifacts(tmp_path: Path) -> None:
    entries = [_fn("x", outputs=[{"name": "", "type": "uint256"}])]
    (tmp_path / "FooAbi.json").write_text(json.dumps(entries))
    (tmp_path / "Bar.json").write_text(
        json.dumps({"contractName": "Baz", "abi": entries, "bytecode": "0x"})
    )
    assert read_abi(tmp_path / "FooAbi.json").contract == "Foo"
    assert read_abi(tmp_path / "Bar.json").contract == "Baz"


@pytest.mark.parametrize(
    "content,expected",
    [
        ("{not json", r"Bad\.json: not JSON: line 1"),
        ('{"bytecode": "0x"}', r"Bad\.json: an object without an 'abi' key"),
        (
            json.dumps([_fn("ok"), {"type": "function", "name": "f", "inputs": [], "outputs": []}]),
            r"Bad\.json: entry 1 \(function 'f'\): 'stateMutability' must be",
        ),
        (
            json.dumps([_fn("g", inputs=[{"name": "a", "type": "uint257"}])]),
            r"entry 0 \(function 'g'\): inputs\[0\]: invalid type 'uint257'",
        ),
        (json.dumps([{"type": "banana"}]), r"entry 0 \(banana\): unknown type 'banana'"),
    ],
)
def test_malformed_input_names_the_file_and_entry(
    tmp_path: Path, content: str, expected: str
) -> None:
    (tmp_path / "Bad.json").write_text(content)
    with pytest.raises(AbiError) as err:
        read_abi(tmp_path / "Bad.json")
    assert re.search(expected, str(err.value)), str(err.value)


def test_canonical_form_is_stable_and_order_independent() -> None:
    entries = [
        _fn("b"),
        {"type": "event", "name": "E", "inputs": [], "anonymous": False},
        _fn("a"),
        {"type": "constructor", "inputs": [], "stateMutability": "nonpayable"},
    ]
    first = canonical_json(canonicalize(entries))
    assert first == canonical_json(canonicalize(list(reversed(entries))))
    assert [e.get("name", "ctor") for e in json.loads(first)] == ["ctor", "a", "b", "E"]


def test_import_canonicalises_any_order_and_wrapping(tmp_path: Path) -> None:
    """Shuffled entries and keys, as a Hardhat artifact or a bare array: the same canonical file."""
    import random

    src = tmp_path / "src"
    src.mkdir()
    for name in ("Nexus", "Vault", "Task"):
        entries = json.loads((ABIS / "mainnet" / f"{name}.json").read_text())
        random.Random(name).shuffle(entries)
        shuffled = [dict(reversed(list(e.items()))) for e in entries]
        doc: object = (
            {"contractName": name, "abi": shuffled, "bytecode": "0x"}
            if name != "Task"
            else shuffled
        )
        (src / f"{name}Abi.json").write_text(json.dumps(doc, indent=4))
    (src / "README.md").write_text("Published ABIs (MIT License, Copyright (c) 2026 Example).\n")
    planned = import_abis([src], tmp_path / "out", None)
    by_name = {p.name: text for p, text in planned}
    for name in ("Nexus", "Vault", "Task"):
        assert by_name[f"{name}.json"] == (ABIS / "mainnet" / f"{name}.json").read_text()
    assert "MIT License, Copyright (c) 2026 Example" in by_name["NOTICE.md"]
    assert (ABIS / "mainnet" / "NOTICE.md").read_text().count("MIT License") == 1


def test_import_cli_reports_every_problem(tmp_path: Path) -> None:
    (tmp_path / "OneAbi.json").write_text(json.dumps([{"type": "function", "name": "f"}]))
    (tmp_path / "TwoAbi.json").write_text("[1]")
    result = CliRunner().invoke(
        main, ["import-abi", str(tmp_path), "--network", "x", "--abis-dir", str(tmp_path / "out")]
    )
    assert result.exit_code == 1
    lines = result.output.replace(str(tmp_path), "<tmp>").splitlines()
    assert lines == [
        "error: <tmp>/OneAbi.json: entry 0 (function 'f'): 'stateMutability' must be one of pure, view, nonpayable, payable, got None",
        "error: <tmp>/TwoAbi.json: entry 0: expected an object, got int",
    ]
    assert not (tmp_path / "out").exists()


# ---- naming ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw,snake",
    [
        ("getBalanceOf", "get_balance_of"),
        ("MIN_LOCKUP_PER_SOURCE", "min_lockup_per_source"),
        ("_sourceParams", "source_params"),
        ("isURLValid", "is_url_valid"),
        ("DEFAULT_ADMIN_ROLE", "default_admin_role"),
    ],
)
def test_snake_case(raw: str, snake: str) -> None:
    assert naming.snake(raw) == snake


def test_view_and_parameter_names() -> None:
    assert naming.view_name("balanceOf") == "get_balance_of"
    assert naming.view_name("isEligible") == "is_eligible"
    assert naming.view_name("issuer") == "get_issuer"  # "is" only counts before a capital
    assert naming.param_name("", 2) == "arg2"
    assert naming.param_name("class", 0) == "class_"
    assert naming.param_name("list", 0) == "list_"
    assert naming.param_name("signer", 0) == "signer_"
    taken: set[str] = set()
    assert [naming.param_name("a", 0, taken=taken), naming.param_name("a", 1, taken=taken)] == [
        "a",
        "a_2",
    ]


# ---- model ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def model():  # type: ignore[no-untyped-def]
    return build(ABIS, CONFIG)


def test_duplicate_getters_keep_distinct_names(model) -> None:  # type: ignore[no-untyped-def]
    vault = {f.name: f.abi_name for f in model.contract("Vault").functions}
    assert vault["get_balance_of"] == "getBalanceOf" and vault["balance_of"] == "balanceOf"
    terminal = {f.name: f.abi_name for f in model.contract("Terminal").functions}
    assert terminal["get_master_of"] == "getMasterOf" and terminal["master_of"] == "masterOf"


def test_every_abi_function_and_event_is_modelled(model) -> None:  # type: ignore[no-untyped-def]
    for abi_set, files in load_abi_sets(ABIS, {"mainnet", "testnet"}).items():
        for name, abi in files.items():
            c = model.contract(name)
            sigs = {f.signature for f in c.functions}
            events = {e.signature for e in c.events}
            for entry in abi.entries:
                sig = f"{entry.get('name')}({','.join(p['type'] if p['type'] != 'tuple' else '(' + ','.join(q['type'] for q in p['components']) + ')' for p in entry.get('inputs', []))})"
                if entry["type"] == "function":
                    assert sig in sigs, (abi_set, sig)
                elif entry["type"] == "event":
                    assert sig in events, (abi_set, sig)


def test_network_availability_comes_from_the_abi_sets(model) -> None:  # type: ignore[no-untyped-def]
    vault = {f.abi_name: f for f in model.contract("Vault").functions}
    assert vault["cancelUnbonding"].abi_sets == ("mainnet",)
    assert vault["cancelUnbonding"].chain_ids == (1071, 31337)
    assert vault["lock"].abi_sets == ("mainnet", "testnet")
    (canceled,) = [e for e in model.contract("Vault").events if e.abi_name == "UnbondingCanceled"]
    assert canceled.abi_sets == ("mainnet",)


def test_types_enums_structs_and_roles(model) -> None:  # type: ignore[no-untyped-def]
    task = {f.abi_name: f for f in model.contract("Task").functions}
    assert task["getStatus"].returns.annotation == "TaskStatus"
    assert task["taskParams"].flattened_struct == "TaskParams"  # flattened getter -> struct
    nexus = {f.abi_name: f for f in model.contract("Nexus").functions}
    assert nexus["register"].inputs[2].type.py == "Environment"
    assert nexus["register"].role == "PROVIDER" and nexus["publishSource"].role == "CLIENT"
    vault = {f.abi_name: f for f in model.contract("Vault").functions}
    assert vault["deposit"].explicit_signer and vault["deposit"].value_param == "amount"
    source_params = next(s for s in model.structs if s.name == "SourceParams")
    assert [f.type.py for f in source_params.fields][8] == "DeliveryMethod"


def _abi_dir(tmp_path: Path, entries: list[dict[str, object]]) -> Path:
    (tmp_path / "mainnet").mkdir(parents=True)
    (tmp_path / "mainnet" / "Thing.json").write_text(json.dumps(entries))
    (tmp_path / "cfg.toml").write_text(
        '[package]\nname = "thing"\n[[networks]]\nkey = "mainnet"\nenum = "MAIN"\nchain_id = 1\nabi_set = "mainnet"\nrpc = "http://x"\n'
        '[roles]\nCLIENT = "CLIENT_PRIVATE_KEY"\n[contracts.Thing]\nkind = "singleton"\naddress_key = "THING"\ndefault_role = "CLIENT"\n'
    )
    return tmp_path


def test_name_collisions_are_reported_not_merged(tmp_path: Path) -> None:
    root = _abi_dir(tmp_path, [_fn("fooBar", mut="nonpayable"), _fn("foo_bar", mut="nonpayable")])
    with pytest.raises(
        GenerationError,
        match=r"fooBar\(\) and foo_bar\(\) both map to foo_bar|foo_bar\(\) and fooBar\(\) both map to foo_bar",
    ):
        build(root, root / "cfg.toml")


def test_enum_without_members_is_an_error(tmp_path: Path) -> None:
    root = _abi_dir(
        tmp_path,
        [_fn("mood", outputs=[{"name": "", "type": "uint8", "internalType": "enum Mood"}])],
    )
    with pytest.raises(GenerationError, match="enum Mood has no members in the config"):
        build(root, root / "cfg.toml")


def test_overloads_are_explicit(tmp_path: Path) -> None:
    root = _abi_dir(
        tmp_path,
        [
            _fn("set", [{"name": "a", "type": "uint256"}], mut="nonpayable"),
            _fn(
                "set",
                [{"name": "a", "type": "uint256"}, {"name": "b", "type": "address[]"}],
                mut="nonpayable",
            ),
        ],
    )
    names = sorted(f.name for f in build(root, root / "cfg.toml").contract("Thing").functions)
    assert names == ["set_uint256", "set_uint256_address_array"]


def test_contract_missing_from_config_is_an_error(tmp_path: Path) -> None:
    root = _abi_dir(tmp_path, [_fn("x")])
    (root / "mainnet" / "Other.json").write_text(json.dumps([_fn("y")]))
    with pytest.raises(GenerationError, match=r"contract Other: not described in the config"):
        build(root, root / "cfg.toml")


# ---- render / format / write ----------------------------------------------------------------


def test_environment_is_strict() -> None:
    env = environment()
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ missing }}").render()


def test_user_templates_override_one_file(tmp_path: Path, model) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "schema").mkdir()
    (tmp_path / "schema" / "__init__.py.j2").write_text('{{ header }}\n"""Forked."""\n')
    files = dict(render_package(model, tmp_path))
    assert files["schema/__init__.py"].endswith('"""Forked."""\n')
    assert files["schema/enums.py"] == dict(render_package(model))["schema/enums.py"]


def test_header_has_version_and_hash_and_no_timestamp(project_plan) -> None:  # type: ignore[no-untyped-def]
    for rel, text in project_plan[1]:
        if rel.endswith(".py"):
            first = text.splitlines()[0]
            assert (
                first.startswith("# generated by ogpu-codegen ")
                and "ABI sha256" in text.splitlines()[1]
            )
            assert not re.search(r"20\d\d-\d\d-\d\d", text.splitlines()[0] + text.splitlines()[1])


def test_format_errors_name_the_file() -> None:
    with pytest.raises(FormatError, match=r"protocol/x\.py: rendered code is not valid Python"):
        format_python("protocol/x.py", "def (:\n")
    with pytest.raises(FormatError, match=r"y\.py"):
        format_all([("f.py", "x = 1\n"), ("y.py", "def (:\n")], workers=2, min_parallel_chars=0)
    pairs = [(f"m{i}.py", f"x  =  {i}\n") for i in range(4)] + [("NOTES.md", "x  =  1\n")]
    assert format_all(pairs, workers=2, min_parallel_chars=0) == [
        (f"m{i}.py", f"x = {i}\n") for i in range(4)
    ] + [("NOTES.md", "x  =  1\n")]


def test_generation_is_deterministic(project_plan) -> None:  # type: ignore[no-untyped-def]
    again = plan_package(ABIS, CONFIG)
    assert again == project_plan


def test_write_and_check(tmp_path: Path) -> None:
    files = [("a.py", "x = 1\n"), ("pkg/b.py", "y = 2\n")]
    write_tree(tmp_path, files)
    assert check_tree(tmp_path, files).clean
    (tmp_path / "a.py").write_text("x = 3\n")
    (tmp_path / "stray.py").write_text("")
    (tmp_path / "pkg" / "b.py").unlink()
    drift = check_tree(tmp_path, files)
    assert (drift.changed, drift.missing, drift.extra) == (("a.py",), ("pkg/b.py",), ("stray.py",))
    write_tree(tmp_path, files)
    assert check_tree(tmp_path, files).clean and not (tmp_path / "stray.py").exists()


def test_check_mode_names_stale_files(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    shutil.copytree(ROOT / "generated", out)
    runner = CliRunner()
    assert (
        runner.invoke(
            main, ["generate", "--abis-dir", str(ABIS), "--out", str(out), "--check"]
        ).exit_code
        == 0
    )
    (out / "ogpu" / "protocol" / "vault.py").write_text("# edited by hand\n")
    result = runner.invoke(
        main, ["generate", "--abis-dir", str(ABIS), "--out", str(out), "--check"]
    )
    assert result.exit_code == 1
    assert "changed: protocol/vault.py" in result.output


def test_config_errors_are_reported(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text(
        '[package]\nname = "not an identifier"\n[contracts.X]\nkind = "weird"\n'
    )
    from codegen.config import ConfigError

    with pytest.raises(ConfigError) as err:
        load_config(tmp_path / "bad.toml")
    assert any("name must be a Python identifier" in p for p in err.value.problems)
    assert any("contracts.X.kind must be" in p for p in err.value.problems)


def test_model_refuses_unknown_config_references(tmp_path: Path) -> None:
    config = load_config(CONFIG)
    abi_sets = load_abi_sets(ABIS, {"mainnet", "testnet"})
    from dataclasses import replace

    broken = replace(
        config,
        contracts=tuple(
            replace(c, snapshot=(("x", "noSuchFunction"),)) if c.name == "Task" else c
            for c in config.contracts
        ),
    )
    with pytest.raises(ModelError, match=r"contracts.Task.snapshot.x: no function noSuchFunction"):
        build_model(broken, abi_sets, "test")
