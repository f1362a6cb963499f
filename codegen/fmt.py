"""Stage 5: format rendered Python with the pinned black, in-process (no subprocess, no cwd)."""

from __future__ import annotations

import black

LINE_LENGTH = 100
_MODE = black.Mode(line_length=LINE_LENGTH, target_versions={black.TargetVersion.PY310})


class FormatError(Exception):
    def __init__(self, path: str, detail: str) -> None:
        super().__init__(f"{path}: rendered code is not valid Python: {detail}")
        self.problems = [str(self)]


def format_python(path: str, source: str) -> str:
    """Return ``source`` formatted by black; a syntax error names the generated file."""
    try:
        return black.format_str(source, mode=_MODE)
    except black.InvalidInput as exc:
        raise FormatError(path, str(exc)) from exc
