"""Every chapter runs, shows what its stored outputs show, and its exercises can be solved."""

from __future__ import annotations

import json

import pytest

from scim_helper.chapters import course_environment, error_outputs, execute

from .course import (
    CHAPTERS,
    LESSONS,
    NOTEBOOKS,
    exercises,
    output_differences,
    output_text,
    read,
    solved,
)

pytestmark = pytest.mark.notebooks


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_runs_without_errors(chapter_run, name: str) -> None:
    """Executed with papermill against a fresh tenant, the chapter has no error output."""
    executed, _token = chapter_run(name)
    assert error_outputs(executed) == []


@pytest.mark.parametrize("name", CHAPTERS)
def test_outputs_match_stored(chapter_run, name: str) -> None:
    """A fresh run shows what the committed notebook shows, once nbval's sanitizing is applied."""
    executed, _token = chapter_run(name)
    differences = output_differences(read(name), executed)
    assert not differences, "\n\n".join(differences)


@pytest.mark.parametrize("name", CHAPTERS)
def test_token_never_shown(chapter_run, name: str) -> None:
    """The bearer token the kernel got from the environment appears nowhere in the notebook."""
    executed, token = chapter_run(name)
    assert token not in json.dumps(executed)


@pytest.mark.parametrize("name", LESSONS)
def test_checks_give_hints_before_the_exercise(chapter_run, name: str) -> None:
    """Run as committed (exercises untouched), every check answers with a hint."""
    executed, _token = chapter_run(name)
    for exercise in exercises(read(name)):
        shown = output_text(executed.cells[exercise.check_index])
        assert shown.startswith("Hint:"), f"{exercise.check}: {shown!r}"


@pytest.mark.parametrize("name", LESSONS)
def test_solutions_turn_checks_to_ticks(chapter_run, name: str) -> None:
    """With every exercise cell replaced by its %load solution, every check answers ✓."""
    executed, _token = chapter_run(name, True)
    assert error_outputs(executed) == []
    for exercise in exercises(read(name)):
        shown = output_text(executed.cells[exercise.check_index])
        assert shown.startswith("✓"), f"{exercise.check} after {exercise.solution.name}: {shown!r}"


@pytest.mark.parametrize("name", LESSONS)
def test_chapter_runs_twice_in_a_row(local_server, name: str) -> None:
    """Solved and run twice in the same tenant, a chapter still runs cleanly the second time."""
    token, _tenant = local_server.store.mint_token()
    with course_environment(local_server.url, token):
        execute(solved(read(name)), cwd=NOTEBOOKS)
        again = execute(solved(read(name)), cwd=NOTEBOOKS)
    assert error_outputs(again) == []
