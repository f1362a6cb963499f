"""One reviewable ``.py`` snapshot per generated module (``make generate`` updates them)."""

from __future__ import annotations

from pathlib import Path

import pytest
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from codegen.pipeline import plan_package

ROOT = Path(__file__).resolve().parents[2]
PLAN = plan_package(ROOT / "abis", ROOT / "abis" / "ogpu.toml")[1]


class PythonModuleSnapshot(SingleFileSnapshotExtension):
    _write_mode = WriteMode.TEXT
    file_extension = "py"


@pytest.mark.parametrize(
    "rel,text",
    [pytest.param(r, t, id=r[:-3].replace("/", ".")) for r, t in PLAN if r.endswith(".py")],
)
def test_generated_module_matches_snapshot(rel: str, text: str, snapshot) -> None:  # type: ignore[no-untyped-def]
    assert text == snapshot(extension_class=PythonModuleSnapshot)


def test_committed_generated_tree_is_current() -> None:
    from codegen.write import check_tree

    drift = check_tree(ROOT / "generated" / "ogpu", PLAN)
    assert drift.clean, "generated/ is stale; run `make generate`:\n" + drift.describe()
