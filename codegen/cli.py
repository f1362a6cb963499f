"""The generator's command line: ``python -m codegen import-abi|generate``."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from codegen import __version__
from codegen.abi import AbiError, import_abis
from codegen.write import write_files


@click.group()
@click.version_option(__version__, prog_name="ogpu-codegen")
def main() -> None:
    """Generate the typed ogpu SDK from contract ABIs and the protocol config."""


@main.command("import-abi")
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--network", required=True, help="Network folder to write, e.g. mainnet.")
@click.option(
    "--abis-dir", default=Path("abis"), type=click.Path(path_type=Path), show_default=True
)
@click.option(
    "--attribution",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Text kept in NOTICE.md (default: a README.md next to the inputs).",
)
def import_abi(
    sources: tuple[Path, ...], network: str, abis_dir: Path, attribution: Path | None
) -> None:
    """Read raw ABI JSON (bare arrays or Hardhat/Foundry artifacts) into abis/NETWORK/."""
    try:
        planned = import_abis(
            list(sources),
            abis_dir / network,
            attribution.read_text(encoding="utf-8") if attribution else None,
        )
    except AbiError as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        sys.exit(1)
    changed = write_files(planned)
    for path, _ in planned:
        click.echo(f"{'wrote    ' if path in changed else 'unchanged'} {path}")


@main.command("generate")
@click.option(
    "--abis-dir", default=Path("abis"), type=click.Path(path_type=Path), show_default=True
)
@click.option(
    "--config",
    "config_path",
    default=None,
    type=click.Path(path_type=Path),
    help="Protocol config (default: ABIS_DIR/ogpu.toml).",
)
@click.option(
    "--out", default=Path("generated"), type=click.Path(path_type=Path), show_default=True
)
@click.option(
    "--templates",
    "template_dir",
    default=None,
    type=click.Path(path_type=Path),
    help="Folder of templates searched before the built-in ones.",
)
@click.option("--check", is_flag=True, help="Write nothing; fail naming every stale file.")
def generate(
    abis_dir: Path, config_path: Path | None, out: Path, template_dir: Path | None, check: bool
) -> None:
    """Generate the package from ABIS_DIR into OUT/<package>."""
    from codegen.pipeline import GenerationError, plan_package
    from codegen.write import check_tree, write_tree

    started = time.perf_counter()
    try:
        package, files = plan_package(abis_dir, config_path or abis_dir / "ogpu.toml", template_dir)
    except (AbiError, GenerationError) as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        sys.exit(1)
    root = out / package
    if check:
        drift = check_tree(root, files)
        if not drift.clean:
            click.echo(f"{root} is stale; run `make generate`:\n{drift.describe()}", err=True)
            sys.exit(1)
        click.echo(f"{root}: {len(files)} files up to date")
        return
    drift = write_tree(root, files)
    touched = len(drift.changed) + len(drift.missing) + len(drift.extra)
    click.echo(
        f"{root}: {len(files)} files, {touched} changed, in {time.perf_counter() - started:.2f} s"
    )
