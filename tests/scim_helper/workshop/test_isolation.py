"""Isolation in a workshop: a learner sees only their own tenant and progress; the instructor
token reads progress and nothing else (it is no tenant's token)."""

from __future__ import annotations

import pytest
import requests

from tests.scim_helper.workshop.conftest import Workshop

USER = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "dschrute"}


@pytest.fixture(scope="module")
def bobs_user(workshop: Workshop) -> str:
    """A user in bob's tenant, and one progress report of bob's."""
    url = workshop.server.url
    created = requests.post(f"{url}/Users", json=USER, headers=workshop.learner("bob"), timeout=30)
    assert created.status_code == 201
    report = {"exercise": "02-charles-joins/charles_joined", "outcome": "hint", "hint": "bob's"}
    sent = requests.post(
        f"{url}/Workshop/Progress", json=report, headers=workshop.learner("bob"), timeout=30
    )
    assert sent.status_code == 204
    return str(created.json()["id"])


def test_rfc7644_3_4_1_learner_cannot_read_another_learners_user(
    workshop: Workshop, bobs_user: str
) -> None:
    """ann's token: bob's user is 404 by id, absent from lists, searches and the root query."""
    url, ann = workshop.server.url, workshop.learner("ann")
    assert requests.get(f"{url}/Users/{bobs_user}", headers=ann, timeout=30).status_code == 404
    for listing in (
        requests.get(f"{url}/Users", headers=ann, timeout=30),
        requests.get(
            f"{url}", params={"filter": 'userName eq "dschrute"'}, headers=ann, timeout=30
        ),
        requests.post(
            f"{url}/Users/.search",
            json={
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
                "filter": 'userName eq "dschrute"',
            },
            headers=ann,
            timeout=30,
        ),
    ):
        assert listing.status_code == 200, listing.text
        assert listing.json()["totalResults"] == 0


def test_rfc7644_3_5_learner_cannot_change_another_learners_user(
    workshop: Workshop, bobs_user: str
) -> None:
    """ann's token: PUT, PATCH, DELETE and a Bulk PATCH of bob's user all miss (404)."""
    url, ann = workshop.server.url, workshop.learner("ann")
    patch = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "active", "value": False}],
    }
    assert (
        requests.put(f"{url}/Users/{bobs_user}", json=USER, headers=ann, timeout=30).status_code
        == 404
    )
    assert (
        requests.patch(f"{url}/Users/{bobs_user}", json=patch, headers=ann, timeout=30).status_code
        == 404
    )
    bulk = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
        "Operations": [{"method": "PATCH", "path": f"/Users/{bobs_user}", "data": patch}],
    }
    answer = requests.post(f"{url}/Bulk", json=bulk, headers=ann, timeout=30)
    assert answer.status_code == 200
    assert answer.json()["Operations"][0]["status"] == "404"
    assert requests.delete(f"{url}/Users/{bobs_user}", headers=ann, timeout=30).status_code == 404
    still = requests.get(f"{url}/Users/{bobs_user}", headers=workshop.learner("bob"), timeout=30)
    assert still.status_code == 200 and still.json().get("active") is not False


def test_learner_sees_only_their_own_progress(workshop: Workshop, bobs_user: str) -> None:
    """GET /Workshop answers with the caller's own name and progress, never another's."""
    url = workshop.server.url
    ann = requests.get(f"{url}/Workshop", headers=workshop.learner("ann"), timeout=30).json()
    bob = requests.get(f"{url}/Workshop", headers=workshop.learner("bob"), timeout=30).json()
    assert ann["learner"] == "ann" and ann["progress"] == []
    assert bob["learner"] == "bob"
    assert [e["hint"] for e in bob["progress"]] == ["bob's"]


@pytest.mark.parametrize("path", ["/workshop/progress.json", "/workshop/progress.csv"])
def test_learner_token_does_not_open_the_instructor_view(
    workshop: Workshop, bobs_user: str, path: str
) -> None:
    """A learner token, as a bearer header or as the sign-in cookie, gets 401 and no data."""
    root = workshop.server.root
    by_header = requests.get(f"{root}{path}", headers=workshop.learner("ann"), timeout=30)
    assert by_header.status_code == 401 and "bob" not in by_header.text
    assert "sign in at /workshop/" in by_header.json()["detail"]
    session = requests.Session()
    signed = session.post(
        f"{root}/workshop/login", data={"token": workshop.room.learners["ann"]}, timeout=30
    )
    assert signed.status_code == 401 and not session.cookies
    assert "not this room&#x27;s instructor token" in signed.text
    assert session.get(f"{root}{path}", timeout=30).status_code == 401


def test_instructor_view_without_a_token_shows_only_the_sign_in_form(workshop: Workshop) -> None:
    page = requests.get(f"{workshop.server.root}/workshop/", timeout=30)
    assert page.status_code == 200 and "Instructor token" in page.text
    assert "learner" not in page.text.replace("Learner tokens", "")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/Users"),
        ("GET", "/Groups"),
        ("GET", ""),
        ("POST", "/Users"),
        ("POST", "/.search"),
        ("POST", "/Bulk"),
        ("GET", "/Workshop"),
        ("POST", "/Workshop/Progress"),
    ],
)
def test_rfc6750_3_1_instructor_token_is_no_tenants_token(
    workshop: Workshop, method: str, path: str
) -> None:
    """The instructor token opens no SCIM endpoint (401): it reads progress only."""
    response = requests.request(
        method, f"{workshop.server.url}{path}", json={}, headers=workshop.instructor, timeout=30
    )
    assert response.status_code == 401
    assert "invalid_token" in response.headers["WWW-Authenticate"]


def test_instructor_reads_every_learners_progress(workshop: Workshop, bobs_user: str) -> None:
    """The instructor token (bearer) reads the whole room: names, exercises, no tenant data."""
    room = requests.get(
        f"{workshop.server.root}/workshop/progress.json", headers=workshop.instructor, timeout=30
    ).json()
    assert [learner["name"] for learner in room["learners"]] == ["ann", "bob", "cat"]
    assert room["exercises"] == ["02-charles-joins/charles_joined"]
    assert "dschrute" not in str(room) and bobs_user not in str(room)
