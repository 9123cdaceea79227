"""The whole course on servers it did not start, twice, leaving other people's data alone.

For each server — scim2-server (the independent reference server) and our own server outside
the sandbox (what ``scim-course serve`` is), each holding a stranger user and a stranger group
in the same tenant — the course runs three times in a row through ``run_course`` (what
``scim-course run --server-url`` does): solved (every exercise replaced by its ``%load``
solution), solved again, then as committed. Every chapter must pass every time, and after a final
``course_setup(reset=True)`` the strangers' whole resources (``meta.version`` and
``meta.lastModified`` included) must be exactly what they were before.

Slow (about a minute per server): ``pytest tests/notebooks -k portability``.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import pytest

from scim_helper.chapters import ChapterResult, run_course
from scim_helper.server.runner import DATA_DIR_ENV
from scim_helper.server.runner import LocalServer
from scim_helper.directory import EXTERNAL_ID_PREFIX as DIRECTORY_PREFIX
from scim_helper.setup import course_setup
from scim_helper.staff import GROUP_EXTERNAL_ID, staff
from scim_helper.tenant import Tenant
from sync_app.client import ClientConfiguration, SCIMClient
from tests.fixtures.peer import serve_peer
from tests.fixtures.strangers import create_strangers, snapshot

from .course import CHAPTERS, NOTEBOOKS, read, solved

pytestmark = [pytest.mark.notebooks, pytest.mark.timeout(1800)]

STAFF_MARKERS = {member.external_id for member in staff()}
#: The runs, in order: a name and whether exercises are solved.
RUNS = (("solved", True), ("solved again", True), ("as committed", False))


@dataclass
class CourseRuns:
    """What happened on one server: each run's chapter results, the strangers before and after."""

    server: str
    results: dict[str, list[ChapterResult]] = field(default_factory=dict)
    output: dict[str, str] = field(default_factory=dict)
    strangers_before: dict[str, Any] = field(default_factory=dict)
    strangers_after: dict[str, Any] = field(default_factory=dict)
    #: What failed outside the chapters (the final reset), as "step: error".
    errors: list[str] = field(default_factory=list)
    #: Users and groups left after the final reset that are neither the starting state, the
    #: directory nor the strangers: a chapter created them without the course's mark.
    leftovers: list[str] = field(default_factory=list)


def solved_notebooks(folder: Path) -> Path:
    """A copy of the chapters folder in which every exercise holds its solution."""
    target = folder / "solved"
    shutil.copytree(NOTEBOOKS, target)
    for name in CHAPTERS:
        nbformat.write(solved(read(name)), target / f"{name}.ipynb")
    return target


def run_everything(server: str, url: str, token: str, folder: Path) -> CourseRuns:
    runs = CourseRuns(server)
    folders = {True: solved_notebooks(folder), False: NOTEBOOKS}
    with SCIMClient(ClientConfiguration(server_url=url, auth_token=token)) as client:
        strangers = create_strangers(client)
        runs.strangers_before = snapshot(client, strangers)
        course_setup(token, server_url=url)
        for name, with_solutions in RUNS:
            out = io.StringIO()
            runs.results[name] = run_course(
                notebooks=folders[with_solutions], server_url=url, auth_token=token, out=out
            )
            runs.output[name] = out.getvalue()
        try:
            course_setup(token, server_url=url, reset=True)
        except Exception as error:  # reported by the tests below, with the chapters' results
            runs.errors.append(f"the final course_setup(reset=True): {error}")
        runs.strangers_after = snapshot(client, strangers)
        runs.leftovers = leftovers(client, set(runs.strangers_before))
    return runs


def leftovers(client: SCIMClient, strangers: set[str]) -> list[str]:
    """What is on the server beyond the starting state, the directory and the strangers."""
    tenant = Tenant(client)
    found = [
        f"user {u.get('userName')} (externalId {u.get('externalId')!r})"
        for u in tenant.users(attributes=["userName", "externalId"])
        if u["id"] not in strangers
        and u.get("externalId") not in STAFF_MARKERS
        and not str(u.get("externalId") or "").startswith(DIRECTORY_PREFIX)
    ]
    found += [
        f"group {g.get('displayName')} (externalId {g.get('externalId')!r})"
        for g in tenant.groups(attributes=["displayName", "externalId"])
        if g["id"] not in strangers and g.get("externalId") != GROUP_EXTERNAL_ID
    ]
    return found


@pytest.fixture(scope="module", params=["scim2-server", "course-server"])
def course_runs(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CourseRuns]:
    """The course run three times on one server holding strangers (cached per server)."""
    folder = tmp_path_factory.mktemp(f"portability-{request.param}")
    with pytest.MonkeyPatch.context() as patch:
        # Kernels must not find a sandbox record of the developer's own embedded server.
        patch.setenv(DATA_DIR_ENV, str(folder / "data"))
        for name in ("SCIM_SERVER_URL", "SCIM_AUTH_TOKEN"):
            patch.delenv(name, raising=False)
        if request.param == "scim2-server":
            with serve_peer() as peer:
                yield run_everything(request.param, peer.url, peer.token, folder)
        else:
            # A server the course did not start (as `scim-course serve` is), one tenant.
            with LocalServer(folder / "serve.db") as local:
                yield run_everything(request.param, local.url, local.token, folder)


def _failures(results: list[ChapterResult]) -> str:
    return "\n".join(r.line() for r in results if not r.ok)


@pytest.mark.parametrize("run", [name for name, _ in RUNS])
def test_portability_every_chapter_passes(course_runs: CourseRuns, run: str) -> None:
    """Each run of the course passes every chapter on this server (no stale state, no crash)."""
    results = course_runs.results[run]
    assert [r.name for r in results] == CHAPTERS
    assert all(r.ok for r in results), (
        f"{course_runs.server}, {run}:\n{_failures(results)}\n\n{course_runs.output[run]}"
    )


def test_portability_strangers_are_untouched(course_runs: CourseRuns) -> None:
    """Setup, every chapter three times and reset leave the strangers' resources exactly alike."""
    assert course_runs.strangers_after == course_runs.strangers_before


def test_portability_reset_after_the_course_succeeds(course_runs: CourseRuns) -> None:
    """After every chapter has run three times, reset still restores the starting state."""
    assert course_runs.errors == []


def test_portability_chapters_mark_what_they_create(course_runs: CourseRuns) -> None:
    """Nothing a chapter created outlives reset: everything it creates carries the course's mark."""
    assert course_runs.leftovers == []

