"""Reading the directory: paged, filtered list requests, never one GET per person."""

from __future__ import annotations

import math
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest

from sync_app.scim.user import User
from sync_app.sync import load_roster, read_state

from .conftest import Directory

Staff = Callable[[int], list[dict[str, str]]]


def _query(path: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(path).query, keep_blank_values=True).items()}


def test_rfc7644_3_4_2_2_managed_users_are_read_with_a_paged_sw_filter(
    directory: Directory, staff: Staff
) -> None:
    """250 managed users come from `externalId sw "hr:"` pages; no GET /Users/{id}."""
    rows = staff(250)
    directory.sync(rows)
    directory.direct.create_user(User(userName="toby", externalId="payroll:1"))
    directory.proxy.reset()
    with directory.client() as client:
        state = read_state(client, load_roster(rows))
    assert len(state.managed) == 250 and "toby" not in state.by_user_name
    user_reads = [s for s in directory.proxy.reads if urlsplit(s.path).path.endswith("/Users")]
    assert {_query(s.path)["filter"] for s in user_reads} == {'externalId sw "hr:"'}
    assert len(user_reads) == math.ceil(250 / state.limits.page_size)
    assert [s.path for s in directory.proxy.seen if "/Users/" in s.path] == []
    assert state.reads == len(directory.proxy.seen)


def test_first_sync_into_a_small_directory_reads_it_whole(
    directory: Directory, staff: Staff
) -> None:
    """60 new rows, 1 user on the server: one count, one page, rather than 2 userName queries."""
    directory.direct.create_user(User(userName="emp7"))
    with directory.client() as client:
        state = read_state(client, load_roster(staff(60)))
    assert list(state.by_user_name) == ["emp7"]
    user_reads = [_query(s.path) for s in directory.proxy.reads if "/Users" in s.path]
    counting, page = user_reads[-2:]
    assert counting == {"count": "0"}
    assert "filter" not in page
    first = {"cursor": ""} if directory.name == "course-server" else {"startIndex": "1"}
    assert first.items() <= page.items()


def test_rfc9865_2_users_are_paged_with_cursors_where_the_server_offers_them(
    directory: Directory, staff: Staff
) -> None:
    """Our server announces pagination.cursor: the sync follows nextCursor, never startIndex;
    scim2-server does not (by default): the sync pages with startIndex (RFC 7644 §3.4.2.4)."""
    rows = staff(250)
    directory.sync(rows)
    directory.proxy.reset()
    with directory.client() as client:
        state = read_state(client, load_roster(rows))
    assert len(state.managed) == 250
    assert state.limits.cursor is (directory.name == "course-server")
    pages = [
        _query(s.path)
        for s in directory.proxy.reads
        if urlsplit(s.path).path.endswith("/Users")
        and _query(s.path).get("filter") == 'externalId sw "hr:"'
    ]
    assert len(pages) == math.ceil(250 / state.limits.page_size)
    if directory.name == "course-server":
        assert pages[0]["cursor"] == ""
        assert all(p["cursor"] for p in pages[1:])
        assert not any("startIndex" in p for p in pages)
    else:
        assert [int(p["startIndex"]) for p in pages] == [
            1 + i * state.limits.page_size for i in range(len(pages))
        ]
        assert not any("cursor" in p for p in pages)


def test_rfc7644_3_4_2_2_adoption_candidates_are_found_with_or_filters(
    directory: Directory, staff: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a big directory, rows not yet managed are looked up 50 userNames per `or` query."""
    # A directory of a few users stands in for a big one: paging through it is not cheaper.
    monkeypatch.setattr("sync_app.sync.state._cheaper_to_read_all", lambda *args: False)
    directory.direct.create_user(User(userName="emp7"))
    rows = staff(60)
    with directory.client() as client:
        state = read_state(client, load_roster(rows))
    assert list(state.by_user_name) == ["emp7"]
    lookups = [
        _query(s.path)["filter"]
        for s in directory.proxy.reads
        if "userName eq" in _query(s.path).get("filter", "")
    ]
    assert [f.count(" or ") + 1 for f in lookups] == [50, 10]


@pytest.mark.parametrize("refusal", [400, 501])
def test_rfc7644_3_4_2_2_a_server_that_refuses_filters_is_read_whole(
    directory: Directory, staff: Staff, refusal: int
) -> None:
    """filter.supported, yet 400 invalidFilter or 501 on a filter: the sync reads every user
    and group unfiltered, selects here, and plans exactly what it would have planned."""
    rows = staff(30)
    directory.sync(rows)
    directory.direct.create_user(User(userName="toby", externalId="payroll:1"))
    rows[3]["title"] = "Regional Manager"
    with directory.client() as client:
        expected = read_state(client, load_roster(rows))
    directory.proxy.reset()
    directory.proxy.refuse_filters = refusal
    plan, report = directory.sync(rows)
    assert plan.state.filters_refused and not expected.filters_refused
    assert plan.state.managed == expected.managed
    assert plan.state.groups == expected.groups
    assert report.ok and report.writes == 1
    assert directory.user("emp4")["title"] == "Regional Manager"
    assert directory.user("toby")["externalId"] == "payroll:1"
    refused = [s for s in directory.proxy.reads if s.status == refusal]
    assert len(refused) == 1, "one refusal is enough to stop filtering"


def test_rfc7643_5_a_server_without_filter_support_is_read_whole(
    directory: Directory, staff: Staff
) -> None:
    """filter.supported false (RFC 7643 §5): no filter is ever sent; the same state is read."""
    rows = staff(30)
    directory.sync(rows)
    directory.proxy.reset()
    directory.proxy.hide_filtering = True
    with directory.client() as client:
        state = read_state(client, load_roster(rows))
    assert not state.limits.filtering and len(state.managed) == 30
    assert set(state.groups) == {"sabre", "sales"}
    assert not any("filter=" in s.path for s in directory.proxy.seen)
