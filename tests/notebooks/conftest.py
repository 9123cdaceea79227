"""Chapter runs shared by the notebook tests: each chapter is executed at most once as committed
and once solved, each time in a fresh tenant of the session's local server."""

from __future__ import annotations

from collections.abc import Callable

import nbformat
import pytest

from scim_helper.chapters import course_environment, execute
from scim_helper.server.runner import LocalServer

from .course import NOTEBOOKS, read, solved

Run = tuple[nbformat.NotebookNode, str]


@pytest.fixture(scope="session")
def chapter_run(local_server: LocalServer) -> Callable[[str, bool], Run]:
    """``chapter_run(name, solved)`` → (executed notebook, the token it ran with), cached."""
    runs: dict[tuple[str, bool], Run] = {}

    def run(name: str, with_solutions: bool = False) -> Run:
        key = (name, with_solutions)
        if key not in runs:
            notebook = solved(read(name)) if with_solutions else read(name)
            token, _tenant = local_server.store.mint_token()
            with course_environment(local_server.url, token):
                runs[key] = (execute(notebook, cwd=NOTEBOOKS), token)
        return runs[key]

    return run
