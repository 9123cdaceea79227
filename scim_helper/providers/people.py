"""The test users and group a run creates, with names marked as the run's own."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sync_app.scim.urns import GROUP, USER

if TYPE_CHECKING:
    from .run import Run

PEOPLE = {"dwight": ("Dwight", "Schrute"), "jim": ("Jim", "Halpert")}


def user_name(run: Run, label: str) -> str:
    """This run's userName for ``label``, the same on every call."""
    key = f"userName:{label}"
    if key not in run.ids:
        run.ids[key] = run.user_name(label)
    return str(run.ids[key])


def group_name(run: Run, label: str = "sales") -> str:
    """This run's group displayName for ``label``, the same on every call."""
    key = f"displayName:{label}"
    if key not in run.ids:
        run.ids[key] = run.group_name(label)
    return str(run.ids[key])


def work_email(run: Run, label: str, version: int = 1) -> str:
    return f"{run.name(label)}.{version}@dundermifflin.example"


def user_body(run: Run, label: str, **extra: Any) -> dict[str, Any]:
    """A User as a provider creates it: externalId, active, a primary work email."""
    given, family = PEOPLE[label]
    body: dict[str, Any] = {
        "schemas": [USER],
        "externalId": run.name(label),
        "userName": user_name(run, label),
        "active": True,
        "displayName": f"{given} {family}",
        "name": {"givenName": given, "familyName": family},
        "emails": [{"primary": True, "type": "work", "value": work_email(run, label)}],
    }
    body.update(extra)
    return body


def group_body(run: Run, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"schemas": [GROUP], "displayName": group_name(run)}
    body.update(extra)
    return body
