"""``course_setup``: the Dunder Mifflin staff and group, safe to run as often as you like.

The transcript this course grew from warned learners not to run its setup cell twice. Here a
second run finds what the first created (by ``externalId``, then ``userName``) and returns the
same ids; ``reset=True`` puts the learner's tenant back to the starting state, so every chapter
can begin from it and run twice in a row.

What reset touches depends on whose server it is:

- On the course's own embedded sandbox — the server the course started itself, from its own data
  directory and token (``connection.is_sandbox``; never merely a loopback URL) — reset makes the
  tenant exactly the fifteen staff and the "Dunder Mifflin" group holding them, plus the wider
  company directory if ``seed_directory`` loaded it (read-only in the course, so it is kept rather
  than loaded again for every chapter). Everything else is deleted.
- On every other server (scim2-server, ``scim-course serve``, a workshop server, scim.dev) the
  course creates, changes and deletes only what carries its mark (an ``externalId`` under
  ``office-course:``, :func:`scim_helper.marker.course_external_id`): reset restores the staff and
  the group with minimal PATCH operations (a strict server refuses a PUT that resends immutable
  sub-attributes such as a member's ``type``), deletes every other marked user and group, keeps
  the directory, and leaves every unmarked resource exactly as it was. If a staff member's
  ``userName`` belongs to someone else there, it says so instead of touching it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Any

from scim_helper import seeding
from scim_helper.connection import course_server
from scim_helper.directory import EXTERNAL_ID_PREFIX as DIRECTORY_PREFIX
from scim_helper.marker import EXTERNAL_ID_PREFIX, is_course_resource
from scim_helper.staff import (
    DUNDER_MIFFLIN,
    GROUP_EXTERNAL_ID,
    StaffMember,
    group_body,
    staff,
)
from scim_helper.tenant import Tenant, quote
from sync_app.client import ClientConfiguration, SCIMClient
from sync_app.errors import BadRequest, Forbidden, NotFound, ProtocolError
from sync_app.scim.group import Group
from sync_app.scim.messages import BulkOperation
from sync_app.scim.patchop import Operation, PatchOp
from sync_app.scim.user import User

__all__ = ["CourseSetupError", "StaffIds", "course_setup"]

# Spellings learners bring from the tutorial this course grew from.
_ALIASES = {"Micheal Scott": "Michael Scott"}
# What a stored resource carries that the course never sets (RFC 7643 §3.1, §4.1.2).
_SERVER_OWNED = frozenset({"id", "meta", "schemas", "groups"})


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
        seeder = _Seeder(client, sandbox=connection.is_sandbox)
        return seeder.reset() if reset else seeder.ensure()


# -- comparing what is stored with what the course seeds ------------------------------------------


def _is_ours(resource: dict[str, Any], external_id: str) -> bool:
    return resource.get("externalId") == external_id


def _present(value: Any) -> bool:
    return value not in (None, [], {}, "")


def _normal_emails(emails: Iterable[dict[str, Any]] | None) -> list[tuple[str, str, bool]]:
    return sorted(
        (str(e.get("value", "")).lower(), str(e.get("type") or ""), bool(e.get("primary")))
        for e in emails or []
    )


def _same(key: str, stored: Any, wanted: Any) -> bool:
    if key == "emails":
        return _normal_emails(stored) == _normal_emails(wanted)
    if isinstance(wanted, dict):
        stored = {k: v for k, v in (stored or {}).items() if _present(v)}
    return bool(stored == wanted)


def restore_operations(stored: dict[str, Any], body: dict[str, Any]) -> list[Operation]:
    """The fewest PATCH operations that turn a stored user back into ``body`` (RFC 7644 §3.5.2).

    Attributes the body sets are replaced where they differ; attributes the course never sets
    (a nickName, phone numbers, an enterprise extension a chapter added) are removed, one
    sub-attribute at a time for extensions. Server-owned attributes are left alone.
    """
    operations: list[Operation] = []
    for key, wanted in body.items():
        if key in _SERVER_OWNED or _same(key, stored.get(key), wanted):
            continue
        operations.append(Operation(op="replace", path=key, value=wanted))
        if isinstance(wanted, dict):  # replace keeps unnamed sub-attributes: remove them
            extra = set(stored.get(key) or {}) - set(wanted)
            operations += [
                Operation(op="remove", path=f"{key}.{sub}")
                for sub in sorted(extra)
                if _present(stored[key][sub])
            ]
    for key in sorted(set(stored) - set(body) - _SERVER_OWNED):
        value = stored[key]
        if not _present(value):
            continue
        if key.startswith("urn:") and isinstance(value, dict):  # an extension schema's attributes
            operations += [
                Operation(op="remove", path=f"{key}:{sub}")
                for sub in sorted(value)
                if _present(value[sub])
            ]
        else:
            operations.append(Operation(op="remove", path=key))
    return operations


class _Seeder:
    def __init__(self, client: SCIMClient, *, sandbox: bool) -> None:
        self.client = client
        self.tenant = Tenant(client)
        self.sandbox = sandbox
        self._config: dict[str, Any] | None = None

    # -- what the server offers -----------------------------------------------------------------

    def config(self) -> dict[str, Any]:
        if self._config is None:
            try:
                self._config = self.tenant.service_provider_config()
            except ProtocolError:  # no discovery: assume nothing optional
                self._config = {}
        return self._config

    def bulk_limit(self) -> int:
        """How many operations one /Bulk request may carry here (1: no Bulk)."""
        return seeding.batch_size(self.config())

    def patch_supported(self) -> bool:
        return bool((self.config().get("patch") or {}).get("supported"))

    # -- reading --------------------------------------------------------------------------

    def find_staff(self) -> dict[str, dict[str, Any]]:
        """userName → the stored user, for each of the fifteen found (by externalId or userName)."""
        members = staff()
        terms = [f"externalId eq {quote(m.external_id)}" for m in members]
        terms += [f"userName eq {quote(m.user_name)}" for m in members]
        try:
            stored = self.tenant.users(" or ".join(terms))
        except (BadRequest, Forbidden):  # a filter this long (or at all) is not offered here
            stored = self.tenant.users()
        by_marker = {u.get("externalId"): u for u in stored}
        by_name = {str(u.get("userName", "")).lower(): u for u in stored}
        found: dict[str, dict[str, Any]] = {}
        for member in members:
            user = by_marker.get(member.external_id) or by_name.get(member.user_name)
            if user is None:
                continue
            if not _is_ours(user, member.external_id) and not self.sandbox:
                raise CourseSetupError(
                    f"This server already has a user {member.user_name!r} that the course did "
                    f"not create (its externalId is not {member.external_id!r}), so the course "
                    "cannot add Dunder Mifflin's own and leaves that user untouched. Use a "
                    "tenant of your own, or ask whoever owns it to rename or delete it."
                )
            found[member.user_name] = user
        return found

    def find_group(self) -> dict[str, Any] | None:
        query = (
            f"externalId eq {quote(GROUP_EXTERNAL_ID)} or displayName eq {quote(DUNDER_MIFFLIN)}"
        )
        groups = self.tenant.groups(query)
        ours = [g for g in groups if _is_ours(g, GROUP_EXTERNAL_ID)]
        if ours:
            return ours[0]
        named = [g for g in groups if g.get("displayName") == DUNDER_MIFFLIN]
        if named and not self.sandbox:
            raise CourseSetupError(
                f"This server already has a group {DUNDER_MIFFLIN!r} that the course did not "
                f"create (its externalId is not {GROUP_EXTERNAL_ID!r}), so the course leaves it "
                "untouched and cannot make its own. Use a tenant of your own, or ask whoever "
                "owns that group to rename it."
            )
        return named[0] if named else None

    def marked(self, kind: str) -> list[dict[str, Any]]:
        """Every user or group carrying the course's mark, the directory's people left out.

        Asked with the narrowest filter the server accepts; a server without filtering (or
        without ``not``) gets a wider one, or is read whole and picked over here.
        """
        read = self.tenant.users if kind == "Users" else self.tenant.groups
        attributes = ["externalId", "userName"] if kind == "Users" else ["externalId"]
        ours = f"externalId sw {quote(EXTERNAL_ID_PREFIX)}"
        queries: list[str | None] = [
            f"{ours} and not (externalId sw {quote(DIRECTORY_PREFIX)})",
            ours,
            None,
        ]
        for query in queries:
            try:
                found = read(query, attributes=attributes)
            except (BadRequest, Forbidden):  # this filter is not offered here: a wider one
                continue
            return [
                r
                for r in found
                if is_course_resource(r)
                and not str(r.get("externalId")).startswith(DIRECTORY_PREFIX)
            ]
        return []

    # -- writing --------------------------------------------------------------------------

    def run_bulk(self, operations: list[BulkOperation]) -> list[BulkOperation]:
        """Send operations in as few /Bulk requests as the server allows; raise on any failure."""
        results: list[BulkOperation] = []
        for chunk in seeding.chunks(operations, self.bulk_limit()):
            for sent, result in seeding.send(self.client, chunk, fail_on_errors=1):
                status = result.status_code or 0
                if status >= 400 and not (sent.method == "DELETE" and status == 404):
                    raise CourseSetupError(
                        f"The server refused {sent.method} {sent.path} ({result.status}): "
                        f"{seeding.detail(result)} Run course_setup(reset=True) to start over."
                    )
                results.append(result)
        return results

    def create_staff(self, members: list[StaffMember]) -> dict[str, str]:
        """Create the given staff; userName → new id."""
        if not members:
            return {}
        if self.bulk_limit() > 1 and len(members) > 1:
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
        if self.bulk_limit() > 1 and len(ids) > 1:
            self.run_bulk([BulkOperation(method="DELETE", path=f"/{kind}/{i}") for i in ids])
            return
        remove = self.client.delete_user if kind == "Users" else self.client.delete_group
        for resource_id in ids:
            with contextlib.suppress(NotFound):  # gone already: that is what we wanted
                remove(resource_id)

    def restore_staff(self, found: dict[str, dict[str, Any]]) -> None:
        """Put each found staff member back as seeded: PATCH where offered, else PUT."""
        for member in staff():
            user = found.get(member.user_name)
            if user is None:
                continue
            operations = restore_operations(user, member.body())
            if not operations:
                continue
            if self.patch_supported():
                self.client.update_user(id=user["id"], ops=PatchOp(operations=operations))
            else:
                self.client.replace_user(User.from_dict(member.body()), id=user["id"])

    def save_group(self, group: dict[str, Any] | None, member_ids: list[str]) -> str:
        """Create the group, or make it hold exactly ``member_ids`` with the fewest changes."""
        if group is None:
            return str(
                self.client.create_group(Group.from_dict(group_body(member_ids))).to_dict()["id"]
            )
        group_id = str(group["id"])
        current = Tenant.member_ids(group)
        wanted = set(member_ids)
        operations = [
            Operation(op="replace", path=key, value=value)
            for key, value in (("displayName", DUNDER_MIFFLIN), ("externalId", GROUP_EXTERNAL_ID))
            if group.get(key) != value
        ]
        # RFC 7644 §3.5.2.2: one remove per member, by a value filter; the add carries no
        # "type" (a strict server treats it as immutable once set).
        operations += [
            Operation(op="remove", path=f"members[value eq {quote(member)}]")
            for member in sorted(current - wanted)
        ]
        missing = [member for member in member_ids if member not in current]
        if missing:
            value = [{"value": member} for member in missing]
            operations.append(Operation(op="add", path="members", value=value))
        if not operations:
            return group_id
        if self.patch_supported():
            self.client.update_group(id=group_id, ops=PatchOp(operations=operations))
        else:
            body = group_body()
            body["members"] = [{"value": member} for member in member_ids]
            self.client.replace_group(Group.from_dict(body), id=group_id)
        return group_id

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
                current = Tenant.member_ids(group)
                self.save_group(group, [*current, *(n for n in new if n not in current)])
        return group_id, self.by_name(ids)

    def reset(self) -> tuple[str, dict[str, str]]:
        """Restore the starting state; delete what the course may (see the module docs)."""
        found = self.find_staff()
        group = self.find_group()
        keep_users = {str(user["id"]) for user in found.values()}
        keep_group = str(group["id"]) if group is not None else None
        if self.sandbox:
            self.clear_sandbox(keep_users, keep_group)
        else:
            self.clear_marked(keep_users, keep_group)
        self.restore_staff(found)
        ids = {name: str(user["id"]) for name, user in found.items()}
        ids.update(self.create_staff([m for m in staff() if m.user_name not in found]))
        if group is not None:  # read again: deleting users may have changed its members
            group = self.client.get_group(str(group["id"])).to_dict()
        group_id = self.save_group(group, [ids[m.user_name] for m in staff()])
        return group_id, self.by_name(ids)

    def clear_marked(self, keep_users: set[str], keep_group: str | None) -> None:
        """Delete every course-marked user and group but the starting state and the directory."""
        self.delete(
            "Groups", [str(g["id"]) for g in self.marked("Groups") if g["id"] != keep_group]
        )
        doomed = [str(u["id"]) for u in self.marked("Users") if str(u["id"]) not in keep_users]
        self.delete("Users", doomed)

    def clear_sandbox(self, keep_users: set[str], keep_group: str | None) -> None:
        """On the course's own sandbox: delete every user and group not in the starting state."""
        groups = self.tenant.groups(attributes=["displayName", "externalId"])
        self.delete("Groups", [str(g["id"]) for g in groups if str(g["id"]) != keep_group])
        # Our own server, so the filter is known to work: the directory's people stay out of it.
        users = self.tenant.users(
            f"not (externalId sw {quote(DIRECTORY_PREFIX)}) or not (externalId pr)",
            attributes=["userName", "externalId"],
        )
        doomed = [
            str(u["id"])
            for u in users
            if str(u["id"]) not in keep_users
            and not str(u.get("externalId") or "").startswith(DIRECTORY_PREFIX)
        ]
        self.delete("Users", doomed)

    @staticmethod
    def by_name(ids: dict[str, str]) -> StaffIds:
        return StaffIds({m.name: ids[m.user_name] for m in staff()})


def _id_from(result: BulkOperation) -> str:
    """The new resource's id from a bulk result's ``location``."""
    resource_id = seeding.location_id(result)
    if resource_id is None:
        raise CourseSetupError("The server's Bulk answer has no location for a created user.")
    return resource_id
