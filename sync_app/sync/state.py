"""What the directory holds now, read with paged, filtered list requests.

Never one GET per person (RFC 7644 §3.4.2): the managed users come from one paged query,
``externalId sw "<source>:"`` (§3.4.2.2); the candidates for adoption from ``userName eq``
queries joined with ``or``, a few dozen names each; the roster's groups from ``displayName eq``
queries. A server that announces no filtering (``filter.supported`` false, RFC 7643 §5) is
read page by page instead, and the same selection is made here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from sync_app.client import SCIMClient
from sync_app.errors import InvalidFilter, ProtocolError
from sync_app.scim import urns
from sync_app.sync.counter import RequestCounter
from sync_app.sync.roster import Roster

__all__ = [
    "Account",
    "DirectoryState",
    "GroupView",
    "ServerLimits",
    "external_id",
    "read_state",
]

#: Comparisons joined with ``or`` in one filter. Ours: short enough for a URL and for servers
#: that cap a filter's size (the course's server allows 200 comparisons).
NAMES_PER_QUERY = 50
#: The most member changes in one PATCH, and members in one POST /Groups. Ours: RFC 7644 sets
#: no limit; AWS IAM Identity Center documents 100 ("IAM Identity Center SCIM Implementation
#: Developer Guide", PatchGroup and CreateGroup, Constraints:
#: https://docs.amazonaws.cn/singlesignon/latest/developerguide/patchgroup.html), and a PATCH
#: that small also stays quick on servers that answer with the whole group.
MEMBERS_PER_PATCH = 100


@dataclass(frozen=True)
class ServerLimits:
    """What the server announces in /ServiceProviderConfig (RFC 7643 §5) that a sync needs."""

    filtering: bool = True
    #: filter.maxResults: the page size asked for.
    page_size: int = 100
    #: The member changes per PATCH: MEMBERS_PER_PATCH, or bulk.maxOperations if smaller.
    members_per_patch: int = MEMBERS_PER_PATCH
    #: bulk.supported, bulk.maxOperations and bulk.maxPayloadSize (bytes), RFC 7643 §5.
    bulk: bool = False
    bulk_operations: int = 0
    bulk_payload: int = 0
    #: pagination.cursor (RFC 9865 §4): page with cursors, whose pages cost the same however
    #: deep they are, instead of startIndex (RFC 7644 §3.4.2.4).
    cursor: bool = False

    @classmethod
    def discover(cls, client: SCIMClient) -> ServerLimits:
        config = client.service_provider_config().resource
        filtering = bool(config.filter and config.filter.supported)
        max_results = (config.filter.max_results if config.filter else None) or 100
        max_operations = (config.bulk.max_operations if config.bulk else None) or MEMBERS_PER_PATCH
        bulk = config.bulk
        pagination = config.pagination
        return cls(
            filtering=filtering,
            page_size=max(1, min(max_results, 1000)),
            members_per_patch=max(1, min(MEMBERS_PER_PATCH, max_operations)),
            bulk=bool(bulk and bulk.supported and bulk.max_operations),
            bulk_operations=(bulk.max_operations or 0) if bulk else 0,
            bulk_payload=(bulk.max_payload_size or 0) if bulk else 0,
            cursor=bool(pagination and pagination.cursor),
        )


@dataclass(frozen=True, slots=True)
class Account:
    """What a sync reads of a User (RFC 7643 §4.1, §4.3), taken from the JSON as received.

    The sync reads every managed user on each run; building a full :class:`User` model for
    each (validated by scim2-models) costs milliseconds apiece, minutes at 100,000 people.
    """

    user_id: str
    userName: str
    externalId: str | None = None
    givenName: str | None = None
    familyName: str | None = None
    displayName: str | None = None
    title: str | None = None
    #: (casefolded value, type, primary) of each email.
    emails: tuple[tuple[str, str | None, bool], ...] = ()
    department: str | None = None
    division: str | None = None
    #: The manager's id.
    manager: str | None = None
    active: bool | None = None

    @classmethod
    def from_scim(cls, body: dict[str, Any]) -> Account:
        name = body.get("name") or {}
        enterprise = body.get(urns.ENTERPRISE_USER) or {}
        manager = enterprise.get("manager") or {}
        emails = tuple(
            (str(e.get("value") or "").casefold(), e.get("type"), bool(e.get("primary")))
            for e in body.get("emails") or []
        )
        return cls(
            user_id=str(body.get("id") or ""),
            userName=str(body.get("userName") or ""),
            externalId=body.get("externalId"),
            givenName=name.get("givenName"),
            familyName=name.get("familyName"),
            displayName=body.get("displayName"),
            title=body.get("title"),
            emails=emails,
            department=enterprise.get("department"),
            division=enterprise.get("division"),
            manager=manager.get("value") if isinstance(manager, dict) else None,
            active=body.get("active"),
        )


@dataclass(frozen=True, slots=True)
class GroupView:
    """What a sync reads of a Group (RFC 7643 §4.2): its id, name and member ids."""

    group_id: str
    displayName: str
    members: frozenset[str]

    @classmethod
    def from_scim(cls, body: dict[str, Any]) -> GroupView:
        members = frozenset(str(m["value"]) for m in body.get("members") or [] if m.get("value"))
        return cls(str(body.get("id") or ""), str(body.get("displayName") or ""), members)


@dataclass
class DirectoryState:
    """The users and groups a sync of ``source`` cares about, as the server has them."""

    source: str
    limits: ServerLimits
    #: The requests the reading took.
    reads: int = 0
    #: The server's base URL, for the manager's ``$ref``.
    base_url: str = ""
    #: Users whose externalId is ``<source>:<employee_id>``, by employee_id.
    managed: dict[str, Account] = field(default_factory=dict)
    #: Users whose userName a roster row asks for but whom the sync does not manage,
    #: by casefolded userName: adopted when they have no externalId, else a conflict.
    by_user_name: dict[str, Account] = field(default_factory=dict)
    #: The roster's groups that exist, by casefolded displayName (a list: names may repeat).
    groups: dict[str, list[GroupView]] = field(default_factory=dict)
    #: The server announced filtering but refused our filters: everything was read unfiltered.
    filters_refused: bool = False

    def __repr__(self) -> str:
        return (
            f"<DirectoryState {self.source}: {len(self.managed)} managed users, "
            f"{len(self.by_user_name)} others by userName, {len(self.groups)} groups>"
        )


def external_id(source: str, employee_id: str) -> str:
    """The externalId the sync sets, and by which it recognises what it manages."""
    return f"{source}:{employee_id}"


def read_state(client: SCIMClient, roster: Roster, source: str = "hr") -> DirectoryState:
    """Read the managed users, the adoption candidates and the roster's groups."""
    with RequestCounter(client) as counter:
        state = _read(client, roster, source)
    state.reads = counter.reads
    return state


def _read(client: SCIMClient, roster: Roster, source: str) -> DirectoryState:
    limits = ServerLimits.discover(client)
    try:
        return _read_with(client, roster, source, limits)
    except ProtocolError as exc:
        if not (limits.filtering and _refuses_filters(exc)):
            raise
    # The server announced filter.supported but refused a filter (400 invalidFilter, e.g. no
    # sw; or 501). Ours: read it as a server without filters, page by page, and select here:
    # slower, but the same selection, so the same plan; refusing would leave such a
    # directory unsyncable, and guessing from a partial read would be worse.
    state = _read_with(client, roster, source, replace(limits, filtering=False))
    state.filters_refused = True
    return state


def _refuses_filters(exc: ProtocolError) -> bool:
    return isinstance(exc, InvalidFilter) or exc.status == 501


def _read_with(
    client: SCIMClient, roster: Roster, source: str, limits: ServerLimits
) -> DirectoryState:
    state = DirectoryState(source=source, limits=limits, base_url=client.config.base_url)
    prefix = external_id(source, "")
    filtering = f"externalId sw {json.dumps(prefix)}" if limits.filtering else None
    for user in _pages(client, "User", filtering, limits):
        # sw on externalId is case-exact (RFC 7643 §3.1: externalId is caseExact), checked
        # again here for servers that are lenient.
        if user.externalId and user.externalId.startswith(prefix):
            state.managed[user.externalId[len(prefix) :]] = user
        elif not limits.filtering and user.userName:
            state.by_user_name[user.userName.casefold()] = user
    wanted = [p.user_name for p in roster.people if p.employee_id not in state.managed]
    if limits.filtering and wanted and _cheaper_to_read_all(client, len(wanted), limits):
        wanted_keys = {n.casefold() for n in wanted}
        for user in _pages(client, "User", None, limits):
            key = user.userName.casefold()
            if key in wanted_keys and not (user.externalId or "").startswith(prefix):
                state.by_user_name[key] = user
    elif limits.filtering:
        for text in _filter_any("userName", wanted):
            for user in _pages(client, "User", text, limits):
                if user.userName and not (user.externalId or "").startswith(prefix):
                    state.by_user_name[user.userName.casefold()] = user
    else:
        wanted_keys = {n.casefold() for n in wanted}
        state.by_user_name = {k: u for k, u in state.by_user_name.items() if k in wanted_keys}
    names = roster.group_names
    texts: Iterable[str | None] = _filter_any("displayName", names) if limits.filtering else [None]
    wanted_groups = {n.casefold() for n in names}
    for query in texts:
        for group in _group_pages(client, query, limits):
            key = group.displayName.casefold()
            if key in wanted_groups and not any(
                g.group_id == group.group_id for g in state.groups.get(key, [])
            ):
                state.groups.setdefault(key, []).append(group)
    return state


def _cheaper_to_read_all(client: SCIMClient, wanted: int, limits: ServerLimits) -> bool:
    """Whether paging through every user takes fewer requests than the userName queries.

    On a first sync into a directory with few users, one page beats thousands of queries.
    """
    queries = -(-wanted // NAMES_PER_QUERY)
    if queries <= 1:
        return False
    total = client.get_users(count=0).to_dict().get("totalResults")
    if not isinstance(total, int):
        return False
    return -(-total // limits.page_size) < queries


#: What the sync reads of a User: no more (RFC 7644 §3.4.2.5).
USER_ATTRIBUTES = (
    "userName",
    "externalId",
    "name",
    "displayName",
    "title",
    "emails",
    "active",
    urns.ENTERPRISE_USER,
)


def _page_bodies(
    client: SCIMClient, kind: str, text: str | None, limits: ServerLimits
) -> Iterator[dict[str, Any]]:
    """The raw resources of every page of a query: with cursors when the server offers
    them (RFC 9865 §2), else with startIndex/count (RFC 7644 §3.4.2.4)."""
    if limits.cursor:
        yield from _cursor_bodies(client, kind, text, limits.page_size)
        return
    start, seen = 1, 0
    while True:
        body = _page(client, kind, text, limits.page_size, start_index=start)
        resources = body.get("Resources") or []
        yield from resources
        seen += len(resources)
        total = body.get("totalResults")
        # Stop on an empty page too: a server that ignores startIndex must not loop us.
        if not resources or not isinstance(total, int) or seen >= total:
            return
        start += len(resources)


def _cursor_bodies(
    client: SCIMClient, kind: str, text: str | None, page_size: int
) -> Iterator[dict[str, Any]]:
    """Every page of a query, cursor after cursor: "" asks for the first page, and the last
    page is the one without nextCursor (RFC 9865 §2)."""
    cursor = ""
    while True:
        body = _page(client, kind, text, page_size, cursor=cursor)
        yield from body.get("Resources") or []
        following = body.get("nextCursor")
        if not isinstance(following, str) or not following or following == cursor:
            return
        cursor = following


def _page(
    client: SCIMClient,
    kind: str,
    text: str | None,
    page_size: int,
    *,
    start_index: int | None = None,
    cursor: str | None = None,
) -> dict[str, Any]:
    if kind == "User":
        response = client.get_users(
            text,
            start_index=start_index,
            count=page_size,
            attributes=USER_ATTRIBUTES,
            cursor=cursor,
        )
    else:
        response = client.get_groups(
            text,
            start_index=start_index,
            count=page_size,
            attributes=("displayName", "members"),
            cursor=cursor,
        )
    # Read, never changed: no copy (copying 500 pages of 200 users took a third of a re-sync).
    body = response.json()
    return body if isinstance(body, dict) else {}


def _pages(
    client: SCIMClient, kind: str, text: str | None, limits: ServerLimits
) -> Iterator[Account]:
    for body in _page_bodies(client, kind, text, limits):
        yield Account.from_scim(body)


def _group_pages(client: SCIMClient, text: str | None, limits: ServerLimits) -> Iterator[GroupView]:
    for body in _page_bodies(client, "Group", text, limits):
        yield GroupView.from_scim(body)


def _filter_any(attribute: str, values: list[str]) -> Iterator[str]:
    """``a eq x or a eq y…`` filters, NAMES_PER_QUERY comparisons each."""
    for start in range(0, len(values), NAMES_PER_QUERY):
        chunk = values[start : start + NAMES_PER_QUERY]
        yield " or ".join(f"{attribute} eq {json.dumps(v)}" for v in chunk)
