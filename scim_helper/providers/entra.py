"""What Microsoft Entra ID's provisioning service sends to an app, in its two modes.

``compliant=False`` is the default mode; ``compliant=True`` is the mode the ``aadOptscim062020``
flag in the tenant URL turns on (Microsoft Learn, "Known issues and resolutions with SCIM 2.0
protocol compliance…", "Flags to alter the SCIM behavior"). The flag changes how users are
disabled, how a single-value attribute is added, how several attributes are replaced and how a
member is removed; every other step is the same in both modes.
"""

from __future__ import annotations

import json
import uuid
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
    work_email,
)
from .run import Run
from .step import (
    Probe,
    Reply,
    Request,
    Step,
    eq,
    gone,
    list_of,
    patched,
    resource_of,
    status_is,
)


def _lookup(attribute: str, value_of: str) -> Request:
    return Request("GET", "/Users", {"filter": eq(attribute, value_of)})


def _empty_list(run: Run, reply: Reply) -> str | None:
    resources, problem = list_of(reply)
    if problem:
        if reply.status == 404:
            return "404 for a filter that matches nobody; Entra needs 200 with an empty list"
        return problem
    if resources or reply.body.get("totalResults") != 0:
        return f"totalResults is {reply.body.get('totalResults')}, expected 0"
    return None


def _created(key: str, label: str):  # type: ignore[no-untyped-def]
    def check(run: Run, reply: Reply) -> str | None:
        resource, problem = resource_of(reply, 201)
        if problem:
            return problem
        run.ids[key] = resource["id"]
        if str(resource.get("userName", "")).lower() != user_name(run, label).lower():
            return f"userName came back as {resource.get('userName')!r}"
        return None

    return check


def _found_one(key: str, *, active: bool | None = None):  # type: ignore[no-untyped-def]
    def check(run: Run, reply: Reply) -> str | None:
        resources, problem = list_of(reply)
        if problem:
            return problem
        ids = [r.get("id") for r in resources]
        if key not in run.ids:
            return f"found {ids}, but the create step gave no id to compare with"
        if ids != [run.ids[key]]:
            return f"the filter found {len(ids)} user(s) {ids}, expected only {run.ids.get(key)}"
        if active is not None and resources[0].get("active") is not active:
            return f"active is {resources[0].get('active')!r}, expected {active}"
        return None

    return check


def _work_email(resource: dict) -> object:  # type: ignore[type-arg]
    for email in resource.get("emails") or []:
        if email.get("type") == "work":
            return email.get("value")
    return None


def _email_updated(run: Run, resource: dict) -> str | None:  # type: ignore[type-arg]
    wanted = work_email(run, "dwight", 2)
    got = _work_email(resource)
    return None if got == wanted else f"the work email is {got!r}, expected {wanted!r}"


def _names_updated(run: Run, resource: dict) -> str | None:  # type: ignore[type-arg]
    name = resource.get("name") or {}
    got = (resource.get("displayName"), name.get("givenName"), name.get("familyName"))
    wanted = ("Dwight K. Schrute", "Dwight K.", "Schrute-Beesly")
    if got != wanted:
        return f"displayName, givenName, familyName are {got}, expected {wanted}"
    return _email_updated(run, resource)


def _nickname(run: Run, resource: dict) -> str | None:  # type: ignore[type-arg]
    got = resource.get("nickName")
    return None if got == "Assistant to the Regional Manager" else f"nickName is {got!r}"


def _inactive(run: Run, resource: dict) -> str | None:  # type: ignore[type-arg]
    got = resource.get("active")
    return None if got is False else f"active is {got!r}, expected the boolean false"


def _group_without_members(run: Run, reply: Reply) -> str | None:
    resource, problem = resource_of(reply)
    if problem:
        if reply.status == 400:
            return f"{problem}: excludedAttributes=members was refused"
        return problem
    if "members" in resource:
        return "the group still carries members"
    return None


def steps(compliant: bool = False) -> tuple[Step, ...]:
    """Entra ID's sequence: test connection, users, groups, deprovisioning."""
    op = {"add": "add", "replace": "replace", "remove": "remove"}
    if not compliant:
        op = {"add": "Add", "replace": "Replace", "remove": "Remove"}
    mode = "compliant mode (aadOptscim062020)" if compliant else "default mode"

    def update_user(run: Run) -> Request:
        email = {
            "op": op["replace"],
            "path": 'emails[type eq "work"].value',
            "value": work_email(run, "dwight", 2),
        }
        if not compliant:
            return patch_user(run, email)
        several = {
            "op": "replace",
            "value": {
                "displayName": "Dwight K. Schrute",
                "name.givenName": "Dwight K.",
                "name.familyName": "Schrute-Beesly",
            },
        }
        return patch_user(run, several, email)

    def disable(run: Run) -> Request:
        value: object = False if compliant else "False"
        return patch_user(run, {"op": op["replace"], "path": "active", "value": value})

    def remove_member(run: Run) -> Request:
        uid = run.need("user id")
        operation: dict[str, Any]
        if compliant:
            operation = {"op": "remove", "path": f"members[value eq {json.dumps(uid)}]"}
        else:
            operation = {"op": "Remove", "path": "members", "value": [{"$ref": None, "value": uid}]}
        return patch_group(run, operation)

    update = Step(
        name="update several attributes" if compliant else "update the work email",
        request=update_user,
        check=patched,
        expects=(
            "200 or 204 for a path-less replace whose keys are attribute paths "
            '("name.givenName"), plus emails[type eq "work"].value'
            if compliant
            else 'PATCH "Replace" (capital R) of emails[type eq "work"].value: 200 or 204'
        ),
        fix=(
            "In a path-less replace, treat each key as an attribute path (name.givenName) "
            "(RFC 7644 §3.5.2.3; Entra's compliant mode sends it)."
            if compliant
            else 'Compare PATCH op names case-insensitively: Entra sends "Replace" '
            "(Entra tutorial, General; RFC 7644 §3.5.2)."
        ),
        cite=cite.ENTRA_FLAGS if compliant else cite.ENTRA_UPDATE_EMAIL,
        probe=user_has(
            "the user carries the new names and work email" if compliant else "the new work email",
            _names_updated if compliant else _email_updated,
        ),
    )
    return (
        Step(
            name="test connection",
            request=lambda run: _lookup("userName", str(uuid.uuid4())),
            check=_empty_list,
            expects="200 with an empty ListResponse for a filter on a random value",
            fix="Answer a filter that matches nobody with 200 and an empty ListResponse, "
            "never 404 (RFC 7644 §3.4.2; Entra quarantines the app otherwise).",
            cite=cite.ENTRA_TEST_CONNECTION,
        ),
        Step(
            name="look for the user before creating",
            request=lambda run: _lookup("userName", user_name(run, "dwight")),
            check=_empty_list,
            expects="200 with an empty ListResponse (the user does not exist yet)",
            fix='Support filter=userName eq "…" and answer no match with an empty '
            "ListResponse (RFC 7644 §3.4.2.2).",
            cite=cite.ENTRA_MATCHING,
        ),
        Step(
            name="create the user",
            request=lambda run: Request("POST", "/Users", body=user_body(run, "dwight")),
            check=_created("user id", "dwight"),
            expects="201 with the new User and its id",
            fix="Answer POST /Users with 201 and the created resource, id included "
            "(RFC 7644 §3.3).",
            cite=cite.ENTRA_MATCHING,
        ),
        Step(
            name="create a second user",
            request=lambda run: Request("POST", "/Users", body=user_body(run, "jim")),
            check=_created("jim id", "jim"),
            expects="201 with the new User and its id",
            fix="Answer POST /Users with 201 and the created resource, id included "
            "(RFC 7644 §3.3).",
            cite=cite.ENTRA_MATCHING,
        ),
        Step(
            name="find the user by externalId",
            request=lambda run: _lookup("externalId", run.name("dwight")),
            check=_found_one("user id"),
            expects="200, a ListResponse holding exactly the created user",
            fix="Make externalId filterable with eq (RFC 7643 §3.1, RFC 7644 §3.4.2.2).",
            cite=cite.ENTRA_IMPLEMENTATION,
        ),
        update,
        Step(
            name="add a single-value attribute",
            request=lambda run: patch_user(
                run,
                {
                    "op": op["add"],
                    "path": "nickName",
                    "value": "Assistant to the Regional Manager",
                },
            ),
            check=patched,
            expects=f'PATCH "{op["add"]}" of nickName: 200 or 204',
            fix="Apply an add to a single-value attribute as a set "
            "(RFC 7644 §3.5.2.1); match op names case-insensitively.",
            cite=cite.ENTRA_FLAGS,
            probe=user_has("nickName is set", _nickname),
        ),
        Step(
            name="disable the user",
            request=disable,
            check=patched,
            expects=(
                'PATCH "replace" active false: 200 or 204'
                if compliant
                else 'PATCH "Replace" active "False" (a string): 200 or 204'
            ),
            fix=(
                "Set active from a PATCH replace (RFC 7644 §3.5.2.3)."
                if compliant
                else 'Accept "True"/"False" strings for a boolean in PATCH and store a '
                "boolean (Entra's default mode sends them; RFC 7643 §2.3.2 defines the boolean)."
            ),
            cite=cite.ENTRA_FLAGS,
            probe=user_has("active is the boolean false", _inactive),
            note="Entra disables (not deletes) users who are unassigned or go out of scope "
            "(How Application Provisioning works, Deprovisioning).",
        ),
        Step(
            name="find the disabled user",
            request=lambda run: _lookup("userName", user_name(run, "dwight")),
            check=_found_one("user id", active=False),
            expects="200, the disabled user is still found by filter, with active false",
            fix="Return users from filters whether active or not; only a hard delete "
            "hides them (Entra tutorial, Understand the Microsoft Entra SCIM implementation).",
            cite=cite.ENTRA_IMPLEMENTATION,
        ),
        Step(
            name="look for the group before creating",
            request=lambda run: Request(
                "GET",
                "/Groups",
                {
                    "excludedAttributes": "members",
                    "filter": eq("displayName", group_name(run)),
                },
            ),
            check=_empty_list,
            expects="200 with an empty ListResponse for excludedAttributes=members&filter=…",
            fix="Support excludedAttributes=members on /Groups and answer no match with an "
            "empty ListResponse (RFC 7644 §3.4.2.5, §3.4.2).",
            cite=cite.ENTRA_GET_GROUP_BY_NAME,
        ),
        Step(
            name="create the group",
            request=lambda run: Request("POST", "/Groups", body=group_body(run)),
            check=group_created,
            expects="201 with the new Group and its id",
            fix="Answer POST /Groups with 201 and the created resource, id included "
            "(RFC 7644 §3.3).",
            cite=cite.ENTRA_GROUP_OPERATIONS,
        ),
        Step(
            name="add two members",
            request=lambda run: patch_group(
                run,
                {
                    "op": op["add"],
                    "path": "members",
                    "value": [
                        {"$ref": None, "value": run.need("user id")},
                        {"$ref": None, "value": run.need("jim id")},
                    ],
                },
            ),
            check=patched,
            expects=f'PATCH "{op["add"]}" members with "$ref": null: 200 or 204',
            fix='Accept "$ref": null in a member and add every member of the list '
            "(RFC 7644 §3.5.2.1).",
            cite=cite.ENTRA_ADD_MEMBERS,
            probe=members_are("user", "jim"),
        ),
        Step(
            name="read the group without members",
            request=lambda run: Request(
                "GET", f"/Groups/{run.need('group id')}", {"excludedAttributes": "members"}
            ),
            check=_group_without_members,
            expects="200, the group without its members attribute",
            fix="Honour excludedAttributes=members on GET /Groups/{id} (RFC 7644 §3.4.2.5).",
            cite=cite.ENTRA_GET_GROUP,
        ),
        Step(
            name="remove one member",
            request=remove_member,
            check=patched,
            expects=(
                'PATCH "remove" with path members[value eq "…"]: 200 or 204'
                if compliant
                else 'PATCH "Remove" path members with a value list: 200 or 204'
            ),
            fix=(
                'Remove the members a path filter selects: members[value eq "…"] '
                "(RFC 7644 §3.5.2.2)."
                if compliant
                else "For remove with path members and a value list, remove those members "
                "only (Entra's default mode sends it; RFC 7644 §3.5.2.2 has the filter form)."
            ),
            cite=cite.ENTRA_FLAGS if compliant else cite.ENTRA_REMOVE_MEMBERS,
            probe=members_are("jim"),
        ),
        Step(
            name="rename the group",
            request=lambda run: patch_group(
                run,
                {
                    "op": "Replace",
                    "path": "displayName",
                    "value": group_name(run, "sales-renamed"),
                },
            ),
            check=patched,
            expects='PATCH "Replace" displayName: 200 or 204',
            fix="Apply a replace of displayName (RFC 7644 §3.5.2.3); match op names "
            "case-insensitively.",
            cite=cite.ENTRA_RENAME_GROUP,
            probe=Probe(read_group, renamed, "the group has its new displayName"),
        ),
        Step(
            name="read an unknown user",
            request=lambda run: Request("GET", f"/Users/{uuid.uuid4()}"),
            check=gone,
            expects="404 for an id the server never issued",
            fix="Answer GET /Users/{id} for an unknown id with 404 and a SCIM Error "
            "(RFC 7644 §3.12).",
            cite=cite.ENTRA_GET_USER,
        ),
        Step(
            name="delete the user",
            request=lambda run: Request("DELETE", f"/Users/{run.need('user id')}"),
            check=lambda run, reply: status_is(reply, 204),
            expects="204 No Content",
            fix="Answer DELETE with 204 and no body (RFC 7644 §3.6).",
            cite=cite.ENTRA_DEPROVISIONING,
            probe=Probe(read_user, gone, "the user is gone (404)"),
            note=f"Entra deletes only users hard-deleted in the directory; this is the {mode}.",
        ),
    )
