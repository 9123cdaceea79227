"""Each planted deviation fails the right step of the right profile, with the right explanation."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from scim_helper.providers import NAMES, validate

from .conftest import Toy

# deviation, profile, the step that must fail, words in "got", words in "fix"
PLANTED = [
    ("404_for_no_match", "entra", "test connection", "404", "never 404"),
    ("404_for_no_match", "entra-compliant", "test connection", "404", "never 404"),
    ("case_sensitive_op", "entra", "update the work email", "Unknown op", "case-insensitively"),
    ("strict_booleans", "entra", "disable the user", "must be a boolean", '"False" strings'),
    ("no_dotted_keys", "entra-compliant", "update several attributes", "400", "name.givenName"),
    ("no_value_list_remove", "entra", "remove one member", "400", "value list"),
    (
        "string_paging",
        "okta",
        "look the user up before creating",
        '"0", not an integer',
        "integers",
    ),
    ("no_conflict", "okta", "create the same user again", "201, not 409", "409"),
    ("hide_inactive", "entra", "find the disabled user", "found 0 user(s)", "whether active"),
    ("hide_inactive", "entra-compliant", "find the disabled user", "found 0", "whether active"),
    (
        "no_excluded_attributes",
        "entra",
        "look for the group before creating",
        "excludedAttributes",
        "excludedAttributes=members",
    ),
    ("no_filter_remove", "entra-compliant", "remove one member", "400", 'members[value eq "…"]'),
    ("no_filter_remove", "okta", "remove one member", "400", 'members[value eq "…"]'),
    ("case_sensitive_username", "okta", "userName matches case-insensitively", "found []", "7643"),
    ("empty_create_body", "okta", "create the user", "empty body", "empty body"),
    ("no_pathless_patch", "okta", "deactivate the user", "path is required", "path-less"),
]

# deviations a profile does not notice, because that provider never sends the request
UNNOTICED = [
    ("404_for_no_match", "okta"),  # Okta accepts 404 with an Error body for no match
    ("case_sensitive_op", "okta"),
    ("strict_booleans", "entra-compliant"),
    ("strict_booleans", "okta"),
    ("no_dotted_keys", "entra"),
    ("no_value_list_remove", "entra-compliant"),
    ("no_value_list_remove", "okta"),
    ("no_conflict", "entra"),
    ("no_filter_remove", "entra"),
    ("case_sensitive_username", "entra"),
]


@pytest.mark.parametrize("profile", NAMES)
def test_every_profile_passes_on_a_correct_provider(toy: Callable[..., Toy], profile: str) -> None:
    """A provider doing what RFC 7644 and the vendors ask passes every step, and is left empty."""
    server = toy()
    report = validate(server.url, server.token, profile, progress=False)
    assert report.passed, report.text()
    assert report.exit_code == 0
    assert server.store == {"Users": {}, "Groups": {}}


@pytest.mark.parametrize(("deviation", "profile", "step", "got", "fix"), PLANTED)
def test_a_planted_deviation_fails_its_step_with_the_fix(
    toy: Callable[..., Toy], deviation: str, profile: str, step: str, got: str, fix: str
) -> None:
    """The step that meets the deviation fails, saying what came back and how to fix it."""
    server = toy(deviation)
    report = validate(server.url, server.token, profile, progress=False)
    result = report.step(step)
    assert result.outcome == "fail", report.text()
    assert got in result.got
    assert fix in result.fix
    assert result.cite.url.startswith("https://")
    assert report.exit_code == 1
    assert server.store == {"Users": {}, "Groups": {}}, "the run left resources behind"


@pytest.mark.parametrize(("deviation", "profile"), UNNOTICED)
def test_a_deviation_the_provider_never_meets_passes(
    toy: Callable[..., Toy], deviation: str, profile: str
) -> None:
    """Each profile fails only for what its provider sends: the others pass."""
    server = toy(deviation)
    report = validate(server.url, server.token, profile, progress=False)
    assert report.passed, report.text()


def test_entra_default_mode_fails_where_only_capital_ops_are_refused(
    toy: Callable[..., Toy],
) -> None:
    """Entra emits "Add", "Replace", "Remove": every PATCH step of its default mode fails."""
    report = validate(toy("case_sensitive_op").url, "toy-token-5f3a9c", "entra", progress=False)
    failed = {r.name for r in report.failures()}
    assert {"update the work email", "add two members", "remove one member"} <= failed
