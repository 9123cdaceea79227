"""The test users and group a run creates, with names marked as the run's own, and the reads
both profiles send to see them afterwards."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sync_app.scim.urns import GROUP, USER

from .step import Probe, Reply, Request, member_ids, patch, resource_of

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


# -- changing and reading them back: the requests and probes both profiles send ----------------


def read_user(run: Run) -> Request:
    return Request("GET", f"/Users/{run.need('user id')}")


def read_group(run: Run) -> Request:
    return Request("GET", f"/Groups/{run.need('group id')}")


def patch_user(run: Run, *operations: dict[str, Any]) -> Request:
    """A PATCH of the run's user with these operations."""
    return Request("PATCH", f"/Users/{run.need('user id')}", body=patch(*operations))


def patch_group(run: Run, *operations: dict[str, Any]) -> Request:
    """A PATCH of the run's group with these operations."""
    return Request("PATCH", f"/Groups/{run.need('group id')}", body=patch(*operations))


def user_has(description: str, test: Callable[[Run, dict[str, Any]], str | None]) -> Probe:
    """A read of the user that passes when ``test`` finds nothing wrong with it."""

    def check(run: Run, reply: Reply) -> str | None:
        resource, problem = resource_of(reply)
        if problem:
            return problem
        return test(run, resource)

    return Probe(read_user, check, description)


def members_are(*labels: str) -> Probe:
    """A read of the group that passes when its members are exactly these users."""

    def check(run: Run, reply: Reply) -> str | None:
        resource, problem = resource_of(reply)
        if problem:
            return problem
        wanted = {str(run.ids.get(f"{label} id")) for label in labels}
        got = member_ids(resource)
        return None if got == wanted else f"members are {sorted(got)}, expected {sorted(wanted)}"

    return Probe(read_group, check, f"the group's members are exactly {' and '.join(labels)}")


def group_created(run: Run, reply: Reply) -> str | None:
    """The group came back with 201 and an id, remembered for the later steps."""
    resource, problem = resource_of(reply, 201)
    if problem:
        return problem
    run.ids["group id"] = resource["id"]
    return None


def renamed(run: Run, reply: Reply) -> str | None:
    """The group carries the new displayName."""
    resource, problem = resource_of(reply)
    if problem:
        return problem
    wanted = group_name(run, "sales-renamed")
    got = resource.get("displayName")
    return None if got == wanted else f"displayName is {got!r}, expected {wanted!r}"
