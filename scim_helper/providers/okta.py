"""What Okta sends to an app: import and lookup, create, deactivate, Push Groups, wizard updates.

Okta never deletes a user (Okta Developer, "SCIM 2.0 Protocol Reference", "Delete Users"): this
profile has no user DELETE; the run's cleanup deletes its test users afterwards. Integrations
built with Okta's App Integration Wizard update a user by GET then PUT ("Update a specific User
(PUT)"); OIN integrations use the path-less PATCH for (de)activation. Both are replayed.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

from . import citations as cite
from .people import (
    group_body,
    group_created,
    group_name,
    members_are,
    patch_group,
    patch_user,
    read_group,
    read_user,
    renamed,
    user_body,
    user_has,
    user_name,
)
from .run import Run
from .step import (
    Probe,
    Reply,
    Request,
    Step,
    eq,
    error_body,
    gone,
    list_of,
    patched,
    resource_of,
    status_is,
)

_PAGE = {"startIndex": "1", "count": "100"}
_INTEGERS = "totalResults, startIndex and itemsPerPage as integers"


def _lookup(run: Run, label: str, *, upper: bool = False) -> Request:
    name = user_name(run, label)
    return Request(
        "GET", "/Users", {"filter": eq("userName", name.upper() if upper else name), **_PAGE}
    )


def _not_found(run: Run, reply: Reply) -> str | None:
    if reply.status == 404:
        return error_body(reply)  # Okta accepts a 404 with the error schema, too
    resources, problem = list_of(reply, integers=True)
    if problem:
        return problem
    if resources or reply.body.get("totalResults") != 0:
        return f"totalResults is {reply.body.get('totalResults')!r}, expected 0"
    return None


def _created(key: str, label: str):  # type: ignore[no-untyped-def]
    def check(run: Run, reply: Reply) -> str | None:
        if reply.status == 201 and not reply.text.strip():
            return "201 with an empty body; Okta marks the operation as invalid"
        resource, problem = resource_of(reply, 201)
        if problem:
            return problem
        run.ids[key] = resource["id"]
        return None

    return check


def _found(run: Run, reply: Reply) -> str | None:
    resources, problem = list_of(reply, integers=True)
    if problem:
        return problem
    ids = [r.get("id") for r in resources]
    if "user id" not in run.ids:
        return f"found {ids}, but the create step gave no id to compare with"
    if ids != [run.ids["user id"]]:
        return f"found {ids}, expected only {run.ids['user id']}"
    return None


def _duplicate(run: Run, reply: Reply) -> str | None:
    if reply.status != 409:
        return f"the status is {reply.status}, not 409"
    return error_body(reply)


def _first_page(run: Run, reply: Reply) -> str | None:
    resources, problem = list_of(reply, integers=True)
    if problem:
        return problem
    run.ids["page"] = [r.get("id") for r in resources]
    if len(resources) < 2:
        return f"a page of {len(resources)} user(s), but this run created two"
    return None


def _second_of_page(run: Run, reply: Reply) -> str | None:
    resources, problem = list_of(reply, integers=True)
    if problem:
        return problem
    wanted = run.ids["page"][1]
    got = [r.get("id") for r in resources]
    if got != [wanted]:
        return f"startIndex=2&count=1 gave {got}, but the second of the first page was {wanted}"
    return None


def _kept_user(run: Run, reply: Reply) -> str | None:
    resource, problem = resource_of(reply)
    if problem:
        return problem
    run.ids["user as read"] = resource
    return None


def _put_body(run: Run) -> Request:
    body = copy.deepcopy(run.need("user as read"))
    body.setdefault("name", {})["givenName"] = "Dwight Kurt"
    return Request("PUT", f"/Users/{run.need('user id')}", body=body)


def _given(run: Run, resource: dict[str, Any]) -> str | None:
    got = (resource.get("name") or {}).get("givenName")
    return None if got == "Dwight Kurt" else f"givenName is {got!r}, expected 'Dwight Kurt'"


def _active(value: bool) -> Callable[[Run, dict[str, Any]], str | None]:
    def test(run: Run, resource: dict[str, Any]) -> str | None:
        got = resource.get("active")
        return None if got is value else f"active is {got!r}, expected {value}"

    return test


def _member(run: Run, key: str, label: str) -> dict[str, str]:
    return {"value": run.need(key), "display": user_name(run, label)}


def steps() -> tuple[Step, ...]:
    """Okta's sequence for an OIN integration, plus the wizard's GET-then-PUT update."""
    create_fix = (
        "Answer POST /Users with 201 and the created User in the body, id included "
        "(RFC 7644 §3.3); Okta treats an empty body as a failed create."
    )
    return (
        Step(
            name="look the user up before creating",
            request=lambda run: _lookup(run, "dwight"),
            check=_not_found,
            expects=f"200 with an empty ListResponse ({_INTEGERS}), or 404 with a SCIM Error",
            fix=f'Answer filter=userName eq "…"&startIndex=1&count=100 with a ListResponse, '
            f"{_INTEGERS} (RFC 7644 §3.4.2, §3.4.2.4).",
            cite=cite.OKTA_LOOKUP,
        ),
        Step(
            name="create the user",
            request=lambda run: Request(
                "POST",
                "/Users",
                body=user_body(run, "dwight", password="Bears-Beets-1", groups=[]),
            ),
            check=_created("user id", "dwight"),
            expects="201 with the created User in the body, id included",
            fix=create_fix,
            cite=cite.OKTA_CREATE_USER,
        ),
        Step(
            name="create a second user",
            request=lambda run: Request(
                "POST", "/Users", body=user_body(run, "jim", password="Big-Tuna-1", groups=[])
            ),
            check=_created("jim id", "jim"),
            expects="201 with the created User in the body, id included",
            fix=create_fix,
            cite=cite.OKTA_CREATE_USER,
        ),
        Step(
            name="look the user up again",
            request=lambda run: _lookup(run, "dwight"),
            check=_found,
            expects=f"200, a ListResponse holding exactly the created user, {_INTEGERS}",
            fix=f"Filter userName with eq and send {_INTEGERS} (RFC 7644 §3.4.2.4; Okta "
            "requires integers).",
            cite=cite.OKTA_LOOKUP,
        ),
        Step(
            name="userName matches case-insensitively",
            request=lambda run: _lookup(run, "dwight", upper=True),
            check=_found,
            expects="200, the user found by its userName in upper case",
            fix="Compare userName case-insensitively in filters: it has caseExact false "
            "(RFC 7643 §4.1.1, RFC 7644 §3.4.2.2).",
            cite=cite.RFC7643_USERNAME,
            note="Ours: Okta's pages do not say it changes the case; the RFC makes userName "
            "case-insensitive, and Okta usernames are often typed by people.",
        ),
        Step(
            name="create the same user again",
            request=lambda run: Request(
                "POST", "/Users", body=user_body(run, "dwight", password="Bears-Beets-1")
            ),
            check=_duplicate,
            expects="409 Conflict with a SCIM Error",
            fix='Refuse a second user with the same userName: 409, scimType "uniqueness" '
            "(RFC 7644 §3.3, §3.12).",
            cite=cite.OKTA_CREATE_USER,
        ),
        Step(
            name="import a page of users",
            request=lambda run: Request("GET", "/Users", dict(_PAGE)),
            check=_first_page,
            expects=f"200, a ListResponse with {_INTEGERS}",
            fix=f"Page with startIndex and count and send {_INTEGERS} (RFC 7644 §3.4.2.4).",
            cite=cite.OKTA_RETRIEVE_USERS,
            probe=Probe(
                lambda run: Request("GET", "/Users", {"startIndex": "2", "count": "1"}),
                _second_of_page,
                "startIndex=2&count=1 gives the second user of that page (a stable order)",
            ),
        ),
        Step(
            name="wizard update: read the user",
            request=read_user,
            check=_kept_user,
            expects="200 with the User",
            fix="Answer GET /Users/{id} with the User (RFC 7644 §3.4.1).",
            cite=cite.OKTA_RETRIEVE_USER,
        ),
        Step(
            name="wizard update: PUT it back changed",
            request=_put_body,
            check=lambda run, reply: resource_of(reply)[1],
            expects="200 with the replaced User",
            fix="Accept PUT of the body you returned, with one attribute changed "
            "(RFC 7644 §3.5.1); read-only attributes in it are ignored.",
            cite=cite.OKTA_PUT_USER,
            probe=user_has("givenName is the new one", _given),
        ),
        Step(
            name="deactivate the user",
            request=lambda run: patch_user(run, {"op": "replace", "value": {"active": False}}),
            check=patched,
            expects='path-less PATCH replace {"active": false}: 200 or 204',
            fix="Apply a path-less replace: each key of value is an attribute (RFC 7644 §3.5.2.3).",
            cite=cite.OKTA_PATCH_USER,
            probe=user_has("the user is still there with active false", _active(False)),
            note="Okta checks the user is deactivated on your server (Test your Okta SCIM "
            "integration, Runscope tests for CRUD).",
        ),
        Step(
            name="reactivate the user",
            request=lambda run: patch_user(run, {"op": "replace", "value": {"active": True}}),
            check=patched,
            expects='path-less PATCH replace {"active": true}: 200 or 204',
            fix="Apply a path-less replace: each key of value is an attribute (RFC 7644 §3.5.2.3).",
            cite=cite.OKTA_REACTIVATE,
            probe=user_has("the user has active true", _active(True)),
            note="The body is ours, inferred from Okta's deactivation example: Okta's pages "
            "say active switches back to true but show no reactivation body.",
        ),
        Step(
            name="push a group",
            request=lambda run: Request("POST", "/Groups", body=group_body(run, members=[])),
            check=group_created,
            expects="201 with the created Group and its id",
            fix='Accept "members": [] in POST /Groups and answer 201 with the Group '
            "(RFC 7644 §3.3).",
            cite=cite.OKTA_CREATE_GROUP,
        ),
        Step(
            name="add two members",
            request=lambda run: patch_group(
                run,
                {
                    "op": "add",
                    "path": "members",
                    "value": [_member(run, "user id", "dwight"), _member(run, "jim id", "jim")],
                },
            ),
            check=patched,
            expects="PATCH add path members: 200 or 204",
            fix="Add every member of the value list (RFC 7644 §3.5.2.1).",
            cite=cite.OKTA_GROUP_MEMBERS,
            probe=members_are("user", "jim"),
        ),
        Step(
            name="remove one member",
            request=lambda run: patch_group(
                run,
                {
                    "op": "remove",
                    "path": f"members[value eq {json.dumps(run.need('user id'))}]",
                },
            ),
            check=patched,
            expects='PATCH remove path members[value eq "…"]: 200 or 204',
            fix='Remove the members the path filter selects, members[value eq "…"], and '
            "keep the others (RFC 7644 §3.5.2.2).",
            cite=cite.OKTA_GROUP_MEMBERS,
            probe=members_are("jim"),
        ),
        Step(
            name="rename the group",
            request=lambda run: patch_group(
                run,
                {
                    "op": "replace",
                    "value": {
                        "id": run.need("group id"),
                        "displayName": group_name(run, "sales-renamed"),
                    },
                },
            ),
            check=patched,
            expects='path-less PATCH replace {"id": …, "displayName": …}: 200 or 204',
            fix="Apply a path-less replace and ignore an id equal to the resource's own "
            "(RFC 7644 §3.5.2.3; id is readOnly, RFC 7643 §3.1).",
            cite=cite.OKTA_RENAME_GROUP,
            probe=Probe(read_group, renamed, "the group has its new displayName"),
        ),
        Step(
            name="delete the group",
            request=lambda run: Request("DELETE", f"/Groups/{run.need('group id')}"),
            check=lambda run, reply: status_is(reply, 204),
            expects="204 No Content",
            fix="Answer DELETE /Groups/{id} with 204 (RFC 7644 §3.6).",
            cite=cite.OKTA_DELETE_GROUP,
            probe=Probe(read_group, gone, "the group is gone (404)"),
        ),
    )
