"""Stage 6: the only stage that touches the disk.

``write_tree`` replaces a generated folder with the planned files; ``check_tree`` compares
without writing and names every file that is stale, missing or extra.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Drift:
    """Differences between a planned tree and what is on disk (paths relative to the root)."""

    changed: tuple[str, ...]
    missing: tuple[str, ...]
    extra: tuple[str, ...]

    @property
    def clean(self) -> bool:
        return not (self.changed or self.missing or self.extra)

    def describe(self) -> str:
        out = [f"changed: {p}" for p in self.changed]
        out += [f"missing: {p}" for p in self.missing]
        out += [f"extra:   {p}" for p in self.extra]
        return "\n".join(out)


def _existing(root: Path) -> set[str]:
    if not root.exists():
        return set()
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def check_tree(root: Path, files: list[tuple[str, str]]) -> Drift:
    """Compare planned ``(relative path, text)`` pairs with ``root`` without writing."""
    planned = dict(files)
    on_disk = _existing(root)
    changed = sorted(
        rel
        for rel, text in planned.items()
        if rel in on_disk and (root / rel).read_text(encoding="utf-8") != text
    )
    missing = sorted(set(planned) - on_disk)
    extra = sorted(on_disk - set(planned))
    return Drift(tuple(changed), tuple(missing), tuple(extra))


def write_tree(root: Path, files: list[tuple[str, str]]) -> Drift:
    """Make ``root`` hold exactly ``files``: write changed ones, delete files no longer planned."""
    drift = check_tree(root, files)
    for rel in drift.extra:
        (root / rel).unlink()
    for rel, text in files:
        target = root / rel
        if rel in drift.changed or rel in drift.missing:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    for directory in sorted((p for p in root.rglob("*") if p.is_dir()), reverse=True):
        if directory.name == "__pycache__":
            shutil.rmtree(directory)
        elif not any(directory.iterdir()):
            directory.rmdir()
    return drift


def write_files(files: list[tuple[Path, str]]) -> list[Path]:
    """Write absolute ``(path, text)`` pairs, returning the paths whose content changed."""
    changed = []
    for path, text in files:
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        changed.append(path)
    return changed
