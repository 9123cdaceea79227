"""``scim-course run`` prints each chapter's result and time, then the total."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scim_helper import chapters, cli
from scim_helper.chapters import ChapterResult, chapter_paths, find_notebooks, kernel_config

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
def test_run_prints_each_chapter_and_the_total(
    capfd: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`scim-course run 00 --budget 600`, from any folder, runs the index and says so, quietly."""
    monkeypatch.chdir(tmp_path)  # a learner's shell is rarely in the clone's root
    assert cli.main(["run", "00", "--budget", "600"]) == 0
    out, err = capfd.readouterr()
    assert "against a fresh local server" in out
    assert re.search(r"✓ 00-index\s+\d+\.\d s", out)
    assert re.search(r"Total: \d+\.\d s for 1 chapters \(budget 600 s\); 0 failed", out)
    assert "without encryption" not in out + err  # the kernel's start-up warning


def test_kernels_get_curve_keys_where_pyzmq_has_them() -> None:
    """The kernel manager provisions CurveZMQ keys, so ipykernel has nothing to warn about."""
    zmq = pytest.importorskip("zmq")
    expected = "auto" if zmq.has("curve") else None
    assert kernel_config().KernelManager.get("transport_encryption") == expected


def test_notebooks_found_from_any_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The checkout's chapters win; without them (a plain install), ./notebooks is used."""
    assert find_notebooks(tmp_path) == NOTEBOOKS
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "00-index.ipynb").write_text("{}")
    monkeypatch.setattr(chapters, "DEFAULT_NOTEBOOKS", tmp_path / "site-packages" / "notebooks")
    assert find_notebooks(tmp_path) == tmp_path / "notebooks"


def test_run_fails_when_no_chapter_matches(capsys: pytest.CaptureFixture[str], tmp_path) -> None:
    """An empty selection is an error, not a silent success."""
    assert cli.main(["run", "--notebooks", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "No chapters found" in out and "--notebooks" in out
    assert "Running" not in out  # no server started for nothing
