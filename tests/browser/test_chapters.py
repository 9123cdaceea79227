"""Every chapter in JupyterLab as a learner meets it: Run All, read the page, solve an exercise.

For each chapter: Run → Run All Cells; no traceback or red stderr anywhere; the key cells show
what the story says; every widget is live; then one exercise the way the chapter tells learners
to do it (remove the ``# `` before ``%load``, run the cell to load the solution, run it again to
execute it, run the check) turns the check from a hint to ✓. A screenshot of the final page goes
to test-artifacts/browser/.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.browser.notebook import Lab, Notebook

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Chapter:
    notebook: str
    #: A fragment of a cell's source → text its output must show.
    shows: dict[str, str]
    #: The solution the learner loads (``solutions/<file>``), and the check cell it satisfies.
    solution: str | None = None
    check: str | None = None
    #: At least this many live widgets on the page after Run All.
    widgets: int = 0

    @property
    def name(self) -> str:
        return self.notebook.removesuffix(".ipynb")


CHAPTERS = [
    Chapter("00-index.ipynb", {"from scim_helper import course_server": "patch: yes"}),
    Chapter(
        "01-welcome.ipynb",
        {"from scim_helper import checks": "Dunder Mifflin Scranton has 15 people on the books."},
        solution="01-welcome-bulk-limit.py",
        check="checks.welcome_bulk_limit(",
    ),
    Chapter(
        "02-charles-joins.ipynb",
        {
            'path="members", value=[{"value": user_ids["Charles Miner"]': "16 members in Dunder",
            "post = [exchange for exchange in client.wire_log": "the uuid5 in the answer? no",
        },
        solution="02-charles-display-name.py",
        check="checks.charles_display_name(",
    ),
    Chapter(
        "03-michaels-last-day.ipynb",
        {
            "# Membership belongs to the group": "14 members left in Dunder Mifflin.",
            "bare_id_remove = PatchOp(": 'sent: members[value eq "<Michael\'s id>"]',
        },
        solution="03-michael-left-management.py",
        check="checks.michael_left_management(",
    ),
    Chapter(
        "04-paper-company.ipynb",
        {"# Pam and Ryan leave Dunder Mifflin": "12 people in Dunder Mifflin"},
        solution="04-scranton-sales.py",
        check="checks.scranton_sales(",
    ),
    Chapter(
        "05-finding-people.ipynb",
        {
            "directory = seed_directory(": "people in the directory",
            "# Look the group up by its name": "displayName: Dunder Mifflin",
        },
        solution="05-stamford-active-count.py",
        check="checks.stamford_active_count(",
        widgets=1,  # the directory seed's progress bar
    ),
    Chapter(
        "06-new-email-addresses.ipynb",
        {"add_home = PatchOp(": "prison.mike@example.com"},
        solution="06-pam-home-email.py",
        check="checks.pam_home_email(",
    ),
    Chapter(
        "07-when-things-go-wrong.ipynb",
        {"backup_dwight = User(": "scim_type uniqueness"},
        solution="07-caught-uniqueness.py",
        check="checks.caught_uniqueness(",
    ),
    Chapter(
        "08-bulk.ipynb",
        {"from sync_app.scim.messages import BulkOperation": "POST   Users   → 201"},
        solution="08-finer-things-club.py",
        check="checks.finer_things_club(",
    ),
    Chapter(
        "09-dunder-mifflin-infinity.ipynb",
        {'entra = infinity.validate("entra")': "not yet ready for Microsoft Entra ID"},
        solution="09-infinity-search.py",
        check="checks.infinity_search(",
    ),
    Chapter(
        "10-sabre.ipynb",
        {
            "plan = plan_sync(client, monday, source=SOURCE)": "10 created",
            'print("methods sent:"': "methods sent: ['GET']",
        },
        solution="10-sabre-gabe.py",
        check="checks.sabre_gabe(",
    ),
]


def solve_exercise(notebook: Notebook, solution: str, check_source: str) -> None:
    """Do what the chapter says: uncomment ``%load``, run twice, then run the check."""
    check = notebook.cell(check_source)
    hint = check.output_text()
    assert hint.startswith("Hint:"), f"before the solution the check shows a hint, not {hint!r}"

    exercise = notebook.cell(f"# %load solutions/{solution}")
    exercise.uncomment(f"%load solutions/{solution}")
    exercise.run()  # %load puts the solution into the cell ...
    loaded = exercise.info.source
    assert loaded.startswith(f"# %load solutions/{solution}\n"), loaded
    exercise.run()  # ... and running it again executes it
    notebook.assert_no_errors()

    check.run()
    done = check.output_text()
    assert done.startswith("✓"), f"after the solution the check shows ✓, not {done!r}"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda chapter: chapter.name)
def test_chapter_in_jupyterlab(lab: Lab, chapter: Chapter, browser_artifacts: Path) -> None:
    """Run All leaves no error on the page, key cells show the story, an exercise turns ✓."""
    notebook = lab.open(chapter.notebook)
    try:
        notebook.run_all(timeout=150)
        notebook.assert_no_errors()
        notebook.assert_widgets_rendered(minimum=chapter.widgets)
        for source, text in chapter.shows.items():
            output = notebook.cell(source).output_text()
            assert text in output, f"{chapter.name}: {source!r} should show {text!r}:\n{output}"
        if chapter.solution and chapter.check:
            solve_exercise(notebook, chapter.solution, chapter.check)
    finally:
        notebook.screenshot(browser_artifacts / f"{chapter.name}.png")
        notebook.close()
