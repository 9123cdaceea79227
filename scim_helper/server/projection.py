"""``attributes``/``excludedAttributes``: the attributes a response carries (RFC 7644 §3.4.2.5).

Each attribute's ``returned`` characteristic (RFC 7643 §7) decides first:

- ``always`` (``id``, ``schemas``): in every response, whatever the client asked;
- ``never`` (``password``): in no response;
- ``default``: unless excluded, or unless ``attributes`` lists others;
- ``request``: only when ``attributes`` names it.

Names are case-insensitive and may be URN-qualified (the enterprise extension's URN followed
by ``:manager.value``); a bare extension URN names the whole extension. Names the server does
not know are ignored.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from scim2_models import InvalidValueException

from .discovery import schema_definitions
from .resources import TYPES

ALWAYS, NEVER, DEFAULT, REQUEST = "always", "never", "default", "request"

# RFC 7643 §3.1: attributes every resource has, outside any schema's attribute list.
_COMMON: dict[str, tuple[str, dict[str, str]]] = {
    "id": (ALWAYS, {}),
    "externalid": (DEFAULT, {}),
    "meta": (
        DEFAULT,
        dict.fromkeys(("resourcetype", "created", "lastmodified", "location", "version"), DEFAULT),
    ),
}

Path = tuple[str, str, str | None]  # (schema URN, attribute, sub-attribute), all lower case


@dataclass(frozen=True)
class _Attribute:
    returned: str
    sub: dict[str, str] = field(default_factory=dict)

    @functools.cached_property
    def plain(self) -> bool:
        """Whether every sub-attribute is returned by default (nothing to strip from values)."""
        return all(returned in (DEFAULT, ALWAYS) for returned in self.sub.values())


_COMMON_INFO = {name: _Attribute(returned, sub) for name, (returned, sub) in _COMMON.items()}
_UNKNOWN = _Attribute(DEFAULT)


@functools.cache
def _table(urn: str) -> dict[str, _Attribute]:
    attributes = schema_definitions()[urn]["attributes"]
    return {
        a["name"].lower(): _Attribute(
            a["returned"], {s["name"].lower(): s["returned"] for s in a.get("subAttributes", [])}
        )
        for a in attributes
    }


def split_names(value: str | Iterable[str] | None) -> list[str]:
    """Attribute names from a comma-separated query parameter or a SearchRequest list."""
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    names = []
    for item in items:
        if not isinstance(item, str):
            raise InvalidValueException(
                detail="attributes and excludedAttributes must be attribute names."
            )
        if item.strip():
            names.append(item.strip())
    return names


class Projection:
    """The attributes to return for one resource type, as a request asked for them."""

    def __init__(
        self, resource_type: str, attributes: Iterable[str] = (), excluded: Iterable[str] = ()
    ) -> None:
        attributes, excluded = list(attributes), list(excluded)
        if attributes and excluded:
            raise InvalidValueException(
                detail="attributes and excludedAttributes cannot be used together (RFC 7644 "
                "§3.4.2.5); send one of them."
            )
        rt = TYPES[resource_type]
        self.core = rt.core.urn.lower()
        self.schemas = {urn.lower(): _table(urn) for urn in rt.schemas}
        self.attributes = {p for p in map(self._parse, attributes) if p}
        self.excluded = {p for p in map(self._parse, excluded) if p}

    def _parse(self, name: str) -> Path | None:
        lowered = name.lower()
        urn = self.core
        for known in sorted(self.schemas, key=len, reverse=True):
            if lowered == known:
                return (known, "", None)
            if lowered.startswith(known + ":"):
                urn, lowered = known, lowered[len(known) + 1 :]
                break
        attribute, _, sub = lowered.partition(".")
        return (urn, attribute, sub or None) if attribute else None

    def returns(self, name: str) -> bool:
        """Whether any part of the core attribute ``name`` can be in a response: a store can
        skip reading what is left out (a Group's members, for ``excludedAttributes=members``)."""
        lowered = name.lower()
        info = self._info(self.core, lowered) or _UNKNOWN
        if info.returned in (ALWAYS, NEVER):
            return info.returned == ALWAYS
        if self.attributes:
            return any(urn == self.core and attr == lowered for urn, attr, _ in self.attributes)
        return (self.core, lowered, None) not in self.excluded and info.returned != REQUEST

    def _info(self, urn: str, name: str) -> _Attribute | None:
        if urn == self.core and name in _COMMON_INFO:
            return _COMMON_INFO[name]
        return self.schemas.get(urn, {}).get(name)

    def apply(self, document: dict[str, Any]) -> dict[str, Any]:
        """A copy of ``document`` holding only the attributes to return."""
        result: dict[str, Any] = {}
        for key, value in document.items():
            if key == "schemas":
                result[key] = value
                continue
            lowered = key.lower()
            if lowered in self.schemas and lowered != self.core:
                if not isinstance(value, dict):
                    continue
                selected = self._select_all(lowered, value, whole=(lowered, "", None))
                if selected:
                    result[key] = selected
                continue
            kept = self._select(self.core, lowered, value)
            if kept is not _DROP:
                result[key] = kept
        return result

    def _select_all(self, urn: str, values: dict[str, Any], whole: Path) -> dict[str, Any]:
        if whole in self.attributes:
            return {k: v for k, v in values.items() if self._returned(urn, k.lower()) != NEVER}
        if whole in self.excluded:
            return {}
        selected = {}
        for key, value in values.items():
            kept = self._select(urn, key.lower(), value)
            if kept is not _DROP:
                selected[key] = kept
        return selected

    def _returned(self, urn: str, name: str) -> str:
        info = self._info(urn, name)
        return info.returned if info else DEFAULT

    def _select(self, urn: str, name: str, value: Any) -> Any:
        info = self._info(urn, name) or _UNKNOWN
        if info.returned == NEVER:
            return _DROP
        if info.returned == ALWAYS:
            return value
        if not self.attributes and not self.excluded and info.returned != REQUEST and info.plain:
            # The common case, no attributes asked for: what _sub_filter would give, without
            # copying each value (empty values are still dropped).
            if isinstance(value, list):
                items = [item for item in value if item != {}]
                return items if items else _DROP
            return _DROP if value == {} else value
        if self.attributes:
            if (urn, name, None) in self.attributes:
                return self._sub_filter(info, value, keep=None)
            wanted = self._subs(self.attributes, urn, name)
            if wanted:
                return self._sub_filter(info, value, keep=wanted)
            return _DROP
        if (urn, name, None) in self.excluded or info.returned == REQUEST:
            return _DROP
        return self._sub_filter(info, value, keep=None, drop=self._subs(self.excluded, urn, name))

    @staticmethod
    def _subs(paths: set[Path], urn: str, name: str) -> set[str]:
        return {sub for (p_urn, p_name, sub) in paths if p_urn == urn and p_name == name and sub}

    def _sub_filter(
        self, info: _Attribute, value: Any, *, keep: set[str] | None, drop: set[str] | None = None
    ) -> Any:
        drop = drop or set()

        def one(item: Any) -> Any:
            if not isinstance(item, dict):
                return item
            out = {}
            for key, sub_value in item.items():
                lowered = key.lower()
                returned = info.sub.get(lowered, DEFAULT)
                if returned == NEVER:
                    continue
                if returned != ALWAYS and (
                    (keep is not None and lowered not in keep)
                    or lowered in drop
                    or (keep is None and returned == REQUEST)
                ):
                    continue
                out[key] = sub_value
            return out

        if isinstance(value, list):
            items = [kept for kept in map(one, value) if kept != {}]
            return items if items else _DROP
        kept = one(value)
        return _DROP if kept == {} else kept


_DROP: Any = object()


@functools.lru_cache(maxsize=256)
def projection(
    resource_type: str, attributes: tuple[str, ...] = (), excluded: tuple[str, ...] = ()
) -> Projection:
    """The :class:`Projection` for a request, shared between requests that ask the same."""
    return Projection(resource_type, attributes, excluded)
