"""Applying a plan: POST the new users, PATCH what changed, chunk the membership changes.

Every write is a POST of a new resource or a PATCH of what differs (RFC 7644 §3.3, §3.5.2);
never a PUT, never a DELETE. Each change is tried on its own: an error is recorded in the
:class:`Report` with the server's status, scimType and detail, and the run goes on. A run that
loses the server (three transport failures in a row) stops and says so; running again finishes
the job without duplicates, because the next run finds what this one created by its externalId.

429 and 503 with ``Retry-After`` (RFC 6585 §4, RFC 9110 §10.2.3): the transport retries reads
by itself; a POST or PATCH it will not retry (it cannot know that the server did nothing), but
a 429 or 503 is the server saying it did nothing yet, so the write is sent again here after the
wait the server asked for.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from sync_app.client import SCIMClient
from sync_app.errors import ProtocolError, SCIMError, TransportError
from sync_app.scim import urns
from sync_app.scim.group import Group, Member
from sync_app.scim.patchop import Operation
from sync_app.scim.user import EnterpriseUser
from sync_app.sync.counter import RequestCounter
from sync_app.sync.plan import GroupChange, Plan, UserChange, manager_reference
from sync_app.transport import retry_after_seconds

__all__ = ["Failure", "Report", "apply_plan"]

T = TypeVar("T")
_RETRY_STATUSES = (429, 503)
_WRITE_ATTEMPTS = 4
_TRANSPORT_FAILURES_TO_STOP = 3


@dataclass
class Failure:
    """A change that failed, and why."""

    target: str
    action: str
    reason: str
    status: int | None = None
    scim_type: str | None = None


@dataclass
class Report:
    """What a run changed, what failed and why, and the requests it sent."""

    dry_run: bool = False
    refused: str = ""
    done: dict[str, int] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    #: Set when the run stopped early (the server was lost).
    interrupted: str = ""
    reads: int = 0
    writes: int = 0

    @property
    def ok(self) -> bool:
        return not (self.refused or self.failures or self.interrupted)

    def count(self, what: str, n: int = 1) -> None:
        self.done[what] = self.done.get(what, 0) + n

    def text(self) -> str:
        if self.refused:
            return f"Refused: {self.refused}"
        head = "Dry run: nothing written." if self.dry_run else "Sync finished."
        if self.interrupted:
            head = f"Sync interrupted: {self.interrupted}"
        done = ", ".join(f"{v} {k}" for k, v in self.done.items() if v) or "no changes"
        lines = [head, f"Done: {done}.", f"Requests: {self.reads} reads, {self.writes} writes."]
        if self.failures:
            lines.append(f"{len(self.failures)} failed:")
            lines += [f"  {f.action} {f.target}: {f.reason}" for f in self.failures]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        return "<pre>" + html.escape(self.text()) + "</pre>"


def _describe(error: SCIMError) -> tuple[str, int | None, str | None]:
    if isinstance(error, ProtocolError):
        return str(error.detail or error.summary), error.status, error.scim_type
    return error.summary, None, None


class _Run:
    def __init__(
        self,
        client: SCIMClient,
        plan: Plan,
        report: Report,
        sleep: Callable[[float], None],
        progress: Any,
    ) -> None:
        self.client = client
        self.plan = plan
        self.report = report
        self.sleep = sleep
        self.progress = progress
        self.ids = {eid: u.user_id for eid, u in plan.state.managed.items() if u.user_id}
        for change in plan.users:
            if change.action == "adopt" and change.user_id:
                self.ids[change.employee_id] = change.user_id
        self.transport_failures = 0

    def write(self, action: str, target: str, send: Callable[[], T]) -> T | None:
        """Send one write; on failure record it and go on (None)."""
        if self.report.interrupted:
            return None
        for attempt in range(1, _WRITE_ATTEMPTS + 1):
            try:
                result = send()
            except ProtocolError as error:
                wait = None
                if error.status in _RETRY_STATUSES and error.response is not None:
                    wait = retry_after_seconds(error.response.headers.get("Retry-After"))
                if (
                    wait is not None
                    and attempt < _WRITE_ATTEMPTS
                    and (wait <= self.client.config.max_backoff)
                ):
                    self.sleep(wait)
                    continue
                self._fail(action, target, error)
                return None
            except TransportError as error:
                self._fail(action, target, error)
                self.transport_failures += 1
                if self.transport_failures >= _TRANSPORT_FAILURES_TO_STOP:
                    self.report.interrupted = (
                        f"the server stopped answering ({error.summary}). Run the sync "
                        "again: it finds what this run created and finishes the job."
                    )
                return None
            except SCIMError as error:
                self._fail(action, target, error)
                return None
            self.transport_failures = 0
            return result
        return None

    def _fail(self, action: str, target: str, error: SCIMError) -> None:
        reason, status, scim_type = _describe(error)
        self.report.failures.append(Failure(target, action, reason, status, scim_type))

    def tick(self) -> None:
        if self.progress is not None:
            self.progress.update(1)

    # -- users ----------------------------------------------------------------------------

    def users(self) -> None:
        creates = [c for c in self.plan.users if c.action == "create"]
        for change in _managers_first(creates):
            self.create(change)
            self.tick()
        for change in self.plan.users:
            if change.action in ("update", "adopt", "deactivate") and change.writes:
                self.update(change)
                self.tick()
        for change in creates:
            if change.pending_manager and change.user_id:
                self.update(change)

    def create(self, change: UserChange) -> None:
        assert change.user is not None
        manager_id = self.ids.get(change.pending_manager or "")
        if manager_id:
            if change.user.enterprise is None:
                change.user.enterprise = EnterpriseUser()
            change.user.enterprise.manager = manager_reference(self.plan.state.base_url, manager_id)
            change.pending_manager = None
        user = change.user
        created = self.write(
            "create", change.user_name, lambda: self.client.create_user(user).resource
        )
        if created is not None and created.user_id:
            change.user_id = self.ids[change.employee_id] = created.user_id
            self.report.count("created")

    def update(self, change: UserChange) -> None:
        ops = list(change.operations)
        if change.pending_manager:
            manager_id = self.ids.get(change.pending_manager)
            if manager_id:
                ops.append(
                    Operation(
                        op="replace",
                        path=f"{urns.ENTERPRISE_USER}:manager",
                        value=manager_reference(self.plan.state.base_url, manager_id).to_dict(),
                    )
                )
                change.pending_manager = None
        if not ops or change.user_id is None:
            return
        user_id = change.user_id
        if (
            self.write(
                change.action, change.user_name, lambda: self.client.update_user(user_id, ops)
            )
            is not None
        ):
            if change.action == "create":
                return
            self.report.count(
                {"adopt": "adopted", "deactivate": "deactivated"}.get(change.action, "updated")
            )
            if any(n.startswith("rename") for n in change.notes):
                self.report.count("renamed")
            if change.action == "update" and change.deactivates:
                self.report.count("deactivated")
            if "reactivate" in change.notes:
                self.report.count("reactivated")

    # -- groups ---------------------------------------------------------------------------

    def groups(self) -> None:
        size = self.plan.state.limits.members_per_patch
        for change in self.plan.groups:
            if change.writes:
                self.group(change, size)
            self.tick()

    def group(self, change: GroupChange, size: int) -> None:
        add = [self.ids[e] for e in change.add if e in self.ids]
        group_id = change.group_id
        if group_id is None:
            first, add = add[:size], add[size:]
            group = Group(
                displayName=change.display_name, members=[Member(value=v) for v in first] or None
            )
            created = self.write(
                "create group",
                change.display_name,
                lambda: self.client.create_group(group).resource,
            )
            if created is None or not created.group_id:
                return
            group_id = created.group_id
            self.report.count("groups created")
            self.report.count("members added", len(first))
        for start in range(0, len(add), size):
            chunk = add[start : start + size]
            op = Operation(op="add", path="members", value=[{"value": v} for v in chunk])
            if (
                self.write(
                    "add members",
                    change.display_name,
                    partial(self.client.update_group, group_id, op),
                )
                is not None
            ):
                self.report.count("members added", len(chunk))
        for start in range(0, len(change.remove), size):
            gone = change.remove[start : start + size]
            # RFC 7644 §3.5.2.2: one remove per member, selected by a value filter.
            ops = [Operation(op="remove", path=f'members[value eq "{v}"]') for v, _ in gone]
            if (
                self.write(
                    "remove members",
                    change.display_name,
                    partial(self.client.update_group, group_id, ops),
                )
                is not None
            ):
                self.report.count("members removed", len(gone))


def _managers_first(creates: list[UserChange]) -> list[UserChange]:
    """New users ordered so that a new manager is created before the people they manage."""
    by_id = {c.employee_id: c for c in creates}
    ordered: list[UserChange] = []
    seen: set[str] = set()
    for change in creates:
        chain = []
        current: UserChange | None = change
        while current is not None and current.employee_id not in seen:
            seen.add(current.employee_id)
            chain.append(current)
            current = by_id.get(current.pending_manager or "")
        ordered.extend(reversed(chain))
    return ordered


def apply_plan(
    client: SCIMClient,
    plan: Plan,
    *,
    dry_run: bool = False,
    progress: bool = False,
    sleep: Callable[[float], None] = time.sleep,
) -> Report:
    """Make the plan's changes; return the :class:`Report`. A refused plan writes nothing.

    ``dry_run`` writes nothing and reports what would be done; ``progress`` shows a tqdm bar.
    """
    report = Report(dry_run=dry_run, refused=plan.refused)
    if plan.refused:
        return report
    if dry_run:
        report.done = {k: v for k, v in plan.counts().items() if v}
        return report
    bar = None
    if progress:
        from tqdm.auto import tqdm

        total = sum(c.writes for c in plan.users) + len(plan.groups)
        bar = tqdm(total=total, desc="sync", unit="change")
    run = _Run(client, plan, report, sleep, bar)
    with RequestCounter(client) as counter:
        try:
            run.users()
            run.groups()
        finally:
            if bar is not None:
                bar.close()
    report.reads, report.writes = counter.reads, counter.writes
    conflicts = [c for c in plan.users if c.action == "conflict"]
    for c in conflicts:
        report.failures.append(Failure(c.user_name, "match", "; ".join(c.notes)))
    for g in plan.groups:
        if g.problem:
            report.failures.append(Failure(g.display_name, "group", g.problem))
    return report
