"""``course_setup``: the Dunder Mifflin staff and group, safe to run as often as you like.

The transcript this course grew from warned learners not to run its setup cell twice. Here a
second run finds what the first created (by ``externalId``, then ``userName``) and returns the
same ids; ``reset=True`` puts the learner's tenant back to the starting state, so every chapter
can begin from it and run twice in a row.

What reset touches depends on whose data it is:

- On the learner's own local server (a loopback URL: one private tenant per token) reset makes
  the tenant exactly the fifteen staff and the "Dunder Mifflin" group holding them, plus the
  wider company directory if ``seed_directory`` loaded it (that directory is read-only in the
  course, so it is kept rather than loaded again for every chapter). Everything else — Charles,
  the Paper Company, practice groups — is deleted.
- On any other server (scim.dev, a company's test tenant) reset restores only resources the
  course created, recognised by their ``externalId`` (``office-course:…``), and never deletes
  anything else.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scim_helper.connection import course_server
from scim_helper.directory import EXTERNAL_ID_PREFIX as DIRECTORY_PREFIX
from scim_helper.staff import (
    DUNDER_MIFFLIN,
    EXTERNAL_ID_PREFIX,
    GROUP_EXTERNAL_ID,
    StaffMember,
    group_body,
    staff,
)
from scim_helper.tenant import Tenant, quote
from sync_app.client import ClientConfiguration, SCIMClient
from sync_app.scim.group import Group
from sync_app.scim.messages import BulkOperation
from sync_app.scim.user import User

__all__ = ["CourseSetupError", "StaffIds", "course_setup"]

# Spellings learners bring from the tutorial this course grew from.
_ALIASES = {"Micheal Scott": "Michael Scott"}


class StaffIds(dict[str, str]):
    """Full name → user id; also answers to the old tutorial's "Micheal Scott"."""

    def __missing__(self, key: str) -> str:
        if key in _ALIASES:
            return self[_ALIASES[key]]
        raise KeyError(key)


class CourseSetupError(RuntimeError):
    """course_setup could not create or restore the starting state; the message says why."""


def course_setup(
    auth_token: str | None = None, *, server_url: str | None = None, reset: bool = False
) -> tuple[str, dict[str, str]]:
    """Seed the fifteen Dunder Mifflin staff and their group; return ``(group_id, user_ids)``.

    ``user_ids`` maps each full name ("Michael Scott") to the user's id, in the course's
    order. Running it again returns the same ids. ``reset=True`` restores the starting state
    (see the module documentation for what it deletes, and where).
    """
    connection = course_server(server_url, auth_token)
    config = ClientConfiguration(server_url=connection.url, auth_token=connection.token)
    with SCIMClient(config) as client:
        seeder = _Seeder(client, own_tenant=connection.is_local)
        return seeder.reset() if reset else seeder.ensure()


# -- how it is done -----------------------------------------------------------------------------


def _is_ours(resource: dict[str, Any], external_id: str) -> bool:
    return resource.get("externalId") == external_id


def _normal_emails(emails: Iterable[dict[str, Any]] | None) -> list[tuple[str, str, bool]]:
    return sorted(
        (str(e.get("value", "")).lower(), str(e.get("type") or ""), bool(e.get("primary")))
        for e in emails or []
    )


def _differs(user: dict[str, Any], body: dict[str, Any]) -> bool:
    """Whether a stored user is not (any more) the canonical ``body``."""
    ignored = {"id", "meta", "groups", "schemas"}
    stored = {k: v for k, v in user.items() if k not in ignored and v not in (None, [], {})}
    wanted = {k: v for k, v in body.items() if k not in ignored}
    if set(stored) != set(wanted):
        return True
    if _normal_emails(stored.get("emails")) != _normal_emails(wanted.get("emails")):
        return True
    name = {k: v for k, v in (stored.get("name") or {}).items() if v is not None}
    rest = ("externalId", "userName", "displayName", "title", "active")
    return name != wanted["name"] or any(stored.get(k) != wanted.get(k) for k in rest)


class _Seeder:
    def __init__(self, client: SCIMClient, *, own_tenant: bool) -> None:
        self.client = client
        self.tenant = Tenant(client)
        self.own_tenant = own_tenant
        self._bulk_limit: int | None = None

    # -- reading --------------------------------------------------------------------------

    def bulk_limit(self) -> int:
        """How many operations one /Bulk request may carry here (0: no Bulk)."""
        if self._bulk_limit is None:
            bulk = self.tenant.service_provider_config().get("bulk") or {}
            self._bulk_limit = int(bulk.get("maxOperations") or 0) if bulk.get("supported") else 0
        return self._bulk_limit

    def find_staff(self) -> dict[str, dict[str, Any]]:
        """userName → the stored user, for each of the fifteen found (by externalId or userName)."""
        members = staff()
        terms = [f"externalId eq {quote(m.external_id)}" for m in members]
        terms += [f"userName eq {quote(m.user_name)}" for m in members]
        stored = self.tenant.users(" or ".join(terms))
        by_marker = {u.get("externalId"): u for u in stored}
        by_name = {str(u.get("userName", "")).lower(): u for u in stored}
        found: dict[str, dict[str, Any]] = {}
        for member in members:
            user = by_marker.get(member.external_id) or by_name.get(member.user_name)
            if user is None:
                continue
            if not _is_ours(user, member.external_id) and not self.own_tenant:
                raise CourseSetupError(
                    f"A user {member.user_name!r} already exists on this server and was not "
                    "created by course_setup (its externalId is not "
                    f"{member.external_id!r}). course_setup never changes other people's "
                    "resources: delete that user yourself, or use a token of your own."
                )
            found[member.user_name] = user
        return found

    def find_group(self) -> dict[str, Any] | None:
        query = (
            f"externalId eq {quote(GROUP_EXTERNAL_ID)} or displayName eq {quote(DUNDER_MIFFLIN)}"
        )
        groups = self.tenant.groups(query)
        ours = [g for g in groups if _is_ours(g, GROUP_EXTERNAL_ID)]
        candidates = ours or groups
        group = candidates[0] if candidates else None
        if group is not None and not ours and not self.own_tenant:
            raise CourseSetupError(
                f"A group {DUNDER_MIFFLIN!r} already exists on this server and was not created "
                f"by course_setup (its externalId is not {GROUP_EXTERNAL_ID!r}). course_setup "
                "never changes other people's resources: delete or rename that group yourself, "
                "or use a token of your own."
            )
        return group

    # -- writing --------------------------------------------------------------------------

    def run_bulk(self, operations: list[BulkOperation]) -> list[BulkOperation]:
        """Send operations in as few /Bulk requests as the server allows; raise on any failure."""
        results: list[BulkOperation] = []
        limit = self.bulk_limit()
        for start in range(0, len(operations), limit):
            chunk = operations[start : start + limit]
            answer = self.client.bulk(chunk, fail_on_errors=1).resource
            for sent, result in zip(chunk, answer.operations, strict=False):
                status = result.status_code or 0
                if status >= 400 and not (sent.method == "DELETE" and status == 404):
                    detail = (
                        (result.response or {}).get("detail", "")
                        if isinstance(result.response, dict)
                        else ""
                    )
                    raise CourseSetupError(
                        f"The server refused {sent.method} {sent.path} ({result.status}): "
                        f"{detail} Run course_setup(reset=True) to start over."
                    )
            results.extend(answer.operations)
        return results

    def create_staff(self, members: list[StaffMember]) -> dict[str, str]:
        """Create the given staff; userName → new id."""
        if not members:
            return {}
        if self.bulk_limit() > 1:
            ops = [
                BulkOperation(method="POST", path="/Users", bulkId=m.user_name, data=m.body())
                for m in members
            ]
            results = self.run_bulk(ops)
            return {
                m.user_name: _id_from(result) for m, result in zip(members, results, strict=True)
            }
        return {
            m.user_name: str(self.client.create_user(User.from_dict(m.body())).to_dict()["id"])
            for m in members
        }

    def delete(self, kind: str, ids: list[str]) -> None:
        if not ids:
            return
        if self.bulk_limit() > 1:
            self.run_bulk([BulkOperation(method="DELETE", path=f"/{kind}/{i}") for i in ids])
            return
        remove = self.client.delete_user if kind == "Users" else self.client.delete_group
        for resource_id in ids:
            remove(resource_id)

    def replace_staff(self, replacements: list[tuple[str, StaffMember]]) -> None:
        if self.bulk_limit() > 1 and len(replacements) > 1:
            self.run_bulk(
                [
                    BulkOperation(method="PUT", path=f"/Users/{user_id}", data=member.body())
                    for user_id, member in replacements
                ]
            )
            return
        for user_id, member in replacements:
            self.client.replace_user(User.from_dict(member.body()), id=user_id)

    def save_group(self, group: dict[str, Any] | None, member_ids: list[str]) -> str:
        body = group_body(member_ids)
        if group is None:
            return str(self.client.create_group(Group.from_dict(body)).to_dict()["id"])
        current = Tenant.member_ids(group)
        same = (
            current == set(member_ids)
            and group.get("displayName") == DUNDER_MIFFLIN
            and _is_ours(group, GROUP_EXTERNAL_ID)
        )
        if not same:
            self.client.replace_group(Group.from_dict(body), id=group["id"])
        return str(group["id"])

    # -- the two entry points ---------------------------------------------------------------

    def ensure(self) -> tuple[str, dict[str, str]]:
        """Create whatever is missing; change nothing that exists."""
        found = self.find_staff()
        missing = [m for m in staff() if m.user_name not in found]
        ids = {name: str(user["id"]) for name, user in found.items()}
        ids.update(self.create_staff(missing))
        group = self.find_group()
        if group is None:
            group_id = self.save_group(None, [ids[m.user_name] for m in staff()])
        else:
            group_id = str(group["id"])
            new = [ids[m.user_name] for m in missing]
            if new:  # people created just now join; nobody a learner removed comes back
                members = sorted(Tenant.member_ids(group) | set(new))
                self.save_group(group, members)
        return group_id, self.by_name(ids)

    def reset(self) -> tuple[str, dict[str, str]]:
        """Restore the starting state (everything else goes only on the learner's own server)."""
        if self.own_tenant:
            self.clear_others()
        found = self.find_staff()
        replacements = [
            (str(found[m.user_name]["id"]), m)
            for m in staff()
            if m.user_name in found and _differs(found[m.user_name], m.body())
        ]
        self.replace_staff(replacements)
        ids = {name: str(user["id"]) for name, user in found.items()}
        ids.update(self.create_staff([m for m in staff() if m.user_name not in found]))
        group_id = self.save_group(self.find_group(), [ids[m.user_name] for m in staff()])
        return group_id, self.by_name(ids)

    def clear_others(self) -> None:
        """Delete every user and group of this tenant that is not part of the starting state."""
        keep_markers = {m.external_id for m in staff()}
        keep_names = {m.user_name for m in staff()}
        strangers = self.tenant.users(
            f"not (externalId sw {quote(EXTERNAL_ID_PREFIX)}) or not (externalId pr)",
            attributes=["userName", "externalId"],
        )
        doomed = []
        for user in strangers:
            marker = str(user.get("externalId") or "")
            if marker in keep_markers or marker.startswith(DIRECTORY_PREFIX):
                continue
            if str(user.get("userName", "")).lower() in keep_names and not marker:
                continue  # a seeded userName without its marker: reset restores it
            doomed.append(str(user["id"]))
        self.delete("Users", doomed)
        groups = self.tenant.groups(attributes=["displayName", "externalId"])
        keep = next((g for g in groups if _is_ours(g, GROUP_EXTERNAL_ID)), None)
        keep = keep or next((g for g in groups if g.get("displayName") == DUNDER_MIFFLIN), None)
        self.delete("Groups", [str(g["id"]) for g in groups if g is not keep])

    @staticmethod
    def by_name(ids: dict[str, str]) -> StaffIds:
        return StaffIds({m.name: ids[m.user_name] for m in staff()})


def _id_from(result: BulkOperation) -> str:
    """The new resource's id from a bulk result's ``location``."""
    if not result.location:
        raise CourseSetupError("The server's Bulk answer has no location for a created user.")
    return result.location.rstrip("/").rsplit("/", 1)[-1]
