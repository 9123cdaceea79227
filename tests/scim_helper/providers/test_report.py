"""The report: what a failure shows, no token anywhere, text for a terminal, HTML for a notebook."""

from __future__ import annotations

from collections.abc import Callable

from scim_helper.providers import StepResult, validate
from sync_app.wirelog import REDACTED, Exchange

from .conftest import Toy


def test_a_failure_shows_request_reply_expectation_fix_and_source(
    toy: Callable[..., Toy],
) -> None:
    """Entra tutorial, Getting started: the failed test connection is explained in full."""
    server = toy("404_for_no_match")
    text = validate(server.url, server.token, "entra", progress=False).text()
    assert " ✗  1 test connection" in text
    assert "→ 404" in text
    assert "expects: 200 with an empty ListResponse" in text
    assert "fix:     Answer a filter that matches nobody with 200" in text
    assert "source:  Microsoft Learn" in text and "#getting-started" in text
    assert text.rstrip().endswith("not yet ready for Microsoft Entra ID (default mode).")


def test_the_token_appears_nowhere(toy: Callable[..., Toy]) -> None:
    """No token in the text, the verbose text, the HTML or the repr (also when refused)."""
    server = toy("string_paging")
    for token in (server.token, "wrong-token-0b1e"):
        report = validate(server.url, token, "okta", progress=False)
        for shown in (report.text(), report.text(verbose=True), report._repr_html_(), repr(report)):
            assert token not in shown
        assert f"Bearer {REDACTED}" in report.text()


def test_a_refused_token_gets_the_token_fix(toy: Callable[..., Toy]) -> None:
    """RFC 7644 §2: a 401 means the token; the fix says where to give it."""
    report = validate(toy().url, "not-the-token", "okta", progress=False)
    first = report.results[0]
    assert first.outcome == "fail"
    assert "SCIM_AUTH_TOKEN" in first.fix


def test_steps_that_need_a_missing_id_are_skipped_and_say_why(toy: Callable[..., Toy]) -> None:
    """Okta, Create the User: an empty 201 body leaves no id, later steps say what they need."""
    server = toy("empty_create_body")
    report = validate(server.url, server.token, "okta", progress=False)
    skipped = [r for r in report.results if r.outcome == "skip"]
    assert skipped and all("needs the" in r.got for r in skipped)
    assert report.exit_code == 1
    assert server.store == {"Users": {}, "Groups": {}}, "found and deleted by their marked names"


def test_html_marks_each_step_and_links_the_source(toy: Callable[..., Toy]) -> None:
    """In a notebook the report is a table; a failure links the vendor's page."""
    server = toy("no_conflict")
    page = validate(server.url, server.token, "okta", progress=False)._repr_html_()
    assert page.count("<tr>") == 16
    assert "create the same user again" in page
    assert "href='https://developer.okta.com/docs/reference/scim/scim-20/#create-the-user'" in page


def test_progress_reports_each_step_as_it_finishes(toy: Callable[..., Toy]) -> None:
    """A callable given as progress receives every step's result in order."""
    seen: list[StepResult] = []
    server = toy()
    report = validate(server.url, server.token, "entra", progress=seen.append)
    assert [r.number for r in seen] == list(range(1, len(report.results) + 1))


def test_a_server_that_does_not_answer_gives_exit_status_2() -> None:
    """Nothing listens on port 9: the report says so, and the run stops at once."""
    report = validate("http://127.0.0.1:9/scim/v2", "t", "entra", progress=False, timeout=2)
    assert report.exit_code == 2
    assert report.results == []
    assert "did not answer" in report.text()


def test_each_exchange_is_the_clients_record_with_credentials_redacted(
    toy: Callable[..., Toy],
) -> None:
    """The report keeps sync_app.wirelog.Exchange: token and passwords read REDACTED."""
    server = toy("no_conflict")
    report = validate(server.url, server.token, "okta", progress=False)
    exchanges = [e for r in report.results for e in r.exchanges]
    assert exchanges and all(isinstance(e, Exchange) for e in exchanges)
    assert {e.request_headers["Authorization"] for e in exchanges} == {REDACTED}
    created = [e for e in exchanges if e.method == "POST" and e.path == "/Users"]
    assert created and all(e.request_body["password"] == REDACTED for e in created)
    assert created[0].status == 201 and created[0].url.startswith(server.url)
    text = report.text()
    assert '"password": "<redacted>"' in text, "the failed duplicate create shows what was sent"
    assert "Bears-Beets-1" not in text and "Bears-Beets-1" not in report._repr_html_()
