"""The resources the server stores (RFC 7643 §4): their schemas, and validation of documents.

The attribute definitions are read from scim2-models (``User.to_schema()`` and friends), so
every RFC 7643 attribute, its type, ``multiValued``, ``caseExact`` and ``mutability`` come
from one authoritative place; the common attributes (§3.1) are added here. Documents are
checked against them by :func:`normalise`, which is deliberately lenient where real clients
are: attribute names in any case, ``"True"``/``"False"`` strings for booleans, and an
enterprise ``manager`` given by ``value`` only.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from scim2_models import (
    EnterpriseUser,
    Extension,
    Group,
    InvalidSyntaxException,
    InvalidValueException,
    Resource,
    User,
)
from scim2_models.path import AttrPath

from sync_app.scim.urns import ENTERPRISE_USER

# Strings that land in an indexed column stay short enough for any B-tree (PostgreSQL
# refuses index rows above ~2.7 kB; 512 characters of 4-byte UTF-8 is 2 kB).
MAX_INDEXED_LENGTH = 512
MAX_STRING_LENGTH = 4096
MAX_BINARY_LENGTH = 65536

# Multi-valued attributes whose values live in the multi_values child table.
CHILD_ATTRIBUTES = (
    "emails",
    "phoneNumbers",
    "ims",
    "photos",
    "addresses",
    "entitlements",
    "roles",
    "x509Certificates",
)


@dataclass(frozen=True)
class Attribute:
    """One attribute definition (RFC 7643 §7), with its sub-attributes by lowercase name."""

    name: str
    type: str
    multi_valued: bool = False
    case_exact: bool = False
    mutability: str = "readWrite"
    required: bool = False
    sub: dict[str, Attribute] = field(default_factory=dict)

    def sub_attribute(self, name: str) -> Attribute | None:
        return self.sub.get(name.lower())

    @property
    def read_only(self) -> bool:
        return self.mutability == "readOnly"


@dataclass(frozen=True)
class Schema:
    """The attributes of one schema URN, by lowercase name; ``definition`` is the schema as
    scim2-models describes it (RFC 7643 §7), which ``/Schemas`` serves."""

    urn: str
    attributes: dict[str, Attribute]
    description: str
    definition: dict[str, Any] = field(compare=False, repr=False)

    def attribute(self, name: str) -> Attribute | None:
        return self.attributes.get(name.lower())


@dataclass(frozen=True)
class ResourceType:
    """A resource type (RFC 7643 §6): its endpoint, its core schema and its extensions.

    :data:`TYPES` is the server's one registry of them: validation, filters, PATCH, the
    routes, Bulk paths, ``meta.location`` and ``/ResourceTypes`` all read it."""

    name: str
    endpoint: str
    description: str
    core: Schema
    extensions: dict[str, Schema]

    def extension(self, urn: str) -> Schema | None:
        return self.extensions.get(urn.lower())

    @property
    def schemas(self) -> tuple[str, ...]:
        return (self.core.urn, *(s.urn for s in self.extensions.values()))


@dataclass(frozen=True)
class Target:
    """Where an attribute path points: the attribute, an optional sub-attribute, and the
    extension URN holding it (None for the core schema)."""

    attribute: Attribute
    sub: Attribute | None = None
    extension: str | None = None

    @property
    def name(self) -> str:
        head = f"{self.extension}:" if self.extension else ""
        tail = f".{self.sub.name}" if self.sub else ""
        return f"{head}{self.attribute.name}{tail}"

    @property
    def leaf(self) -> Attribute:
        return self.sub or self.attribute


def _from_schema_dump(raw: dict[str, Any]) -> Attribute:
    subs = {s["name"].lower(): _from_schema_dump(s) for s in raw.get("subAttributes") or []}
    return Attribute(
        name=raw["name"],
        type=raw.get("type", "string"),
        multi_valued=bool(raw.get("multiValued")),
        case_exact=bool(raw.get("caseExact")),
        mutability=raw.get("mutability", "readWrite"),
        required=bool(raw.get("required")),
        sub=subs,
    )


def _schema(
    model: type[Resource[Any]] | type[Extension],
    description: str,
    tweaks: dict[str, Attribute] | None = None,
) -> Schema:
    dump: dict[str, Any] = model.to_schema().model_dump()
    attrs = {a["name"].lower(): _from_schema_dump(a) for a in dump["attributes"]}
    attrs.update(tweaks or {})
    return Schema(urn=dump["id"], attributes=attrs, description=description, definition=dump)


# RFC 7643 §3.1: attributes every resource has, which the schema dumps leave out.
_COMMON = {
    "id": Attribute("id", "string", case_exact=True, mutability="readOnly"),
    "externalid": Attribute("externalId", "string", case_exact=True),
    "meta": Attribute(
        "meta",
        "complex",
        mutability="readOnly",
        sub={
            "resourcetype": Attribute("resourceType", "string", mutability="readOnly"),
            "created": Attribute("created", "dateTime", mutability="readOnly"),
            "lastmodified": Attribute("lastModified", "dateTime", mutability="readOnly"),
            "location": Attribute("location", "reference", True, mutability="readOnly"),
            "version": Attribute("version", "string", case_exact=True, mutability="readOnly"),
        },
    ),
}


def _build() -> dict[str, ResourceType]:
    user = _schema(User, "User Account", _COMMON)
    enterprise = _schema(EnterpriseUser, "Enterprise User")
    manager = enterprise.attributes["manager"]
    # Real clients (Entra ID, Okta) send the manager as {"value": id}: $ref is not required.
    subs = dict(manager.sub)
    subs["$ref"] = Attribute("$ref", "reference", case_exact=True)
    enterprise.attributes["manager"] = Attribute(
        manager.name, "complex", mutability=manager.mutability, sub=subs
    )
    group = _schema(Group, "Group", _COMMON)
    return {
        "User": ResourceType(
            "User", "/Users", "User Account", user, {ENTERPRISE_USER.lower(): enterprise}
        ),
        "Group": ResourceType("Group", "/Groups", "Group", group, {}),
    }


TYPES: dict[str, ResourceType] = _build()


def resource_type(rtype: str) -> ResourceType:
    try:
        return TYPES[rtype]
    except KeyError:
        raise InvalidValueException(
            detail=f"Unknown resource type {rtype!r}: this server stores {' and '.join(TYPES)}."
        ) from None


def at_endpoint(endpoint: str) -> ResourceType | None:
    """The resource type served at ``endpoint`` ("Users", "/groups": case-insensitive)."""
    wanted = "/" + endpoint.strip("/").lower()
    return next((rt for rt in TYPES.values() if rt.endpoint.lower() == wanted), None)


def resolve(rtype: str, path: AttrPath) -> Target | None:
    """Find the attribute an attribute path names, case-insensitively; None if unknown."""
    rt = TYPES[rtype]
    schema: Schema | None = rt.core
    extension = None
    if path.uri is not None:
        if path.uri.lower() == rt.core.urn.lower():
            schema = rt.core
        else:
            schema = rt.extension(path.uri)
            extension = schema.urn if schema else None
    if schema is None:
        return None
    attribute = schema.attribute(path.attr)
    if attribute is None:
        return None
    if path.sub_attr is None:
        return Target(attribute, None, extension)
    sub = attribute.sub_attribute(path.sub_attr)
    if sub is None:
        return None
    return Target(attribute, sub, extension)


def now() -> str:
    """The current time as RFC 7643 dateTime, in a fixed format that sorts as text."""
    return format_datetime(datetime.now(UTC))


def format_datetime(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_datetime(text: str) -> str | None:
    """Normalise an xsd:dateTime string; None if it is not one."""
    try:
        moment = datetime.fromisoformat(text.replace("z", "Z"))
    except (ValueError, TypeError):
        return None
    return format_datetime(moment)


def hash_password(password: str) -> str:
    # The course server never returns or compares passwords (returned "never"); a
    # hash is kept so that a learner can see the value is not stored in clear.
    return hashlib.sha256(password.encode()).hexdigest()


@dataclass
class Normalised:
    """A validated document, split the way the store keeps it."""

    doc: dict[str, Any]
    members: list[dict[str, str]] | None = None  # Group members as given: value, type, display
    password: str | None = None


def normalise(rtype: str, body: Any) -> Normalised:
    """Validate a User or Group document from a client and return its stored form.

    Attribute names take their schema spelling, values their schema type; readOnly
    attributes (id, meta, User.groups) are ignored, as RFC 7643 §2.2 says they are.
    Raises invalidSyntax for an unknown attribute and invalidValue for a wrong value.
    """
    rt = resource_type(rtype)
    if not isinstance(body, dict):
        raise InvalidSyntaxException(detail=f"A {rtype} must be a JSON object, not {_kind(body)}.")
    out = Normalised(doc={})
    extensions: dict[str, dict[str, Any]] = {}
    for key, value in body.items():
        if not isinstance(key, str):  # pragma: no cover - JSON keys are strings
            continue
        lower = key.lower()
        if lower == "schemas":
            _check_schemas(rt, value)
            continue
        ext = rt.extension(key)
        if ext is not None:
            if value is None:
                continue
            if not isinstance(value, dict):
                raise InvalidValueException(
                    detail=f"'{key}' must be a JSON object of {ext.urn} attributes, not "
                    f"{_kind(value)}."
                )
            extensions[ext.urn] = _complex_body(ext.attributes, value, ext.urn, rtype)
            continue
        core_prefix = rt.core.urn.lower() + ":"
        if lower.startswith(core_prefix):
            key = key[len(core_prefix) :]
        attribute = rt.core.attribute(key)
        if attribute is None:
            raise InvalidSyntaxException(
                detail=f"'{key}' is not an attribute of a SCIM {rtype} (schemas "
                f"{', '.join(rt.schemas)}). Check the spelling, or put extension "
                "attributes under their schema URN."
            )
        if attribute.read_only or value is None:
            continue
        if rtype == "Group" and attribute.name == "members":
            out.members = members_list(value)
            continue
        if attribute.name == "password":
            out.password = _value(attribute, value, "password")
            continue
        checked = _value(attribute, value, attribute.name)
        if not _unassigned(checked):
            out.doc[attribute.name] = checked
    for urn, attrs in extensions.items():
        if attrs:
            out.doc[urn] = attrs
    _check_required(rt, out.doc)
    out.doc = {"schemas": [rt.core.urn, *(u for u in extensions if out.doc.get(u))], **out.doc}
    return out


def _check_schemas(rt: ResourceType, value: Any) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidValueException(detail="'schemas' must be a list of schema URNs.")
    known = {u.lower() for u in rt.schemas}
    for urn in value:
        if urn.lower() not in known:
            raise InvalidValueException(
                detail=f"Unknown schema {urn!r} for a {rt.name}: use {', '.join(rt.schemas)}."
            )


def _check_required(rt: ResourceType, doc: dict[str, Any]) -> None:
    for attribute in rt.core.attributes.values():
        if attribute.required and not attribute.read_only and doc.get(attribute.name) in (None, ""):
            raise InvalidValueException(
                detail=f"'{attribute.name}' is required for a {rt.name} (RFC 7643 §4) and is "
                "missing."
            )


def _complex_body(
    attrs: dict[str, Attribute], value: dict[str, Any], where: str, rtype: str
) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, item in value.items():
        attribute = attrs.get(key.lower())
        if attribute is None:
            raise InvalidSyntaxException(detail=f"'{key}' is not an attribute of {where}.")
        if attribute.read_only or item is None:
            continue
        checked = _value(attribute, item, f"{where}:{attribute.name}")
        if not _unassigned(checked):
            result[attribute.name] = checked
    return result


def _unassigned(value: Any) -> bool:
    """Whether a checked value leaves its attribute unassigned: null, an empty list (RFC 7643
    §2.5) or, our reading, an empty complex value ``{}``, which holds no sub-attribute. It
    is then not stored, so it is neither returned nor ``pr`` (RFC 7644 §3.4.2.2)."""
    return value is None or (isinstance(value, dict) and not value)


def _value(attribute: Attribute, value: Any, where: str) -> Any:
    """Check one attribute value (a list for a multi-valued attribute)."""
    if not attribute.multi_valued:
        return _single(attribute, value, where)
    if isinstance(value, dict):
        # Lenient: a lone value where a list is expected is read as a list of one.
        value = [value]
    if not isinstance(value, list):
        raise InvalidValueException(
            detail=f"'{where}' is multi-valued: send a JSON list, not {_kind(value)}."
        )
    items = [_single(attribute, v, where) for v in value if v is not None]
    items = [i for i in items if i not in (None, {})]
    if attribute.type == "complex" and sum(1 for i in items if i.get("primary") is True) > 1:
        raise InvalidValueException(
            detail=f"Only one value of '{where}' may have primary true (RFC 7643 §2.4)."
        )
    return items or None


def _single(attribute: Attribute, value: Any, where: str) -> Any:
    kind = attribute.type
    if kind == "complex":
        if not isinstance(value, dict):
            raise InvalidValueException(
                detail=f"'{where}' is a complex attribute: send a JSON object."
            )
        result: dict[str, Any] = {}
        for key, item in value.items():
            sub = attribute.sub_attribute(key)
            if sub is None:
                raise InvalidSyntaxException(
                    detail=f"'{key}' is not a sub-attribute of '{where}' (it has "
                    f"{', '.join(s.name for s in attribute.sub.values())})."
                )
            if sub.read_only or item is None:
                continue
            checked = _single(sub, item, f"{where}.{sub.name}")
            if checked is not None:
                result[sub.name] = checked
        return result
    if kind == "boolean":
        return to_bool(value, where)
    if kind in ("string", "reference", "binary"):
        if not isinstance(value, str):
            raise InvalidValueException(detail=f"'{where}' must be a string, not {_kind(value)}.")
        limit = {"binary": MAX_BINARY_LENGTH, "reference": MAX_STRING_LENGTH}.get(
            kind, MAX_INDEXED_LENGTH if _indexed(where) else MAX_STRING_LENGTH
        )
        if len(value) > limit:
            raise InvalidValueException(detail=f"'{where}' is longer than {limit} characters.")
        if kind == "binary":
            try:
                base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                raise InvalidValueException(
                    detail=f"'{where}' must be base64-encoded binary."
                ) from None
        return value
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidValueException(detail=f"'{where}' must be an integer, not {_kind(value)}.")
        return value
    if kind == "decimal":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidValueException(detail=f"'{where}' must be a number, not {_kind(value)}.")
        return value
    if kind == "dateTime":
        normal = parse_datetime(value) if isinstance(value, str) else None
        if normal is None:
            raise InvalidValueException(
                detail=f"'{where}' must be a dateTime like \"2024-05-13T04:42:34Z\"."
            )
        return normal
    return value  # pragma: no cover - every RFC 7643 type is handled above


def _indexed(where: str) -> bool:
    """Whether the value lands in a column of :mod:`.db` (512 characters at most)."""
    head = where.split(".")[0]
    return head in ("userName", "displayName", "externalId", "name", "members", *CHILD_ATTRIBUTES)


def to_bool(value: Any, where: str) -> bool:
    """A boolean, accepting the "True"/"False" strings some clients send."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise InvalidValueException(detail=f"'{where}' must be true or false, not {value!r}.")


def members_list(value: Any) -> list[dict[str, str]]:
    """Check Group members as a client sends them: [{"value": id, "type": …, "display": …}, …].

    ``display`` is kept when given (RFC 7643 §4.2 makes it readWrite); ``$ref`` is derived
    from the id, so it is not.
    """
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        raise InvalidValueException(detail="'members' must be a list of {\"value\": id} objects.")
    result = []
    for item in value:
        if not isinstance(item, dict):
            raise InvalidValueException(
                detail=f'A member must be an object with a "value" id, not {item!r}.'
            )
        member = {k.lower(): v for k, v in item.items()}
        ident = member.get("value")
        if not isinstance(ident, str) or not ident:
            raise InvalidValueException(
                detail='Each member needs a "value": the id of a User or Group.'
            )
        unknown = set(member) - {"value", "type", "display", "$ref"}
        if unknown:
            raise InvalidSyntaxException(
                detail=f"'{sorted(unknown)[0]}' is not a sub-attribute of 'members' (it has "
                "value, type, display, $ref)."
            )
        mtype = member.get("type")
        if mtype is not None:
            if not isinstance(mtype, str) or mtype.lower() not in ("user", "group"):
                raise InvalidValueException(
                    detail=f'A member\'s type is "User" or "Group", not {mtype!r}.'
                )
            mtype = mtype.capitalize()
        entry = {"value": ident, "type": mtype} if mtype else {"value": ident}
        display = member_display(member.get("display"))
        if display is not None:
            entry["display"] = display
        result.append(entry)
    return result


def member_display(value: Any) -> str | None:
    """Check a member's ``display`` as a client sends it; None or "" means none."""
    if value is None or value == "":
        return None
    return _single(_MEMBER_DISPLAY, value, "members.display")


_MEMBER_DISPLAY = Attribute("display", "string")


def _kind(value: Any) -> str:
    return {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
        type(None): "null",
    }.get(type(value), type(value).__name__)
