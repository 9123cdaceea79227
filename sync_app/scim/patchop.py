"""PATCH requests (RFC 7644 §3.5.2): a list of add, remove and replace operations."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pydantic
import scim2_models

from sync_app.errors import ValidationError
from sync_app.scim import urns
from sync_app.scim.base import SCIMObject, dump_value

__all__ = ["PATCH_OP_SCHEMA", "Operation", "PatchOp"]

PATCH_OP_SCHEMA = urns.PATCH_OP
_OPS = ("add", "remove", "replace")
# The multi-valued attributes of RFC 7643 whose items are named by a "value" sub-attribute.
_VALUED = frozenset(
    {
        "members",
        "emails",
        "phoneNumbers",
        "ims",
        "photos",
        "entitlements",
        "roles",
        "x509Certificates",
        "groups",
    }
)


@dataclass
class Operation:
    """One PATCH operation: ``op`` (add, remove, replace), an attribute ``path``, a ``value``.

    ``Operation(op="remove", path="members", value=user_id)`` is accepted, as several
    identity providers send it, and is sent the way RFC 7644 §3.5.2.2 defines it: a
    filter in the path, ``members[value eq "<user_id>"]``, one operation per value.
    """

    #: ``"add"``, ``"remove"`` or ``"replace"`` (any case is accepted).
    op: str
    #: The attribute to change, e.g. ``"active"``, ``"emails.value"``, ``"members"``.
    #: Optional for add and replace, where ``value`` is then a dict of attributes.
    path: str | None = None
    #: The new value; a list adds several values to a multi-valued attribute.
    value: Any = None

    def __post_init__(self) -> None:
        if not isinstance(self.op, str) or self.op.lower() not in _OPS:
            raise ValidationError(
                f"Operation.op must be one of 'add', 'remove', 'replace', not {self.op!r}.",
                model="Operation",
                field="op",
            )
        self.op = self.op.lower()
        if self.path is not None:
            if not isinstance(self.path, str):
                raise ValidationError(
                    f"Operation.path must be a string, not {type(self.path).__name__}.",
                    model="Operation",
                    field="path",
                )
            try:
                scim2_models.Path(self.path)
            except scim2_models.InvalidPathException as exc:
                raise ValidationError(
                    f"Operation.path {self.path!r} is not a valid SCIM path: {exc}. "
                    'Paths look like "active", "name.givenName", "emails.value" or '
                    "'members[value eq \"2819c223\"]'.",
                    model="Operation",
                    field="path",
                ) from None
        if self.op == "remove" and not self.path:
            raise ValidationError(
                "Operation(op='remove') needs a path saying what to remove, "
                "e.g. path='members[value eq \"2819c223\"]' (RFC 7644 §3.5.2.2).",
                model="Operation",
                field="path",
            )
        if self.op in ("add", "replace") and self.value is None:
            raise ValidationError(
                f"Operation(op={self.op!r}) needs a value (RFC 7644 §3.5.2); "
                "to clear an attribute, use op='remove'.",
                model="Operation",
                field="value",
            )
        if self.op != "remove" and not self.path and not isinstance(self.value, Mapping):
            raise ValidationError(
                f"Operation(op={self.op!r}) without a path needs a dict value of attributes, "
                "e.g. value={'active': False}.",
                model="Operation",
                field="value",
            )

    def to_dicts(self) -> list[dict[str, Any]]:
        """The RFC 7644 JSON of this operation (a legacy remove may become several)."""
        if self.op == "remove" and self.value is not None and self.path in _VALUED:
            selected = _selected_values(self.value)
            if selected is not None:
                return [
                    {"op": "remove", "path": f"{self.path}[value eq {json.dumps(v)}]"}
                    for v in selected
                ]
        out: dict[str, Any] = {"op": self.op}
        if self.path is not None:
            out["path"] = self.path
        if self.value is not None:
            out["value"] = dump_value(self.value)
        return [out]


def _selected_values(value: Any) -> list[str] | None:
    """The ids a legacy remove names (``"id"``, ``{"value": "id"}``, a Member, or a list)."""
    items = value if isinstance(value, list | tuple) else [value]
    ids: list[str] = []
    for item in items:
        if isinstance(item, str | uuid.UUID):
            ids.append(str(item))
        elif isinstance(item, Mapping) and set(item) <= {"value", "display", "$ref", "type"}:
            if "value" not in item:
                return None
            ids.append(str(item["value"]))
        elif isinstance(item, SCIMObject) and getattr(item, "value", None) is not None:
            ids.append(str(item.value))  # type: ignore[attr-defined]
        else:
            return None
    return ids


@dataclass
class PatchOp:
    """A PATCH request body (RFC 7644 §3.5.2): operations applied in order, all or none."""

    operations: list[Operation] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Learners pass one Operation, a dict, or a list of either: accept them all.
        given: Any = self.operations
        if isinstance(given, Operation):
            given = [given]
        elif isinstance(given, Mapping):
            given = [Operation(**given)]
        elif isinstance(given, Iterable) and not isinstance(given, str):
            given = [Operation(**op) if isinstance(op, Mapping) else op for op in given]
        self.operations = given if isinstance(given, list) else []
        bad = [op for op in self.operations if not isinstance(op, Operation)]
        if not self.operations or bad:
            raise ValidationError(
                "PatchOp(operations=...) needs a non-empty list of Operation(op=, path=, value=).",
                model="PatchOp",
                field="operations",
            )

    def to_dict(self) -> dict[str, Any]:
        """The JSON body sent to the server."""
        return {
            "schemas": [PATCH_OP_SCHEMA],
            "Operations": [d for op in self.operations for d in op.to_dicts()],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PatchOp:
        """Build a PatchOp from its JSON body."""
        return cls(operations=[Operation(**op) for op in data.get("Operations", [])])

    def validate_for(self, resource: type[Any]) -> None:
        """Check the operations against a resource's schema (unknown or read-only paths).

        ``resource`` is :class:`~sync_app.scim.user.User` or
        :class:`~sync_app.scim.group.Group`; the rules are scim2-models'.
        """
        model = getattr(resource, "_scim_model", None)
        if model is None:
            return
        patch_op: Any = scim2_models.PatchOp
        try:
            patch_op[model].model_validate(
                self.to_dict(), scim_ctx=scim2_models.Context.RESOURCE_PATCH_REQUEST
            )
        except pydantic.ValidationError as exc:
            error = exc.errors()[0]
            raise ValidationError(
                f"This PatchOp cannot apply to a {resource.__name__}: {error['msg']}.",
                model="PatchOp",
                field="operations",
            ) from None

    def __repr__(self) -> str:
        ops = ", ".join(f"{o.op} {o.path or '(attributes)'}" for o in self.operations)
        return f"<PatchOp {ops}>"
