"""Applying a plan: POST the new users, PATCH what changed, chunk the membership changes.

Every write is a POST of a new resource or a PATCH of what differs (RFC 7644 §3.3, §3.5.2);
never a PUT, never a DELETE. When a step has more than :data:`BULK_FROM` writes and the server
supports Bulk (RFC 7644 §3.7), they travel in Bulk requests within the server's advertised
``bulk.maxOperations`` and ``bulk.maxPayloadSize``; otherwise one request each (ours: a few
changes stay readable in a wire log). New users are created managers first, in waves, so each
manager's id is known when the people they manage are created.

Each change is tried on its own: an error is recorded in the :class:`Report` with the server's
status, scimType and detail, and the run goes on. A run that loses the server (three transport
failures in a row) stops and says so; running again finishes the job without duplicates,
because the next run finds what this one created by its externalId.

429 and 503 with ``Retry-After`` (RFC 6585 §4, RFC 9110 §10.2.3): the transport retries reads
by itself; a POST or PATCH it will not retry (it cannot know whether the server acted), but a
429 or 503 says the server did not act, so the write is sent again here after the wait asked.
"""

from __future__ import annotations

import html
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from sync_app.client import SCIMClient
from sync_app.errors import ProtocolError, SCIMError, TransportError
from sync_app.progress import Progress
from sync_app.scim import urns
from sync_app.scim.group import Group
from sync_app.scim.messages import BulkOperation
from sync_app.scim.patchop import Operation, PatchOp
from sync_app.scim.user import User
from sync_app.sync.counter import RequestCounter
from sync_app.sync.plan import GroupChange, Plan, UserChange, manager_reference, user_body
from sync_app.transport import retry_after_seconds

__all__ = ["BULK_FROM", "Failure", "Report", "apply_plan"]

#: A step with more writes than this goes through Bulk, when the server supports it (ours).
BULK_FROM = 20
_RETRY_STATUSES = (429, 503)
_WRITE_ATTEMPTS = 4
_TRANSPORT_FAILURES_TO_STOP = 3
#: New users whose Bulk operations are built at a time, in Bulk requests (bulk.maxOperations).
_CREATES_AT_ONCE = 5
#: Room left under bulk.maxPayloadSize for the request's envelope.
_PAYLOAD_MARGIN = 0.9


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
        lines = [
            head,
            f"{'Would do' if self.dry_run else 'Done'}: {done}.",
            f"Requests after the plan: {self.reads} reads, {self.writes} writes.",
        ]
        if self.failures:
            lines.append(f"{len(self.failures)} failed:")
            lines += [f"  {f.action} {f.target}: {f.reason}" for f in self.failures]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        return "<pre>" + html.escape(self.text()) + "</pre>"


@dataclass
class _Write:
    """One write, sendable alone (``send``) or as a Bulk operation (``bulk``)."""

    action: str
    target: str
    send: Callable[[], Any]
    bulk: BulkOperation
    #: Called with the new resource's id (a POST) or None, once the write succeeded.
    done: Callable[[str | None], None]
    #: The JSON of ``data`` when it is plain JSON already (a new user): sizing a batch from
    #: it skips a model round trip per operation, minutes at 100,000 people.
    raw: dict[str, Any] | None = None

    def size(self) -> int:
        """The bytes this operation adds to a Bulk request (at least; ASCII-escaped JSON)."""
        if self.raw is None:
            return len(json.dumps(self.bulk.to_dict()))
        envelope = len(self.bulk.method) + len(self.bulk.path or "") + len(self.bulk.bulkId or "")
        return len(json.dumps(self.raw)) + envelope + 64


def _describe(error: SCIMError) -> tuple[str, int | None, str | None]:
    if isinstance(error, ProtocolError):
        return str(error.detail or error.summary), error.status, error.scim_type
    return error.summary, None, None


def _chunks(items: list[UserChange], size: int) -> list[list[UserChange]]:
    """``items`` in chunks of ``size``; a last chunk too small for Bulk joins the one before."""
    parts = [items[i : i + size] for i in range(0, len(items), size)]
    if len(parts) > 1 and len(parts[-1]) <= BULK_FROM:
        parts[-2] += parts.pop()
    return parts


def _new_user_name(change: UserChange) -> str | None:
    """The userName a change renames its user to, if it does."""
    for op in change.operations:
        if op.op == "replace" and op.path == "userName" and isinstance(op.value, str):
            return op.value
    return None


def _new_id(resource: Any) -> str | None:
    return getattr(resource, "id", None)


class _Run:
    def __init__(
        self,
        client: SCIMClient,
        plan: Plan,
        report: Report,
        sleep: Callable[[float], None],
        progress: Progress,
        bulk: bool,
    ) -> None:
        self.client = client
        self.plan = plan
        self.limits = plan.state.limits
        self.report = report
        self.sleep = sleep
        self.progress = progress
        self.allow_bulk = bulk and self.limits.bulk
        self.ids = {eid: u.user_id for eid, u in plan.state.managed.items() if u.user_id}
        for change in plan.users:
            if change.action == "adopt" and change.user_id:
                self.ids[change.employee_id] = change.user_id
        self.transport_failures = 0

    # -- sending --------------------------------------------------------------------------

    def attempt(self, send: Callable[[], Any]) -> tuple[Any, SCIMError | None]:
        """Send once, again after a 429/503 Retry-After; the result or the error."""
        for attempt in range(1, _WRITE_ATTEMPTS + 1):
            if self.report.interrupted:
                return None, TransportError("not sent: the run was interrupted")
            try:
                result = send()
            except ProtocolError as error:
                wait = None
                if error.status in _RETRY_STATUSES and error.response is not None:
                    wait = retry_after_seconds(error.response.headers.get("Retry-After"))
                if (
                    wait is not None
                    and attempt < _WRITE_ATTEMPTS
                    and wait <= self.client.config.max_backoff
                ):
                    self.sleep(wait)
                    continue
                return None, error
            except TransportError as error:
                self.transport_failures += 1
                if self.transport_failures >= _TRANSPORT_FAILURES_TO_STOP:
                    self.report.interrupted = (
                        f"the server stopped answering ({error.summary}). Run the sync "
                        "again: it finds what this run created and finishes the job."
                    )
                return None, error
            except SCIMError as error:
                return None, error
            self.transport_failures = 0
            return result, None
        return None, None

    def fail(self, action: str, target: str, error: SCIMError) -> None:
        reason, status, scim_type = _describe(error)
        self.report.failures.append(Failure(target, action, reason, status, scim_type))

    def send(self, writes: list[_Write]) -> None:
        """Send the writes of one step: in Bulk requests if there are many, else one by one."""
        if self.allow_bulk and len(writes) > BULK_FROM:
            for batch in self.batches(writes):
                self.send_bulk(batch)
            return
        for write in writes:
            result, error = self.attempt(write.send)
            if error is not None:
                self.fail(write.action, write.target, error)
            else:
                write.done(_new_id(result))
            self.tick()

    def batches(self, writes: list[_Write]) -> list[list[_Write]]:
        most = self.limits.bulk_operations
        room = self.limits.bulk_payload * _PAYLOAD_MARGIN if self.limits.bulk_payload else None
        batches: list[list[_Write]] = [[]]
        size = 0
        for write in writes:
            length = write.size()
            full = len(batches[-1]) >= most or (room is not None and size + length > room)
            if batches[-1] and full:
                batches.append([])
                size = 0
            batches[-1].append(write)
            size += length
        return [b for b in batches if b]

    def send_bulk(self, batch: list[_Write]) -> None:
        answer, error = self.attempt(partial(self.client.bulk, [w.bulk for w in batch]))
        if error is not None or answer is None:
            for write in batch:
                if error is not None:
                    self.fail(write.action, write.target, error)
            self.tick(len(batch))
            return
        # The answer's JSON as received, not BulkResponse models: parsing 1,000 results
        # into models per request cost a tenth of an initial sync at 100,000 people.
        listed = answer.to_dict().get("Operations")
        results = [r for r in listed if isinstance(r, dict)] if isinstance(listed, list) else []
        by_bulk_id = {r["bulkId"]: r for r in results if r.get("bulkId")}
        for position, write in enumerate(batch):
            result = by_bulk_id.get(write.bulk.bulkId) if write.bulk.bulkId else None
            if result is None and position < len(results):
                result = results[position]
            status = str(result.get("status") or "") if result is not None else ""
            code = int(status) if status.isdigit() else None
            if result is not None and code is not None and code < 300:
                location = str(result.get("location") or "")
                write.done(location.rstrip("/").rsplit("/", 1)[-1] if location else None)
                continue
            body = result.get("response") if result is not None else None
            body = body if isinstance(body, dict) else {}
            self.report.failures.append(
                Failure(
                    write.target,
                    write.action,
                    str(body.get("detail") or f"Bulk operation status {code}"),
                    code,
                    body.get("scimType"),
                )
            )
        self.tick(len(batch))

    def tick(self, n: int = 1) -> None:
        self.progress.update(n)

    # -- users ----------------------------------------------------------------------------

    def users(self) -> None:
        creates = [c for c in self.plan.users if c.action == "create"]
        waiting = creates
        while waiting:
            # A wave: everyone whose manager is known (or who has none, or whose manager
            # cannot be created); managers are then known for the next wave.
            waiting_ids = {c.employee_id for c in waiting}
            ready = [
                c
                for c in waiting
                if c.pending_manager is None
                or c.pending_manager in self.ids
                or c.pending_manager not in waiting_ids
            ] or waiting  # a cycle of managers: create them all, then PATCH the managers
            # A few Bulk requests' worth at a time: 90,000 new users' bodies and operations
            # built at once were most of the client's memory at 100,000 people.
            for chunk in _chunks(ready, _CREATES_AT_ONCE * max(1, self.limits.bulk_operations)):
                self.send([self.create(c) for c in chunk])
            chosen = {id(c) for c in ready}
            waiting = [c for c in waiting if id(c) not in chosen]
        patches = [
            c for c in self.plan.users if c.action in ("update", "adopt", "deactivate") and c.writes
        ]
        patches += [c for c in creates if c.pending_manager and c.user_id]
        self.send([self.step_aside(c) for c in self.blocking_renames(patches)])
        self.send([w for c in patches if (w := self.update(c)) is not None])

    def blocking_renames(self, patches: list[UserChange]) -> list[UserChange]:
        """Renamed users whose current userName another rename in this run takes (a swap,
        or a chain A → B → C): each must let go of its name before the other takes it, or
        the server answers 409 uniqueness (RFC 7643 §4.1.1: userName is unique)."""
        managed = self.plan.state.managed
        current = {
            c.employee_id: managed[c.employee_id].userName.casefold()
            for c in patches
            if c.employee_id in managed and _new_user_name(c) is not None
        }
        wanted = {name.casefold() for c in patches if (name := _new_user_name(c)) is not None}
        return [c for c in patches if current.get(c.employee_id) in wanted]

    def step_aside(self, change: UserChange) -> _Write:
        """PATCH the userName to a temporary one (ours: ``<name>~<8 hex>``); the change's own
        PATCH then gives the roster's name. If that PATCH fails, the next run finds the
        temporary name and renames it again."""
        assert change.user_id is not None
        managed = self.plan.state.managed[change.employee_id]
        temporary = f"{managed.userName}~{uuid.uuid4().hex[:8]}"
        patch = PatchOp(operations=[Operation(op="replace", path="userName", value=temporary)])
        return _Write(
            "rename (free the name)",
            managed.userName,
            partial(self.client.update_user, change.user_id, patch),
            BulkOperation(method="PATCH", path=f"/Users/{change.user_id}", data=patch),
            lambda _id: None,
        )

    def create(self, change: UserChange) -> _Write:
        person = change.person
        assert person is not None
        manager_id = self.ids.get(person.manager_id) if person.manager_id else None
        if manager_id:
            change.pending_manager = None
        state = self.plan.state
        body = user_body(person, state.source, manager_id, state.base_url)

        def done(new_id: str | None) -> None:
            if new_id:
                change.user_id = self.ids[change.employee_id] = new_id
                self.report.count("created")

        return _Write(
            "create",
            change.user_name,
            lambda: self.client.create_user(User.from_dict(body)).resource,
            BulkOperation(method="POST", path="/Users", bulkId=change.employee_id, data=body),
            done,
            raw=body,
        )

    def update(self, change: UserChange) -> _Write | None:
        ops = list(change.operations)
        if change.pending_manager:
            manager_id = self.ids.get(change.pending_manager)
            if manager_id:
                value = manager_reference(self.plan.state.base_url, manager_id)
                path = f"{urns.ENTERPRISE_USER}:manager"
                ops.append(Operation(op="replace", path=path, value=value))
                change.pending_manager = None
        if not ops or change.user_id is None:
            return None
        user_id = change.user_id

        def done(_id: str | None) -> None:
            if change.action == "create":
                return
            kinds = {"adopt": "adopted", "deactivate": "deactivated"}
            self.report.count(kinds.get(change.action, "updated"))
            if any(n.startswith("rename") for n in change.notes):
                self.report.count("renamed")
            if change.action == "update" and change.deactivates:
                self.report.count("deactivated")
            if "reactivate" in change.notes:
                self.report.count("reactivated")

        patch = PatchOp(operations=ops)
        return _Write(
            change.action,
            change.user_name,
            partial(self.client.update_user, user_id, patch),
            BulkOperation(method="PATCH", path=f"/Users/{user_id}", data=patch),
            done,
        )

    # -- groups ---------------------------------------------------------------------------

    def groups(self) -> None:
        size = self.limits.members_per_patch
        changes = [g for g in self.plan.groups if g.writes]
        group_ids = {id(g): g.group_id for g in changes}
        adds = {id(g): [self.ids[e] for e in g.add if e in self.ids] for g in changes}
        creates = []
        for change in changes:
            if change.group_id is None:
                first = adds[id(change)][:size]
                adds[id(change)] = adds[id(change)][size:]
                creates.append(self.create_group(change, first, group_ids))
        self.send(creates)
        writes: list[_Write] = []
        for change in changes:
            group_id = group_ids[id(change)]
            if group_id is None:
                continue  # its creation failed, and says so
            add = adds[id(change)]
            for start in range(0, len(add), size):
                chunk = add[start : start + size]
                op = Operation(op="add", path="members", value=[{"value": v} for v in chunk])
                writes.append(self.member_write(group_id, change, "add members", [op], len(chunk)))
            for start in range(0, len(change.remove), size):
                gone = change.remove[start : start + size]
                # RFC 7644 §3.5.2.2: one remove per member, selected by a value filter.
                ops = [Operation(op="remove", path=f'members[value eq "{v}"]') for v, _ in gone]
                writes.append(self.member_write(group_id, change, "remove members", ops, len(gone)))
        self.send(writes)

    def create_group(
        self, change: GroupChange, first: list[str], group_ids: dict[int, str | None]
    ) -> _Write:
        """POST /Groups with the first chunk of members."""
        body: dict[str, Any] = {"schemas": [urns.GROUP], "displayName": change.display_name}
        if first:
            body["members"] = [{"value": v} for v in first]

        def done(new_id: str | None) -> None:
            group_ids[id(change)] = new_id
            if new_id:
                self.report.count("groups created")
                self.report.count("members added", len(first))

        return _Write(
            "create group",
            change.display_name,
            lambda: self.client.create_group(Group.from_dict(body)).resource,
            BulkOperation(method="POST", path="/Groups", bulkId=f"group-{id(change)}", data=body),
            done,
        )

    def member_write(
        self, group_id: str, change: GroupChange, action: str, ops: list[Operation], n: int
    ) -> _Write:
        counted = "members added" if action == "add members" else "members removed"
        patch = PatchOp(operations=ops)
        return _Write(
            action,
            change.display_name,
            partial(self.client.update_group, group_id, patch),
            BulkOperation(method="PATCH", path=f"/Groups/{group_id}", data=patch),
            lambda _id: self.report.count(counted, n),
        )


def apply_plan(
    client: SCIMClient,
    plan: Plan,
    *,
    dry_run: bool = False,
    progress: bool = False,
    bulk: bool = True,
    sleep: Callable[[float], None] = time.sleep,
) -> Report:
    """Make the plan's changes; return the :class:`Report`. A refused plan writes nothing.

    ``dry_run`` writes nothing and reports what would be done; ``progress`` shows a bar (in a
    notebook, replaced by a one-line summary when the run ends); ``bulk=False`` sends every
    write on its own even where the server supports Bulk.
    """
    report = Report(dry_run=dry_run, refused=plan.refused)
    if plan.refused:
        return report
    if dry_run:
        report.done = {k: v for k, v in plan.counts().items() if v}
        return report
    total = sum(c.writes for c in plan.users) + sum(g.writes for g in plan.groups)
    with Progress(total if progress else 0, "sync", " writes") as bar:
        run = _Run(client, plan, report, sleep, bar, bulk)
        with RequestCounter(client) as counter:
            run.users()
            run.groups()
        if progress:
            bar.finish(f"sync: {counter.writes} writes sent.")
    report.reads, report.writes = counter.reads, counter.writes
    for c in plan.users:
        if c.action == "conflict":
            report.failures.append(Failure(c.user_name, "match", "; ".join(c.notes)))
    for g in plan.groups:
        if g.problem:
            report.failures.append(Failure(g.display_name, "group", g.problem))
    return report
