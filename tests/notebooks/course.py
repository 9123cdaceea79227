"""What the notebook tests share: the chapters, their exercises, and nbval's output comparison."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import nbformat
from nbval.plugin import IPyNbCell, coalesce_streams, get_sanitize_patterns, nocolors

from scim_helper.chapters import DEFAULT_NOTEBOOKS, chapter_paths

NOTEBOOKS = DEFAULT_NOTEBOOKS
SANITIZE = Path(__file__).with_name("sanitize.cfg")
CHAPTERS = [path.stem for path in chapter_paths(NOTEBOOKS)]
#: The chapters proper: every notebook but the index.
LESSONS = [name for name in CHAPTERS if not name.startswith("00-")]

LOAD = re.compile(r"^#\s*%load\s+(?P<target>\S+)\s*$", re.MULTILINE)
CHECK_CALL = re.compile(r"^checks\.(?P<name>\w+)\(", re.MULTILINE)
# nbval's own default: outputs that never compare (ids of widget models, images, bookkeeping).
SKIP_COMPARE = (
    "metadata",
    "traceback",
    "prompt_number",
    "output_type",
    "name",
    "execution_count",
    "application/vnd.jupyter.widget-view+json",
    "image/png",
    "image/jpeg",
)


def read(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)


def tagged(notebook: nbformat.NotebookNode, tag: str) -> list[nbformat.NotebookNode]:
    return [cell for cell in notebook.cells if tag in cell.metadata.get("tags", [])]


@dataclass(frozen=True)
class Exercise:
    """An exercise cell, the solution it names, and the check cell that follows it."""

    index: int
    solution: Path
    check: str
    check_index: int


def exercises(notebook: nbformat.NotebookNode) -> list[Exercise]:
    """Every exercise of a chapter, paired with the next check cell after it."""
    found = []
    for index, cell in enumerate(notebook.cells):
        if "exercise" not in cell.metadata.get("tags", []):
            continue
        load = LOAD.search(cell.source)
        following = (
            (i, c)
            for i, c in enumerate(notebook.cells)
            if i > index and "check" in c.metadata.get("tags", [])
        )
        check_index, check_cell = next(following)
        call = CHECK_CALL.search(check_cell.source)
        found.append(
            Exercise(
                index=index,
                solution=NOTEBOOKS / load["target"] if load else NOTEBOOKS / "missing",
                check=call["name"] if call else "",
                check_index=check_index,
            )
        )
    return found


def solved(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of the chapter where every exercise cell holds what ``%load`` would put there."""
    result = copy.deepcopy(notebook)
    for exercise in exercises(notebook):
        cell = result.cells[exercise.index]
        target = exercise.solution.relative_to(NOTEBOOKS).as_posix()
        cell.source = f"# %load {target}\n" + exercise.solution.read_text(encoding="utf-8")
    return result


def output_text(cell: nbformat.NotebookNode) -> str:
    """The text a learner reads under a cell: streams and text/plain results."""
    parts = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            parts.append(output.text)
        elif "data" in output:
            parts.append(output.data.get("text/plain", ""))
    return "".join(parts)


class _StoredOutputs:
    """Just enough of nbval's ``IPyNbCell`` to reuse its comparison with a sanitize file."""

    colors = nocolors
    compare_outputs = IPyNbCell.compare_outputs
    sanitize = IPyNbCell.sanitize

    def __init__(self) -> None:
        patterns = dict(get_sanitize_patterns(SANITIZE.read_text(encoding="utf-8")))
        self.parent = SimpleNamespace(skip_compare=SKIP_COMPARE, sanitize_patterns=patterns)
        self.comparison_traceback: list[str] = []

    def format_output_compare(self, key: str, left: object, right: object) -> None:
        self.comparison_traceback.append(f"{key}: stored {left!r}\n      ran {right!r}")


def output_differences(stored: nbformat.NotebookNode, executed: nbformat.NotebookNode) -> list[str]:
    """Cells whose fresh outputs differ from the stored ones after sanitizing, as nbval sees it."""
    comparer = _StoredOutputs()
    differences = []
    for index, (old, new) in enumerate(zip(stored.cells, executed.cells, strict=True)):
        if old.cell_type != "code" or old.execution_count is None:
            continue
        ok = comparer.compare_outputs(
            coalesce_streams(copy.deepcopy(new.outputs)),
            coalesce_streams(copy.deepcopy(old.outputs)),
        )
        if not ok:
            differences.append(f"cell {index}: " + "\n".join(comparer.comparison_traceback))
    return differences
