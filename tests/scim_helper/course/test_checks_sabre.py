"""Chapter 10's checks: Toby's row predicted, and Gabe renamed by one minimal PATCH."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from scim_helper import checks
from scim_helper.checks._framework import Hint
from scim_helper.checks.sabre import SOURCE
from scim_helper.story import Roster as StaffGroups
from scim_helper.tenant import Tenant
from sync_app.errors import SCIMError
from sync_app.scim.group import Group
from sync_app.scim.patchop import Operation, PatchOp
from sync_app.scim.user import User
from sync_app.sync import (
    DirectoryState,
    apply_plan,
    external_id,
    load_roster,
    plan_sync,
    read_state,
    user_operations,
)
from sync_app.sync import Roster as HrRoster

from .conftest import Seeded
from .test_checks import another_client, hint, ok, says

NOTEBOOKS = Path(__file__).resolve().parents[3] / "notebooks"
EXPORTS = NOTEBOOKS / "sabre"
SOLUTIONS = NOTEBOOKS / "solutions"
GABE_AFTER = "gabriel.lewis@sabre.example"


def export(day: str) -> HrRoster:
    return load_roster(EXPORTS / f"hr-export-{day}.csv")


def solution(name: str, **names: Any) -> dict[str, Any]:
    """Run a %load solution with the chapter's names; its namespace afterwards."""
    namespace = dict(names)
    exec((SOLUTIONS / name).read_text(encoding="utf-8"), namespace)
    return namespace


# -- sabre_toby -----------------------------------------------------------------------------


def plan_with_toby(seeded: Seeded) -> None:
    plan_sync(seeded.client, export("with-toby"), source=SOURCE)


def test_sabre_toby_untouched_gets_the_no_prediction_hint(seeded: Seeded) -> None:
    """The exercise as committed (prediction = None): the hint asks for a prediction."""
    says(
        checks.sabre_toby(seeded.client, None),
        'No prediction yet: write prediction = "create", "adopt", "update" or "conflict" '
        "before you run the plan.",
    )


@pytest.mark.parametrize("answer", ["delete", 409, "conflicts"])
def test_sabre_toby_something_else_than_the_four_words_gets_a_hint(
    seeded: Seeded, answer: Any
) -> None:
    """A prediction that is not one of the four actions gets a hint naming them."""
    plan_with_toby(seeded)
    hint(checks.sabre_toby(seeded.client, answer), "one of the four words", repr(answer))


def test_sabre_toby_before_the_plan_ran_gets_a_hint(seeded: Seeded) -> None:
    """A right prediction, but no plan has read Toby: the hint says to run the plan cell."""
    hint(checks.sabre_toby(seeded.client, "conflict"), "has not asked for Toby's userName")


def test_sabre_toby(seeded: Seeded) -> None:
    """The %load solution, then the plan: ✓."""
    answer = solution("10-sabre-toby.py")["prediction"]
    plan_with_toby(seeded)
    ok(checks.sabre_toby(seeded.client, answer))
    ok(checks.sabre_toby(seeded.client, " Conflict "))


@pytest.mark.parametrize("answer", ["adopt", "create", "update"])
def test_rfc7643_3_1_sabre_toby_a_wrong_prediction_gets_a_hint(seeded: Seeded, answer: str) -> None:
    """Toby carries another system's externalId: adopting him (or anything else) is wrong."""
    plan_with_toby(seeded)
    hint(checks.sabre_toby(seeded.client, answer), f"You predicted {answer!r}", "externalId")


def test_sabre_toby_the_rule_is_the_engines(seeded: Seeded) -> None:
    """The check's answer is what the engine's plan does with Toby's row: a conflict."""
    plan = plan_sync(seeded.client, export("with-toby"), source=SOURCE)
    actions = {change.user_name: change.action for change in plan.users}
    assert actions == {"tflenderson": "conflict", "jo.bennett@sabre.example": "create"}


def test_sabre_toby_a_plan_read_by_another_client_does_not_count(seeded: Seeded) -> None:
    """The plan must be the learner's: a read by another client is not in the wire log."""
    with another_client(seeded) as other:
        plan_sync(other, export("with-toby"), source=SOURCE)
    hint(checks.sabre_toby(seeded.client, "conflict"), "run the plan cell")


# -- sabre_gabe -----------------------------------------------------------------------------


def monday_synced(seeded: Seeded) -> DirectoryState:
    """Monday's export applied as the chapter does; the state read for Tuesday's."""
    monday = export("monday")
    for name in monday.group_names:
        StaffGroups(seeded.client, seeded.user_ids).make_group(name, [])
    report = apply_plan(seeded.client, plan_sync(seeded.client, monday, source=SOURCE))
    assert report.ok, report.text()
    return read_state(seeded.client, export("tuesday"), SOURCE)


def solve_gabe(seeded: Seeded, state: DirectoryState) -> None:
    solution(
        "10-sabre-gabe.py",
        tuesday=export("tuesday"),
        state=state,
        SOURCE=SOURCE,
        user_operations=user_operations,
        PatchOp=PatchOp,
        client=seeded.client,
    )


def gabe_body(user_name: str = GABE_AFTER) -> dict[str, Any]:
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": user_name,
        "externalId": external_id(SOURCE, "S002"),
        "name": {"givenName": "Gabe", "familyName": "Lewis"},
        "displayName": "Gabe Lewis",
        "emails": [{"value": GABE_AFTER, "type": "work", "primary": True}],
        "title": "Coordinator of Emerging Regions",
        "active": True,
    }


def test_sabre_gabe_before_the_sync_gets_a_hint(seeded: Seeded) -> None:
    """Nobody carries Gabe's externalId yet: the hint says to run the chapter from the top."""
    says(
        checks.sabre_gabe(seeded.client),
        "No user carries the externalId 'office-course:sabre:S002': run the chapter's cells "
        "from the top, through Monday's apply_plan, first.",
    )


def test_sabre_gabe_untouched_gets_the_not_renamed_hint(seeded: Seeded) -> None:
    """The exercise as committed (Ryan's match finds nobody, sends nothing): Gabe is unchanged."""
    monday_synced(seeded)
    says(
        checks.sabre_gabe(seeded.client),
        "Gabe is still 'gabe.lewis@sabre.example': no PATCH has renamed him to "
        "gabriel.lewis@sabre.example yet. Find him in state.managed by his employee number.",
    )


def test_sabre_gabe(seeded: Seeded) -> None:
    """The %load solution: one PATCH of userName and emails (RFC 7644 §3.5.2), same user: ✓."""
    state = monday_synced(seeded)
    gabe_id = state.managed["S002"].user_id
    solve_gabe(seeded, state)
    ok(checks.sabre_gabe(seeded.client))
    assert str(seeded.client.get_user(gabe_id).to_dict()["userName"]) == GABE_AFTER


def test_sabre_gabe_the_engine_renaming_him_also_gets_a_tick(seeded: Seeded) -> None:
    """Tuesday's sync run by the engine sends the same minimal PATCH: ✓ as well."""
    monday_synced(seeded)
    report = apply_plan(seeded.client, plan_sync(seeded.client, export("tuesday"), source=SOURCE))
    assert report.ok, report.text()
    ok(checks.sabre_gabe(seeded.client))


def test_rfc7644_3_5_1_sabre_gabe_a_put_gets_a_hint(seeded: Seeded) -> None:
    """Gabe renamed with a PUT of his whole record: a hint naming the PUT."""
    state = monday_synced(seeded)
    gabe_id = state.managed["S002"].user_id
    seeded.client.replace_user(User.from_dict(gabe_body()), id=gabe_id)
    hint(checks.sabre_gabe(seeded.client), "sent a PUT of Gabe", "RFC 7644 §3.5.1")


def test_sabre_gabe_a_second_gabe_gets_a_hint(seeded: Seeded) -> None:
    """Ryan's match unfixed, creating the renamed Gabe: a hint about a second Gabe."""
    monday_synced(seeded)
    body = gabe_body()
    del body["externalId"]
    seeded.client.create_user(User.from_dict(body))
    hint(checks.sabre_gabe(seeded.client), "POST /Users for gabriel.lewis", "second Gabe")


def test_sabre_gabe_two_users_with_his_external_id_get_a_hint(seeded: Seeded) -> None:
    """A second user carrying Gabe's externalId: a hint that a sync keeps one account each."""
    monday_synced(seeded)
    with another_client(seeded) as other:
        other.create_user(User.from_dict(gabe_body("gabe.twin@sabre.example")))
    hint(checks.sabre_gabe(seeded.client), "2 users carry the externalId", "one account")


def test_sabre_gabe_a_patch_of_everything_gets_a_hint(seeded: Seeded) -> None:
    """A PATCH that replaces every attribute, not only what changed: a hint naming the extras."""
    state = monday_synced(seeded)
    gabe_id = state.managed["S002"].user_id
    everything = [
        Operation(op="replace", path="userName", value=GABE_AFTER),
        Operation(op="replace", path="emails", value=gabe_body()["emails"]),
        Operation(op="replace", path="title", value="Coordinator of Emerging Regions"),
        Operation(op="replace", path="displayName", value="Gabe Lewis"),
    ]
    seeded.client.update_user(gabe_id, PatchOp(operations=everything))
    hint(checks.sabre_gabe(seeded.client), "also sent displayName, title", "only what differs")


def test_sabre_gabe_renamed_but_the_old_email_gets_a_hint(seeded: Seeded) -> None:
    """Only userName replaced: the row's new email is missing, and the hint says so."""
    state = monday_synced(seeded)
    gabe_id = state.managed["S002"].user_id
    rename = Operation(op="replace", path="userName", value=GABE_AFTER)
    seeded.client.update_user(gabe_id, PatchOp(operations=[rename]))
    hint(checks.sabre_gabe(seeded.client), "gabe.lewis@sabre.example", "work email")


def test_sabre_gabe_renamed_by_another_client_gets_a_hint(seeded: Seeded) -> None:
    """Renamed, but not by a PATCH in the learner's wire log: the hint asks for one PATCH."""
    state = monday_synced(seeded)
    with another_client(seeded) as other:
        solve_gabe(Seeded(seeded.tenant, other, seeded.group_id, seeded.user_ids), state)
    hint(checks.sabre_gabe(seeded.client), "no accepted PATCH", "one PATCH")


# -- sabre_quiet_friday ---------------------------------------------------------------------


def rerun_monday(seeded: Seeded) -> None:
    """Monday's export once more, planned and applied: nothing to write."""
    report = apply_plan(seeded.client, plan_sync(seeded.client, export("monday"), source=SOURCE))
    assert report.ok and report.writes == 0, report.text()


def test_sabre_quiet_friday_untouched_gets_the_no_prediction_hint(seeded: Seeded) -> None:
    """The exercise as committed (prediction = None): the hint asks for a number."""
    hint(checks.sabre_quiet_friday(seeded.client, None), "No prediction yet", "the number")


@pytest.mark.parametrize("answer", ["0", 0.0, True, -1])
def test_sabre_quiet_friday_not_a_whole_number_gets_a_hint(seeded: Seeded, answer: Any) -> None:
    """A string, a float, a bool or a negative number is not a count of requests."""
    hint(checks.sabre_quiet_friday(seeded.client, answer), "whole number", repr(answer))


def test_sabre_quiet_friday_before_any_plan_gets_a_hint(seeded: Seeded) -> None:
    """A prediction, but the client never planned this sync: the hint says to run the re-run."""
    hint(checks.sabre_quiet_friday(seeded.client, 0), "has not planned this sync yet")


def test_sabre_quiet_friday(seeded: Seeded) -> None:
    """The %load solution (0), then a re-run of an unchanged export: ✓."""
    monday_synced(seeded)
    rerun_monday(seeded)
    answer = solution("10-sabre-quiet-friday.py")["prediction"]
    ok(checks.sabre_quiet_friday(seeded.client, answer))


@pytest.mark.parametrize("answer", [1, 12, 21])
def test_sabre_quiet_friday_a_wrong_prediction_gets_a_hint(seeded: Seeded, answer: int) -> None:
    """Predicting writes for an unchanged export (a sync that re-sends everyone): a hint."""
    monday_synced(seeded)
    rerun_monday(seeded)
    hint(checks.sabre_quiet_friday(seeded.client, answer), f"You predicted {answer}")


def test_sabre_quiet_friday_counts_the_writes_of_the_last_plan(seeded: Seeded) -> None:
    """After a plan that did write (Tuesday's, 4 writes), 0 is wrong and 4 is right."""
    monday_synced(seeded)
    report = apply_plan(seeded.client, plan_sync(seeded.client, export("tuesday"), source=SOURCE))
    assert report.writes == 4, report.text()
    hint(checks.sabre_quiet_friday(seeded.client, 0), "You predicted 0")
    ok(checks.sabre_quiet_friday(seeded.client, 4))


# -- found by the fourth mutation run ---------------------------------------------------------


def _set_toby(seeded: Seeded, state: str) -> None:
    """Toby's account as the plan will find it, changed by another client (not the learner's
    wire log): gone, without an externalId, or marked by this very sync."""
    toby = seeded.user_ids["Toby Flenderson"]
    with another_client(seeded) as other:
        if state == "create":
            other.delete_user(toby)
        elif state == "adopt":
            other.update_user(toby, PatchOp(operations=[Operation("remove", "externalId")]))
        else:
            marker = external_id(SOURCE, "S011")  # his own row's employee id
            other.update_user(
                toby, PatchOp(operations=[Operation("replace", "externalId", marker)])
            )


@pytest.mark.parametrize("state", ["create", "adopt", "update"])
def test_sabre_toby_each_rule_of_the_plan_gets_its_tick(seeded: Seeded, state: str) -> None:
    """No account: create; an account without externalId: adopt; one carrying this sync's
    mark: update (the plan's own rule, issue 15). The right word gets ✓ naming it, "conflict"
    a hint."""
    _set_toby(seeded, state)
    plan = plan_sync(seeded.client, export("with-toby"), source=SOURCE)
    assert {c.user_name: c.action for c in plan.users}["tflenderson"] == state
    if state == "update":
        # The plan matched him by this sync's externalId and never asked for his userName:
        # the learner looks him up by name, as the check asks.
        seeded.client.get_users(filter='userName eq "tflenderson"')
    says(
        checks.sabre_toby(seeded.client, state),
        f"Predicted: the sync's answer for Toby's row is {state!r}.",
    )
    hint(checks.sabre_toby(seeded.client, "conflict"), "You predicted 'conflict'")


def test_sabre_toby_hints_in_full(seeded: Seeded) -> None:
    """Each of sabre_toby's hints word for word (a learner reads them; notebooks store them)."""
    says(
        checks.sabre_toby(seeded.client, "delete"),
        "The prediction is 'delete'; write one of the four words: "
        '"create", "adopt", "update" or "conflict".',
    )
    says(
        checks.sabre_toby(seeded.client, "conflict"),
        "Your prediction is written, but your client has not asked for Toby's userName yet: "
        "run the plan cell under the exercise (plan_sync), then this check.",
    )
    plan_with_toby(seeded)
    says(
        checks.sabre_toby(seeded.client, "adopt"),
        "You predicted 'adopt', and the plan did something else with Toby's row. Look at the "
        "externalId on his account: whose mark is it?",
    )


def test_sabre_toby_other_reads_are_not_the_plan(seeded: Seeded) -> None:
    """A read of the users that does not name Toby, or a read of the groups that does, is not
    the plan's read of Toby's userName."""
    seeded.client.get_users(filter='userName eq "dschrute"')
    seeded.client.get_groups(filter='displayName eq "tflenderson"')
    hint(checks.sabre_toby(seeded.client, "conflict"), "has not asked for Toby's userName")


def _renamed_by_another_client(seeded: Seeded, state: Any) -> None:
    """Another client renames Gabe as the solution does; the learner's client then holds no
    accepted PATCH of him that replaced his userName, and the hint says so in full."""
    with another_client(seeded) as other:
        solve_gabe(Seeded(seeded.tenant, other, seeded.group_id, seeded.user_ids), state)
    says(
        checks.sabre_gabe(seeded.client),
        f"Gabe is {GABE_AFTER}, but no accepted PATCH of him that your client still remembers "
        "replaced his userName: the exercise asks for one PATCH.",
    )


def test_sabre_gabe_a_failed_rename_does_not_count(seeded: Seeded) -> None:
    """The learner's rename PATCH was refused (400 noTarget: Gabe has no home email), then
    another client renamed Gabe: no accepted PATCH of the learner renamed him."""
    state = monday_synced(seeded)
    gabe_id = state.managed["S002"].user_id
    refused = [
        Operation(op="replace", path="userName", value=GABE_AFTER),
        Operation(op="replace", path='emails[type eq "home"].value', value="g@home.example"),
    ]
    with pytest.raises(SCIMError):
        seeded.client.update_user(gabe_id, PatchOp(operations=refused))
    _renamed_by_another_client(seeded, state)


def test_sabre_quiet_friday_hints_in_full(seeded: Seeded) -> None:
    """Each of sabre_quiet_friday's hints word for word."""
    says(
        checks.sabre_quiet_friday(seeded.client, None),
        "No prediction yet: write prediction = the number of requests that write (POST, "
        "PATCH, PUT, DELETE) you expect from the re-run, before you run it.",
    )
    says(
        checks.sabre_quiet_friday(seeded.client, 0),
        "Your prediction is written, but your client has not planned this sync yet: run "
        "the re-run cell under the exercise (plan_sync, then apply_plan), then this check.",
    )
    monday_synced(seeded)
    rerun_monday(seeded)
    says(
        checks.sabre_quiet_friday(seeded.client, 2),
        "You predicted 2, and the re-run sent a different number of writes. Compare Friday's "
        "export with what the directory already holds: what differs?",
    )


def test_rfc7644_3_4_3_sabre_quiet_friday_reads_are_not_writes(seeded: Seeded) -> None:
    """After the re-run's plan, a POST /.search and a HEAD read: still 0 writes (RFC 7644
    §3.4.3: a search by POST reads)."""
    monday_synced(seeded)
    rerun_monday(seeded)
    seeded.client.search('userName eq "dschrute"', resource_type="User")
    seeded.client._transport.request("HEAD", "/Users")
    ok(checks.sabre_quiet_friday(seeded.client, 0))


def test_sabre_quiet_friday_a_plans_second_page_is_not_a_new_plan(seeded: Seeded) -> None:
    """Writes after the plan's first page count, whatever pages the client reads after it:
    Tuesday's plan and its 4 writes, then a second page of the sync's users (startIndex 2)."""
    monday_synced(seeded)
    report = apply_plan(seeded.client, plan_sync(seeded.client, export("tuesday"), source=SOURCE))
    assert report.writes == 4, report.text()
    seeded.client.get_users(filter=f'externalId sw "{SOURCE}:"', start_index=2, count=1)
    ok(checks.sabre_quiet_friday(seeded.client, 4))


def test_sabre_quiet_friday_the_latest_plan_counts(seeded: Seeded) -> None:
    """Tuesday's plan writes 4, then a re-run of it writes none: the last plan's 0 counts,
    and 4 (the earlier plan's) gets a hint."""
    monday_synced(seeded)
    tuesday = export("tuesday")
    assert apply_plan(seeded.client, plan_sync(seeded.client, tuesday, source=SOURCE)).writes == 4
    assert apply_plan(seeded.client, plan_sync(seeded.client, tuesday, source=SOURCE)).writes == 0
    ok(checks.sabre_quiet_friday(seeded.client, 0))
    hint(checks.sabre_quiet_friday(seeded.client, 4), "You predicted 4")


def test_sabre_gabe_two_users_hint_in_full(seeded: Seeded) -> None:
    """The hint for two users carrying Gabe's externalId, word for word."""
    monday_synced(seeded)
    with another_client(seeded) as other:
        other.create_user(User.from_dict(gabe_body("gabe.twin@sabre.example")))
    says(
        checks.sabre_gabe(seeded.client),
        "2 users carry the externalId 'office-course:sabre:S002': a sync keeps one account "
        "per person. Run the chapter again from the top to start over.",
    )


def test_sabre_gabe_an_operation_without_path_is_named_as_such(seeded: Seeded) -> None:
    """The renaming PATCH also carried an operation without a path: the hint names it
    "(no path)"."""
    state = monday_synced(seeded)
    gabe_id = state.managed["S002"].user_id
    operations = [
        Operation(op="replace", path="userName", value=GABE_AFTER),
        Operation(op="replace", path="emails", value=gabe_body()["emails"]),
        Operation(op="replace", value={"title": "Coordinator of Emerging Regions"}),
    ]
    seeded.client.update_user(gabe_id, PatchOp(operations=operations))
    says(
        checks.sabre_gabe(seeded.client),
        "The PATCH that renamed Gabe also sent (no path), which Tuesday's row does not change: "
        "the exercise asks for only what differs (user_operations).",
    )


def test_sabre_quiet_friday_a_post_is_a_write(seeded: Seeded) -> None:
    """Monday's first sync creates people (POST): every request of its apply counts."""
    monday = export("monday")
    for name in monday.group_names:
        StaffGroups(seeded.client, seeded.user_ids).make_group(name, [])
    report = apply_plan(seeded.client, plan_sync(seeded.client, monday, source=SOURCE))
    assert report.ok and report.writes > 0, report.text()
    posts = [e for e in seeded.client.wire_log if e.method == "POST"]
    assert posts
    ok(checks.sabre_quiet_friday(seeded.client, report.writes))


def test_sabre_gabe_second_gabe_and_put_hints_in_full(seeded: Seeded) -> None:
    """The hints for a second Gabe (POST) and for a PUT of Gabe, word for word."""
    state = monday_synced(seeded)
    gabe_id = state.managed["S002"].user_id
    seeded.client.replace_user(User.from_dict(gabe_body()), id=gabe_id)
    says(
        checks.sabre_gabe(seeded.client),
        "Your client sent a PUT of Gabe: a PUT replaces the whole user (RFC 7644 §3.5.1). "
        "The exercise asks for one PATCH with the operations user_operations returns.",
    )
    body = gabe_body()
    del body["externalId"]
    with pytest.raises(SCIMError):  # userName taken by Gabe himself now: 409
        seeded.client.create_user(User.from_dict(body))
    says(
        checks.sabre_gabe(seeded.client),
        f"Your client sent POST /Users for {GABE_AFTER}: that is a second Gabe. The exercise "
        "asks for a PATCH of the Gabe who exists, found by his employee number.",
    )


def test_rfc7644_3_5_1_sabre_gabe_a_put_of_someone_else_is_fine(seeded: Seeded) -> None:
    """A PUT of another resource (the Sales group) does not count against Gabe's rename."""
    state = monday_synced(seeded)
    solve_gabe(seeded, state)
    group = seeded.client.get_group(seeded.group_id).to_dict()
    seeded.client.replace_group(Group.from_dict(group), id=seeded.group_id)
    ok(checks.sabre_gabe(seeded.client))


@pytest.mark.parametrize(
    ("emails", "shown"),
    [
        ([], "none"),
        ([{"type": "work"}], "(no value)"),
        (
            [{"type": "work"}, {"value": "gabe@home.example", "type": "home"}],
            "(no value), gabe@home.example",
        ),
        (
            [
                {"value": "gabe.lewis@sabre.example", "type": "work"},
                {"value": "gabe@home.example", "type": "home"},
            ],
            "gabe.lewis@sabre.example, gabe@home.example",
        ),
    ],
)
def test_sabre_gabe_renamed_with_other_emails_names_them(
    seeded: Seeded, emails: list[dict[str, str]], shown: str
) -> None:
    """Renamed, but his emails are none, some without a value (the server's /Schemas does not
    make emails.value required; shown as "(no value)"), or two that are not the new one: the
    hint lists them."""
    state = monday_synced(seeded)
    gabe_id = state.managed["S002"].user_id
    operations = [Operation(op="replace", path="userName", value=GABE_AFTER)]
    operations.append(
        Operation(op="replace", path="emails", value=emails)
        if emails
        else Operation(op="remove", path="emails")
    )
    seeded.client.update_user(gabe_id, PatchOp(operations=operations))
    says(
        checks.sabre_gabe(seeded.client),
        f"Gabe is renamed, but his emails are {shown}: Tuesday's row changes his work email "
        f"to {GABE_AFTER} too.",
    )


def test_sabre_quiet_friday_a_plan_first_in_the_log_is_found(seeded: Seeded) -> None:
    """A client whose very first requests are the re-run's plan: that plan is found (the search
    for it reaches the start of the log)."""
    monday_synced(seeded)
    with another_client(seeded) as fresh:
        report = apply_plan(fresh, plan_sync(fresh, export("monday"), source=SOURCE))
        assert report.ok and report.writes == 0, report.text()
        ok(checks.sabre_quiet_friday(fresh, 0))


def test_sabre_quiet_friday_a_later_read_is_not_a_plan(seeded: Seeded) -> None:
    """After Tuesday's plan and its 4 writes, a plain read of the users (no filter of this
    sync) starts no new plan: 4 still counts."""
    monday_synced(seeded)
    report = apply_plan(seeded.client, plan_sync(seeded.client, export("tuesday"), source=SOURCE))
    assert report.writes == 4, report.text()
    seeded.client.get_users()
    ok(checks.sabre_quiet_friday(seeded.client, 4))


# -- found by the ninth mutation run ----------------------------------------------------------


def test_sabre_toby_a_head_naming_him_is_not_the_plans_read(seeded: Seeded) -> None:
    """A HEAD of /Users filtered on Toby's userName reads no user: the plan reads him with a
    GET, so the check still waits for it."""
    seeded.client._transport.request("HEAD", '/Users?filter=userName eq "tflenderson"')
    hint(checks.sabre_toby(seeded.client, "conflict"), "has not asked for Toby's userName")


def test_sabre_gabe_a_patch_of_his_email_alone_is_no_rename(seeded: Seeded) -> None:
    """The learner's accepted PATCH replaced only Gabe's work email (its value is his new
    name, but the path is not userName); another client renamed him: no PATCH of the
    learner's replaced his userName."""
    state = monday_synced(seeded)
    gabe_id = state.managed["S002"].user_id
    email = Operation(op="replace", path='emails[type eq "work"].value', value=GABE_AFTER)
    seeded.client.update_user(gabe_id, PatchOp(operations=[email]))
    _renamed_by_another_client(seeded, state)


def test_sabre_gabe_renaming_someone_else_is_no_rename_of_gabe(seeded: Seeded) -> None:
    """The learner's match picked the wrong user: an accepted PATCH renamed Toby to Gabe's new
    name. Toby was put back and Gabe renamed by another client: no PATCH of Gabe counts."""
    state = monday_synced(seeded)
    toby = seeded.user_ids["Toby Flenderson"]
    rename = Operation(op="replace", path="userName", value=GABE_AFTER)
    seeded.client.update_user(toby, PatchOp(operations=[rename]))
    with another_client(seeded) as other:
        back = Operation(op="replace", path="userName", value="tflenderson")
        other.update_user(toby, PatchOp(operations=[back]))
    _renamed_by_another_client(seeded, state)


def test_sabre_gabe_a_redirect_is_no_accepted_patch(seeded: Seeded) -> None:
    """A rename PATCH answered 300 (a redirect, which no SCIM server sends to a PATCH: the wire
    log is crafted) was not accepted: only a 2xx is."""
    state = monday_synced(seeded)
    gabe_id = state.managed["S002"].user_id
    solve_gabe(seeded, state)
    tenant = Tenant(seeded.client)
    of_gabe = f"/Users/{gabe_id}"
    (accepted,) = [e for e in seeded.client.wire_log if (e.method, e.path) == ("PATCH", of_gabe)]
    assert accepted.status == 200
    tenant.history = [dataclasses.replace(accepted, status=300)]
    try:
        checks.sabre_gabe.func(tenant)
    except Hint as refused:
        assert str(refused) == (
            f"Gabe is {GABE_AFTER}, but no accepted PATCH of him that your client still "
            "remembers replaced his userName: the exercise asks for one PATCH."
        )
    else:
        raise AssertionError("a PATCH answered 300 was taken for an accepted rename")


@pytest.mark.parametrize("path", ["/Users/.search?attributes=userName", "/.search?q=a?b"])
def test_rfc7644_3_4_3_sabre_quiet_friday_a_search_with_a_query_is_a_read(
    seeded: Seeded, path: str
) -> None:
    """A POST to /.search whose URL carries a query string (even one holding a second "?") is
    still a search (RFC 7644 §3.4.3): after the re-run's plan, 0 writes."""
    monday_synced(seeded)
    rerun_monday(seeded)
    body = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "filter": 'userName eq "dschrute"',
    }
    seeded.client._transport.request("POST", path, body=body)
    ok(checks.sabre_quiet_friday(seeded.client, 0))


def test_sabre_quiet_friday_a_plan_read_last_is_the_last_plan(seeded: Seeded) -> None:
    """After Tuesday's plan and its 4 writes, the client reads the sync's first page once more
    as its very last request: that read starts the last plan, with no write after it."""
    monday_synced(seeded)
    report = apply_plan(seeded.client, plan_sync(seeded.client, export("tuesday"), source=SOURCE))
    assert report.writes == 4, report.text()
    seeded.client.get_users(filter=f'externalId sw "{SOURCE}:"')
    ok(checks.sabre_quiet_friday(seeded.client, 0))
    hint(checks.sabre_quiet_friday(seeded.client, 4), "You predicted 4")
