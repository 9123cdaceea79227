"""The browser test's anchors still match the chapters, checked without a browser.

The JupyterLab test finds cells by a fragment of their source and expects a text in their output.
When a chapter is rewritten, this fails at once and names the anchor, instead of the browser test
failing later (or only on a machine with Chromium).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.browser.test_chapters import CHAPTERS, Chapter

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def _cells(chapter: Chapter) -> list[dict]:
    return json.loads((NOTEBOOKS / chapter.notebook).read_text())["cells"]


def _output_text(cell: dict) -> str:
    parts = []
    for output in cell.get("outputs", []):
        parts.append("".join(output.get("text", "")))
        for value in output.get("data", {}).values():
            parts.append(value if isinstance(value, str) else "".join(value))
    return "\n".join(parts)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda chapter: chapter.name)
def test_every_anchor_names_a_code_cell_whose_stored_output_shows_the_text(
    chapter: Chapter,
) -> None:
    """Each `shows` fragment is in one code cell, whose stored output has the text."""
    for fragment, text in chapter.shows.items():
        cells = [
            cell
            for cell in _cells(chapter)
            if cell["cell_type"] == "code" and fragment in "".join(cell["source"])
        ]
        assert len(cells) == 1, f"{chapter.notebook}: {len(cells)} code cells contain {fragment!r}"
        assert text in _output_text(cells[0]), (
            f"{chapter.notebook}: {fragment!r} does not show {text!r}"
        )


@pytest.mark.parametrize(
    "chapter", [c for c in CHAPTERS if c.solution], ids=lambda chapter: chapter.name
)
def test_every_solution_and_check_the_browser_uses_exists(chapter: Chapter) -> None:
    """The solution file exists and the check cell is in the chapter."""
    assert chapter.solution and chapter.check
    assert (NOTEBOOKS / "solutions" / chapter.solution).is_file()
    sources = ["".join(cell["source"]) for cell in _cells(chapter)]
    assert any(chapter.check in source for source in sources)
