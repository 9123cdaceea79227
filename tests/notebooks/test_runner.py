"""``scim-course run`` prints each chapter's result and time, then the total."""

from __future__ import annotations

import re

import pytest

from scim_helper import cli
from scim_helper.chapters import ChapterResult, chapter_paths

from .course import CHAPTERS, NOTEBOOKS


def test_chapters_in_reading_order() -> None:
    """The runner finds the index first and the chapters after it, by number."""
    names = [path.stem for path in chapter_paths(NOTEBOOKS)]
    assert names == sorted(names) and names[0] == "00-index" and len(names) == 9
    assert [p.stem for p in chapter_paths(NOTEBOOKS, ["03", "05"])] == [
        n for n in CHAPTERS if n[:2] in ("03", "05")
    ]


def test_result_line() -> None:
    """A result line has a mark, the chapter's name, its time, and the error if it failed."""
    assert (
        ChapterResult("01-welcome", True, 1.25).line() == "  ✓ 01-welcome" + " " * 19 + "   1.2 s"
    )
    assert ChapterResult("02-x", False, 2.0, "cell 3: KeyError").line().endswith("KeyError")


@pytest.mark.notebooks
def test_run_prints_each_chapter_and_the_total(capsys: pytest.CaptureFixture[str]) -> None:
    """`scim-course run 00 --budget 600` runs the index on a fresh local server and says so."""
    assert cli.main(["run", "00", "--budget", "600"]) == 0
    out = capsys.readouterr().out
    assert "against a fresh local server" in out
    assert re.search(r"✓ 00-index\s+\d+\.\d s", out)
    assert re.search(r"Total: \d+\.\d s for 1 chapters \(budget 600 s\); 0 failed", out)


def test_run_fails_when_no_chapter_matches(capsys: pytest.CaptureFixture[str], tmp_path) -> None:
    """An empty selection is an error, not a silent success."""
    assert cli.main(["run", "--notebooks", str(tmp_path)]) == 1
    assert "No chapters found" in capsys.readouterr().out
