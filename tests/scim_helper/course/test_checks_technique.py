"""How checks read the wire log (``checks._technique``) and grade groups (``checks._framework``).

The wire-log readers are pure functions of :class:`~sync_app.wirelog.Exchange` records, so most
tests here build the records a learner's client would have logged; the group helpers run against
the live server.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from scim_helper import checks
from scim_helper.checks import _technique as technique
from scim_helper.checks._framework import (
    Check,
    CheckResult,
    Hint,
    exact_members,
    member_user_names,
    names,
    sent,
)
from scim_helper.tenant import Tenant
from sync_app.client import SCIMClient
from sync_app.scim.group import Group, Member
from sync_app.scim.user import User
from sync_app.wirelog import Exchange

from .conftest import Seeded


def _exchange(
    method: str = "PATCH",
    path: str = "/Groups/g",
    body: Any = None,
    status: int | None = 200,
    response: Any = None,
    url: str = "",
) -> Exchange:
    return Exchange(
        method=method,
        url=url or f"http://h/scim/v2{path}",
        path=path,
        request_body=body,
        status=status,
        response_body=response,
    )


def _patch(*operations: Any, key: str = "Operations") -> Exchange:
    return _exchange(
        body={"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], key: list(operations)}
    )


def test_succeeded_keeps_the_2xx_answers_only() -> None:
    """200 and 299 are accepted; 199, 300, 404 and no answer are not."""
    statuses = [199, 200, 204, 299, 300, 404, None]
    kept = technique.succeeded([_exchange(status=s) for s in statuses])
    assert [e.status for e in kept] == [200, 204, 299]


def test_answered_reads_the_status_and_scim_type() -> None:
    """The scimType of an error body; None for none, an empty one, or a body that is no object."""
    assert technique.answered(_exchange(status=409, response={"scimType": "uniqueness"})) == (
        409,
        "uniqueness",
    )
    assert technique.answered(_exchange(status=404, response={"scimType": ""})) == (404, None)
    assert technique.answered(_exchange(status=404, response={"detail": "x"})) == (404, None)
    assert technique.answered(_exchange(status=500, response="oops")) == (500, None)


def test_rfc7644_3_5_2_patch_operations_lower_case_the_op() -> None:
    """``op`` in any case, ``Operations`` or ``operations``; anything but an object is skipped."""
    exchange = _patch({"op": "Replace", "path": "x"}, "junk", {"path": "y"})
    assert technique.patch_operations(exchange) == [
        {"op": "replace", "path": "x"},
        {"op": "", "path": "y"},
    ]
    lower = _patch({"op": "ADD", "path": "members"}, key="operations")
    assert technique.patch_operations(lower) == [{"op": "add", "path": "members"}]
    assert technique.patch_operations(_exchange(body="not json")) == []
    assert technique.patch_operations(_exchange(body={"Operations": None})) == []


def test_rfc7644_3_5_2_1_added_member_ids() -> None:
    """Adds to ``members`` (any case, spaces), path-less adds with members; never other ops."""
    exchange = _patch(
        {"op": "add", "path": " Members ", "value": [{"value": "a"}, {"value": None}, "b", 7]},
        {"op": "add", "value": {"Members": [{"value": "c"}]}},
        {"op": "add", "value": {"members": {"value": "d"}}},
        {"op": "add", "path": "emails", "value": [{"value": "e"}]},
        {"op": "replace", "path": "members", "value": [{"value": "f"}]},
        {"op": "add", "value": [{"value": "g"}]},
    )
    assert technique.added_member_ids(exchange) == {"a", "b", "c", "d"}
    assert technique.added_member_ids(
        _patch({"op": "add", "path": "members", "value": {"value": 5}})
    ) == {"5"}


def test_rfc7644_3_5_2_2_member_removals_name_each_form() -> None:
    """The RFC filter form, the lenient value form, remove-all, and anything else."""
    exchange = _patch(
        {"op": "remove", "path": 'members[value eq "a"]'},
        {"op": "remove", "path": ' MEMBERS [ VALUE  EQ "b" ] '},
        {"op": "remove", "path": 'members[value eq "c"]', "value": [{"value": "c"}]},
        {"op": "remove", "path": " Members ", "value": [{"value": "e"}, {"value": "d"}]},
        {"op": "remove", "path": "members", "value": []},
        {"op": "remove", "path": "members"},
        {"op": "remove", "path": 'members[display eq "x"]'},
        {"op": "add", "path": "members", "value": [{"value": "z"}]},
    )
    assert technique.member_removals(exchange) == [
        ("filter", "a"),
        ("filter", "b"),
        ("other", None),
        ("value", "d"),
        ("value", "e"),
        ("value", None),
        ("all", None),
        ("other", None),
    ]


def test_rfc7644_3_4_2_2_filter_of_a_query() -> None:
    """A GET's filter parameter (from the path, else the URL); a POST /.search body's filter."""
    get = _exchange("GET", "/Users?filter=userName%20eq%20%22x%22&count=1")
    assert technique.filter_of(get) == 'userName eq "x"'
    no_query_in_path = _exchange("GET", "/Users", url="http://h/Users?filter=active%20eq%20true")
    assert technique.filter_of(no_query_in_path) == "active eq true"
    assert technique.filter_of(_exchange("GET", "/Users?count=1")) == ""
    search = _exchange("POST", "/Users/.search", body={"filter": 'userName eq "y"'})
    assert technique.filter_of(search) == 'userName eq "y"'
    assert technique.filter_of(_exchange("POST", "/Users/.search", body={"count": 1})) == ""
    assert technique.filter_of(_exchange("POST", "/Users/.search?filter=a", body=None)) == "a"


def test_read_prediction_hints_until_there_is_one() -> None:
    """None is no prediction (the hint shows the example); anything else is returned as it is."""
    with pytest.raises(Hint) as none:
        technique.read_prediction(None, "(1, 2)")
    assert str(none.value) == (
        "No prediction yet: write it on the first line (prediction = (1, 2)) before you run "
        "the request."
    )
    assert technique.read_prediction(0, "x") == 0
    assert technique.read_prediction("", "x") == ""
    assert technique.NO_LOG == (
        "use the chapter's `client` for it (the check reads that client's wire log; another "
        "client's requests are not in it)."
    )


# -- _framework ----------------------------------------------------------------------------------


def test_check_result_text_and_html() -> None:
    """✓ or Hint: in text; the HTML escapes the name and the message and says pass or hint."""
    good = CheckResult("a<b", True, "x & y")
    assert str(good) == repr(good) == "✓ x & y" and bool(good)
    assert good._repr_html_() == (
        '<div class="scim-check scim-check-pass" data-check="a&lt;b" '
        'style="border-left:4px solid #1a7f37;padding:4px 10px;margin:4px 0;">'
        '<b style="color:#1a7f37">✓</b> x &amp; y</div>'
    )
    bad = CheckResult("n", False, "<no>")
    assert str(bad) == "Hint: <no>" and not bad
    assert bad._repr_html_() == (
        '<div class="scim-check scim-check-hint" data-check="n" '
        'style="border-left:4px solid #9a6700;padding:4px 10px;margin:4px 0;">'
        '<b style="color:#9a6700">Hint:</b> &lt;no&gt;</div>'
    )


def test_check_reads_its_signature() -> None:
    """A check of the tenant needs the server; one of the answer alone does not; repr names both."""
    assert checks.charles_created.needs_server and not checks.charles_created.takes_answer
    assert checks.welcome_bulk_limit.needs_server and checks.welcome_bulk_limit.takes_answer
    assert not checks.caught_uniqueness.needs_server and checks.caught_uniqueness.takes_answer
    assert repr(checks.charles_created) == "<Check charles_created (02-charles-joins)>"
    assert checks.charles_created.__doc__ and checks.charles_created.__name__ == "charles_created"
    assert not Check(lambda: "done", "t").needs_server
    seen: list[Any] = []

    def answer_only(answer: Any) -> str:
        seen.append(answer)
        return "ok"

    probe = Check(answer_only, "t")
    assert probe().ok and probe(5).ok
    assert seen == [None, 5]


def test_a_check_turns_errors_into_hints_and_lets_other_errors_through(seeded: Seeded) -> None:
    """A SCIM error becomes a hint with its first line; a bug in a check is not hidden."""

    def broken(tenant: Tenant) -> str:
        raise ZeroDivisionError("bug")

    with pytest.raises(ZeroDivisionError):
        Check(broken, "t")(seeded.client)

    def refused(tenant: Tenant) -> str:
        tenant.client.get_user("no-such-id")
        return "unreachable"

    result = Check(refused, "t")(seeded.client)
    assert not result.ok
    assert result.message.startswith("The check could not ask the server: ")
    assert "\n" not in result.message


def test_a_check_given_a_url_and_token_owns_its_client(seeded: Seeded) -> None:
    """server_url and auth_token, no client: the check reads that server (and answers)."""
    result = checks.charles_created(server_url=seeded.tenant.url, auth_token=seeded.tenant.token)
    assert result.message == "There is no user 'cminer' (Charles Miner) on the server yet."
    result = checks.welcome_bulk_limit(
        None, 7, server_url=seeded.tenant.url, auth_token=seeded.tenant.token
    )
    assert result.message.startswith("That is not the server's bulk.maxOperations.")


def test_sent_filters_by_method_and_path_prefix(seeded: Seeded) -> None:
    """``sent`` keeps one method (any case) and paths starting with a prefix, query left out."""
    tenant = Tenant(seeded.client)
    tenant.history = [
        _exchange("GET", "/Users?filter=x"),
        _exchange("GET", "/Users/abc"),
        _exchange("POST", "/Users"),
        _exchange("GET", "/Groups?x=/Users"),
    ]
    assert [e.path for e in sent(tenant, "get", "/Users")] == ["/Users?filter=x", "/Users/abc"]
    assert [e.path for e in sent(tenant, None, "/Users")] == [
        "/Users?filter=x",
        "/Users/abc",
        "/Users",
    ]
    assert [e.path for e in sent(tenant, "POST")] == ["/Users"]
    assert len(sent(tenant)) == 4
    tenant.history = []
    assert sent(tenant) == []
    tenant.history = None
    seeded.client.get_users(count=1)
    assert [e.path for e in sent(tenant, "GET")][-1] == "/Users?count=1"


def test_names_are_sorted_and_joined() -> None:
    """A set of userNames reads the same every run."""
    assert names({"pbeesly", "mscott", "abernard"}) == "abernard, mscott, pbeesly"
    assert names(set()) == ""


def test_member_user_names_reads_more_than_one_chunk(client: SCIMClient) -> None:
    """Twenty-one members (two queries of at most twenty) all found; ids of no user left out."""
    ids = [
        str(client.create_user(User(userName=f"member{i:02}", active=True)).to_dict()["id"])
        for i in range(21)
    ]
    group = {"members": [{"value": i} for i in [*ids, "not-a-user"]]}
    tenant = Tenant(client)
    assert member_user_names(tenant, group) == {f"member{i:02}" for i in range(21)}
    assert member_user_names(tenant, {"members": []}) == set()
    searches = [e for e in client.wire_log if e.path.startswith("/Users?")]
    filters = [parse_qs(urlsplit(e.path).query)["filter"][0] for e in searches]
    # 22 ids (21 users and one that is not): twenty in the first query, two in the second
    assert [f.count(" eq ") for f in filters] == [20, 2]


def test_exact_members_says_what_differs(seeded: Seeded) -> None:
    """No members, some missing, someone extra: each hint word for word; the group otherwise."""
    tenant = Tenant(seeded.client)
    expected = {"pbeesly", "omartinez"}
    with pytest.raises(Hint) as no_group:
        exact_members(tenant, "Finer Things Club", expected, " Make it first.")
    assert (
        str(no_group.value)
        == "There is no group 'Finer Things Club' on the server yet. Make it first."
    )
    seeded.client.create_group(
        checks_group(
            "Finer Things Club", [seeded.user_ids["Pam Beesly"], seeded.user_ids["Kevin Malone"]]
        )
    )
    with pytest.raises(Hint) as missing:
        exact_members(tenant, "Finer Things Club", expected)
    assert str(missing.value) == "'Finer Things Club' is still missing omartinez."
    with pytest.raises(Hint) as extra:
        exact_members(tenant, "Finer Things Club", {"pbeesly"})
    assert str(extra.value) == "'Finer Things Club' holds people who should not be in it: kmalone."
    group = exact_members(tenant, "Finer Things Club", {"pbeesly", "kmalone"})
    assert group["displayName"] == "Finer Things Club"


def checks_group(name: str, member_ids: list[str]) -> Group:
    return Group(displayName=name, members=[Member(value=i) for i in member_ids])
