"""The roster: read from CSV or JSON, and refused whole, every problem listed by line."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from pathlib import Path

import pytest

from sync_app.sync import COLUMNS, RosterError, load_roster

from .conftest import person


def write_csv(path: Path, rows: list[dict[str, str]], header: list[str] | None = None) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header or list(COLUMNS), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_csv_roster_is_read_with_groups_and_active(tmp_path: Path) -> None:
    """A CSV row becomes a Person: active parsed, groups split on ';', blanks dropped."""
    rows = [person("E1", "pam", groups="Sales; Reception;", active="false")]
    roster = load_roster(write_csv(tmp_path / "r.csv", rows))
    (pam,) = roster.people
    assert (pam.employee_id, pam.user_name, pam.active) == ("E1", "pam", False)
    assert pam.groups == ("Sales", "Reception")
    assert pam.where == "line 2"


def test_json_roster_is_read_like_csv(tmp_path: Path) -> None:
    """A JSON list of objects with the same keys reads the same as the CSV."""
    rows = [person("E1", "pam", groups="Sales"), person("E2", "jim", manager_id="E1")]
    path = tmp_path / "r.json"
    path.write_text(json.dumps(rows))
    from_json = load_roster(path).people
    from_csv = load_roster(write_csv(tmp_path / "r.csv", rows)).people
    assert [replace(p, where="") for p in from_json] == [replace(p, where="") for p in from_csv]
    assert [p.where for p in from_json] == ["entry 1", "entry 2"]


def test_missing_column_is_refused_naming_it(tmp_path: Path) -> None:
    """A header without a column is refused, and the message names the column."""
    header = [c for c in COLUMNS if c != "manager_id"]
    path = write_csv(tmp_path / "r.csv", [person("E1", "pam")], header=header)
    with pytest.raises(RosterError) as caught:
        load_roster(path)
    assert caught.value.problems == ["line 1: missing column manager_id"]
    assert "nothing was sent" in str(caught.value)


def test_every_problem_is_listed_by_line(tmp_path: Path) -> None:
    """Duplicate employee_id and user_name, unknown manager, bad active: all listed at once."""
    rows = [
        person("E1", "pam"),
        person("E1", "jim"),
        person("E3", "PAM"),
        person("E4", "dwight", manager_id="E99"),
        person("E5", "andy", active="yes"),
        person("", "kevin"),
    ]
    with pytest.raises(RosterError) as caught:
        load_roster(write_csv(tmp_path / "r.csv", rows))
    problems = caught.value.problems
    assert sorted(problems) == sorted(
        [
            "line 3: duplicate employee_id 'E1' (also on line 2)",
            "line 4: duplicate user_name 'PAM' (also on line 2)",
            "line 5: manager_id 'E99' is not the employee_id of anyone in the roster",
            "line 6: active is 'yes'; write true or false",
            "line 7: employee_id is empty",
        ]
    )
    assert all(p in str(caught.value) for p in problems)


def test_json_entries_are_named_by_position(tmp_path: Path) -> None:
    """In JSON, a problem names the entry (1-based), and a missing key is reported per entry."""
    rows: list[dict[str, str]] = [person("E1", "pam"), person("E2", "jim")]
    del rows[1]["groups"]
    path = tmp_path / "r.json"
    path.write_text(json.dumps(rows))
    with pytest.raises(RosterError) as caught:
        load_roster(path)
    assert caught.value.problems == ["entry 2: missing column groups"]
