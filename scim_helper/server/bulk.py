"""Bulk operations (RFC 7644 §3.7): many creates, replaces, patches and deletes in one request.

``bulkId`` references (``"bulkId:qwerty"``) may appear in a path or anywhere in ``data``;
operations are ordered so that an operation runs after the ones whose resources it refers
to (forward references work), and a circular reference is a 409 for the operations on it.

Atomicity (issue 5): with ``failOnErrors``, everything runs in one transaction and the
error that reaches the limit rolls back every change; without it, each operation commits
on its own.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scim2_models import (
    ConflictException,
    InvalidSyntaxException,
    InvalidValueException,
    SCIMException,
)

from . import resources
from .errors import error_body

if TYPE_CHECKING:  # pragma: no cover
    from .store import Store, Transaction

_PATH = re.compile(r"^/?([^/]+)(?:/([^/]+))?/?$")
_BULK_REF = re.compile(r"^bulkId:(.+)$")


@dataclass
class _Op:
    index: int
    method: str
    bulk_id: str | None
    rtype: str | None
    rid: str | None
    data: Any
    version: str | None
    error: SCIMException | None = None


class _Abort(Exception):
    """failOnErrors reached: unwind the transaction."""


def run_bulk(
    store: Store, tenant: str, operations: Any, fail_on_errors: int | None = None
) -> list[dict[str, Any]]:
    """Run a BulkRequest's ``Operations`` for ``tenant`` through ``store``'s transactions; one
    result per operation, in the request's order."""
    if not isinstance(operations, list):
        raise InvalidSyntaxException(
            detail='A BulkRequest needs an "Operations" list (RFC 7644 §3.7).'
        )
    if fail_on_errors is not None and (
        isinstance(fail_on_errors, bool)
        or not isinstance(fail_on_errors, int)
        or fail_on_errors < 1
    ):
        raise InvalidValueException(detail="failOnErrors must be a positive integer.")
    ops = [_parse(i, raw) for i, raw in enumerate(operations)]
    order = _order(ops)
    runner = _Runner(store, tenant, fail_on_errors)
    if fail_on_errors is None:
        for batch in _batches(order):
            runner.run_batch_alone(batch)
    else:
        with contextlib.suppress(_Abort):
            store.transaction(tenant, lambda tx: runner.run_all(tx, order))
    # Results follow the request's order, whatever order references forced on execution.
    return [result for _, result in sorted(runner.results, key=lambda pair: pair[0])]


def _parse(index: int, raw: Any) -> _Op:
    if not isinstance(raw, dict):
        op = _Op(index, "?", None, None, None, None, None)
        op.error = InvalidSyntaxException(detail=f"Operation {index + 1} must be a JSON object.")
        return op
    fields = {str(k).lower(): v for k, v in raw.items()}
    method = str(fields.get("method") or "").upper()
    bulk_id = fields.get("bulkid")
    path = fields.get("path")
    op = _Op(
        index,
        method,
        bulk_id if isinstance(bulk_id, str) else None,
        None,
        None,
        fields.get("data"),
        fields.get("version") if isinstance(fields.get("version"), str) else None,
    )
    match = _PATH.match(path) if isinstance(path, str) else None
    target = resources.at_endpoint(match.group(1)) if match else None
    if method not in ("POST", "PUT", "PATCH", "DELETE"):
        op.error = InvalidSyntaxException(
            detail=f"Operation {index + 1}: method must be POST, PUT, PATCH or DELETE, not "
            f"{method!r}."
        )
    elif match is None or target is None:
        op.error = InvalidValueException(
            detail=f"Operation {index + 1}: path {path!r} must be /Users, /Groups or /Users/<id>."
        )
    else:
        op.rtype = target.name
        op.rid = match.group(2)
        if method == "POST" and op.rid is not None:
            op.error = InvalidValueException(
                detail=f"Operation {index + 1}: POST goes to /Users or /Groups."
            )
        elif method != "POST" and op.rid is None:
            op.error = InvalidValueException(
                detail=f"Operation {index + 1}: {method} needs /{path}/<id>."
            )
        elif method == "POST" and not op.bulk_id:
            op.error = InvalidValueException(
                detail=f"Operation {index + 1}: a POST in a BulkRequest needs a bulkId (RFC 7644 "
                "§3.7)."
            )
    return op


def _refs(value: Any, found: set[str]) -> set[str]:
    """Every bulkId a value refers to ("bulkId:x" strings, anywhere)."""
    if isinstance(value, str):
        match = _BULK_REF.match(value)
        if match:
            found.add(match.group(1))
    elif isinstance(value, dict):
        for item in value.values():
            _refs(item, found)
    elif isinstance(value, list):
        for item in value:
            _refs(item, found)
    return found


def _order(ops: list[_Op]) -> list[_Op]:
    """Request order, except that an operation waits for the POSTs it refers to.

    A depth-first walk with an explicit stack, so a long chain of references cannot
    exhaust Python's recursion limit; a cycle is cut where it closes (the operation
    then fails with 409, as RFC 7644 §3.7.1 allows).
    """
    creators = {op.bulk_id: op for op in ops if op.method == "POST" and op.bulk_id}
    needs = {op.index: sorted(_refs(op.data, set()) | _refs(op.rid or "", set())) for op in ops}
    done: set[int] = set()
    order: list[_Op] = []
    for root in ops:
        stack: list[tuple[_Op, int]] = [(root, 0)]
        on_path: set[int] = {root.index}
        while stack:
            op, position = stack[-1]
            if op.index in done:
                stack.pop()
                on_path.discard(op.index)
                continue
            refs = needs[op.index]
            if position < len(refs):
                stack[-1] = (op, position + 1)
                creator = creators.get(refs[position])
                if (
                    creator is not None
                    and creator.index not in done
                    and creator.index not in on_path
                ):
                    on_path.add(creator.index)
                    stack.append((creator, 0))
                continue
            stack.pop()
            on_path.discard(op.index)
            done.add(op.index)
            order.append(op)
    return order


_BATCH = 250


def _batches(order: list[_Op]) -> Iterator[list[_Op]]:
    """Runs of POSTs of one type with no bulkId references, which can be inserted together
    (seeding 100k users through Bulk); every other operation forms a batch of one."""
    batch: list[_Op] = []
    for op in order:
        joins = (
            op.method == "POST"
            and op.error is None
            and not _refs(op.data, set())
            and (not batch or batch[0].rtype == op.rtype)
        )
        if not joins or len(batch) == _BATCH:
            if batch:
                yield batch
            batch = []
        if joins:
            batch.append(op)
        else:
            yield [op]
    if batch:
        yield batch


class _Runner:
    def __init__(self, store: Store, tenant: str, fail_on_errors: int | None) -> None:
        self.store = store
        self.tenant = tenant
        self.fail_on_errors = fail_on_errors
        self.ids: dict[str, str] = {}  # bulkId -> id of the created resource
        self.results: list[tuple[int, dict[str, Any]]] = []
        self.errors = 0

    def run_alone(self, op: _Op) -> None:
        try:
            result = self.store.transaction(self.tenant, lambda tx: self._execute(tx, op))
        except SCIMException as exc:
            result = self._failure(op, exc)
        self.results.append((op.index, result))

    def run_batch_alone(self, batch: list[_Op]) -> None:
        normals = self._normalise_all(batch)
        if normals is not None:
            rtype = batch[0].rtype
            assert rtype is not None
            try:
                docs = self.store.transaction(
                    self.tenant, lambda tx: tx.create_many(rtype, normals)
                )
            except SCIMException:
                pass  # one of them fails: run them one by one to find which
            else:
                self._record(batch, docs)
                return
        for op in batch:
            self.run_alone(op)

    def _normalise_all(self, batch: list[_Op]) -> list[resources.Normalised] | None:
        if len(batch) < 2:
            return None
        try:
            return [resources.normalise(op.rtype or "", op.data) for op in batch]
        except SCIMException:
            return None

    def _record(self, batch: list[_Op], docs: list[dict[str, Any]]) -> None:
        for op, doc in zip(batch, docs, strict=True):
            if op.bulk_id:
                self.ids[op.bulk_id] = doc["id"]
            self.results.append((op.index, self._result(op, 201, doc)))

    def run_all(self, tx: Transaction, order: list[_Op]) -> None:
        # A retried transaction (deadlock on PostgreSQL) starts from scratch.
        self.ids, self.results, self.errors = {}, [], 0
        for batch in _batches(order):
            normals = self._normalise_all(batch)
            if normals is not None and batch[0].rtype is not None:
                try:
                    with tx.savepoint():
                        docs = tx.create_many(batch[0].rtype, normals)
                except SCIMException:
                    pass
                else:
                    self._record(batch, docs)
                    continue
            self._run_each(tx, batch)

    def _run_each(self, tx: Transaction, batch: list[_Op]) -> None:
        for op in batch:
            try:
                with tx.savepoint():
                    result = self._execute(tx, op)
            except SCIMException as exc:
                result = self._failure(op, exc)
            self.results.append((op.index, result))
            if self.fail_on_errors is not None and self.errors >= self.fail_on_errors:
                raise _Abort

    def _failure(self, op: _Op, exc: SCIMException) -> dict[str, Any]:
        self.errors += 1
        result = self._result(op, exc.status, None)
        result["error"] = error_body(exc)
        return result

    def _result(self, op: _Op, status: int, doc: dict[str, Any] | None) -> dict[str, Any]:
        result: dict[str, Any] = {"method": op.method}
        if op.bulk_id:
            result["bulkId"] = op.bulk_id
        result["status"] = status
        result["resourceType"] = op.rtype
        result["id"] = doc["id"] if doc else self._resolved_id(op)
        result["version"] = doc["meta"]["version"] if doc else None
        result["error"] = None
        return result

    def _resolved_id(self, op: _Op) -> str | None:
        if op.rid is None:
            return None
        match = _BULK_REF.match(op.rid)
        return self.ids.get(match.group(1)) if match else op.rid

    def _resolve(self, value: Any) -> Any:
        if isinstance(value, str):
            match = _BULK_REF.match(value)
            if match:
                ident = self.ids.get(match.group(1))
                if ident is None:
                    unresolved = ConflictException(
                        detail=f"bulkId '{match.group(1)}' does not name a resource created "
                        "earlier in this request (a failed or circular reference, RFC "
                        "7644 §3.7.1)."
                    )
                    # Ours: 409 as §3.7.1 asks, and invalidValue to say which value is at fault.
                    unresolved.scim_type = "invalidValue"
                    raise unresolved
                return ident
            return value
        if isinstance(value, dict):
            return {k: self._resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._resolve(v) for v in value]
        return value

    def _execute(self, tx: Transaction, op: _Op) -> dict[str, Any]:
        if op.error is not None:
            raise op.error
        rtype = op.rtype
        assert rtype is not None
        data = self._resolve(op.data)
        rid = self._resolve(op.rid) if op.rid else None
        if op.method == "POST":
            doc = tx.create(rtype, resources.normalise(rtype, data))
            if op.bulk_id:
                self.ids[op.bulk_id] = doc["id"]
            return self._result(op, 201, doc)
        assert rid is not None  # _parse gave every PUT, PATCH and DELETE an id
        if op.method == "DELETE":
            tx.delete(rtype, rid, op.version)
            result = self._result(op, 204, None)
            result["id"] = rid
            return result
        if op.method == "PUT":
            doc = tx.replace(rtype, rid, resources.normalise(rtype, data), op.version)
            return self._result(op, 200, doc)
        operations = data.get("Operations") if isinstance(data, dict) else data
        if isinstance(data, dict) and operations is None:
            operations = {str(k).lower(): v for k, v in data.items()}.get("operations")
        doc = tx.patch(rtype, rid, operations, op.version)
        return self._result(op, 200, doc)
