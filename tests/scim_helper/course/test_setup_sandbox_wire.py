"""reset=True in the course's sandbox, watched on the wire (issue 18).

In the sandbox (the course's own server) reset deletes everything but the starting state and
the company directory. ``course_setup`` keeps its client to itself, so these tests drive its
seeder with a client of their own on a fresh tenant of the course's server and read that
client's wire log: what a reset asks for (RFC 7644 §3.4.2.2 filter, §3.9 ``attributes``) and
that several leftovers go in one Bulk request (RFC 7644 §3.7).
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from scim_helper.directory import seed_directory
from scim_helper.setup import _Seeder
from scim_helper.tenant import Tenant
from sync_app.client import SCIMClient
from sync_app.scim.group import Group
from sync_app.scim.user import User

from .conftest import Seeded


def _reads(client: SCIMClient, endpoint: str) -> list[dict[str, str]]:
    """The filter and attributes of each list read of ``endpoint`` (paging left out)."""
    reads = []
    for e in client.wire_log:
        url = urlsplit(e.path)
        if e.method == "GET" and url.path == endpoint:
            query = {k: v[-1] for k, v in parse_qs(url.query).items()}
            reads.append({k: v for k, v in query.items() if k in ("filter", "attributes")})
    return reads


def test_rfc7644_3_7_sandbox_reset_deletes_several_leftovers_through_bulk(seeded: Seeded) -> None:
    """Two unmarked groups and two unmarked users: reset deletes all four, each kind in one
    Bulk request of DELETEs on /Groups and /Users (the course's server offers Bulk), and keeps
    the directory's people and the starting state."""
    client = seeded.client
    strangers = [client.create_group(Group(displayName=f"G{n}")).to_dict()["id"] for n in (1, 2)]
    people = [client.create_user(User(userName=f"u{n}")).to_dict()["id"] for n in (1, 2)]
    seed_directory(seeded.tenant.token, server_url=seeded.tenant.url, size=3, progress=False)
    client.wire_log.clear()
    group_id, ids = _Seeder(client, sandbox=True).reset()
    assert (group_id, ids) == (seeded.group_id, seeded.user_ids)
    lookup = Tenant(client)
    assert [g["id"] for g in lookup.groups()] == [group_id]
    users = {u["id"] for u in lookup.users()}
    assert users.isdisjoint(people)
    assert len(users) == 15 + 3
    bulk = [e.request_body for e in client.wire_log if e.method == "POST" and e.path == "/Bulk"]
    sent = [[(op["method"], op["path"]) for op in body["Operations"]] for body in bulk]
    assert sent == [
        [("DELETE", f"/Groups/{i}") for i in strangers],
        [("DELETE", f"/Users/{i}") for i in people],
    ]


def test_rfc7644_3_4_2_2_sandbox_reset_asks_for_what_it_deletes_only(seeded: Seeded) -> None:
    """The sandbox's reads: every group with displayName and externalId only, and the users
    outside the directory (a filter our own server is known to take) with userName and
    externalId only (RFC 7644 §3.9)."""
    client = seeded.client
    client.wire_log.clear()
    _Seeder(client, sandbox=True).reset()
    groups = [q for q in _reads(client, "/Groups") if "filter" not in q]
    assert groups == [{"attributes": "displayName,externalId"}]
    users = [q for q in _reads(client, "/Users") if q.get("attributes") == "userName,externalId"]
    assert users == [
        {
            "filter": 'not (externalId sw "office-course:directory:") or not (externalId pr)',
            "attributes": "userName,externalId",
        }
    ]
