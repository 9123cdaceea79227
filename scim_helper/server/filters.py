"""SCIM filters (RFC 7644 §3.4.2.2) compiled to SQL, so the database evaluates them.

Parsing is scim2-models' (``scim2_models.path``: an LALR grammar with the RFC errata applied,
which builds ``Comparison``/``LogicalExpr``/``Not``/``Present``/``ValuePath`` nodes); this
module adds learner-friendly error messages, a cap on parenthesis nesting, and a
``FilterVisitor`` that turns the tree into an SQLAlchemy expression over the tables of
:mod:`.db`. Every value is a bound parameter, so a value that looks like SQL is only data.

Where an attribute lives decides the SQL:

- hot singular attributes are indexed columns of ``resources`` (``userName`` …);
- other singular attributes are read from the ``doc`` JSON column;
- multi-valued ones are ``pk IN (SELECT … FROM multi_values / memberships WHERE …)``, which
  both SQLite and PostgreSQL drive from the child table's index when the filter is selective.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

# lark is scim2-models' parser. Its errors (the terminals it expected, the column) make the
# messages below precise: lark is a declared dependency, and store/test_filters.py pins
# every message that reads them.
from lark.exceptions import UnexpectedCharacters, UnexpectedToken
from scim2_models import (
    InvalidFilterException,
    InvalidPathException,
    InvalidValueException,
    Path,
    ScimFilter,
)
from scim2_models.path import (
    AttrPath,
    CompareOperator,
    Comparison,
    FilterNode,
    FilterVisitor,
    LogicalExpr,
    LogicalOperator,
    Not,
    PathNode,
    Present,
    ValuePath,
)
from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    false,
    func,
    literal,
    not_,
    or_,
    select,
    true,
)

from .db import MAX_SQL_INTEGER, membership_table, multi_value_table, resource_table
from .resources import CHILD_ATTRIBUTES, TYPES, Attribute, Target, parse_datetime, resolve

# Parentheses leave no node in scim2-models' tree, so its own depth limit does not see
# them; 10,000 of them would still be parsed. Real filters nest a handful.
MAX_NESTING = 64
# A long and/or chain compiles to one SQL expression per comparison: SQLite refuses an
# expression tree deeper than 1,000 (a 500 otherwise) and compiling 30,000 takes seconds.
# Clients that look up many ids at once send a few dozen.
MAX_COMPARISONS = 200

_OPERATORS = "eq, ne, co, sw, ew, gt, ge, lt, le or pr"
_VALUE_TERMINALS = {"STRING", "NUMBER", "TRUE", "FALSE", "NULL"}


# ``attr eq "value"`` (or ``attr.sub eq "value"``) is most of what clients send: a sync looks
# users up one at a time. Its node is built here as scim2-models' grammar builds it, without
# the LALR parser. Only what the grammar reads the same way takes this path: an ATTRNAME
# (``grammar._ATTR_NAME``) that is not a keyword, and a string with no escape or control
# character (so its JSON decoding is itself). Anything else goes to the parser.
_NAME = r"\$?[A-Za-z][A-Za-z0-9$_-]*"
_SPACE = r"[ \t\f\r\n]"
_SIMPLE_EQ = re.compile(
    rf'{_SPACE}*({_NAME})(?:\.({_NAME}))?{_SPACE}+[eE][qQ]{_SPACE}+"([^"\\\x00-\x1f]*)"{_SPACE}*'
)
_KEYWORDS = frozenset(
    {"and", "or", "not", "pr", "eq", "ne", "co", "sw", "ew", "gt", "lt", "ge", "le"}
    | {"true", "false", "null"}
)


def _simple_eq(text: str) -> FilterNode | None:
    """The node of ``attr eq "value"`` without parsing, or None for any other filter."""
    match = _SIMPLE_EQ.fullmatch(text)
    if match is None:
        return None
    attr, sub, value = match.groups()
    if attr.lower() in _KEYWORDS:
        return None
    return Comparison(AttrPath(attr, sub), CompareOperator.eq, value)


_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
_WORD = re.compile(r"[A-Za-z]+")
_OPERATOR_WORDS = _KEYWORDS - {"true", "false", "null"}


def equalities_only(text: Any) -> bool:
    """Whether ``text`` compares with ``eq`` alone, joined by ``and`` (value paths too:
    ``emails[type eq "work" and value eq "…"]``): no ``co``/``sw``/``ew``, ``pr``, ordering,
    ``or`` or ``not``. The operators are found in the text outside its quoted values, without
    parsing; a filter that fails to parse is refused later either way. Used to decide where a
    search runs (routes.py), never what it finds."""
    if not isinstance(text, str) or not text.strip():
        return False
    words = {word.lower() for word in _WORD.findall(_QUOTED.sub(" ", text))}
    operators = words & _OPERATOR_WORDS
    return "eq" in operators and operators <= {"eq", "and"}


def parse_filter(text: str) -> FilterNode:
    """Parse a filter, raising 400 invalidFilter with a message a learner can act on."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidFilterException(
            detail='The filter is empty: write one like userName eq "bjensen".'
        )
    simple = _simple_eq(text)
    if simple is not None:
        _check_size(simple)
        return simple
    _check_nesting(text)
    try:
        node = ScimFilter(text).ast
    except InvalidFilterException as exc:
        raise InvalidFilterException(detail=_explain(text, exc)) from None
    except RecursionError:  # pragma: no cover - guarded by _check_nesting
        raise InvalidFilterException(detail=f"The filter {text!r} nests too deeply.") from None
    _check_size(node)
    return node


def parse_path(text: str) -> PathNode:
    """Parse a PATCH path (RFC 7644 §3.5.2 PATH rule); raises InvalidPathException."""
    _check_nesting(text, what="path")
    node = Path(text).ast
    if node is None:  # the empty path: no node, where the grammar itself refuses it
        raise InvalidPathException(detail="invalid syntax at column 1")
    if isinstance(node, ValuePath):
        _check_size(node.val_filter, what="path")
    return node


def _check_size(node: FilterNode, what: str = "filter") -> None:
    """Refuse a filter with more than MAX_COMPARISONS comparisons, or a string value that is
    not Unicode text (walked without recursion)."""

    make = InvalidFilterException if what == "filter" else InvalidPathException
    count = 0
    pending: list[Any] = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, LogicalExpr):
            pending.extend(current.terms)
        elif isinstance(current, Not):
            pending.append(current.expr)
        elif isinstance(current, ValuePath):
            pending.append(current.val_filter)
        elif current is not None:
            count += 1
            value = getattr(current, "value", None)
            if isinstance(value, str) and not _is_text(value):
                # "\ud800" is a valid escape but half a UTF-16 pair: no database can bind it.
                raise make(
                    detail=f"The {what} has a string escaping half of a UTF-16 surrogate pair "
                    "(like \\ud800) without the other half; send the whole character."
                )
        if count > MAX_COMPARISONS:
            raise make(
                detail=f"The {what} has more than {MAX_COMPARISONS} comparisons; split it into "
                "several requests."
            )


def _is_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _brackets(text: str) -> Iterator[str]:
    """The parentheses and square brackets of ``text`` that stand outside quoted strings."""
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "()[]":
            yield char


def _check_nesting(text: str, what: str = "filter") -> None:
    depth = deepest = 0
    for char in _brackets(text):
        if char in "([":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_NESTING:
                make = InvalidFilterException if what == "filter" else InvalidPathException
                raise make(
                    detail=f"The {what} nests parentheses more than {MAX_NESTING} levels deep; "
                    "simplify it (and/or chains need no parentheses)."
                )
        else:
            depth -= 1


def _innermost_open(text: str) -> str | None:
    """The innermost "(" or "[" left open in ``text``, outside quoted strings."""
    opened: list[str] = []
    for char in _brackets(text):
        if char in "([":
            opened.append(char)
        elif opened:
            opened.pop()
    return opened[-1] if opened else None


def _explain(text: str, exc: InvalidFilterException | InvalidPathException) -> str:
    cause = exc.__cause__
    shown = text if len(text) <= 120 else text[:117] + "..."
    if isinstance(cause, UnexpectedToken):
        expected = set(cause.expected or ())
        at_end = cause.token.type == "$END"
        words = (text if at_end else text[: max(cause.column - 1, 0)]).split()
        last = words[-1] if words else ""
        if at_end:
            if expected & _VALUE_TERMINALS:
                return (
                    f"The filter {shown!r} is incomplete: a value must follow {last!r} "
                    f'(a "string" in double quotes, a number, true, false or null).'
                )
            if "COMPARE_OP" in expected or "PR" in expected:
                return (
                    f"The filter {shown!r} is incomplete: an operator ({_OPERATORS}) "
                    f"must follow {last!r}."
                )
            # The parser's state after a comparison expects either closer; the text says
            # which one is missing.
            if "_RPAR" in expected or "_RBRACKET" in expected:
                if _innermost_open(text) == "[":
                    return f"The filter {shown!r} is missing a closing bracket ']'."
                return f"The filter {shown!r} is missing a closing parenthesis ')'."
            return f"The filter {shown!r} ends too early."
        if expected & _VALUE_TERMINALS:
            return (
                f"The filter {shown!r} needs a value after {last!r} at column {cause.column}: "
                f'strings go in double quotes, e.g. userName eq "bjensen".'
            )
        if "COMPARE_OP" in expected or "PR" in expected:
            return (
                f"The filter {shown!r} has {str(cause.token)!r} at column {cause.column} where "
                f"an operator ({_OPERATORS}) was expected."
            )
        return (
            f"The filter {shown!r} has an unexpected {str(cause.token)!r} at column "
            f"{cause.column}. Combine comparisons with and, or, not (…)."
        )
    if isinstance(cause, UnexpectedCharacters):
        return (
            f"The filter {shown!r} has a character the SCIM grammar does not allow at column "
            f"{cause.column} ({text[(cause.pos_in_stream or 0) :][:1]!r}). "
            'Strings go in double quotes, e.g. userName eq "bjensen".'
        )
    detail = getattr(exc, "detail", None) or str(exc)
    return f"The filter {shown!r} is invalid: {detail}."


# ---------------------------------------------------------------------------------------
# Operands: where a compared value lives, and how it compares.


@dataclass(frozen=True)
class Operand:
    """A compared SQL expression. ``mode``: "exact" compares as is; "lowered" holds values
    Python already lowercased (compare to value.lower()); "fold" lowercases both in SQL."""

    expr: ColumnElement[Any]
    kind: str
    mode: str = "exact"
    name: str = ""


def _json_operand(
    column: ColumnElement[Any], keys: tuple[str, ...], attribute: Attribute, name: str
) -> Operand:
    element = column[keys] if len(keys) > 1 else column[keys[0]]
    kind = attribute.type
    if kind == "boolean":
        expr = element.as_boolean()
    elif kind == "integer":
        expr = element.as_integer()
    elif kind == "decimal":
        expr = element.as_float()
    elif kind == "complex":
        expr = element
    else:
        expr = element.as_string()
    mode = "fold" if kind == "string" and not attribute.case_exact else "exact"
    return Operand(expr, kind, mode, name)


def singular_operand(rtype: str, target: Target) -> Operand:
    """The SQL operand of a singular attribute (or sub-attribute of a singular complex one)."""
    a, sub, name = target.attribute, target.sub, target.name
    if target.extension is None:
        key = (a.name, sub.name if sub else None)
        column = _COLUMNS.get(key)
        if column is not None and (rtype == "User" or key[0] != "userName"):
            expr, kind, mode = column
            return Operand(expr, kind, mode, name)
        if key == ("meta", "location"):
            raise InvalidFilterException(
                detail="meta.location is not stored (it is built from the server's URL): "
                'filter on id instead, e.g. id eq "…".'
            )
        if key == ("meta", None):
            return Operand(resource_table.c.pk, "complex", "exact", name)
        if a.name == "password":
            return Operand(resource_table.c.password_hash, "password", "exact", name)
    keys = tuple(k for k in (target.extension, a.name, sub.name if sub else None) if k)
    return _json_operand(resource_table.c.doc, keys, target.leaf, name)


_COLUMNS: dict[tuple[str, str | None], tuple[ColumnElement[Any], str, str]] = {
    ("id", None): (resource_table.c.id, "string", "exact"),
    ("externalId", None): (resource_table.c.external_id, "string", "exact"),
    ("userName", None): (resource_table.c.user_name_lower, "string", "lowered"),
    ("displayName", None): (resource_table.c.display_name_lower, "string", "lowered"),
    ("name", "familyName"): (resource_table.c.family_name_lower, "string", "lowered"),
    ("active", None): (resource_table.c.active, "boolean", "exact"),
    ("meta", "created"): (resource_table.c.created, "dateTime", "exact"),
    ("meta", "lastModified"): (resource_table.c.last_modified, "dateTime", "exact"),
    ("meta", "resourceType"): (resource_table.c.rtype, "string", "fold"),
    ("meta", "version"): (resource_table.c.version, "version", "exact"),
}


def item_operand(rtype: str, parent: Attribute, sub: Attribute) -> Operand:
    """The SQL operand of a sub-attribute of one value of a multi-valued attribute."""
    name = f"{parent.name}.{sub.name}"
    if parent.name == "groups":
        g = _GROUP
        if sub.name == "value":
            return Operand(g.c.id, "string", "exact", name)
        if sub.name == "display":
            return Operand(g.c.display_name_lower, "string", "lowered", name)
        if sub.name == "type":
            return Operand(literal("direct"), "string", "fold", name)
        raise InvalidFilterException(
            detail=f"{name} is not stored and cannot be filtered on; use groups.value."
        )
    if parent.name == "members":
        m = _MEMBER
        if sub.name == "value":
            return Operand(m.c.id, "string", "exact", name)
        if sub.name == "display":
            # As shown: the display the client sent with the member, else the member's name.
            expr = func.coalesce(
                membership_table.c.display_lower, m.c.display_name_lower, m.c.user_name_lower
            )
            return Operand(expr, "string", "lowered", name)
        if sub.name == "type":
            return Operand(m.c.rtype, "string", "fold", name)
        raise InvalidFilterException(
            detail=f"{name} is not stored and cannot be filtered on; use members.value."
        )
    if sub.name == "value" and sub.type != "binary":
        if sub.case_exact:
            return Operand(multi_value_table.c.value, sub.type, "exact", name)
        return Operand(multi_value_table.c.value_lower, sub.type, "lowered", name)
    if sub.name == "type":
        return Operand(multi_value_table.c.type_lower, "string", "lowered", name)
    if sub.name == "primary":
        return Operand(multi_value_table.c.primary, "boolean", "exact", name)
    return _json_operand(multi_value_table.c.item, (sub.name,), sub, name)


_GROUP = resource_table.alias("g")
_MEMBER = resource_table.alias("mbr")


def item_subquery(parent: Attribute, condition: ColumnElement[bool] | None) -> Select[int]:
    """SELECT the resource pks that have a value of ``parent`` matching ``condition``."""
    if parent.name == "groups":
        query = select(membership_table.c.member_pk).select_from(
            membership_table.join(_GROUP, _GROUP.c.pk == membership_table.c.group_pk)
        )
    elif parent.name == "members":
        query = select(membership_table.c.group_pk).select_from(
            membership_table.join(_MEMBER, _MEMBER.c.pk == membership_table.c.member_pk)
        )
    else:
        query = select(multi_value_table.c.resource_pk).where(
            multi_value_table.c.attr == parent.name
        )
    return query.where(condition) if condition is not None else query


def is_multi_valued_table(attribute: Attribute) -> bool:
    return attribute.name in CHILD_ATTRIBUTES or attribute.name in ("groups", "members")


# ---------------------------------------------------------------------------------------
# Comparison.


def compare(operand: Operand, op: CompareOperator, value: Any) -> ColumnElement[bool]:
    """SQL for ``operand op value`` with RFC 7644 §3.4.2.2 semantics."""
    expr, kind, name = operand.expr, operand.kind, operand.name
    if value is None:
        if op == CompareOperator.eq:
            return expr.is_(None)
        if op == CompareOperator.ne:
            return expr.is_not(None)
        raise InvalidFilterException(
            detail=f"null can only be compared with eq or ne ({name} {op.value} null)."
        )
    if kind == "boolean":
        if isinstance(value, str) and value.lower() in ("true", "false"):
            value = value.lower() == "true"
        if not isinstance(value, bool):
            raise InvalidFilterException(
                detail=f"{name} is a boolean: compare it with true or false."
            )
        if op not in (CompareOperator.eq, CompareOperator.ne):
            raise InvalidFilterException(
                detail=f"The operator {op.value} cannot be applied to the boolean {name}; use eq "
                "or ne."
            )
        return _eq_ne(expr, op, value)
    if kind == "version":
        text = str(value)
        digits = text.removeprefix("W/").strip('"')
        if (
            not digits.isdigit()
            or len(digits) > 19  # longer than any version (and int() refuses 4,300 digits)
            or int(digits) > MAX_SQL_INTEGER
            or op not in (CompareOperator.eq, CompareOperator.ne)
        ):
            return false() if op != CompareOperator.ne else true()
        return _eq_ne(expr, op, int(digits))
    if kind == "password":
        from .resources import hash_password

        if op not in (CompareOperator.eq, CompareOperator.ne) or not isinstance(value, str):
            raise InvalidFilterException(
                detail="password is write-only: it can only be compared with eq or ne."
            )
        return _eq_ne(expr, op, hash_password(value))
    if kind in ("integer", "decimal"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidFilterException(
                detail=f"{name} is a number: compare it with a number, not {value!r}."
            )
        if op in (CompareOperator.co, CompareOperator.sw, CompareOperator.ew):
            raise InvalidFilterException(
                detail=f"The operator {op.value} applies to strings, and {name} is a number."
            )
        return _ordered(expr, op, value)
    if not isinstance(value, str):
        raise InvalidFilterException(
            detail=f"{name} is a string: put the value in double quotes, e.g. {name} {op.value} "
            f'"{value}".'
        )
    if kind == "dateTime" and op not in (
        CompareOperator.co,
        CompareOperator.sw,
        CompareOperator.ew,
    ):
        normal = parse_datetime(value)
        if normal is None:
            raise InvalidFilterException(
                detail=f'{name} is a dateTime: compare it with a value like "2024-05-13T04:42:34Z".'
            )
        value = normal
    left, right = expr, value
    if operand.mode == "lowered":
        right = value.lower()
    elif operand.mode == "fold":
        left = func.lower(expr)
    if op in (CompareOperator.co, CompareOperator.sw, CompareOperator.ew):
        pattern = _escape_like(right)
        pattern = {"co": f"%{pattern}%", "sw": f"{pattern}%", "ew": f"%{pattern}"}[op.value]
        rhs = func.lower(literal(pattern)) if operand.mode == "fold" else pattern
        return left.like(rhs, escape="\\")
    if operand.mode == "fold":
        right = func.lower(literal(value))
    if op in (CompareOperator.eq, CompareOperator.ne):
        return _eq_ne(left, op, right)
    return _ordered(left, op, right)


def _eq_ne(expr: ColumnElement[Any], op: CompareOperator, value: Any) -> ColumnElement[bool]:
    if op == CompareOperator.eq:
        return expr == value
    # An attribute without a value is "not equal" to anything (RFC 7644 §3.4.2.2 leaves
    # it open; scim2-models' reference evaluator reads it this way too).
    return or_(expr.is_(None), expr != value)


def _ordered(expr: ColumnElement[Any], op: CompareOperator, value: Any) -> ColumnElement[bool]:
    if op == CompareOperator.eq:
        return expr == value
    if op == CompareOperator.ne:
        return or_(expr.is_(None), expr != value)
    return {
        CompareOperator.gt: expr > value,
        CompareOperator.ge: expr >= value,
        CompareOperator.lt: expr < value,
        CompareOperator.le: expr <= value,
    }[op]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def present(operand: Operand) -> ColumnElement[bool]:
    """``pr`` on a simple value: it has a value, and a string value is not empty."""
    if operand.kind in ("string", "reference", "binary", "dateTime"):
        return and_(operand.expr.is_not(None), operand.expr != "")
    return operand.expr.is_not(None)


def any_present(operands: list[Operand]) -> ColumnElement[bool]:
    """``pr`` on a complex value: "a non-empty node" (RFC 7644 §3.4.2.2), i.e. at least one
    sub-attribute with a value. A stored ``{}`` or ``{"givenName": ""}`` is not present."""
    return or_(*(present(operand) for operand in operands)) if operands else false()


# ---------------------------------------------------------------------------------------
# The visitor.


class _Boolean(FilterVisitor[ColumnElement[bool]]):
    """and, or and not, the same at the top of a filter and inside a value selection."""

    def visit_logical_expr(self, node: LogicalExpr) -> ColumnElement[bool]:
        terms = [self.visit(t) for t in node.terms]
        return and_(*terms) if node.op == LogicalOperator.and_ else or_(*terms)

    def visit_not(self, node: Not) -> ColumnElement[bool]:
        # SQL compares a missing value (NULL) to "unknown", and NOT unknown is unknown: without
        # care, not (title eq "x") would drop every resource without a title. A filter matches
        # or it does not (RFC 7644 §3.4.2.2), so "not" is "IS NOT TRUE", where unknown is not
        # true. (NOT COALESCE(…, false) says the same, but nested a few dozen times it ran
        # SQLite's parser out of stack: a 500 inside scim2-models' depth limit of 32.)
        return self.visit(node.expr).is_not(true())


def resolve_in_filter(rtype: str, path: AttrPath) -> Target | None:
    """The attribute a filter names. Our choice, beyond the RFC: an unqualified name that is
    not a core attribute may name an extension attribute when exactly one extension has it
    (``manager`` for the enterprise ``manager``). RFC 7644 §3.10 lets clients omit only core
    URNs and says they SHOULD qualify extension attributes, so qualified names always work."""
    target = resolve(rtype, path)
    if target is not None or path.uri is not None:
        return target
    found = [
        t
        for extension in TYPES[rtype].extensions.values()
        if (t := resolve(rtype, AttrPath(path.attr, path.sub_attr, extension.urn))) is not None
    ]
    return found[0] if len(found) == 1 else None


class _Compiler(_Boolean):
    """Compile a filter for one resource type; unknown attributes compile to false and are
    recorded, so that a filter over several types only fails if no type knows them."""

    def __init__(self, rtype: str) -> None:
        self.rtype = rtype
        self.unknown: set[str] = set()

    def _target(self, path: AttrPath) -> Target | None:
        target = resolve_in_filter(self.rtype, path)
        if target is None:
            self.unknown.add(str(path))
        return target

    def visit_present(self, node: Present) -> ColumnElement[bool]:
        target = self._target(node.attr_path)
        if target is None:
            return false()
        a = target.attribute
        if a.multi_valued and is_multi_valued_table(a):
            if target.sub is not None:
                condition = present(item_operand(self.rtype, a, target.sub))
            elif a.name in ("groups", "members"):
                condition = None  # every membership row names a resource
            else:
                # At least one value that is not empty ({"value": ""} is no value).
                subs = [s for s in a.sub.values() if s.type != "complex"]
                condition = any_present([item_operand(self.rtype, a, s) for s in subs])
            return resource_table.c.pk.in_(item_subquery(a, condition))
        if a.type == "complex" and target.sub is None and a.name != "meta":
            subs = [s for s in a.sub.values() if s.type != "complex"]
            return any_present(
                [singular_operand(self.rtype, Target(a, s, target.extension)) for s in subs]
            )
        return present(singular_operand(self.rtype, target))

    def visit_comparison(self, node: Comparison) -> ColumnElement[bool]:
        target = self._target(node.attr_path)
        if target is None:
            return false()
        a = target.attribute
        if a.multi_valued and is_multi_valued_table(a):
            # "emails co x" compares the value sub-attribute (RFC 7644 §3.4.2.2 examples).
            sub = target.sub or a.sub_attribute("value")
            if sub is None:
                raise InvalidFilterException(
                    detail=f"{a.name} has no value: compare one of its sub-attributes."
                )
            operand = item_operand(self.rtype, a, sub)
            if node.op == CompareOperator.ne and node.value is not None:
                # A multi-valued attribute is "ne" a value when none of its values equals it.
                matching = compare(operand, CompareOperator.eq, node.value)
                return not_(resource_table.c.pk.in_(item_subquery(a, matching)))
            return resource_table.c.pk.in_(item_subquery(a, compare(operand, node.op, node.value)))
        if a.multi_valued:
            raise InvalidFilterException(
                detail=f"{target.name} is multi-valued and cannot be compared here."
            )
        if a.type == "complex" and target.sub is None:
            examples = " or ".join(f"{target.name}.{s.name}" for s in list(a.sub.values())[:2])
            raise InvalidFilterException(
                detail=f"{target.name} is a complex attribute: compare one of its "
                f"sub-attributes (e.g. {examples}) or test it with pr."
            )
        return compare(singular_operand(self.rtype, target), node.op, node.value)

    def visit_value_path(self, node: ValuePath) -> ColumnElement[bool]:
        target = self._target(node.attr_path)
        if target is None:
            return false()
        a = target.attribute
        if not (a.multi_valued and is_multi_valued_table(a)):
            raise InvalidFilterException(
                detail=f"{target.name} is not multi-valued, so {target.name}[…] selects nothing; "
                f'compare it directly, e.g. {target.name} eq "…".'
            )
        condition = _ItemCompiler(self.rtype, a).visit(node.val_filter)
        return resource_table.c.pk.in_(item_subquery(a, condition))


class _ItemCompiler(_Boolean):
    """Compile the filter inside brackets, over one value of a multi-valued attribute."""

    def __init__(self, rtype: str, parent: Attribute) -> None:
        self.rtype = rtype
        self.parent = parent

    def _operand(self, path: AttrPath) -> Operand:
        sub = self.parent.sub_attribute(path.attr) if path.uri is None else None
        if sub is None or path.sub_attr is not None:
            raise InvalidFilterException(
                detail=f"{path} is not a sub-attribute of {self.parent.name} (it has "
                f"{', '.join(s.name for s in self.parent.sub.values())})."
            )
        return item_operand(self.rtype, self.parent, sub)

    def visit_present(self, node: Present) -> ColumnElement[bool]:
        return present(self._operand(node.attr_path))

    def visit_comparison(self, node: Comparison) -> ColumnElement[bool]:
        return compare(self._operand(node.attr_path), node.op, node.value)

    def visit_value_path(self, node: ValuePath) -> ColumnElement[bool]:
        raise InvalidFilterException(
            detail=f"A value selection cannot be nested inside another ({node})."
        )


def compile_filter(rtypes: list[str], text: str) -> ColumnElement[bool]:
    """The WHERE clause for ``filter`` over the given resource types (tenant excluded)."""
    node = parse_filter(text)
    clauses = []
    unknown: set[str] | None = None
    for rtype in rtypes:
        compiler = _Compiler(rtype)
        clause = compiler.visit(node)
        unknown = compiler.unknown if unknown is None else unknown & compiler.unknown
        clauses.append(and_(resource_table.c.rtype == rtype, clause) if len(rtypes) > 1 else clause)
    if unknown:
        name = sorted(unknown)[0]
        raise InvalidFilterException(
            detail=f"The filter names {name!r}, which is not an attribute of "
            f"{' or '.join(rtypes)}. Check the spelling (see /Schemas)."
        )
    return or_(*clauses) if len(clauses) > 1 else clauses[0]


def members_matching(group_pk: int, condition: FilterNode) -> Select[str]:
    """The ids of the members of group ``group_pk`` that a value filter selects, as in the
    PATCH path ``members[value eq "…"]`` (RFC 7644 §3.5.2)."""
    members = TYPES["Group"].core.attributes["members"]
    where = _ItemCompiler("Group", members).visit(condition)
    return (
        select(_MEMBER.c.id)
        .select_from(membership_table.join(_MEMBER, _MEMBER.c.pk == membership_table.c.member_pk))
        .where(membership_table.c.group_pk == group_pk, where)
    )


def sort_expression(rtypes: list[str], sort_by: str) -> ColumnElement[Any]:
    """The ORDER BY expression for ``sortBy`` (RFC 7644 §3.4.2.3)."""
    try:
        path = parse_path(sort_by)
    except InvalidPathException:
        path = None
    if not isinstance(path, AttrPath):
        raise InvalidValueException(
            detail=f"sortBy={sort_by!r} is not an attribute name such as name.familyName."
        )
    whens = []
    for rtype in rtypes:
        target = resolve(rtype, path)
        if target is None:
            continue
        a = target.attribute
        if a.multi_valued and is_multi_valued_table(a):
            # RFC 7644 §3.4.2.3: a multi-valued attribute sorts by its primary value, if any.
            sub = target.sub or a.sub_attribute("value")
            if sub is None or a.name in ("groups", "members"):
                raise InvalidValueException(
                    detail=f"sortBy={sort_by!r}: {a.name} cannot be sorted on."
                )
            operand = item_operand(rtype, a, sub)
            expr: ColumnElement[Any] = (
                select(operand.expr)
                .where(
                    multi_value_table.c.resource_pk == resource_table.c.pk,
                    multi_value_table.c.attr == a.name,
                )
                .order_by(
                    func.coalesce(multi_value_table.c.primary, False).desc(),
                    multi_value_table.c.pos,
                )
                .limit(1)
                .scalar_subquery()
            )
        else:
            operand = singular_operand(rtype, target)
            if operand.kind == "complex":
                raise InvalidValueException(
                    detail=f"sortBy={sort_by!r} is complex: sort by a sub-attribute."
                )
            expr = func.lower(operand.expr) if operand.mode == "fold" else operand.expr
        whens.append((resource_table.c.rtype == rtype, expr))
    if not whens:
        raise InvalidValueException(
            detail=f"sortBy={sort_by!r} is not an attribute of {' or '.join(rtypes)} (see "
            "/Schemas)."
        )
    if len(whens) == 1 and len(rtypes) == 1:
        return whens[0][1]
    return case(*whens, else_=None)


__all__ = [
    "TYPES",
    "compile_filter",
    "members_matching",
    "parse_filter",
    "parse_path",
    "sort_expression",
]
