"""Recorded outputs hold a finished state: seeding the directory stores a summary, not a bar."""

from __future__ import annotations

import json
import re

import nbformat
import pytest

from scim_helper.chapters import course_environment, error_outputs, execute
from scim_helper.claims import claim_text
from scim_helper.server.runner import LocalServer

from .course import NOTEBOOKS

pytestmark = pytest.mark.notebooks

SEED = "from scim_helper import seed_directory\n\ndirectory = seed_directory(size=30)"


def test_a_recorded_seeding_run_stores_the_summary_not_a_frozen_bar(
    local_server: LocalServer,
) -> None:
    """Under papermill the bar's output is replaced by one finished line; a rerun says 0 added."""
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(SEED), nbformat.v4.new_code_cell(SEED)]
    )
    notebook.metadata["kernelspec"] = {"name": "python3", "language": "python"}
    token, _tenant = local_server.store.mint_token()
    with course_environment(local_server.url, token):
        executed = execute(notebook, cwd=NOTEBOOKS)
    assert error_outputs(executed) == []
    first, again = (claim_text(cell) for cell in executed.cells)
    stored = json.dumps([cell.outputs for cell in executed.cells])
    assert "0%" not in stored and "|" not in first  # no bar, frozen or finished
    assert "application/vnd.jupyter.widget-view+json" not in stored
    assert first == (
        "Loaded the Dunder Mifflin directory: 30 people at 1 branch (30 added, 0 already there)."
    )
    assert again.endswith("(0 added, 30 already there).")


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb")), ids=lambda p: p.stem)
def test_no_stored_chapter_holds_a_frozen_progress_bar(path: object) -> None:
    """A bar saved in a notebook keeps the text it had when first shown (0%): none is stored.

    (The chapters' other widgets, the explorer and the playgrounds, store a text of their own.)
    """
    notebook = nbformat.read(path, as_version=4)
    frozen = [
        output["data"]["text/plain"]
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if "application/vnd.jupyter.widget-view+json" in output.get("data", {})
        and re.search(r"\d+%\|", output["data"].get("text/plain", ""))
    ]
    assert frozen == []
