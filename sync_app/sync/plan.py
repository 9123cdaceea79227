"""The plan: what a sync would change, worked out from the roster and the directory's state.

Nothing here talks to the server. The rules (issue 15):

- a row matches the user whose externalId is ``<source>:<employee_id>``; else a user with the
  same userName and no externalId is **adopted** (externalId set; same id, no duplicate); a
  same-userName user with another externalId is a **conflict** for that row, left alone;
- a matched row becomes a minimal PATCH of the attributes that differ (RFC 7644 §3.5.2), so a
  changed user_name is a **rename** of the same user; a managed user missing from the roster
  is **deactivated** (``active`` false, RFC 7643 §4.1.1), never deleted;
- the roster's groups are created when missing; their members among managed users become
  exactly the rows listing them; other members and other groups are never touched;
- the guard (ours): a run that would deactivate more than 20% of the active managed users,
  and more than 5, is refused unless allowed.
"""

from __future__ import annotations

import html
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sync_app.scim import urns
from sync_app.scim.patchop import Operation
from sync_app.sync.roster import Person, Roster
from sync_app.sync.state import Account, DirectoryState, GroupView, external_id

__all__ = ["GroupChange", "Plan", "UserChange", "make_plan", "user_operations"]

#: The guard's thresholds (ours): a share of the active managed users, and a count.
GUARD_SHARE = 0.20
GUARD_COUNT = 5
_ENTERPRISE = urns.ENTERPRISE_USER


@dataclass(slots=True)
class UserChange:
    """One user's change: ``create``, ``update``, ``adopt``, ``deactivate`` or ``conflict``."""

    action: str
    employee_id: str
    user_name: str
    #: The SCIM id, when the user exists.
    user_id: str | None = None
    #: The PATCH operations (update, adopt, deactivate), without the manager when it is pending.
    operations: list[Operation] = field(default_factory=list)
    #: The row to create (create).
    person: Person | None = None
    #: The employee_id of a manager created in this run: apply sets it once its id is known.
    pending_manager: str | None = None
    #: What changes, in words: "rename pam → pbeesly", "title", "reactivate"…
    notes: list[str] = field(default_factory=list)
    #: Whether this change turns an active user inactive (what the guard counts).
    deactivates: bool = False
    where: str = ""

    @property
    def writes(self) -> bool:
        return self.action == "create" or bool(self.operations) or self.pending_manager is not None


@dataclass
class GroupChange:
    """A roster group: created when missing; managed members to add and to remove."""

    display_name: str
    #: None: the group is created.
    group_id: str | None
    #: employee_ids to add (their ids may be known only once created).
    add: list[str] = field(default_factory=list)
    #: (SCIM id, userName) of managed members to remove.
    remove: list[tuple[str, str]] = field(default_factory=list)
    #: Set when the group cannot be synced (two groups with that name).
    problem: str = ""

    @property
    def writes(self) -> bool:
        return not self.problem and (self.group_id is None or bool(self.add or self.remove))


@dataclass
class Plan:
    """Every change a sync would make; ``refused`` says why it must not run, if so."""

    source: str
    users: list[UserChange]
    groups: list[GroupChange]
    #: The directory's state the plan was made from.
    state: DirectoryState = field(repr=False)
    active_managed: int = 0
    refused: str = ""

    @property
    def changes(self) -> list[UserChange]:
        """The user changes that write (conflicts included, as they are reported)."""
        return [c for c in self.users if c.writes or c.action == "conflict"]

    @property
    def deactivations(self) -> int:
        return sum(c.deactivates for c in self.users)

    def counts(self) -> dict[str, int]:
        """How many of each kind of change: created, adopted, renamed, updated…"""
        counts: Counter[str] = Counter()
        for change in self.users:
            if change.action in ("create", "adopt", "conflict"):
                counts[
                    {"create": "created", "adopt": "adopted", "conflict": "conflicts"}[
                        change.action
                    ]
                ] += 1
            elif change.writes and change.action != "deactivate":
                counts["updated"] += 1
            if any(n.startswith("rename") for n in change.notes):
                counts["renamed"] += 1
            if change.deactivates:
                counts["deactivated"] += 1
            if "reactivate" in change.notes:
                counts["reactivated"] += 1
        counts["groups created"] = sum(g.group_id is None and not g.problem for g in self.groups)
        counts["members added"] = sum(len(g.add) for g in self.groups if not g.problem)
        counts["members removed"] = sum(len(g.remove) for g in self.groups if not g.problem)
        counts["group conflicts"] = sum(bool(g.problem) for g in self.groups)
        order = (
            "created",
            "adopted",
            "updated",
            "renamed",
            "deactivated",
            "reactivated",
            "conflicts",
            "groups created",
            "members added",
            "members removed",
            "group conflicts",
        )
        return {k: counts[k] for k in order}

    @property
    def empty(self) -> bool:
        """True when applying would write nothing."""
        return not any(c.writes for c in self.users) and not any(g.writes for g in self.groups)

    def rows(self) -> list[tuple[str, str, str]]:
        """(action, target, details), one per change, users then groups."""
        rows = []
        for c in self.changes:
            action = "rename" if any(n.startswith("rename") for n in c.notes) else c.action
            if c.deactivates:
                action = "deactivate"
            rows.append((action, f"{c.user_name} ({c.employee_id})", "; ".join(c.notes)))
        for g in self.groups:
            if g.problem:
                rows.append(("conflict", f"group {g.display_name}", g.problem))
            elif g.writes:
                action = "create" if g.group_id is None else "members"
                details = []
                if g.add:
                    details.append(f"+{len(g.add)}")
                if g.remove:
                    details.append(f"-{len(g.remove)}: " + ", ".join(n for _, n in g.remove[:5]))
                rows.append((action, f"group {g.display_name}", " ".join(details)))
        return rows

    def summary(self) -> str:
        counts = ", ".join(f"{v} {k}" for k, v in self.counts().items() if v)
        return (
            f"Plan for source {self.source!r}: {counts or 'no changes'} "
            f"(read with {self.state.reads} requests)."
        )

    def text(self, limit: int | None = None) -> str:
        """The plan for a terminal: the counts, then each change (the first ``limit``)."""
        lines = [self.summary()]
        if self.refused:
            lines.append(f"REFUSED: {self.refused}")
        rows = self.rows()
        shown = rows if limit is None else rows[:limit]
        width = max((len(a) for a, _, _ in shown), default=0)
        lines += [f"  {a:<{width}}  {t}  {d}".rstrip() for a, t, d in shown]
        if len(shown) < len(rows):
            lines.append(f"  … and {len(rows) - len(shown)} more changes")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        return (
            f"<Plan {self.source}: {len(self.rows())} changes{' REFUSED' if self.refused else ''}>"
        )

    def _repr_html_(self, limit: int = 200) -> str:
        esc = html.escape
        rows = self.rows()
        body = "".join(
            f"<tr><td>{esc(a)}</td><td>{esc(t)}</td><td>{esc(d)}</td></tr>"
            for a, t, d in rows[:limit]
        )
        more = f"<p>… and {len(rows) - limit} more changes</p>" if len(rows) > limit else ""
        refused = f"<p><b>Refused:</b> {esc(self.refused)}</p>" if self.refused else ""
        return (
            f"<p>{esc(self.summary())}</p>{refused}<table><thead><tr><th>change</th>"
            f"<th>who</th><th>details</th></tr></thead><tbody>{body}</tbody></table>{more}"
        )


# -- building the plan ------------------------------------------------------------------------


def manager_reference(base_url: str, user_id: str) -> dict[str, str]:
    """The enterprise ``manager`` (RFC 7643 §4.3): the manager's id and its ``$ref`` URI."""
    return {"value": user_id, "$ref": f"{base_url}/Users/{user_id}"}


def user_body(
    person: Person, source: str, manager_id: str | None = None, base_url: str = ""
) -> dict[str, Any]:
    """The JSON of the User a row becomes (RFC 7643 §4.1, §4.3), for a POST.

    JSON rather than a :class:`User` model: at 100,000 people, building and validating a
    model apiece costs minutes. A single POST still goes through the model (apply).
    """
    body: dict[str, Any] = {
        "schemas": [urns.USER],
        "userName": person.user_name,
        "externalId": external_id(source, person.employee_id),
        "active": person.active,
    }
    name = {"givenName": person.given_name, "familyName": person.family_name}
    if any(name.values()):
        body["name"] = {k: v for k, v in name.items() if v}
    if display_name := _display_name(person):
        body["displayName"] = display_name
    if person.email:
        body["emails"] = [{"value": person.email, "type": "work", "primary": True}]
    if person.title:
        body["title"] = person.title
    enterprise: dict[str, Any] = {}
    if person.department:
        enterprise["department"] = person.department
    if person.division:
        enterprise["division"] = person.division
    if manager_id:
        enterprise["manager"] = manager_reference(base_url, manager_id)
    if enterprise:
        body["schemas"].append(_ENTERPRISE)
        body[_ENTERPRISE] = enterprise
    return body


def _display_name(person: Person) -> str | None:
    return " ".join(p for p in (person.given_name, person.family_name) if p) or None


def _set(path: str, current: Any, wanted: Any) -> Operation | None:
    """replace when the value differs, remove when the roster clears it, else nothing."""
    if (current or None) == (wanted or None):
        return None
    if wanted in (None, ""):
        return Operation(op="remove", path=path)
    return Operation(op="replace", path=path, value=wanted)


def user_operations(
    current: Account, person: Person, source: str, manager_id: str | None, base_url: str = ""
) -> tuple[list[Operation], list[str]]:
    """The PATCH operations turning ``current`` into the row, and their names."""
    ops: list[tuple[str, Operation | None]] = []
    ops.append(
        (
            "externalId",
            _set("externalId", current.externalId, external_id(source, person.employee_id)),
        )
    )
    if current.userName != person.user_name:
        ops.append(
            (
                f"rename {current.userName} → {person.user_name}",
                Operation(op="replace", path="userName", value=person.user_name),
            )
        )
    ops.append(("givenName", _set("name.givenName", current.givenName, person.given_name)))
    ops.append(("familyName", _set("name.familyName", current.familyName, person.family_name)))
    ops.append(("displayName", _set("displayName", current.displayName, _display_name(person))))
    have = list(current.emails)
    want = [(person.email.casefold(), "work", True)] if person.email else []
    if have != want:
        if want:
            value = [{"value": person.email, "type": "work", "primary": True}]
            ops.append(("email", Operation(op="replace", path="emails", value=value)))
        else:
            ops.append(("email", Operation(op="remove", path="emails")))
    ops.append(("title", _set("title", current.title, person.title)))
    ops.append(
        ("department", _set(f"{_ENTERPRISE}:department", current.department, person.department))
    )
    ops.append(("division", _set(f"{_ENTERPRISE}:division", current.division, person.division)))
    if manager_id is not None or not person.manager_id:
        have_manager = current.manager
        if (have_manager or None) != (manager_id or None):
            if manager_id:
                ops.append(
                    (
                        "manager",
                        Operation(
                            op="replace",
                            path=f"{_ENTERPRISE}:manager",
                            value=manager_reference(base_url, manager_id),
                        ),
                    )
                )
            else:
                ops.append(("manager", Operation(op="remove", path=f"{_ENTERPRISE}:manager")))
    if current.active is not person.active:
        label = "deactivate" if not person.active else "active"
        if person.active and current.active is False:
            label = "reactivate"
        ops.append((label, Operation(op="replace", path="active", value=person.active)))
    kept = [(label, op) for label, op in ops if op is not None]
    return [op for _, op in kept], [label for label, _ in kept]


def make_plan(
    roster: Roster, state: DirectoryState, *, allow_mass_deactivation: bool = False
) -> Plan:
    """Work out every change; ``plan.refused`` is set when the guard stops the run."""
    source = state.source
    users: list[UserChange] = []
    #: employee_id -> SCIM id, for the users that exist (managed or adopted).
    ids: dict[str, str] = {eid: u.user_id for eid, u in state.managed.items() if u.user_id}
    matched: dict[str, Account] = dict(state.managed)
    conflicts: set[str] = set()
    for person in roster.people:
        if person.employee_id in matched:
            continue
        other = state.by_user_name.get(person.user_name.casefold())
        if other is not None and not other.externalId and other.user_id:
            matched[person.employee_id] = other
            ids[person.employee_id] = other.user_id
        elif other is not None:
            conflicts.add(person.employee_id)
            users.append(
                UserChange(
                    action="conflict",
                    employee_id=person.employee_id,
                    user_name=person.user_name,
                    user_id=other.user_id,
                    where=person.where,
                    notes=[
                        f"userName {person.user_name!r} belongs to a user with externalId "
                        f"{other.externalId!r}, which this sync does not manage; left unchanged"
                    ],
                )
            )
    for person in roster.people:
        if person.employee_id in conflicts:
            continue
        manager_id = ids.get(person.manager_id) if person.manager_id else None
        pending = person.manager_id if person.manager_id and manager_id is None else None
        current = matched.get(person.employee_id)
        if current is None:
            users.append(
                UserChange(
                    action="create",
                    employee_id=person.employee_id,
                    user_name=person.user_name,
                    person=person,
                    pending_manager=pending,
                    notes=["new"] if person.active else ["new, inactive"],
                    where=person.where,
                )
            )
            continue
        ops, notes = user_operations(current, person, source, manager_id, state.base_url)
        adopted = person.employee_id not in state.managed
        if pending:
            notes.append("manager")
        users.append(
            UserChange(
                action="adopt" if adopted else "update",
                employee_id=person.employee_id,
                user_name=person.user_name,
                user_id=current.user_id,
                operations=ops,
                pending_manager=pending,
                notes=notes,
                where=person.where,
                deactivates=current.active is not False and not person.active,
            )
        )
    for employee_id, user in state.managed.items():
        if employee_id in roster.by_id:
            continue
        change = UserChange(
            action="deactivate",
            employee_id=employee_id,
            user_name=user.userName or "",
            user_id=user.user_id,
            notes=["not in the roster"],
        )
        if user.active is not False:
            change.operations = [Operation(op="replace", path="active", value=False)]
            change.notes = ["left: not in the roster"]
            change.deactivates = True
        users.append(change)
    groups = _group_changes(roster, state, matched, conflicts)
    plan = Plan(
        source=source,
        users=users,
        groups=groups,
        state=state,
        active_managed=sum(u.active is not False for u in state.managed.values()),
    )
    count = plan.deactivations
    if (
        not allow_mass_deactivation
        and count > GUARD_COUNT
        and count > GUARD_SHARE * plan.active_managed
    ):
        share = count / plan.active_managed if plan.active_managed else 1.0
        plan.refused = (
            f"this run would deactivate {count} of the {plan.active_managed} active users the "
            f"sync manages ({share:.0%}); the guard allows at most {GUARD_SHARE:.0%} (and "
            f"{GUARD_COUNT}). Nothing was written. Check that the roster is the whole export; "
            "if so many people really left, run again allowing mass deactivation "
            "(--allow-mass-deactivation)."
        )
    return plan


def _group_changes(
    roster: Roster, state: DirectoryState, matched: dict[str, Account], conflicts: set[str]
) -> list[GroupChange]:
    managed_ids = {u.user_id: eid for eid, u in matched.items() if u.user_id}
    names = {u.user_id: (u.userName or "") for u in matched.values() if u.user_id}
    listing: dict[str, list[str]] = {}
    for p in roster.people:
        for name in p.groups:
            listing.setdefault(name, []).append(p.employee_id)
    changes = []
    for display_name in roster.group_names:
        found = state.groups.get(display_name.casefold(), [])
        listed = [e for e in listing.get(display_name, []) if e not in conflicts]
        if len(found) > 1:
            changes.append(
                GroupChange(
                    display_name,
                    found[0].group_id,
                    problem=(
                        f"{len(found)} groups are named {display_name!r}; left unchanged. "
                        "Rename or remove the extra ones, then run again"
                    ),
                )
            )
            continue
        group: GroupView | None = found[0] if found else None
        current = group.members if group else frozenset()
        current_managed = {managed_ids[v] for v in current if v in managed_ids}
        add = [eid for eid in listed if eid not in current_managed]
        wanted = set(listed)
        remove = [
            (v, names[v])
            for v in sorted(current & managed_ids.keys())
            if managed_ids[v] not in wanted
        ]
        changes.append(GroupChange(display_name, group.group_id if group else None, add, remove))
    return changes
