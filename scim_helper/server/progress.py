"""Learners' progress per exercise, as their checks report it: outcome, hint, counts, times.

Nothing else is kept: no code, no request, no data of the learner's tenant. One row per
(tenant, exercise), updated by one atomic upsert, so reports arriving at once on several
server processes are all counted (``reports``) and none is lost.

Who is stuck (our rule, stated on the instructor's page): the same hint :data:`SAME_HINT`
times in a row on an exercise not yet passed, or a hint still open and no ✓ for
:data:`QUIET_MINUTES` minutes (since the last ✓, or the first check if none).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

from scim2_models import InvalidValueException
from sqlalchemy import Connection, case, func, select
from sqlalchemy.dialects import postgresql, sqlite

from .db import learner_table, progress_table

SAME_HINT = 3
QUIET_MINUTES = 10
# Our limit: the course has a few dozen exercises; a learner's token cannot fill the database
# with made-up exercise ids beyond this many.
MAX_EXERCISES = 200
_EXERCISE = re.compile(r"[A-Za-z0-9_.:/-]{1,128}")
_HINT_MAX = 1000


@dataclass(frozen=True)
class Report:
    """One check's outcome, as a learner's check sends it."""

    exercise: str
    outcome: str  # "pass" | "hint"
    hint: str | None
    seconds: float | None

    @classmethod
    def parse(cls, body: Any) -> Report:
        """A report from a JSON body, or a SCIM 400 saying what is wrong with it."""
        if not isinstance(body, dict):
            raise InvalidValueException(
                detail='A progress report is a JSON object: {"exercise": "...", '
                '"outcome": "pass" or "hint", "hint": "...", "seconds": 1.2}.'
            )
        exercise, outcome = body.get("exercise"), body.get("outcome")
        if not isinstance(exercise, str) or not _EXERCISE.fullmatch(exercise):
            raise InvalidValueException(
                detail="'exercise' must be an exercise id (letters, digits, _ . : / -, "
                "at most 128 characters), such as '02-charles-joins/charles_joined'."
            )
        if outcome not in ("pass", "hint"):
            raise InvalidValueException(detail='\'outcome\' must be "pass" or "hint".')
        hint = body.get("hint")
        if hint is not None and not isinstance(hint, str):
            raise InvalidValueException(detail="'hint' must be a string or null.")
        seconds = body.get("seconds")
        if seconds is not None and (
            isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0
        ):
            raise InvalidValueException(detail="'seconds' must be a non-negative number.")
        return cls(
            exercise=exercise,
            outcome=outcome,
            hint=hint[:_HINT_MAX] if outcome == "hint" and hint else None,
            seconds=float(seconds) if seconds is not None else None,
        )


def record(conn: Connection, tenant: str, report: Report, stamp: float | None = None) -> None:
    """Count ``report`` for ``tenant``: one atomic INSERT … ON CONFLICT DO UPDATE.

    A report of an exercise the learner has not reported before is refused (400) once the
    learner has :data:`MAX_EXERCISES` of them.
    """
    at = time.time() if stamp is None else stamp
    table = progress_table
    mine = table.c.tenant == tenant
    known = conn.execute(select(table.c.exercise).where(mine, table.c.exercise == report.exercise))
    if known.first() is None:
        count = conn.execute(select(func.count()).select_from(table).where(mine)).scalar_one()
        if count >= MAX_EXERCISES:
            raise InvalidValueException(
                detail=f"This learner has reported {count} different exercises, the most this "
                "workshop server keeps; reports of those exercises are still counted."
            )
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(
        tenant=tenant,
        exercise=report.exercise,
        outcome=report.outcome,
        hint=report.hint,
        seconds=report.seconds,
        reports=1,
        same_hint=1 if report.outcome == "hint" else 0,
        first_at=at,
        updated_at=at,
        passed_at=at if report.outcome == "pass" else None,
    )
    new = statement.excluded
    repeated = (new.outcome == "hint") & (table.c.outcome == "hint") & (table.c.hint == new.hint)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.tenant, table.c.exercise],
        set_={
            "outcome": new.outcome,
            "hint": new.hint,
            "seconds": new.seconds,
            "reports": table.c.reports + 1,
            "same_hint": case(
                (repeated, table.c.same_hint + 1),
                (new.outcome == "hint", 1),
                else_=0,
            ),
            "updated_at": new.updated_at,
            "passed_at": case(
                (new.outcome == "pass", new.updated_at),
                else_=table.c.passed_at,
            ),
        },
    )
    conn.execute(statement)


_COLUMNS = (
    progress_table.c.exercise,
    progress_table.c.outcome,
    progress_table.c.hint,
    progress_table.c.seconds,
    progress_table.c.reports,
    progress_table.c.same_hint,
    progress_table.c.first_at,
    progress_table.c.updated_at,
    progress_table.c.passed_at,
)


def _entry(row: Any) -> dict[str, Any]:
    return {column.name: row._mapping[column.name] for column in _COLUMNS}


def of_tenant(conn: Connection, tenant: str) -> list[dict[str, Any]]:
    """One learner's progress, exercise by exercise (the learner's own view)."""
    rows = conn.execute(
        select(*_COLUMNS)
        .where(progress_table.c.tenant == tenant)
        .order_by(progress_table.c.exercise)
    )
    return [_entry(row) for row in rows]


def stuck(entries: list[dict[str, Any]], at: float) -> str | None:
    """Why a learner looks stuck (see the module's rule), or None."""
    for entry in entries:
        if entry["outcome"] == "hint" and entry["same_hint"] >= SAME_HINT:
            return f"the same hint {entry['same_hint']} times on {entry['exercise']}"
    open_hints = [e for e in entries if e["outcome"] == "hint"]
    if not open_hints:
        return None
    passes = [e["passed_at"] for e in entries if e["passed_at"] is not None]
    since = max(passes) if passes else min(e["first_at"] for e in entries)
    quiet = (at - since) / 60
    if quiet >= QUIET_MINUTES:
        return f"no ✓ for {int(quiet)} minutes"
    return None


def room(conn: Connection, at: float | None = None) -> dict[str, Any]:
    """Every learner's progress, for the instructor: exercises, learners, who is stuck."""
    now = time.time() if at is None else at
    names = dict(conn.execute(select(learner_table.c.tenant, learner_table.c.name)).tuples().all())
    by_learner: dict[str, list[dict[str, Any]]] = {name: [] for name in names.values()}
    first_seen: dict[str, float] = {}
    rows = conn.execute(select(progress_table.c.tenant, *_COLUMNS))
    for row in rows:
        name = names.get(row.tenant)
        if name is None:  # a tenant outside the room (a token minted by hand): not shown
            continue
        entry = _entry(row)
        by_learner[name].append(entry)
        seen = first_seen.get(entry["exercise"])
        first_seen[entry["exercise"]] = min(entry["first_at"], seen or entry["first_at"])
    exercises = sorted(first_seen, key=lambda e: (e.partition("/")[0], first_seen[e], e))
    learners = [
        {
            "name": name,
            "progress": {e["exercise"]: e for e in by_learner[name]},
            "passed": sum(1 for e in by_learner[name] if e["outcome"] == "pass"),
            "stuck": stuck(by_learner[name], now),
            "last_at": max((e["updated_at"] for e in by_learner[name]), default=None),
        }
        for name in sorted(by_learner)
    ]
    return {
        "exercises": exercises,
        "learners": learners,
        "rules": {"same_hint": SAME_HINT, "quiet_minutes": QUIET_MINUTES},
        "at": now,
    }
