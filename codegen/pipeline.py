"""The stages chained: load -> model -> render -> format. Writing is the caller's choice."""

from __future__ import annotations

from pathlib import Path

from codegen import __version__
from codegen.abi import AbiError, AbiFile, canonical_json, canonicalize, load_abi_dir
from codegen.config import ConfigError, load_config
from codegen.fmt import FormatError, format_all
from codegen.model import ModelError, PackageModel, build_model
from codegen.render import render_package


class GenerationError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def load_abi_sets(abis_dir: Path, names: set[str]) -> dict[str, dict[str, AbiFile]]:
    return {name: load_abi_dir(abis_dir / name) for name in sorted(names)}


def _load(abis_dir: Path, config_path: Path) -> tuple[PackageModel, dict[str, dict[str, AbiFile]]]:
    try:
        config = load_config(config_path)
        abi_sets = load_abi_sets(abis_dir, {n.abi_set for n in config.networks})
        return build_model(config, abi_sets, __version__), abi_sets
    except (ConfigError, ModelError, AbiError) as exc:
        raise GenerationError(exc.problems) from exc


def build(abis_dir: Path, config_path: Path) -> PackageModel:
    """Load the config and the ABIs and build the model."""
    return _load(abis_dir, config_path)[0]


def plan_package(
    abis_dir: Path, config_path: Path, template_dir: Path | None = None
) -> tuple[str, list[tuple[str, str]]]:
    """Return the package name and every file to write, formatted, as (relative path, text)."""
    model, abi_sets = _load(abis_dir, config_path)
    try:
        files = format_all(render_package(model, template_dir))
    except FormatError as exc:
        raise GenerationError(exc.problems) from exc
    # The ABIs ship inside the package (ChainConfig.load_abi), canonical and per ABI set.
    for abi_set, abis in sorted(abi_sets.items()):
        for name, abi in sorted(abis.items()):
            files.append(
                (f"schema/abis/{abi_set}/{name}.json", canonical_json(canonicalize(abi.entries)))
            )
    return model.name, sorted(files)


__all__ = ["GenerationError", "build", "plan_package"]
