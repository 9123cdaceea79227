"""The HR roster: the source of truth a sync reads, checked whole before anything is sent.

A roster is a CSV file with exactly the header of :data:`COLUMNS`, or a JSON list of objects
with the same keys. Every problem is found and listed by line (CSV) or entry (JSON); a roster
with any problem is refused as a whole, because half a roster would deactivate the other half.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sync_app.errors import ValidationError

__all__ = ["COLUMNS", "Person", "Roster", "RosterError", "load_roster"]

#: The roster's header, in order.
COLUMNS = (
    "employee_id",
    "user_name",
    "given_name",
    "family_name",
    "email",
    "title",
    "department",
    "division",
    "manager_id",
    "active",
    "groups",
)
_REQUIRED = ("employee_id", "user_name")
_BOOLEANS = {"true": True, "false": False}


@dataclass(frozen=True, slots=True)
class Person:
    """One row of the roster: one person as HR knows them."""

    employee_id: str
    user_name: str
    given_name: str = ""
    family_name: str = ""
    email: str = ""
    title: str = ""
    department: str = ""
    division: str = ""
    #: Another row's employee_id, or "".
    manager_id: str = ""
    active: bool = True
    #: Group displayNames, in the roster's order.
    groups: tuple[str, ...] = ()
    #: Where the row is: "line 3" (CSV) or "entry 2" (JSON).
    where: str = ""


@dataclass(frozen=True)
class Roster:
    """The people of one export, checked: unique ids and userNames, known managers."""

    people: tuple[Person, ...]
    #: Where it was read from, for messages.
    origin: str = "roster"
    by_id: dict[str, Person] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {p.employee_id: p for p in self.people})

    @property
    def group_names(self) -> list[str]:
        """Every group named in the roster, each once, in order of first mention."""
        return list(dict.fromkeys(name for p in self.people for name in p.groups))

    def __len__(self) -> int:
        return len(self.people)

    def __repr__(self) -> str:
        return f"<Roster {self.origin}: {len(self.people)} people, {len(self.group_names)} groups>"


class RosterError(ValidationError):
    """The roster has problems; nothing was sent. ``problems`` lists each, by line."""

    def __init__(self, origin: str, problems: list[str]) -> None:
        listed = "\n".join(f"  - {p}" for p in problems)
        count = len(problems)
        super().__init__(
            f"The roster {origin} has {count} problem{'' if count == 1 else 's'}, so nothing "
            f"was sent. Fix the export and run again:\n{listed}",
            model="Roster",
        )
        self.problems = problems


def load_roster(source: str | Path | Iterable[Mapping[str, Any]]) -> Roster:
    """Read and check a roster: a ``.csv`` or ``.json`` path, or a list of row dicts.

    Raises :class:`RosterError` listing every problem when there is any.
    """
    if isinstance(source, str | Path):
        path = Path(source)
        origin = str(path)
        if not path.is_file():
            raise RosterError(origin, [f"{origin}: no such file"])
        if path.suffix.lower() == ".json":
            rows, problems = _json_rows(path)
            people, more = _people(rows)
        else:
            people, more = _csv_people(path)
            problems = []
    else:
        origin = "given as a list"
        problems = []
        people, more = _people((f"entry {i}", r) for i, r in enumerate(source, 1))
    problems += more
    if problems:
        raise RosterError(origin, problems)
    return Roster(people=tuple(people), origin=origin)


def _csv_people(path: Path) -> tuple[list[Person], list[str]]:
    """The people of a CSV file, read row by row: 100,000 rows never sit in memory as dicts
    next to the people made from them."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = list(reader.fieldnames or [])
        problems = _header_problems(header, "line 1")
        if problems:
            return [], problems
        return _people((f"line {reader.line_num}", row) for row in reader)


def _json_rows(path: Path) -> tuple[list[tuple[str, dict[str, Any]]], list[str]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        return [], [f"{path}: not valid JSON ({exc})"]
    if not isinstance(data, list):
        return [], [f"{path}: a JSON roster is a list of objects, not a {type(data).__name__}"]
    rows: list[tuple[str, dict[str, Any]]] = []
    problems: list[str] = []
    for i, item in enumerate(data, 1):
        if not isinstance(item, dict):
            problems.append(f"entry {i}: not an object")
            continue
        problems += _header_problems(list(item), f"entry {i}")
        rows.append((f"entry {i}", item))
    return rows, problems


def _header_problems(keys: list[str], where: str) -> list[str]:
    missing = [c for c in COLUMNS if c not in keys]
    unknown = [k for k in keys if k not in COLUMNS]
    problems = []
    if missing:
        problems.append(
            f"{where}: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}"
        )
    if unknown:
        problems.append(
            f"{where}: unknown column{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(unknown)} (the header is {','.join(COLUMNS)})"
        )
    return problems


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


#: Columns whose values repeat from row to row (a few departments, titles, group names…):
#: one string object per distinct value rather than one per row.
_SHARED = frozenset({"given_name", "title", "department", "division"})


def _people(rows: Iterable[tuple[str, Mapping[str, Any]]]) -> tuple[list[Person], list[str]]:
    people: list[Person] = []
    problems: list[str] = []
    ids: dict[str, str] = {}
    names: dict[str, str] = {}
    for where, row in rows:
        if any(c not in row for c in COLUMNS):
            continue  # already reported as a missing column
        values = {c: _text(row[c]) for c in COLUMNS if c not in ("active", "groups")}
        for column in _SHARED:
            values[column] = sys.intern(values[column])
        for column in _REQUIRED:
            if not values[column]:
                problems.append(f"{where}: {column} is empty")
        raw_active = row["active"]
        active = (
            raw_active if isinstance(raw_active, bool) else _BOOLEANS.get(_text(raw_active).lower())
        )
        if active is None:
            problems.append(f"{where}: active is {_text(raw_active)!r}; write true or false")
        groups = row["groups"]
        if isinstance(groups, list):
            names_list = [_text(g) for g in groups]
        else:
            names_list = [_text(g) for g in _text(groups).split(";")]
        employee_id, user_name = values["employee_id"], values["user_name"]
        if employee_id:
            if employee_id in ids:
                problems.append(
                    f"{where}: duplicate employee_id {employee_id!r} (also on {ids[employee_id]})"
                )
            ids.setdefault(employee_id, where)
        # RFC 7643 §4.1.1: userName is unique and not case-exact, so "Pam" and "pam" collide.
        key = user_name.casefold()
        if key:
            if key in names:
                problems.append(
                    f"{where}: duplicate user_name {user_name!r} (also on {names[key]})"
                )
            names.setdefault(key, where)
        people.append(
            Person(
                **values,
                active=bool(active),
                groups=tuple(dict.fromkeys(sys.intern(g) for g in names_list if g)),
                where=where,
            )
        )
    for person in people:
        if person.manager_id and person.manager_id not in ids:
            problems.append(
                f"{person.where}: manager_id {person.manager_id!r} is not the employee_id of "
                "anyone in the roster"
            )
        elif person.manager_id and person.manager_id == person.employee_id:
            problems.append(f"{person.where}: manager_id is the person's own employee_id")
    return people, problems
