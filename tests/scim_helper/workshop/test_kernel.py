"""Progress reported by real checks from a real kernel: chapter 01, solved, on a workshop."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import requests

from scim_helper.chapters import course_environment, error_outputs, execute
from scim_helper.workshop import reporter
from tests.fixtures.workshop import WorkshopServer, prepare_room
from tests.notebooks.course import NOTEBOOKS, read, solved

pytestmark = pytest.mark.notebooks


def test_a_learners_kernel_reports_every_check_of_the_chapter(tmp_path: Path) -> None:
    """Chapter 01 run solved in a kernel pointed at the workshop: both its exercises show ✓
    for that learner, and the other learner has nothing."""
    db = str(tmp_path / "room.db")
    room = prepare_room(db, ["pam", "jim"], tmp_path / "tokens.csv")
    assert os.environ.get(reporter.PROGRESS_ENV, "on") != "off"
    with WorkshopServer(db) as server:
        with course_environment(server.url, room.learners["pam"]):
            executed = execute(solved(read("01-welcome")), cwd=NOTEBOOKS)
        assert error_outputs(executed) == []
        progress = {}
        for name in ("pam", "jim"):
            headers = {"Authorization": f"Bearer {room.learners[name]}"}
            answer = requests.get(f"{server.url}/Workshop", headers=headers, timeout=30)
            progress[name] = {e["exercise"]: e["outcome"] for e in answer.json()["progress"]}
    assert progress["pam"] == {
        "01-welcome/welcome_bulk_limit": "pass",
        "01-welcome/welcome_missing_user": "pass",
    }
    assert progress["jim"] == {}
