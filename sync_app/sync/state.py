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
from dataclasses import dataclass, field

from sync_app.client import SCIMClient
from sync_app.scim.group import Group
from sync_app.scim.user import User
from sync_app.sync.counter import RequestCounter
from sync_app.sync.roster import Roster

__all__ = ["DirectoryState", "ServerLimits", "read_state"]

#: Comparisons joined with ``or`` in one filter. Ours: short enough for a URL and for servers
#: that cap a filter's size (the course's server allows 200 comparisons).
NAMES_PER_QUERY = 50
#: The most member changes sent in one PATCH. Ours, from AWS IAM Identity Center's documented
#: limit of 100 membership changes per PATCH (see /work/shared/SOURCES.md); RFC 7644 sets none.
MEMBERS_PER_PATCH = 100


@dataclass(frozen=True)
class ServerLimits:
    """What the server announces in /ServiceProviderConfig (RFC 7643 §5) that a sync needs."""

    filtering: bool = True
    #: filter.maxResults: the page size asked for.
    page_size: int = 100
    #: The member changes per PATCH: MEMBERS_PER_PATCH, or bulk.maxOperations if smaller.
    members_per_patch: int = MEMBERS_PER_PATCH

    @classmethod
    def discover(cls, client: SCIMClient) -> ServerLimits:
        config = client.service_provider_config().resource
        filtering = bool(config.filter and config.filter.supported)
        max_results = (config.filter.max_results if config.filter else None) or 100
        max_operations = (config.bulk.max_operations if config.bulk else None) or MEMBERS_PER_PATCH
        return cls(
            filtering=filtering,
            page_size=max(1, min(max_results, 1000)),
            members_per_patch=max(1, min(MEMBERS_PER_PATCH, max_operations)),
        )


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
    managed: dict[str, User] = field(default_factory=dict)
    #: Users whose userName a roster row asks for but whom the sync does not manage,
    #: by casefolded userName: adopted when they have no externalId, else a conflict.
    by_user_name: dict[str, User] = field(default_factory=dict)
    #: The roster's groups that exist, by casefolded displayName (a list: names may repeat).
    groups: dict[str, list[Group]] = field(default_factory=dict)

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
    state = DirectoryState(source=source, limits=limits, base_url=client.config.base_url)
    prefix = external_id(source, "")
    if limits.filtering:
        users: Iterable[User] = client.iter_users(
            f"externalId sw {json.dumps(prefix)}", page_size=limits.page_size
        )
    else:
        users = client.iter_users(page_size=limits.page_size)
    for user in users:
        # sw on externalId is case-exact (RFC 7643 §7: externalId is caseExact), checked again
        # here for servers that are lenient.
        if user.externalId and user.externalId.startswith(prefix):
            state.managed[user.externalId[len(prefix) :]] = user
        elif not limits.filtering and user.userName:
            state.by_user_name[user.userName.casefold()] = user
    wanted = [p.user_name for p in roster.people if p.employee_id not in state.managed]
    if limits.filtering:
        for user in _users_named(client, wanted, limits.page_size):
            if user.userName and not (user.externalId or "").startswith(prefix):
                state.by_user_name[user.userName.casefold()] = user
    else:
        wanted_keys = {n.casefold() for n in wanted}
        state.by_user_name = {k: u for k, u in state.by_user_name.items() if k in wanted_keys}
    names = roster.group_names
    groups: Iterable[Group]
    if limits.filtering:
        groups = _groups_named(client, names, limits.page_size)
    else:
        groups = client.iter_groups(page_size=limits.page_size)
    wanted_groups = {n.casefold() for n in names}
    for group in groups:
        key = (group.displayName or "").casefold()
        if key in wanted_groups and not any(
            g.group_id == group.group_id for g in state.groups.get(key, [])
        ):
            state.groups.setdefault(key, []).append(group)
    return state


def _filter_any(attribute: str, values: list[str]) -> Iterator[str]:
    """``a eq x or a eq y…`` filters, NAMES_PER_QUERY comparisons each."""
    for start in range(0, len(values), NAMES_PER_QUERY):
        chunk = values[start : start + NAMES_PER_QUERY]
        yield " or ".join(f"{attribute} eq {json.dumps(v)}" for v in chunk)


def _users_named(client: SCIMClient, names: list[str], page_size: int) -> Iterator[User]:
    for text in _filter_any("userName", names):
        yield from client.iter_users(text, page_size=page_size)


def _groups_named(client: SCIMClient, names: list[str], page_size: int) -> Iterator[Group]:
    for text in _filter_any("displayName", names):
        yield from client.iter_groups(text, page_size=page_size)
