"""Checks for chapter 09, Dunder Mifflin Infinity: the learner's own service provider.

These checks grade a server the learner wrote, not a client: the technique is how the app
answers, so each check replays what Entra ID or Okta send (``scim_helper.providers``) against
the learner's :class:`~scim_helper.providers.practice.PracticeProvider` and, where a replay
cannot tell, asks the app directly. Messages name steps and statuses, never ids.
"""

from __future__ import annotations

from typing import Any

import requests

from scim_helper.checks._framework import Hint, check
from scim_helper.providers.practice import PracticeProvider
from scim_helper.providers.report import Report, StepResult
from sync_app.scim.urns import USER

CHAPTER = "09-dunder-mifflin-infinity"


_NOT_RUNNING = "The app is not running: run the plumbing cell (PracticeProvider().start()) again."


def _provider(answer: Any) -> PracticeProvider:
    if not isinstance(answer, PracticeProvider):
        raise Hint("Give the check the app: checks.…(infinity), after the plumbing cell ran.")
    if not answer.url:
        raise Hint(_NOT_RUNNING)
    return answer


def _replay(app: PracticeProvider, profile: str) -> Report:
    report = app.validate(profile)
    if report.unreachable:
        raise Hint(_NOT_RUNNING)
    return report


def _step(report: Report, name: str) -> StepResult:
    return report.step(name)


def _status(result: StepResult) -> str:
    status = result.exchanges[0].status if result.exchanges else None
    return f"{status}" if status is not None else "no answer"


def _ask(app: PracticeProvider, method: str, path: str, body: Any = None) -> requests.Response:
    return requests.request(
        method,
        app.url + path,
        json=body,
        headers={"Authorization": f"Bearer {app.token}"},
        timeout=10,
    )


def _make_user(app: PracticeProvider, user_name: str, active: bool = True) -> str | None:
    made = _ask(app, "POST", "/Users", {"schemas": [USER], "userName": user_name, "active": active})
    return made.json().get("id") if made.status_code == 201 else None


@check(CHAPTER)
def infinity_search(answer: Any) -> str:
    """✓ when filters match nobody with an empty list, userName case-insensitively, inactive too."""
    app = _provider(answer)
    entra = _replay(app, "entra")
    first = _step(entra, "test connection")
    if first.outcome != "pass":
        raise Hint(
            f"Entra ID's test connection got {_status(first)} for a filter that matches nobody; "
            "it needs 200 and an empty ListResponse."
        )
    if _step(entra, "find the user by externalId").outcome != "pass":
        raise Hint("A filter on externalId does not find the user just created.")
    okta = _replay(app, "okta")
    if _step(okta, "userName matches case-insensitively").outcome != "pass":
        raise Hint(
            "The same userName in capitals finds nobody: userName is case-insensitive "
            "(RFC 7643 §4.1.1)."
        )
    user_id = _make_user(app, "check-inactive@example.com", active=False)
    try:
        found = _ask(app, "GET", '/Users?filter=userName eq "check-inactive@example.com"')
        total = found.json().get("totalResults") if found.status_code == 200 else None
    finally:
        if user_id:
            _ask(app, "DELETE", f"/Users/{user_id}")
    if total != 1:
        raise Hint(
            "A user with active false is not found by its userName; Entra ID expects every "
            "user in filter results, active or not."
        )
    return "Empty lists for no match, userName in any case, inactive users found."


def _patch_failures(report: Report) -> list[StepResult]:
    return [
        r
        for r in report.results
        if r.exchanges and r.exchanges[0].method == "PATCH" and r.outcome != "pass"
    ]


@check(CHAPTER)
def infinity_patch(answer: Any) -> str:
    """✓ when every PATCH step of both Entra ID modes and of Okta passes."""
    app = _provider(answer)
    for profile in ("entra", "entra-compliant", "okta"):
        report = _replay(app, profile)
        failed = _patch_failures(report)
        if failed:
            first = failed[0]
            status = first.exchanges[0].status if first.exchanges else None
            answered = (
                "the app answered, but reading the resource afterwards does not show the change"
                if status in (200, 204)
                else f"the app answered {_status(first)}"
            )
            raise Hint(
                f'{report.profile}, step {first.number} "{first.name}": it sends '
                f"{first.expects.split(': ')[0]}, and {answered}."
            )
    return "Every PATCH that Entra ID (both modes) and Okta send is applied."


@check(CHAPTER)
def okta_prediction(answer: Any) -> str:
    """✓ when the prediction names the first Okta step that fails on the running app."""
    if answer is None:
        raise Hint(
            'No prediction yet: write it on the first line (prediction = "the step\'s name") '
            "before you run the replay."
        )
    if not isinstance(answer, str):
        raise Hint(f"The prediction is a {type(answer).__name__}; write a step's name, a string.")
    app = PracticeProvider.latest
    if app is None or not app.url:
        raise Hint(_NOT_RUNNING)
    report = _replay(app, "okta")
    failed = report.failures()
    if not failed:
        return "Every Okta step passes already: nothing was left to fail."
    if answer.strip().lower() != failed[0].name.lower():
        raise Hint(
            f"You predicted {answer.strip()!r}; the replay failed first at another step. "
            "Read the Okta steps above: which one does this app not handle yet?"
        )
    return f'Predicted: "{failed[0].name}" is the first Okta step to fail.'


@check(CHAPTER)
def infinity_duplicates(answer: Any) -> str:
    """✓ when a second user with the same userName (in any case) gets 409 uniqueness."""
    app = _provider(answer)
    okta = _replay(app, "okta")
    duplicate = _step(okta, "create the same user again")
    if duplicate.outcome != "pass":
        raise Hint(
            f"Okta's second create of the same user got {_status(duplicate)}; it needs 409 "
            "and a SCIM Error."
        )
    first = _make_user(app, "check-twice@example.com")
    try:
        again = _ask(
            app, "POST", "/Users", {"schemas": [USER], "userName": "CHECK-TWICE@example.com"}
        )
        if again.status_code == 201:
            _ask(app, "DELETE", f"/Users/{again.json().get('id')}")
    finally:
        if first:
            _ask(app, "DELETE", f"/Users/{first}")
    if again.status_code != 409:
        raise Hint(
            f"The same userName in capitals was created again ({again.status_code}): compare "
            "userNames case-insensitively."
        )
    if again.json().get("scimType") != "uniqueness":
        raise Hint('The 409 has no scimType "uniqueness" (RFC 7644 §3.12).')
    if not okta.passed:
        raise Hint(f"The duplicate is refused, but {okta.summary()}")
    return "A second user with a taken userName gets 409 uniqueness; Okta's replay is green."
