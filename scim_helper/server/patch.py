"""The PATCH engine (RFC 7644 §3.5.2): add, replace and remove on a stored document.

:func:`apply_patch` edits a copy of the stored document in memory (a User or Group is
small) and hands every change of Group ``members`` to a :class:`MemberEditor`, which the
store implements with row inserts and deletes: members are never loaded to be rewritten.
The caller runs everything in one transaction and validates the result with
:func:`.resources.normalise`, so a failing operation leaves nothing changed.

Accepted from real clients on top of the RFC: ``"Add"``/``"Replace"``/``"Remove"`` in any
case, ``"True"``/``"False"`` strings for booleans (normalised afterwards), removing members
with a ``value`` list (Microsoft Entra ID) or a bare id string, and
``emails[type eq "work"].value`` adds that create the value when none matches.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, Protocol

from scim2_models import (
    InvalidPathException,
    InvalidSyntaxException,
    InvalidValueException,
    MutabilityException,
    NoTargetException,
)
from scim2_models.path import (
    AttrPath,
    CompareOperator,
    Comparison,
    FilterNode,
    LogicalExpr,
    LogicalOperator,
    Not,
    Present,
    ValuePath,
)

from .filters import parse_path
from .resources import TYPES, Attribute, Target, resolve


class MemberEditor(Protocol):
    """Changes to a Group's members, applied by the store inside the PATCH transaction."""

    def add(self, members: list[Any]) -> None: ...
    def remove(self, ids: list[str]) -> None: ...
    def set_display(self, ids: list[str] | None, display: Any) -> None: ...
    def clear(self) -> None: ...
    def replace(self, members: list[Any]) -> None: ...
    def select(self, condition: FilterNode) -> list[str]: ...
    def remove_matching(self, condition: FilterNode) -> bool: ...


def apply_patch(
    rtype: str, doc: dict[str, Any], operations: Any, members: MemberEditor | None
) -> dict[str, Any]:
    """Apply PatchOp ``Operations`` to a copy of ``doc`` and return it (not yet validated)."""
    if not isinstance(operations, list) or not operations:
        raise InvalidValueException(
            detail='A PatchOp needs a non-empty "Operations" list (RFC 7644 §3.5.2).'
        )
    result = copy.deepcopy(doc)
    for index, operation in enumerate(operations, start=1):
        _Operation(rtype, result, operation, index, members).apply()
        _keep_required(rtype, result, index)
    return result


def _keep_required(rtype: str, doc: dict[str, Any], index: int) -> None:
    """RFC 7644 §3.5.2: "If an attribute is removed or becomes unassigned and is defined as a
    required attribute or a read-only attribute, the server SHALL return" 400 ``mutability``
    (a remove, or a replace with null, of userName or displayName)."""
    for attribute in TYPES[rtype].core.attributes.values():
        if attribute.required and not attribute.read_only and doc.get(attribute.name) is None:
            raise MutabilityException(
                detail=f"Operation {index}: {attribute.name} is required for a {rtype} and cannot "
                "be removed or set to null; replace it with a new value instead."
            )


class _Operation:
    def __init__(
        self, rtype: str, doc: dict[str, Any], raw: Any, index: int, members: MemberEditor | None
    ) -> None:
        if not isinstance(raw, dict):
            raise InvalidSyntaxException(
                detail=f"Operation {index} must be a JSON object with op, path, value."
            )
        fields = {str(k).lower(): v for k, v in raw.items()}
        op = fields.get("op")
        if not isinstance(op, str) or op.lower() not in ("add", "replace", "remove"):
            raise InvalidSyntaxException(
                detail=f'Operation {index} has op {op!r}: use "add", "replace" or "remove".'
            )
        self.rtype = rtype
        self.doc = doc
        self.op = op.lower()
        self.path = fields.get("path")
        self.value = fields.get("value")
        self.has_value = "value" in fields
        self.index = index
        self.members = members
        if self.path is not None and not isinstance(self.path, str):
            raise InvalidPathException(detail=f"Operation {index}: path must be a string.")
        if self.path is not None and not self.path.strip():
            self.path = None

    # -- entry point --------------------------------------------------------------------

    def apply(self) -> None:
        if self.path is None:
            if self.op == "remove":
                # RFC 7644 §3.5.2.2: "If "path" is unspecified, the operation fails with HTTP
                # status code 400 and a "scimType" error code of "noTarget"."
                raise NoTargetException(
                    detail=f'Operation {self.index}: a remove needs a path (e.g. "title").'
                )
            self._apply_without_path()
            return
        extension = TYPES[self.rtype].extension(self.path.strip())
        if extension is not None:
            self._extension(extension.urn)
            return
        try:
            node = parse_path(self.path)
        except InvalidPathException as exc:
            raise InvalidPathException(
                detail=f"Operation {self.index}: the path {self.path!r} is not a valid SCIM path "
                f"({getattr(exc, 'detail', exc)}). Examples: title, name.familyName, "
                'emails[type eq "work"].value, members[value eq "<id>"].'
            ) from None
        if isinstance(node, AttrPath):
            self._at(self._resolve(node), None, self.value)
        elif isinstance(node, ValuePath):
            target = self._resolve(node.attr_path)
            if not target.attribute.multi_valued:
                raise InvalidPathException(
                    detail=f"Operation {self.index}: {target.name} is not multi-valued, so "
                    f"{self.path!r} selects nothing; use the path {target.name!r}."
                )
            sub = None
            if node.sub_attr is not None:
                sub = target.attribute.sub_attribute(node.sub_attr)
                if sub is None:
                    raise InvalidPathException(
                        detail=f"Operation {self.index}: {node.sub_attr!r} is not a sub-attribute "
                        f"of {target.attribute.name}."
                    )
            self._at(Target(target.attribute, sub, target.extension), node.val_filter, self.value)
        else:
            raise InvalidPathException(
                detail=f"Operation {self.index}: {self.path!r} is a filter, not a path; "
                'select values with brackets, e.g. emails[type eq "work"].'
            )

    def _resolve(self, path: AttrPath) -> Target:
        target = resolve(self.rtype, path)
        if target is None:
            raise InvalidPathException(
                detail=f"Operation {self.index}: {str(path)!r} is not an attribute of a "
                f"{self.rtype} (see /Schemas). Extension attributes take their schema URN "
                "as prefix."
            )
        if target.attribute.read_only or (target.sub is not None and target.sub.read_only):
            raise MutabilityException(
                detail=f"Operation {self.index}: {target.name} is readOnly and cannot be changed"
                + (
                    "; change membership through the Group's members."
                    if target.attribute.name == "groups"
                    else "."
                )
            )
        return target

    def _apply_without_path(self) -> None:
        if not isinstance(self.value, dict):
            raise InvalidValueException(
                detail=f"Operation {self.index}: without a path, value must be an object of "
                'attributes to set, e.g. {"title": "Manager"}.'
            )
        rt = TYPES[self.rtype]
        for key, value in self.value.items():
            ext = rt.extension(key)
            if ext is not None:
                if not isinstance(value, dict):
                    raise InvalidValueException(
                        detail=f"Operation {self.index}: {key} must hold an object of its "
                        "attributes."
                    )
                for sub_key, sub_value in value.items():
                    self._set_key(f"{ext.urn}:{sub_key}", sub_value)
                continue
            if key.lower() == "schemas":
                continue
            self._set_key(key, value)

    def _extension(self, urn: str) -> None:
        """A path naming a schema extension: its value is the object of its attributes, as
        under that URN in a resource (RFC 7643 §3.3)."""
        if self.op == "remove":
            # RFC 7644 §3.5.2.2: the target is removed and "SHALL be considered unassigned";
            # normalise then drops its URN from "schemas".
            self.doc.pop(urn, None)
            return
        if not isinstance(self.value, dict):
            raise InvalidValueException(
                detail=f"Operation {self.index}: the path {urn} takes an object of its attributes, "
                'e.g. {"employeeNumber": "42"}.'
            )
        # RFC 7644 §3.5.2.1/3: the extension is a complex target, so the value's
        # attributes are added or replaced and "sub-attributes that are not specified in the
        # "value" parameter are left unchanged". An extension object serialised on its own
        # carries its "schemas" (scim2-models does), which says nothing to change.
        for key, value in self.value.items():
            if key.lower() != "schemas":
                self._set_key(f"{urn}:{key}", value)

    def _set_key(self, key: str, value: Any) -> None:
        try:
            node = parse_path(key)
        except InvalidPathException:
            node = None
        if not isinstance(node, AttrPath):
            raise InvalidSyntaxException(
                detail=f"Operation {self.index}: {key!r} is not an attribute name."
            )
        target = resolve(self.rtype, node)
        if target is None:
            raise InvalidSyntaxException(
                detail=f"Operation {self.index}: {key!r} is not an attribute of a {self.rtype}."
            )
        if target.attribute.read_only:
            return  # RFC 7643 §2.2: readOnly values sent by a client are ignored.
        self._at(target, None, value)

    # -- dispatch on the kind of target -------------------------------------------------

    def _host(self, target: Target, create: bool) -> dict[str, Any] | None:
        if target.extension is None:
            return self.doc
        host = self.doc.get(target.extension)
        if host is None and create:
            host = self.doc[target.extension] = {}
        return host

    def _at(self, target: Target, condition: FilterNode | None, value: Any) -> None:
        a = target.attribute
        if self.op != "remove" and not self.has_value:
            raise InvalidValueException(detail=f"Operation {self.index}: {self.op} needs a value.")
        if self.rtype == "Group" and a.name == "members":
            self._members(target, condition, value)
            return
        host = self._host(target, create=self.op != "remove")
        if host is None:
            return
        if a.multi_valued:
            self._multi(host, target, condition, value)
        elif target.sub is not None:
            self._sub_of_complex(host, target, value)
        elif a.type == "complex" and self.op != "remove":
            if not isinstance(value, dict):
                raise InvalidValueException(
                    detail=f"Operation {self.index}: {target.name} is complex: its value is an "
                    "object of sub-attributes "
                    f"({', '.join(s.name for s in a.sub.values())})."
                )
            # RFC 7644 §3.5.2.1/3: sub-attributes not in "value" are left unchanged.
            current = host.get(a.name)
            if not isinstance(current, dict):
                current = {}
            host[a.name] = {**current, **_canonical_keys(a, value, self.index)}
        elif self.op == "remove" or value is None:
            host.pop(a.name, None)
        else:
            host[a.name] = value
        self._tidy(target)

    def _sub_of_complex(self, host: dict[str, Any], target: Target, value: Any) -> None:
        a, sub = target.attribute, target.sub
        assert sub is not None
        current = host.get(a.name)
        if self.op == "remove" or value is None:
            if isinstance(current, dict):
                current.pop(sub.name, None)
            return
        if not isinstance(current, dict):
            current = host[a.name] = {}
        current[sub.name] = value

    def _tidy(self, target: Target) -> None:
        host = self._host(target, create=False)
        if host is None:
            return
        item = host.get(target.attribute.name)
        if item in ({}, [], None):
            host.pop(target.attribute.name, None)
        if target.extension and not host:
            self.doc.pop(target.extension, None)

    # -- multi-valued attributes --------------------------------------------------------

    def _multi(
        self, host: dict[str, Any], target: Target, condition: FilterNode | None, value: Any
    ) -> None:
        a, sub = target.attribute, target.sub
        items: list[Any] = list(host.get(a.name) or [])
        if condition is None and sub is None:
            if self.op == "remove":
                if self.has_value and value is not None:
                    drop = _values_of(value)
                    items = [i for i in items if _value_key(i) not in drop]
                else:
                    items = []
            else:
                new = value if isinstance(value, list) else [value]
                new = [_canonical_keys(a, v, self.index) if isinstance(v, dict) else v for v in new]
                if self.op == "replace":
                    items = new
                else:
                    items += [v for v in new if v not in items]
                _one_primary(items, new)
        elif condition is None:
            # "emails.value" without a filter: every value's sub-attribute.
            assert sub is not None
            if self.op == "remove":
                for item in items:
                    if isinstance(item, dict):
                        item.pop(sub.name, None)
                items = [i for i in items if i]
            elif items:
                for item in items:
                    if isinstance(item, dict):
                        item[sub.name] = value
                if sub.name == "primary":
                    _one_primary(items, items[-1:])
            else:
                items = [{sub.name: value}]
        else:
            matched = [i for i in items if isinstance(i, dict) and _matches(a, i, condition)]
            if not matched:
                if self.op == "add" and (created := _item_from_condition(a, condition)) is not None:
                    created.update({sub.name: value} if sub else _dict_value(a, value, self.index))
                    items.append(created)
                    _one_primary(items, [created])
                else:
                    # RFC 7644 §3.12, noTarget: "The specified "path" did not yield an attribute
                    # or attribute value that could be operated on. This occurs when the
                    # specified "path" value contains a filter that yields no match." §3.5.2.3
                    # says the same for replace.
                    raise NoTargetException(
                        detail=f"Operation {self.index}: no value of {a.name} matches "
                        f"{self.path!r}."
                    )
            elif self.op == "remove":
                if sub is None:
                    items = [i for i in items if not any(i is m for m in matched)]
                else:
                    for item in matched:
                        item.pop(sub.name, None)
                    items = [i for i in items if i]
            else:
                for item in matched:
                    if sub is not None:
                        item[sub.name] = value
                    elif self.op == "add":
                        item.update(_dict_value(a, value, self.index))
                    else:
                        # RFC 7644 §3.5.2.3: "all matching record values SHALL be replaced".
                        item.clear()
                        item.update(_dict_value(a, value, self.index))
                _one_primary(items, matched)
        host[a.name] = items

    def _members(self, target: Target, condition: FilterNode | None, value: Any) -> None:
        editor = self.members
        assert editor is not None
        if target.sub is not None:
            if target.sub.name != "display":
                raise MutabilityException(
                    detail=f"Operation {self.index}: members.{target.sub.name} cannot be changed; "
                    "remove the member and add the right one."
                )
            # display is readWrite: members[value eq "id"].display, or members.display for
            # every member (as emails.value reaches every email).
            ids = editor.select(condition) if condition is not None else None
            if ids == []:
                raise NoTargetException(
                    detail=f"Operation {self.index}: no member matches {self.path!r}."
                )
            editor.set_display(ids, None if self.op == "remove" else value)
            return
        if condition is not None:
            if self.op != "remove":
                raise InvalidPathException(
                    detail=f"Operation {self.index}: {self.op} does not take a member filter; "
                    'add members with {"op": "add", "path": "members", "value": [{"value": id}]}.'
                )
            if not editor.remove_matching(condition):
                # RFC 7644 §3.12 noTarget: "the specified "path" value contains a filter that
                # yields no match".
                raise NoTargetException(
                    detail=f"Operation {self.index}: no member matches {self.path!r}."
                )
            return
        if self.op == "remove":
            if self.has_value and value not in (None, [], ""):
                # Entra ID sends [{"value": id}]; the course transcript a bare id string.
                editor.remove(sorted(_values_of(value)))
            else:
                # RFC 7644 §3.5.2.2: "If the target location is a multi-valued attribute and
                # no filter is specified, the attribute and all values are removed".
                editor.clear()
            return
        new = value if isinstance(value, list) else [value]
        if self.op == "replace":
            editor.replace(new)
        else:
            editor.add(new)


# ---------------------------------------------------------------------------------------
# Helpers on values.


def _canonical_keys(attribute: Attribute, value: dict[str, Any], index: int) -> dict[str, Any]:
    result = {}
    for key, item in value.items():
        sub = attribute.sub_attribute(key) if isinstance(key, str) else None
        if sub is None:
            raise InvalidSyntaxException(
                detail=f"Operation {index}: {key!r} is not a sub-attribute of {attribute.name}."
            )
        result[sub.name] = item
    return result


def _dict_value(attribute: Attribute, value: Any, index: int) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidValueException(
            detail=f"Operation {index}: a value of {attribute.name} is an object of sub-attributes."
        )
    return _canonical_keys(attribute, value, index)


def _values_of(value: Any) -> set[str]:
    """The ids/values a remove names: "id", {"value": "id"} or a list of either."""
    items = value if isinstance(value, list) else [value]
    found = set()
    for item in items:
        if isinstance(item, dict):
            item = {str(k).lower(): v for k, v in item.items()}.get("value")
        if isinstance(item, str):
            found.add(item)
        elif item is not None:
            raise InvalidValueException(
                detail=f'Cannot remove {item!r}: name values as {{"value": "…"}}.'
            )
    return found


def _value_key(item: Any) -> Any:
    return item.get("value") if isinstance(item, dict) else item


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _one_primary(items: list[Any], touched: list[Any]) -> None:
    # RFC 7644 §3.5.2: setting "primary" to true on one value "SHALL cause the server to
    # automatically set "primary" to "false" for any other values in the array".
    chosen = [t for t in touched if isinstance(t, dict) and _truthy(t.get("primary"))]
    if not chosen:
        return
    keep = chosen[-1]
    for item in items:
        if isinstance(item, dict) and item is not keep and _truthy(item.get("primary")):
            item["primary"] = False


def _item_from_condition(attribute: Attribute, node: FilterNode) -> dict[str, Any] | None:
    """The value an add through ``emails[type eq "work"].value`` creates, or None when the
    filter is not a plain conjunction of equalities (Entra ID sends exactly that)."""
    terms = (
        node.terms if isinstance(node, LogicalExpr) and node.op == LogicalOperator.and_ else (node,)
    )
    item: dict[str, Any] = {}
    for term in terms:
        if not (isinstance(term, Comparison) and term.op == CompareOperator.eq):
            return None
        sub = attribute.sub_attribute(term.attr_path.attr)
        if sub is None or term.attr_path.sub_attr is not None:
            return None
        item[sub.name] = term.value
    return item


def _matches(attribute: Attribute, item: dict[str, Any], node: FilterNode) -> bool:
    """Evaluate the filter inside brackets against one value (RFC 7644 §3.4.2.2 rules)."""
    if isinstance(node, LogicalExpr):
        results = (_matches(attribute, item, t) for t in node.terms)
        return all(results) if node.op == LogicalOperator.and_ else any(results)
    if isinstance(node, Not):
        return not _matches(attribute, item, node.expr)
    if isinstance(node, ValuePath):
        raise InvalidPathException(
            detail=f"A value selection cannot be nested inside another ({node})."
        )
    path = node.attr_path  # type: ignore[attr-defined]
    sub = attribute.sub_attribute(path.attr) if path.sub_attr is None else None
    if sub is None:
        raise InvalidPathException(detail=f"{path} is not a sub-attribute of {attribute.name}.")
    actual = item.get(sub.name)
    if isinstance(node, Present):
        return actual not in (None, "", [], {})
    assert isinstance(node, Comparison)
    return _compare(sub, actual, node.op, node.value)


def _compare(sub: Attribute, actual: Any, op: CompareOperator, expected: Any) -> bool:
    if sub.type == "boolean":
        actual = _truthy(actual) if actual is not None else None
        expected = _truthy(expected) if isinstance(expected, str) else expected
    if actual is None or expected is None:
        if op == CompareOperator.eq:
            return actual is None and expected is None
        return op == CompareOperator.ne and (actual is None) != (expected is None)
    if isinstance(actual, str) and isinstance(expected, str) and not sub.case_exact:
        actual, expected = actual.lower(), expected.lower()
    ops: dict[CompareOperator, Callable[[Any, Any], bool]] = {
        CompareOperator.eq: lambda x, y: x == y,
        CompareOperator.ne: lambda x, y: x != y,
        CompareOperator.co: lambda x, y: isinstance(x, str) and isinstance(y, str) and y in x,
        CompareOperator.sw: lambda x, y: (
            isinstance(x, str) and isinstance(y, str) and x.startswith(y)
        ),
        CompareOperator.ew: lambda x, y: (
            isinstance(x, str) and isinstance(y, str) and x.endswith(y)
        ),
        CompareOperator.gt: lambda x, y: x > y,
        CompareOperator.ge: lambda x, y: x >= y,
        CompareOperator.lt: lambda x, y: x < y,
        CompareOperator.le: lambda x, y: x <= y,
    }
    try:
        return bool(ops[op](actual, expected))
    except TypeError:
        return False
