"""A baseline to measure against: another commit of this repository, checked out apart.

``bench.cost --baseline REF`` and ``bench.load --baseline REF`` run REF's server beside this
checkout's, from a temporary ``git worktree`` of REF, with the packages this checkout depends
on and REF does not hidden from it (uvloop, httptools…): the baseline runs as its own commit
would, on the same machine at the same time.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import tempfile
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def checkout(ref: str) -> Iterator[tuple[Path, Path, list[str]]]:
    """A temporary checkout of ``ref`` of this repository (``git worktree``), removed after,
    and a folder that hides from it the packages it does not depend on (see :func:`hide`)."""
    with tempfile.TemporaryDirectory(prefix="scim-baseline-") as scratch:
        where = Path(scratch) / "tree"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(where), ref],
            check=True,
            capture_output=True,
        )
        try:
            hidden = Path(scratch) / "hidden"
            yield where, hidden, hide(where, hidden)
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(where)],
                check=False,
                capture_output=True,
            )


def _dependencies(tree: Path) -> set[str]:
    project = tomllib.loads((tree / "pyproject.toml").read_text())["project"]
    names = set()
    for requirement in project.get("dependencies", []):
        found = re.match(r"[A-Za-z0-9._-]+", requirement)
        if found:
            names.add(found.group(0).lower().replace("-", "_"))
    return names


def hide(baseline: Path, into: Path) -> list[str]:
    """Stub packages in ``into`` for what this checkout depends on and ``baseline`` does not
    (uvloop, httptools…), so that the baseline's server runs as its own commit would: with
    uvicorn's automatic choices, an installed uvloop would otherwise speed it up too."""
    into.mkdir(parents=True, exist_ok=True)
    names = sorted(_dependencies(ROOT) - _dependencies(baseline))
    hidden = []
    for name in names:
        if importlib.util.find_spec(name) is None:
            continue
        (into / name).mkdir()
        (into / name / "__init__.py").write_text(
            f"raise ImportError('{name} is hidden from the baseline: not its dependency')\n"
        )
        hidden.append(name)
    return hidden
