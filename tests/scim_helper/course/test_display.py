"""Views of SCIM resources and of the wire log: tables in HTML, the same facts in text."""

from __future__ import annotations

import contextlib

from scim_helper.display import ErrorView, GroupView, ListView, UserView, view, wire_log
from sync_app.errors import SCIMError

from .conftest import Seeded


def test_user_view_is_a_table_not_a_wall_of_json(seeded: Seeded) -> None:
    """A User shows as its userName, name, state, emails and groups."""
    user = seeded.client.get_user(seeded.user_ids["Pam Beesly"])
    shown = view(user)
    assert isinstance(shown, UserView)
    assert shown.text().splitlines()[0] == "<User pbeesly active>"
    assert "pam.beesly@dundermifflin.com (work, primary)" in shown.text()
    assert "Dunder Mifflin" in shown.text()
    assert "<table>" in shown._repr_html_() and "Pam Beesly" in shown._repr_html_()


def test_group_view_lists_members(seeded: Seeded) -> None:
    """A Group shows its name, member count and each member."""
    shown = view(seeded.client.get_group(seeded.group_id).to_dict())
    assert isinstance(shown, GroupView)
    assert shown.text().startswith("<Group 'Dunder Mifflin' 15 members>")
    assert shown._repr_html_().count("<tr>") == 16  # header and fifteen members


def test_list_view_summarises_the_page(seeded: Seeded) -> None:
    """A ListResponse shows how many of how many, from where, and one row per resource."""
    page = seeded.client.get_users("active eq true", start_index=3, count=4, sort_by="userName")
    shown = view(page)
    assert isinstance(shown, ListView)
    lines = shown.text().splitlines()
    assert lines[0] == "4 of 15 results from startIndex 3"
    assert lines[1].split() == ["userName", "name", "active", "email", "title"]
    assert len(lines) == 2 + 1 + 4
    groups = view(seeded.client.get_groups())
    assert groups.text().splitlines()[1].split() == ["displayName", "members", "id"]


def test_error_view_reads_like_the_rfc(seeded: Seeded) -> None:
    """An Error body shows status, scimType and detail."""
    try:
        seeded.client.get_users('nosuchattribute eq "x"')
    except SCIMError as error:
        body = error.response.json()  # type: ignore[attr-defined]
    shown = view(body)
    assert isinstance(shown, ErrorView)
    assert shown.text().startswith("SCIM error 400 invalidFilter: ")


def test_wire_log_shows_the_last_exchanges_without_the_token(seeded: Seeded) -> None:
    """The wire log view lists method, URL, status and time, with bodies, and never the token."""
    seeded.client.get_user(seeded.user_ids["Michael Scott"])
    with contextlib.suppress(SCIMError):
        seeded.client.get_user("no-such-id")
    shown = wire_log(seeded.client, last=2)
    text = shown.text()
    first, second = text.split("\n\n")
    assert first.startswith("GET ") and " → 200 (" in first.splitlines()[0]
    assert '"userName": "mscott"' in first
    assert second.splitlines()[0].endswith("ms)") and " → 404 " in second.splitlines()[0]
    html = shown._repr_html_()
    assert html.count("<details>") == 2
    for rendered in (text, html, repr(shown)):
        assert seeded.tenant.token not in rendered


def test_wire_log_of_a_fresh_client_says_so() -> None:
    """Before any request the view says there is nothing to show."""
    assert wire_log([]).text() == "No requests yet."
