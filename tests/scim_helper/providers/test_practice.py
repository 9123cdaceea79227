"""The practice provider's plumbing: what is given to the learner works, over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from scim_helper.providers import NAMES
from scim_helper.providers.practice import (
    PracticeProvider,
    ScimProblem,
    parse_filter,
    set_attribute,
)

USER = "urn:ietf:params:scim:schemas:core:2.0:User"


def _everyone(resources: list[dict[str, Any]], clauses: list[tuple[str, str]]) -> list[Any]:
    return [
        r
        for r in resources
        if all(str(r.get(name, "")).lower() == value.lower() for name, value in clauses)
    ]


@pytest.fixture
def app() -> Iterator[PracticeProvider]:
    with PracticeProvider(search=_everyone) as running:
        yield running


def _ask(app: PracticeProvider, method: str, path: str, **kwargs: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {app.token}"}
    return requests.request(method, app.url + path, headers=headers, timeout=5, **kwargs)


def test_rfc7644_2_a_request_without_the_token_is_refused(app: PracticeProvider) -> None:
    """No bearer token: 401 with a SCIM Error, and the repr never shows the token."""
    refused = requests.get(app.url + "/Users", timeout=5)
    assert refused.status_code == 401
    assert refused.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert app.token not in repr(app)


def test_rfc7644_3_12_an_unwritten_function_is_a_501_that_says_so(app: PracticeProvider) -> None:
    """Before apply_patch is assigned, PATCH answers 501 with a detail naming what to do."""
    user = _ask(app, "POST", "/Users", json={"schemas": [USER], "userName": "rhoward"}).json()
    answer = _ask(app, "PATCH", f"/Users/{user['id']}", json={"Operations": []})
    assert answer.status_code == 501
    assert "assign an apply_patch function" in answer.json()["detail"]


def test_rfc7644_3_4_2_4_paging_gives_integers_and_the_requested_slice(
    app: PracticeProvider,
) -> None:
    """startIndex and count select a slice; the numbers are integers."""
    for name in ("a", "b", "c"):
        _ask(app, "POST", "/Users", json={"schemas": [USER], "userName": name})
    page = _ask(app, "GET", "/Users?startIndex=2&count=1").json()
    assert (page["totalResults"], page["startIndex"], page["itemsPerPage"]) == (3, 2, 1)
    assert [r["userName"] for r in page["Resources"]] == ["b"]


def test_rfc7644_3_4_2_5_excluded_attributes_drop_members(app: PracticeProvider) -> None:
    """excludedAttributes=members leaves the members out of a group."""
    group = _ask(app, "POST", "/Groups", json={"displayName": "Sales", "members": []}).json()
    shown = _ask(app, "GET", f"/Groups/{group['id']}?excludedAttributes=members").json()
    assert "members" not in shown and shown["displayName"] == "Sales"


def test_rfc7644_3_5_1_put_keeps_the_id_and_drops_what_is_read_only(
    app: PracticeProvider,
) -> None:
    """PUT replaces the resource; id stays the app's, a password is not stored."""
    user = _ask(app, "POST", "/Users", json={"userName": "kkapoor", "password": "x"}).json()
    assert "password" not in user
    body = {"id": "mine", "userName": "kkapoor", "title": "Customer Service"}
    replaced = _ask(app, "PUT", f"/Users/{user['id']}", json=body).json()
    assert replaced["id"] == user["id"] and replaced["title"] == "Customer Service"


def test_rfc7644_3_6_delete_then_404(app: PracticeProvider) -> None:
    """DELETE answers 204; the resource is then 404 with a SCIM Error."""
    user = _ask(app, "POST", "/Users", json={"userName": "tflenderson"}).json()
    assert _ask(app, "DELETE", f"/Users/{user['id']}").status_code == 204
    gone = _ask(app, "GET", f"/Users/{user['id']}")
    assert gone.status_code == 404 and gone.json()["status"] == "404"


def test_a_new_function_takes_effect_without_a_restart(app: PracticeProvider) -> None:
    """check_new_user is looked up per request: assigning one changes the next create."""

    def nobody(users: list[dict[str, Any]], body: dict[str, Any]) -> None:
        raise ScimProblem(403, None, "Closed for the weekend.")

    app.check_new_user = nobody
    refused = _ask(app, "POST", "/Users", json={"userName": "dschrute"})
    assert refused.status_code == 403 and refused.json()["detail"] == "Closed for the weekend."


def test_rfc7644_3_4_2_2_parse_filter_reads_eq_and_refuses_the_rest() -> None:
    """eq clauses joined by and are read; another operator is a 400 invalidFilter."""
    assert parse_filter('userName eq "a\\"b" and externalId eq "x"') == [
        ("userName", 'a"b'),
        ("externalId", "x"),
    ]
    with pytest.raises(ScimProblem) as refused:
        parse_filter('userName sw "a"')
    assert (refused.value.status, refused.value.scim_type) == (400, "invalidFilter")


def test_set_attribute_reads_dotted_and_typed_paths() -> None:
    """name.givenName and emails[type eq "work"].value reach the right place."""
    user: dict[str, Any] = {"emails": [{"type": "work", "value": "old"}]}
    set_attribute(user, "name.givenName", "Ryan")
    set_attribute(user, 'emails[type eq "work"].value', "new")
    set_attribute(user, 'emails[type eq "home"].value', "home")
    assert user["name"] == {"givenName": "Ryan"}
    assert user["emails"] == [{"type": "work", "value": "new"}, {"type": "home", "value": "home"}]


@pytest.mark.parametrize("profile", NAMES)
def test_the_plumbing_fails_only_where_the_learner_writes(
    app: PracticeProvider, profile: str
) -> None:
    """Unwritten PATCH and no duplicate check: every failing step is one of those, none else."""
    report = app.validate(profile)
    assert not report.passed
    for result in report.failures():
        assert result.exchanges[0].method == "PATCH" or result.name in (
            "find the disabled user",  # reads what the unwritten disable should have changed
            "create the same user again",  # check_new_user lets everyone in
        ), result.name
