"""Stage 5: format rendered Python with the pinned black, in-process (no subprocess, no cwd)."""

from __future__ import annotations

import black

LINE_LENGTH = 100
_MODE = black.Mode(line_length=LINE_LENGTH, target_versions={black.TargetVersion.PY310})


class FormatError(Exception):
    """Rendered code black cannot parse: a template bug, reported with the file it was for."""

    def __init__(self, path: str, detail: str) -> None:
        super().__init__(path, detail)  # picklable: the pool sends it back across processes
        self.problems = [f"{path}: rendered code is not valid Python: {detail}"]

    def __str__(self) -> str:
        return self.problems[0]


def format_python(path: str, source: str) -> str:
    """Return ``source`` formatted by black; a syntax error names the generated file."""
    try:
        return black.format_str(source, mode=_MODE)
    except black.InvalidInput as exc:
        raise FormatError(path, str(exc)) from exc


def format_all(
    files: list[tuple[str, str]], *, workers: int | None = None, min_parallel_chars: int = 200_000
) -> list[tuple[str, str]]:
    """Format every ``.py`` file; large trees are split over the machine's cores.

    Formatting is pure, so the result does not depend on how the work was split.
    """
    import multiprocessing
    import os
    from concurrent.futures import ProcessPoolExecutor

    jobs = [(rel, text) for rel, text in files if rel.endswith(".py")]
    count = workers or min(len(jobs), os.cpu_count() or 1)
    if count <= 1 or sum(len(t) for _, t in jobs) < min_parallel_chars:
        formatted = [format_python(rel, text) for rel, text in jobs]
    else:
        # Largest first so the pool stays balanced.
        order = sorted(range(len(jobs)), key=lambda i: -len(jobs[i][1]))
        context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
        with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
            results = list(pool.map(_format_pair, [jobs[i] for i in order]))
        formatted = [""] * len(jobs)
        for i, text in zip(order, results):
            formatted[i] = text
    done = dict(zip((rel for rel, _ in jobs), formatted))
    return [(rel, done.get(rel, text)) for rel, text in files]


def _format_pair(job: tuple[str, str]) -> str:
    return format_python(*job)
