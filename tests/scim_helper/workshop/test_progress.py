"""Progress on the server: what a report is, how it is counted, who is stuck, the CSV export."""

from __future__ import annotations

import csv
import io

import pytest
import requests

from scim_helper.server import progress
from scim_helper.server.workshop import room_csv
from tests.fixtures.local import LocalServer
from tests.scim_helper.workshop.conftest import Workshop

EXERCISE = "03-michaels-last-day/michael_deactivated"


def _mine(workshop: Workshop, name: str) -> dict[str, dict[str, object]]:
    answer = requests.get(
        f"{workshop.server.url}/Workshop", headers=workshop.learner(name), timeout=30
    )
    return {e["exercise"]: e for e in answer.json()["progress"]}


def _report(workshop: Workshop, name: str, **body: object) -> requests.Response:
    return requests.post(
        f"{workshop.server.url}/Workshop/Progress",
        json={"exercise": EXERCISE, **body},
        headers=workshop.learner(name),
        timeout=30,
    )


def test_every_response_says_this_is_a_workshop_server(workshop: Workshop) -> None:
    """The header the checks read is on SCIM answers, public ones and errors alike, once."""
    url = workshop.server.url
    for response in (
        requests.get(f"{url}/ServiceProviderConfig", timeout=30),
        requests.get(f"{url}/Users", headers=workshop.learner("cat"), timeout=30),
        requests.get(f"{url}/Users", timeout=30),  # 401
        requests.get(f"{url}/Nowhere", headers=workshop.learner("cat"), timeout=30),  # 404
        requests.delete(f"{url}/Users", headers=workshop.learner("cat"), timeout=30),  # 405
    ):
        # Sent twice, requests would join the two values with a comma.
        assert response.headers["scim-course-workshop"] == "/Workshop/Progress", (
            response.status_code
        )


def test_a_plain_server_does_not_say_it_is_a_workshop_server(local_server: LocalServer) -> None:
    """The checks report progress only where the header is: the course's own server has none."""
    for response in (
        requests.get(f"{local_server.url}/ServiceProviderConfig", timeout=30),
        requests.get(f"{local_server.url}/Users", timeout=30),  # 401
    ):
        assert "scim-course-workshop" not in response.headers


def test_hints_are_counted_and_a_pass_replaces_them(workshop: Workshop) -> None:
    """Three equal hints count same_hint 3; a different hint restarts it; a pass shows ✓."""
    for _ in range(3):
        assert _report(workshop, "cat", outcome="hint", hint="Still active.").status_code == 204
    entry = _mine(workshop, "cat")[EXERCISE]
    assert (entry["outcome"], entry["reports"], entry["same_hint"]) == ("hint", 3, 3)
    _report(workshop, "cat", outcome="hint", hint="Something else.")
    assert _mine(workshop, "cat")[EXERCISE]["same_hint"] == 1
    _report(workshop, "cat", outcome="pass", hint=None, seconds=0.25)
    entry = _mine(workshop, "cat")[EXERCISE]
    assert (entry["outcome"], entry["reports"], entry["same_hint"]) == ("pass", 5, 0)
    assert entry["hint"] is None and entry["seconds"] == 0.25 and entry["passed_at"]


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"exercise": "x", "outcome": "maybe"}, "'outcome' must be"),
        ({"exercise": "no spaces please", "outcome": "pass"}, "'exercise' must be"),
        ({"outcome": "pass"}, "'exercise' must be"),
        ({"exercise": "x", "outcome": "hint", "seconds": -1}, "'seconds' must be"),
        ([1, 2], "is a JSON object"),
    ],
)
def test_rfc7644_3_12_a_malformed_report_is_a_400_saying_what_is_wrong(
    workshop: Workshop, body: object, detail: str
) -> None:
    response = requests.post(
        f"{workshop.server.url}/Workshop/Progress",
        json=body,
        headers=workshop.learner("cat"),
        timeout=30,
    )
    assert response.status_code == 400
    error = response.json()
    assert error["scimType"] == "invalidValue" and detail in error["detail"]


def test_a_learner_reports_at_most_max_exercises_distinct_exercises(workshop: Workshop) -> None:
    """Exactly at the limit a new exercise is refused (400); one already reported still counts."""
    url = f"{workshop.server.url}/Workshop/Progress"
    with requests.Session() as session:
        session.headers.update(workshop.learner("bob"))
        for n in range(progress.MAX_EXERCISES):
            sent = session.post(url, json={"exercise": f"e{n}", "outcome": "pass"}, timeout=30)
            assert sent.status_code == 204, n
        refused = session.post(url, json={"exercise": "one-more", "outcome": "pass"}, timeout=30)
        again = session.post(
            url, json={"exercise": "e0", "outcome": "hint", "hint": "h"}, timeout=30
        )
    assert refused.status_code == 400 and refused.json()["scimType"] == "invalidValue"
    assert f"reported {progress.MAX_EXERCISES} different exercises" in refused.json()["detail"]
    assert again.status_code == 204
    mine = _mine(workshop, "bob")
    assert len(mine) == progress.MAX_EXERCISES and "one-more" not in mine
    assert mine["e0"]["outcome"] == "hint"
    assert _report(workshop, "cat", exercise="one-more", outcome="pass").status_code == 204


def test_a_report_without_a_token_is_401(workshop: Workshop) -> None:
    response = requests.post(
        f"{workshop.server.url}/Workshop/Progress",
        json={"exercise": "x", "outcome": "pass"},
        timeout=30,
    )
    assert response.status_code == 401


def _entry(**values: object) -> dict[str, object]:
    base: dict[str, object] = {"exercise": "e", "outcome": "hint", "same_hint": 1}
    return {**base, "first_at": 0.0, "updated_at": 0.0, "passed_at": None, **values}


def test_stuck_same_hint_three_times() -> None:
    assert progress.stuck([_entry(same_hint=3)], at=1.0) == "the same hint 3 times on e"
    assert progress.stuck([_entry(same_hint=2)], at=1.0) is None


def test_stuck_no_pass_for_ten_minutes_while_a_hint_is_open() -> None:
    """Quiet since the last ✓ (or the first check) for QUIET_MINUTES, with a hint open."""
    minutes = progress.QUIET_MINUTES
    passed = _entry(exercise="a", outcome="pass", passed_at=100.0, same_hint=0)
    open_hint = _entry(exercise="b", first_at=100.0)
    assert progress.stuck([passed, open_hint], at=100 + minutes * 60 - 1) is None
    assert progress.stuck([passed, open_hint], at=100 + minutes * 60) == (
        f"no ✓ for {minutes} minutes"
    )
    assert progress.stuck([passed], at=10_000.0) is None, "all passed: not stuck"
    assert progress.stuck([open_hint], at=100 + minutes * 60) is not None


def test_csv_export_has_a_row_per_learner_and_exercise_and_no_formulas() -> None:
    room = {
        "exercises": ["a"],
        "learners": [
            {
                "name": "ann",
                "progress": {"a": {**_entry(exercise="a", hint="=HYPERLINK(1)"), "reports": 2}},
                "stuck": None,
            },
            {"name": "bob", "progress": {}, "stuck": None},
        ],
    }
    rows = list(csv.reader(io.StringIO(room_csv(room))))
    assert rows[0][:3] == ["learner", "exercise", "outcome"]
    assert [row[:3] for row in rows[1:]] == [["ann", "a", "hint"], ["bob", "", ""]]
    assert rows[1][5] == "'=HYPERLINK(1)"


def test_instructor_csv_export_over_http(workshop: Workshop) -> None:
    _report(workshop, "ann", outcome="pass")
    response = requests.get(
        f"{workshop.server.root}/workshop/progress.csv", headers=workshop.instructor, timeout=30
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {"learner": "ann", "exercise": EXERCISE, "outcome": "pass"}.items() <= rows[0].items()
    assert {row["learner"] for row in rows} == {"ann", "bob", "cat"}
