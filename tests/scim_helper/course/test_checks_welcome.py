"""Chapter 01's checks: a ✓ for the asked technique, a hint for every way it can go wrong.

Every test drives the live server the way a learner would, through the client; the checks also
read what that client sent (its wire log), so wrong techniques are sent for real.
"""

from __future__ import annotations

import contextlib

from scim_helper import checks
from scim_helper.checks._framework import Hint
from scim_helper.tenant import Tenant
from sync_app.client import ClientConfiguration, SCIMClient
from sync_app.errors import ProtocolError
from sync_app.scim.patchop import Operation, PatchOp
from sync_app.wirelog import Exchange

from .conftest import Seeded
from .test_checks import another_client, hint, ok, says


def test_welcome_bulk_limit(seeded: Seeded) -> None:
    """✓ for the server's bulk.maxOperations; hints for nothing, a wrong type, a wrong number."""
    bulk = seeded.client.service_provider_config().to_dict()["bulk"]
    hint(checks.welcome_bulk_limit(seeded.client, None), "No answer yet")
    hint(checks.welcome_bulk_limit(seeded.client, bulk), "number itself")
    hint(checks.welcome_bulk_limit(seeded.client, bulk["maxPayloadSize"]), "not the server's")
    ok(checks.welcome_bulk_limit(seeded.client, bulk["maxOperations"]))


def missing_user(client: SCIMClient) -> None:
    """The exercise's request: GET /Users/{id} for an id that does not exist."""
    with contextlib.suppress(ProtocolError):
        client.get_user("no-such-person-works-here")


def test_welcome_missing_user(seeded: Seeded) -> None:
    """✓ for the (status, scimType) the server answered; hints for each wrong prediction."""
    client = seeded.client
    hint(checks.welcome_missing_user(client, None), "No prediction yet")
    hint(checks.welcome_missing_user(client, "404"), "pair")
    hint(checks.welcome_missing_user(client, (True, None)), "pair")
    hint(checks.welcome_missing_user(client, (404, None)), "no failed GET /Users/{id}")
    missing_user(client)
    hint(checks.welcome_missing_user(client, (400, "invalidValue")), "another status")
    hint(checks.welcome_missing_user(client, (404, "noTarget")), "sent no scimType")
    ok(checks.welcome_missing_user(client, (404, None)))
    ok(checks.welcome_missing_user(client, [404, ""]))
    assert "404, with no scimType" in checks.welcome_missing_user(client, (404, None)).message


def test_welcome_missing_user_needs_the_chapters_client(seeded: Seeded) -> None:
    """A request made by another client is not in this client's log: the hint says so."""
    with another_client(seeded) as other:
        missing_user(other)
    hint(checks.welcome_missing_user(seeded.client, (404, None)), "chapter's `client`")


def test_welcome_missing_user_compares_the_scim_type_when_there_is_one(seeded: Seeded) -> None:
    """Where a server sends a scimType with its error, a prediction must name it."""
    tenant = Tenant(seeded.client)
    tenant.history = [
        Exchange(
            method="GET",
            url=f"{seeded.tenant.url}/Users/x",
            path="/Users/x",
            status=404,
            response_body={"status": "404", "scimType": "noTarget"},
        )
    ]
    check = checks.welcome_missing_user.func
    try:
        check(tenant, (404, None))
    except Hint as wrong:
        assert str(wrong) == (
            "The status is right, but not the scimType: compare it with the cell's output."
        )
    else:
        raise AssertionError("a missing scimType in the prediction was accepted")
    assert "404 noTarget" in check(tenant, (404, "noTarget"))


def test_welcome_bulk_limit_says_each_hint_in_full(seeded: Seeded) -> None:
    """Every hint of the bulk-limit check, word for word, and the ✓ it gives."""
    client = seeded.client
    bulk = client.service_provider_config().to_dict()["bulk"]
    says(
        checks.welcome_bulk_limit(client, None),
        "No answer yet: read bulk.maxOperations from the ServiceProviderConfig.",
    )
    says(
        checks.welcome_bulk_limit(client, True),
        "The answer is a bool; it should be the number itself (an int), read from the bulk "
        "section.",
    )
    hint(checks.welcome_bulk_limit(client, str(bulk["maxOperations"])), "The answer is a str;")
    says(
        checks.welcome_bulk_limit(client, bulk["maxOperations"] + 1),
        "That is not the server's bulk.maxOperations. Look at the bulk section of the "
        "ServiceProviderConfig, not at maxPayloadSize or the filter section.",
    )
    says(
        checks.welcome_bulk_limit(client, bulk["maxOperations"]),
        "That is how many operations one Bulk request may carry on this server.",
    )


def test_welcome_missing_user_refuses_predictions_that_are_not_a_pair(seeded: Seeded) -> None:
    """One element, three, a status as text, a scimType that is not text: each is no pair."""
    pair = (
        'The prediction should be a pair such as (409, "uniqueness"): the status as a number, '
        "then the scimType as a string, or None for no scimType."
    )
    missing_user(seeded.client)
    for wrong in [(404,), (404, None, None), ("404", None), (404, 3)]:
        says(checks.welcome_missing_user(seeded.client, wrong), pair)
    says(
        checks.welcome_missing_user(seeded.client, None),
        'No prediction yet: write it on the first line (prediction = (409, "uniqueness")) '
        "before you run the request.",
    )


def test_welcome_missing_user_says_each_hint_in_full(seeded: Seeded) -> None:
    """The hints after the request, word for word."""
    client = seeded.client
    says(
        checks.welcome_missing_user(client, (404, None)),
        "Your client's wire log shows no failed GET /Users/{id} yet: run the cell, and use the "
        "chapter's `client` for it (the check reads that client's wire log; another client's "
        "requests are not in it).",
    )
    missing_user(client)
    says(
        checks.welcome_missing_user(client, (400, None)),
        "Your prediction says 400, but the server answered another status. Read the status in "
        "the cell's output, and look it up in RFC 7644 §3.12.",
    )
    says(
        checks.welcome_missing_user(client, (404, "noTarget")),
        "The status is right, but the server sent no scimType: RFC 7644 §3.12 makes it "
        "OPTIONAL, and defines its keywords for errors such as 400 and 409.",
    )
    says(
        checks.welcome_missing_user(client, (404, None)),
        "Predicted and answered: 404, with no scimType. The server has no User with that id.",
    )


def test_welcome_missing_user_counts_only_a_failed_get_of_one_user(seeded: Seeded) -> None:
    """A good GET, a failed PATCH of a user, a failed GET of a group: none is the exercise's."""
    client = seeded.client
    client.get_user(seeded.user_ids["Michael Scott"])
    with contextlib.suppress(ProtocolError):
        client.get_group("no-such-group")
    with contextlib.suppress(ProtocolError):
        client.update_user(
            id="no-such-person", ops=PatchOp(operations=[Operation("replace", "active", False)])
        )
    hint(checks.welcome_missing_user(client, (404, None)), "no failed GET /Users/{id}")


def _graded(seeded: Seeded, *exchanges: Exchange) -> Tenant:
    tenant = Tenant(seeded.client)
    tenant.history = list(exchanges)
    return tenant


def _get(seeded: Seeded, path: str, status: int | None) -> Exchange:
    return Exchange(method="GET", url=f"{seeded.tenant.url}{path}", path=path, status=status)


def test_welcome_missing_user_reads_the_status_at_its_edges(seeded: Seeded) -> None:
    """A 400 is a failure, a 399 or no status is not, and a query is not one user's URL."""
    check = checks.welcome_missing_user.func
    assert "400, with no scimType" in check(
        _graded(seeded, _get(seeded, "/Users/x", 400)), (400, None)
    )
    for exchange in [
        _get(seeded, "/Users/x", 399),
        _get(seeded, "/Users/x", None),
        _get(seeded, "/Users/x?attributes=id", 404),
    ]:
        try:
            check(_graded(seeded, exchange), (404, None))
        except Hint as no_failure:
            assert "no failed GET" in str(no_failure)
        else:
            raise AssertionError(f"{exchange!r} was taken for the failed GET")
    last = _graded(seeded, _get(seeded, "/Users/x", 500), _get(seeded, "/Users/y", 404))
    assert "404" in check(last, (404, None))


def test_welcome_bulk_limit_on_a_server_without_a_bulk_section(seeded: Seeded) -> None:
    """A ServiceProviderConfig without "bulk" (RFC 7643 §5 requires it): a hint, not a crash."""
    from typing import Any

    from .test_setup_servers import Reshaping

    def no_bulk(method: str, path: str, sent: Any, status: int, body: Any) -> Any:
        if path.endswith("/ServiceProviderConfig"):
            return status, {k: v for k, v in body.items() if k != "bulk"}
        return None

    proxy = Reshaping(seeded.tenant.url, no_bulk)
    try:
        config = ClientConfiguration(server_url=proxy.url, auth_token=seeded.tenant.token)
        with SCIMClient(config) as client:
            hint(checks.welcome_bulk_limit(client, 1000), "not the server's")
    finally:
        proxy.stop()
