"""Chapter 09's checks: each grades the learner's practice provider by replaying a profile."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scim_helper import checks
from scim_helper.providers import practice
from scim_helper.providers.practice import PracticeProvider, ScimProblem
from sync_app.scim.urns import USER

from .test_checks import hint, ok, says

SOLUTIONS = Path(__file__).resolve().parents[3] / "notebooks" / "solutions"


def _solution(name: str, app: PracticeProvider) -> dict[str, Any]:
    """Run a solution file the way %load does, in a namespace like the chapter's."""
    namespace: dict[str, Any] = {
        name: getattr(practice, name)
        for name in ("ScimProblem", "add_members", "attribute", "member_filter", "remove_members")
    }
    namespace.update(set_attribute=practice.set_attribute, infinity=app)
    exec((SOLUTIONS / name).read_text(), namespace)
    return namespace


def _ryans_search(resources: list[dict[str, Any]], clauses: list[tuple[str, str]]) -> list[Any]:
    found = [r for r in resources if all(practice.attribute(r, n) == v for n, v in clauses)]
    if not found:
        raise ScimProblem(404, None, "No user matches that filter.")
    return [r for r in found if r.get("active", True)]


def _exact_search(resources: list[dict[str, Any]], clauses: list[tuple[str, str]]) -> list[Any]:
    return [r for r in resources if all(practice.attribute(r, n) == v for n, v in clauses)]


def _active_only(resources: list[dict[str, Any]], clauses: list[tuple[str, str]]) -> list[Any]:
    found = [
        r
        for r in resources
        if all(str(practice.attribute(r, n)).lower() == v.lower() for n, v in clauses)
    ]
    return [r for r in found if r.get("active") is not False]


@pytest.fixture
def app() -> Iterator[PracticeProvider]:
    with PracticeProvider() as running:
        yield running


def test_infinity_search(app: PracticeProvider) -> None:
    """Hints for a 404 on no match, case-sensitive userName, inactive users hidden; ✓ fixed."""
    hint(checks.infinity_search(None), "Give the check the app")
    app.search = _ryans_search
    hint(checks.infinity_search(app), "test connection got 404")
    app.search = _exact_search
    hint(checks.infinity_search(app), "userName is case-insensitive")
    app.search = _active_only
    hint(checks.infinity_search(app), "active or not")
    _solution("09-infinity-search.py", app)
    ok(checks.infinity_search(app))
    assert app.store == {"Users": {}, "Groups": {}}, "the check cleans up after itself"


def _ryans_patch(resource: dict[str, Any], operations: list[dict[str, Any]]) -> None:
    """The chapter's strict version: lower-case ops only, values stored as they come."""
    for operation in operations:
        op, path, value = operation["op"], operation.get("path"), operation.get("value")
        if op == "replace" and path is None:
            for key, item in value.items():
                practice.set_attribute(resource, key, item)
        elif op == "add" and path == "members":
            practice.add_members(resource, [member["value"] for member in value])
        elif op in ("add", "replace"):
            practice.set_attribute(resource, path, value)
        elif op == "remove" and practice.member_filter(path):
            practice.remove_members(resource, [str(practice.member_filter(path))])
        else:
            raise ScimProblem(400, "invalidPath", f"This app cannot {op} {path}.")


def test_infinity_patch(app: PracticeProvider) -> None:
    """Hints name the first PATCH step that fails (capital op, "False"); ✓ with the solution."""
    hint(checks.infinity_patch(None), "Give the check the app")
    _solution("09-infinity-search.py", app)
    hint(checks.infinity_patch(app), 'step 6 "update the work email"', "the app answered 501")
    app.apply_patch = _ryans_patch
    hint(checks.infinity_patch(app), 'step 6 "update the work email"', '"Replace"')

    def any_case(resource: dict[str, Any], operations: list[dict[str, Any]]) -> None:
        _ryans_patch(resource, [{**o, "op": o["op"].lower()} for o in operations])

    app.apply_patch = any_case
    hint(checks.infinity_patch(app), 'step 8 "disable the user"', "does not show the change")
    _solution("09-infinity-patch.py", app)
    ok(checks.infinity_patch(app))


def test_okta_prediction(app: PracticeProvider) -> None:
    """No prediction, a non-string, a wrong step: hints; the first failing step: ✓."""
    hint(checks.okta_prediction(None), "No prediction yet")
    hint(checks.okta_prediction(6), "write a step's name")
    _solution("09-infinity-search.py", app)
    _solution("09-infinity-patch.py", app)
    hint(checks.okta_prediction("push a group"), "failed first at another step")
    ok(checks.okta_prediction(" Create the same user again"))
    _solution("09-infinity-duplicates.py", app)
    assert "nothing was left to fail" in checks.okta_prediction("anything").message


def test_infinity_duplicates(app: PracticeProvider) -> None:
    """No 409, a case-sensitive 409, a 409 without scimType: hints; the solution: ✓."""
    _solution("09-infinity-search.py", app)
    _solution("09-infinity-patch.py", app)
    hint(checks.infinity_duplicates(app), "second create of the same user got 201")

    def exact(users: list[dict[str, Any]], body: dict[str, Any]) -> None:
        if any(user.get("userName") == body.get("userName") for user in users):
            raise ScimProblem(409, "uniqueness", "taken")

    app.check_new_user = exact
    hint(checks.infinity_duplicates(app), "compare userNames case-insensitively")

    def no_type(users: list[dict[str, Any]], body: dict[str, Any]) -> None:
        wanted = str(body.get("userName")).lower()
        if any(str(user.get("userName")).lower() == wanted for user in users):
            raise ScimProblem(409, None, "taken")

    app.check_new_user = no_type
    hint(checks.infinity_duplicates(app), 'no scimType "uniqueness"')
    _solution("09-infinity-duplicates.py", app)
    ok(checks.infinity_duplicates(app))
    assert app.store == {"Users": {}, "Groups": {}}


def test_a_stopped_app_gets_a_hint_not_an_error() -> None:
    """After infinity.stop() every check says to start the app again."""
    with PracticeProvider() as stopped:
        pass
    for result in (
        checks.infinity_search(stopped),
        checks.infinity_patch(stopped),
        checks.infinity_duplicates(stopped),
        checks.okta_prediction("create the same user again"),
    ):
        hint(result, "The app is not running")


def _any_case(resources: list[dict[str, Any]], clauses: list[tuple[str, str]]) -> list[Any]:
    return [
        r
        for r in resources
        if all(str(practice.attribute(r, n)).lower() == v.lower() for n, v in clauses)
    ]


def _no_external_id(resources: list[dict[str, Any]], clauses: list[tuple[str, str]]) -> list[Any]:
    """Finds by userName in any case, but never by externalId."""
    if any(name == "externalId" for name, _value in clauses):
        return []
    return _any_case(resources, clauses)


def test_infinity_search_says_each_hint_in_full(app: PracticeProvider) -> None:
    """Every hint of infinity_search, word for word, and its ✓."""
    says(
        checks.infinity_search(None),
        "Give the check the app: checks.…(infinity), after the plumbing cell ran.",
    )
    app.search = _ryans_search
    says(
        checks.infinity_search(app),
        "Entra ID's test connection got 404 for a filter that matches nobody; it needs 200 and "
        "an empty ListResponse.",
    )
    app.search = _no_external_id
    says(checks.infinity_search(app), "A filter on externalId does not find the user just created.")
    app.search = _exact_search
    says(
        checks.infinity_search(app),
        "The same userName in capitals finds nobody: userName is case-insensitive "
        "(RFC 7643 §4.1.1).",
    )
    app.search = _active_only
    says(
        checks.infinity_search(app),
        "A user with active false is not found by its userName; Entra ID expects every user "
        "in filter results, active or not.",
    )
    assert app.store["Users"] == {}, "the check deletes the inactive user it made"
    app.search = _any_case
    says(
        checks.infinity_search(app),
        "Empty lists for no match, userName in any case, inactive users found.",
    )


def test_infinity_patch_says_each_hint_in_full(app: PracticeProvider) -> None:
    """The first failing PATCH step, named with its profile, request and answer."""
    says(
        checks.infinity_patch(None),
        "Give the check the app: checks.…(infinity), after the plumbing cell ran.",
    )
    _solution("09-infinity-search.py", app)
    says(
        checks.infinity_patch(app),
        'Microsoft Entra ID (default mode), step 6 "update the work email": it sends PATCH '
        '"Replace" (capital R) of emails[type eq "work"].value, and the app answered 501.',
    )
    app.apply_patch = _ryans_patch
    hint(checks.infinity_patch(app), 'step 6 "update the work email"', "and the app answered 400.")
    _solution("09-infinity-patch.py", app)
    says(
        checks.infinity_patch(app),
        "Every PATCH that Entra ID (both modes) and Okta send is applied.",
    )


def test_okta_prediction_says_each_hint_in_full(app: PracticeProvider) -> None:
    """Every hint of okta_prediction, word for word, and both ✓ messages."""
    says(
        checks.okta_prediction(None),
        'No prediction yet: write it on the first line (prediction = "the step\'s name") '
        "before you run the replay.",
    )
    says(checks.okta_prediction(6), "The prediction is a int; write a step's name, a string.")
    _solution("09-infinity-search.py", app)
    _solution("09-infinity-patch.py", app)
    says(
        checks.okta_prediction("  push a group "),
        "You predicted 'push a group'; the replay failed first at another step. Read the Okta "
        "steps above: which one does this app not handle yet?",
    )
    says(
        checks.okta_prediction("CREATE THE SAME USER AGAIN  "),
        'Predicted: "create the same user again" is the first Okta step to fail.',
    )
    _solution("09-infinity-duplicates.py", app)
    says(
        checks.okta_prediction("anything"),
        "Every Okta step passes already: nothing was left to fail.",
    )


def test_infinity_duplicates_says_each_hint_in_full(app: PracticeProvider) -> None:
    """Every hint of infinity_duplicates, word for word, and its ✓."""
    _solution("09-infinity-search.py", app)
    _solution("09-infinity-patch.py", app)
    says(
        checks.infinity_duplicates(app),
        "Okta's second create of the same user got 201; it needs 409 and a SCIM Error.",
    )
    assert app.store["Users"] == {}, "the check deletes the duplicate it made"

    def exact(users: list[dict[str, Any]], body: dict[str, Any]) -> None:
        if any(user.get("userName") == body.get("userName") for user in users):
            raise ScimProblem(409, "uniqueness", "taken")

    app.check_new_user = exact
    says(
        checks.infinity_duplicates(app),
        "The same userName in capitals was created again (201): compare userNames "
        "case-insensitively.",
    )
    assert app.store["Users"] == {}, "both users the check made are deleted"

    def other_type(users: list[dict[str, Any]], body: dict[str, Any]) -> None:
        wanted = str(body.get("userName")).lower()
        if any(str(user.get("userName")).lower() == wanted for user in users):
            raise ScimProblem(409, "invalidValue", "taken")

    app.check_new_user = other_type
    says(checks.infinity_duplicates(app), 'The 409 has no scimType "uniqueness" (RFC 7644 §3.12).')
    _solution("09-infinity-duplicates.py", app)
    says(
        checks.infinity_duplicates(app),
        "A second user with a taken userName gets 409 uniqueness; Okta's replay is green.",
    )


def test_infinity_duplicates_refused_but_okta_not_green(app: PracticeProvider) -> None:
    """Duplicates refused, Okta's PATCH steps still failing: the hint gives the replay's summary."""
    _solution("09-infinity-search.py", app)
    _solution("09-infinity-duplicates.py", app)
    result = checks.infinity_duplicates(app)
    hint(result)
    assert result.message.startswith("The duplicate is refused, but "), result.message


# -- the checks' own requests to the app, and what they make of its answers ----------------------


def test_an_app_that_stopped_answering_gets_the_not_running_hint() -> None:
    """An app whose url is still set but whose server is gone: the replay cannot reach it, and
    the hint says to start it again (not an error, not an empty hint)."""
    with PracticeProvider() as gone:
        url = gone.url
    gone.url = url
    says(
        checks.infinity_search(gone),
        "The app is not running: run the plumbing cell (PracticeProvider().start()) again.",
    )


def test_a_step_without_an_answer_is_named_no_answer() -> None:
    """A step that got no HTTP answer (no exchange, or one without a status) reads "no answer"
    in a hint, a step that got one reads its status."""
    from scim_helper.checks import infinity
    from scim_helper.providers.report import StepResult
    from sync_app.wirelog import Exchange

    def step(*exchanges: Exchange) -> StepResult:
        return StepResult(1, "test connection", "fail", "", None, exchanges=exchanges)  # type: ignore[arg-type]

    lost = Exchange(method="GET", url="http://127.0.0.1:1/Users", path="/Users", error="refused")
    answered = Exchange(method="GET", url="http://127.0.0.1/Users", path="/Users", status=404)
    assert infinity._status(step()) == "no answer"
    assert infinity._status(step(lost)) == "no answer"
    assert infinity._status(step(answered, lost)) == "404"


def _lowers_only_the_query(
    resources: list[dict[str, Any]], clauses: list[tuple[str, str]]
) -> list[Any]:
    """A learner's near miss: the filter's userName is lower-cased, the stored one is not."""
    return [
        r
        for r in resources
        if all(
            str(practice.attribute(r, n)) == (v.lower() if n.lower() == "username" else v)
            for n, v in clauses
        )
    ]


def test_infinity_search_makes_its_inactive_user_in_lower_case(app: PracticeProvider) -> None:
    """The check's inactive user is created lower-case and searched lower-case, so an app that
    lower-cases only the filter's value still finds it (Okta's own step with capitals passes
    there too): ✓."""
    app.search = _lowers_only_the_query
    says(
        checks.infinity_search(app),
        "Empty lists for no match, userName in any case, inactive users found.",
    )


def _with_schema(check_new_user: Any) -> Any:
    """An app that also refuses a new user whose body does not name the User schema."""

    def check(users: list[dict[str, Any]], body: dict[str, Any]) -> None:
        if USER not in (body.get("schemas") or []):
            raise ScimProblem(400, "invalidValue", "schemas must name the User schema.")
        check_new_user(users, body)

    return check


def test_the_checks_create_users_an_app_that_checks_schemas_accepts(app: PracticeProvider) -> None:
    """RFC 7643 §3: a resource names its schemas. The users the checks create themselves carry
    them, so an app that refuses a body without the User schema still gets both ✓."""
    _solution("09-infinity-search.py", app)
    _solution("09-infinity-patch.py", app)
    _solution("09-infinity-duplicates.py", app)
    app.check_new_user = _with_schema(app.check_new_user)
    says(
        checks.infinity_search(app),
        "Empty lists for no match, userName in any case, inactive users found.",
    )
    says(
        checks.infinity_duplicates(app),
        "A second user with a taken userName gets 409 uniqueness; Okta's replay is green.",
    )


def _unique_among_active(users: list[dict[str, Any]], body: dict[str, Any]) -> None:
    """A deactivated account's userName may be reused."""
    wanted = str(body.get("userName")).lower()
    if any(
        str(u.get("userName")).lower() == wanted and u.get("active") is not False for u in users
    ):
        raise ScimProblem(409, "uniqueness", "taken")


def _lowers_the_new_name(users: list[dict[str, Any]], body: dict[str, Any]) -> None:
    """The new userName is compared as sent and lower-cased; the stored ones as they came."""
    new = str(body.get("userName"))
    if any(u.get("userName") in (new, new.lower()) for u in users):
        raise ScimProblem(409, "uniqueness", "taken")


@pytest.mark.parametrize(
    "check_new_user", [_unique_among_active, _lowers_the_new_name], ids=["active", "lowered"]
)
def test_infinity_duplicates_its_first_user_is_active_and_lower_case(
    app: PracticeProvider, check_new_user: Any
) -> None:
    """Apps with a learner's near miss in their uniqueness rule still refuse the check's
    duplicate, because the check's first user is active and its name lower-case, as Okta's
    are: unique among active users only, or lower-casing only the new name."""
    _solution("09-infinity-search.py", app)
    _solution("09-infinity-patch.py", app)
    app.check_new_user = check_new_user
    says(
        checks.infinity_duplicates(app),
        "A second user with a taken userName gets 409 uniqueness; Okta's replay is green.",
    )


def test_infinity_patch_an_answer_that_changes_nothing(app: PracticeProvider) -> None:
    """A PATCH answered 200 that changes nothing: the hint says the app answered, but a read
    afterwards does not show the change."""
    _solution("09-infinity-search.py", app)
    app.apply_patch = lambda resource, operations: None
    result = checks.infinity_patch(app)
    hint(result)
    assert result.message.endswith(
        ", and the app answered, but reading the resource afterwards does not show the change."
    ), result.message
