"""What a SCIM server supports, learned from the server itself, and said in one friendly line.

RFC 7644 leaves much optional: PATCH, Bulk, filtering, sorting, ETags and password changes are
announced in ``/ServiceProviderConfig`` (RFC 7643 §5), and ``User.groups`` is a read-only
attribute a service provider may leave out (RFC 7643 §4.1.2). The course runs against servers it
did not write, so chapters ask before they rely on any of it::

    from scim_helper import capabilities, supports
    if not supports(client, "sort"):
        print(capabilities(client).note("sort"))

``groups`` is learned from the answers, not only from ``/Schemas``: some servers declare
``User.groups`` and never fill it (scim2-server 0.8). Everything is fetched once per client.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any

from sync_app.client import SCIMClient
from sync_app.errors import SCIMError
from sync_app.scim.user import USER_SCHEMA

__all__ = ["FEATURES", "Capabilities", "capabilities", "supports"]


#: feature → (what it is, in a learner's words; where the RFC says it is optional)
FEATURES: dict[str, tuple[str, str]] = {
    "patch": ("PATCH", "RFC 7644 §3.5.2"),
    "bulk": ("Bulk requests", "RFC 7644 §3.7"),
    "filter": ("filtering", "RFC 7644 §3.4.2.2"),
    "sort": ("sorting", "RFC 7644 §3.4.2.3"),
    "etag": ("ETags", "RFC 7644 §3.14"),
    "changePassword": ("password changes", "RFC 7643 §5"),
    "groups": ("User.groups (the groups a user is in)", "RFC 7643 §4.1.2"),
}

# What a chapter does instead, for the one-line note.
_INSTEAD = {
    "patch": "the course replaces the whole resource with PUT instead",
    "bulk": "the course sends the same operations one request at a time instead",
    "filter": "the course reads every page and picks out what it needs instead",
    "sort": "the results come back in the server's own order",
    "etag": "there is no version to send in If-Match, so updates are not guarded against "
    "concurrent changes",
    "changePassword": "the password steps are skipped",
    "groups": "the course asks each group for its members instead",
}


@dataclass(frozen=True)
class Capabilities:
    """What one server supports: each field is one ``FEATURES`` name (``change_password``)."""

    patch: bool = False
    bulk: bool = False
    filter: bool = False
    sort: bool = False
    etag: bool = False
    change_password: bool = False
    #: Whether the server fills ``User.groups`` (seen in an answer, not only declared).
    groups: bool = False
    bulk_max_operations: int = 0
    bulk_max_payload_size: int = 0
    filter_max_results: int | None = None
    #: Where each answer came from, for the note ("/ServiceProviderConfig says…").
    sources: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def supports(self, feature: str) -> bool:
        """Whether the server supports ``feature`` (a name from :data:`FEATURES`)."""
        _known(feature)
        return bool(getattr(self, "change_password" if feature == "changePassword" else feature))

    def note(self, feature: str) -> str:
        """One friendly line saying whether the server supports ``feature``, and what then."""
        what, section = _known(feature)
        source = self.sources.get(feature, "/ServiceProviderConfig")
        if self.supports(feature):
            return f"This server supports {what} ({source})."
        return (
            f"This server does not offer {what} ({source}; optional in {section}), "
            f"so {_INSTEAD[feature]}."
        )

    def __str__(self) -> str:
        yes = [FEATURES[f][0] for f in FEATURES if self.supports(f)]
        no = [FEATURES[f][0] for f in FEATURES if not self.supports(f)]
        lines = ["This server supports: " + (", ".join(yes) or "none of the optional features")]
        if no:
            lines.append("It does not offer: " + ", ".join(no))
        return "\n".join(lines)


def _known(feature: str) -> tuple[str, str]:
    try:
        return FEATURES[feature]
    except KeyError:
        names = ", ".join(repr(f) for f in FEATURES)
        raise ValueError(f"Unknown feature {feature!r}; the features are {names}.") from None


_cache: weakref.WeakKeyDictionary[SCIMClient, Capabilities] = weakref.WeakKeyDictionary()


def capabilities(client: SCIMClient, *, refresh: bool = False) -> Capabilities:
    """What the client's server supports (asked once per client; ``refresh`` asks again)."""
    if not refresh and client in _cache:
        return _cache[client]
    # Asked through a client of its own, so that the learner's wire log shows only what the
    # learner sent (checks read it to see the technique used).
    with SCIMClient(client.config) as own:
        found = _ask(own)
    _cache[client] = found
    return found


def _ask(client: SCIMClient) -> Capabilities:
    config = _service_provider_config(client)

    def announced(name: str) -> bool:
        return bool((config.get(name) or {}).get("supported"))

    bulk = config.get("bulk") or {}
    max_results = (config.get("filter") or {}).get("maxResults")
    groups, groups_source = _fills_user_groups(client)
    return Capabilities(
        patch=announced("patch"),
        bulk=announced("bulk") and int(bulk.get("maxOperations") or 0) > 0,
        filter=announced("filter"),
        sort=announced("sort"),
        etag=announced("etag"),
        change_password=announced("changePassword"),
        groups=groups,
        bulk_max_operations=int(bulk.get("maxOperations") or 0) if announced("bulk") else 0,
        bulk_max_payload_size=int(bulk.get("maxPayloadSize") or 0) if announced("bulk") else 0,
        filter_max_results=int(max_results) if max_results else None,
        sources={"groups": groups_source},
    )


def supports(client: SCIMClient, feature: str) -> bool:
    """Whether the client's server supports ``feature`` (see :data:`FEATURES`)."""
    return capabilities(client).supports(feature)


def _service_provider_config(client: SCIMClient) -> dict[str, Any]:
    try:
        config: dict[str, Any] = client.service_provider_config().to_dict()
    except SCIMError:
        return {}  # no discovery: assume nothing optional
    return config


def _fills_user_groups(client: SCIMClient) -> tuple[bool, str]:
    """Whether the server fills User.groups: declared in /Schemas and seen in an answer."""
    try:
        schemas = client.schemas().to_dict().get("Resources") or []
    except SCIMError:
        schemas = []
    user: dict[str, Any] = next((s for s in schemas if s.get("id") == USER_SCHEMA), {})
    declared = any(a.get("name") == "groups" for a in user.get("attributes") or [])
    if not declared:
        return False, "/Schemas has no User.groups"
    # A declared attribute may still be left empty (RFC 7643 §4.1.2 lets a server omit it):
    # look at a user that is a member of some group.
    try:
        page = client.get_groups(count=10, attributes=["members"]).to_dict()
        for group in page.get("Resources") or []:
            members = [m for m in group.get("members") or [] if m.get("value")]
            users = [m for m in members if m.get("type") in (None, "User")]
            if not users:
                continue
            answer = client.get_user(str(users[0]["value"]), attributes=["groups"]).to_dict()
            filled = any(g.get("value") == group.get("id") for g in answer.get("groups") or [])
            where = "a member's User.groups " + ("lists its group" if filled else "is empty")
            return filled, where
    except SCIMError:
        return False, "the server would not say"
    return False, "no group with members to look at yet"
