"""The committed notebooks are clean, consistent and complete, without running them."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from scim_helper import checks
from scim_helper.claims import expectations

from .course import CHAPTERS, LESSONS, LOAD, NOTEBOOKS, exercises, read, tagged

ROOT = NOTEBOOKS.parent
MACHINE_PATH = re.compile(r"(?<![\w.])/(root|home|tmp|work|Users|var/folders)/[\w.-]+")
TOKEN_IN_SOURCE = re.compile(r"(?i)(token|secret)\s*=\s*['\"][A-Za-z0-9._~+/-]{16,}['\"]")
BEARER = re.compile(r"Bearer\s+[A-Za-z0-9._~+/-]{16,}")
LINK = re.compile(r"\]\((?P<target>[^)#\s]+\.ipynb)(#[^)]*)?\)")


@pytest.mark.parametrize("name", CHAPTERS)
def test_no_error_outputs_stored(name: str) -> None:
    """No stored output is an error: papermill would have failed on it."""
    notebook = read(name)
    errors = [
        i
        for i, cell in enumerate(notebook.cells)
        for output in cell.get("outputs", [])
        if output.output_type == "error"
    ]
    assert errors == []


@pytest.mark.parametrize("name", CHAPTERS)
def test_no_machine_paths_or_tokens(name: str) -> None:
    """Neither sources nor outputs show a path on the author's machine or a bearer token."""
    for index, cell in enumerate(read(name).cells):
        outputs = json.dumps(cell.get("outputs", []))
        assert not MACHINE_PATH.search(outputs), f"cell {index} output shows a machine path"
        assert not BEARER.search(outputs + cell.source), f"cell {index} shows a bearer token"
        assert not TOKEN_IN_SOURCE.search(cell.source), f"cell {index} writes a token"


@pytest.mark.parametrize("name", CHAPTERS)
def test_parameters_cell(name: str) -> None:
    """Each notebook has one python3 `parameters` cell defaulting to the course's own server."""
    notebook = read(name)
    assert notebook.metadata.kernelspec.name == "python3"
    (cell,) = tagged(notebook, "parameters")
    assert cell.source.split("\n") == ["server_url = None", "auth_token = None"]


@pytest.mark.parametrize("name", LESSONS)
def test_two_checked_exercises(name: str) -> None:
    """Each chapter has at least two exercises, each followed by a check that exists."""
    found = exercises(read(name))
    assert len(found) >= 2
    for exercise in found:
        assert exercise.check in checks.CHECKS, f"scim_helper.checks has no {exercise.check}"


@pytest.mark.parametrize("name", LESSONS)
def test_at_least_three_stated_results_are_checked(name: str) -> None:
    """Each chapter checks at least three results its prose states (``<!-- expect: … -->``).

    A chapter without expectations would pass tests/notebooks/test_claims.py vacuously. This test
    fails for every chapter until the chapter work of issue 11 adds them; that is expected.
    """
    found = expectations(read(name))
    assert len(found) >= 3, (
        f"{name} checks {len(found)} stated result(s); put <!-- expect: … --> under the cells"
        " whose results the prose states (CONTRIBUTING.md, Changing a chapter)"
    )


@pytest.mark.parametrize("name", CHAPTERS)
def test_load_targets_exist(name: str) -> None:
    """Every `%load` names a solution file that exists."""
    for cell in read(name).cells:
        for match in LOAD.finditer(cell.source):
            assert (NOTEBOOKS / match["target"]).is_file(), match["target"]


@pytest.mark.parametrize("name", CHAPTERS)
def test_solution_files_named_in_prose_exist(name: str) -> None:
    """Every solution file a Markdown cell names (`solutions/….py`) exists."""
    for cell in read(name).cells:
        if cell.cell_type == "markdown":
            for target in re.findall(r"solutions/[\w.-]+\.py", cell.source):
                assert (NOTEBOOKS / target).is_file(), f"{name} names {target}"


def test_every_solution_is_used() -> None:
    """Every file in notebooks/solutions belongs to an exercise."""
    used = {e.solution.name for name in LESSONS for e in exercises(read(name))}
    present = {path.name for path in (NOTEBOOKS / "solutions").glob("*.py")}
    assert present == used


def test_exercise_list_matches_chapters() -> None:
    """notebooks/EXERCISES.md lists exactly the checks the chapters call."""
    listed = set(re.findall(r"`(\w+)\([^`]*\)`: ✓", (NOTEBOOKS / "EXERCISES.md").read_text()))
    called = {e.check for name in LESSONS for e in exercises(read(name))}
    assert listed == called


@pytest.mark.parametrize("name", CHAPTERS)
def test_links_between_chapters(name: str) -> None:
    """Links to other notebooks point at notebooks that exist."""
    for cell in tagged_markdown(name):
        for match in LINK.finditer(cell.source):
            assert (NOTEBOOKS / match["target"]).is_file(), match["target"]


def tagged_markdown(name: str) -> list:
    return [cell for cell in read(name).cells if cell.cell_type == "markdown"]


def test_index_lists_every_chapter() -> None:
    """The index links every chapter, in reading order."""
    index = "\n".join(cell.source for cell in tagged_markdown("00-index"))
    linked = [m["target"].removesuffix(".ipynb") for m in LINK.finditer(index)]
    assert [name for name in dict.fromkeys(linked) if name in LESSONS] == LESSONS


def test_notebooks_match_their_sources() -> None:
    """Each notebook's cells are what tools/chapters/<name>.md builds."""
    build = ROOT / "tools" / "build_notebooks.py"
    result = subprocess.run(
        [sys.executable, str(build), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_spelling() -> None:
    """codespell finds nothing in the notebooks, their sources and the docs."""
    targets = [NOTEBOOKS, ROOT / "tools" / "chapters", *sorted(ROOT.glob("*.md"))]
    # Run from the root so that codespell reads its settings from pyproject.toml.
    result = subprocess.run(
        [sys.executable, "-m", "codespell_lib", *(str(t.relative_to(ROOT)) for t in targets)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


SETUP_CALLS = re.compile(r"\b(course_server|course_setup|story_so_far|Roster)\(")


@pytest.mark.parametrize("name", CHAPTERS)
def test_setup_cells_are_one_call_each(name: str) -> None:
    """Cells that connect or replay the story stay short: their logic lives in scim_helper."""
    for index, cell in enumerate(read(name).cells):
        if cell.cell_type != "code" or not SETUP_CALLS.search(cell.source):
            continue
        lines = [line for line in cell.source.splitlines() if line.strip()]
        assert len(lines) <= 15, f"cell {index} has {len(lines)} lines of setup"


@pytest.mark.parametrize("name", LESSONS)
def test_minutes_and_recap(name: str) -> None:
    """Each chapter says how long it takes and ends with a recap, for instructors and learners."""
    text = "\n".join(cell.source for cell in tagged_markdown(name))
    assert re.search(r"\*About \d+ minutes\.\*", text)
    assert "## Recap" in text
