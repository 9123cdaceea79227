"""Chapter 06's checks: PATCH paths, add vs replace, and a PUT that must keep externalId."""

from __future__ import annotations

from scim_helper import checks
from sync_app.client import SCIMClient
from sync_app.scim.patchop import Operation
from sync_app.scim.urns import PATCH_OP
from sync_app.scim.user import Name, User

from .conftest import Seeded
from .test_checks import another_client, hint, ok, patch_user, says, send_raw, user_id

HOME = {"value": "prison.mike@example.com", "type": "home"}


def test_emails_updated(seeded: Seeded) -> None:
    """✓ once the three founders' work emails are at the Paper Company's domain."""
    hint(checks.emails_updated(seeded.client), "mscott, pbeesly, rhoward")
    for user_name, local in (("mscott", "michael.scott"), ("pbeesly", "pam.beesly")):
        patch_user(
            seeded.client,
            user_name,
            Operation("replace", 'emails[type eq "work"].value', f"{local}@michaelscottpaper.com"),
        )
    hint(checks.emails_updated(seeded.client), "rhoward")
    patch_user(
        seeded.client,
        "rhoward",
        Operation("replace", 'emails[type eq "work"].value', "ryan.howard@michaelscottpaper.com"),
    )
    ok(checks.emails_updated(seeded.client))


def test_replace_all_predicted(seeded: Seeded) -> None:
    """✓ for the number of Michael's emails the unfiltered replace changed; hints otherwise."""
    patch_user(seeded.client, "mscott", Operation("add", "emails", [HOME]))
    hint(checks.replace_all_predicted(seeded.client, None), "No prediction yet")
    hint(checks.replace_all_predicted(seeded.client, "2"), "should be a number")
    hint(checks.replace_all_predicted(seeded.client, 2), "has not sent the PATCH")
    short = "michael@michaelscottpaper.com"
    patch_user(seeded.client, "mscott", Operation("replace", "emails.value", short))
    hint(checks.replace_all_predicted(seeded.client, 1), "You predicted 1", "2 of Michael's")
    ok(checks.replace_all_predicted(seeded.client, 2))


def test_pam_home_email(seeded: Seeded) -> None:
    """✓ for a home email next to the work one; a hint when replace wiped the work email."""
    work = {"value": "pam.beesly@michaelscottpaper.com", "type": "work", "primary": True}
    home = {"value": "pam@example.com", "type": "home"}
    patch_user(seeded.client, "pbeesly", Operation("replace", "emails", [work]))
    hint(checks.pam_home_email(seeded.client), "home")
    patch_user(seeded.client, "pbeesly", Operation("replace", "emails", [home]))
    hint(checks.pam_home_email(seeded.client), "replace overwrites")
    patch_user(seeded.client, "pbeesly", Operation("add", "emails", [work]))
    ok(checks.pam_home_email(seeded.client))


def test_pam_home_email_by_replace_gets_a_hint(seeded: Seeded) -> None:
    """Both emails by one replace of the whole list is not the add the exercise asks for."""
    work = {"value": "pam.beesly@michaelscottpaper.com", "type": "work", "primary": True}
    home = {"value": "pam@example.com", "type": "home"}
    patch_user(seeded.client, "pbeesly", Operation("replace", "emails", [work, home]))
    hint(checks.pam_home_email(seeded.client), "sent replace", "op add")


def test_pam_home_email_by_put_gets_a_hint(seeded: Seeded) -> None:
    """A PUT carrying both emails sends no PATCH at all: the hint says so."""
    pam = seeded.client.get_user(seeded.user_ids["Pam Beesly"]).to_dict()
    pam["emails"] = [
        {"value": "pam.beesly@michaelscottpaper.com", "type": "work", "primary": True},
        {"value": "pam@example.com", "type": "home"},
    ]
    seeded.client.replace_user(User.from_dict(pam), id=pam["id"])
    hint(checks.pam_home_email(seeded.client), "no PATCH on emails")


def test_ryan_emails_restored(seeded: Seeded) -> None:
    """✓ for the primary work email back; hints for no emails and for a non-primary one."""
    patch_user(seeded.client, "rhoward", Operation("remove", "emails"))
    hint(checks.ryan_emails_restored(seeded.client), "no emails at all")
    work = {"value": "ryan.howard@michaelscottpaper.com", "type": "work"}
    patch_user(seeded.client, "rhoward", Operation("add", "emails", [work]))
    hint(checks.ryan_emails_restored(seeded.client), "primary")
    patch_user(
        seeded.client, "rhoward", Operation("replace", "emails", [{**work, "primary": True}])
    )
    ok(checks.ryan_emails_restored(seeded.client))


def test_ryan_emails_restored_by_a_put_without_external_id_gets_a_hint(seeded: Seeded) -> None:
    """A PUT that restores the email but drops the course's externalId is not ✓."""
    patch_user(seeded.client, "rhoward", Operation("remove", "emails"))
    hint(checks.ryan_emails_restored(seeded.client), "no emails at all")
    ryan = User(
        userName="rhoward",
        active=True,
        displayName="Ryan Howard",
        name=Name(givenName="Ryan", familyName="Howard"),
        emails=[{"value": "ryan.howard@michaelscottpaper.com", "type": "work", "primary": True}],
    )
    seeded.client.replace_user(ryan, id=user_id(seeded.client, "rhoward"))
    hint(checks.ryan_emails_restored(seeded.client), "externalId", "office-course:rhoward")


def _work(client: SCIMClient, user_name: str, value: str) -> None:
    patch_user(client, user_name, Operation("replace", 'emails[type eq "work"].value', value))


def test_emails_updated_says_each_hint_in_full(seeded: Seeded) -> None:
    """Stale founders named in order; a look-alike domain or a second old work email is stale."""
    client = seeded.client
    says(
        checks.emails_updated(client),
        "Work emails not yet at @michaelscottpaper.com: mscott, pbeesly, rhoward.",
    )
    _work(client, "mscott", "Michael.Scott@MichaelScottPaper.com")
    _work(client, "pbeesly", "pam.beesly@notmichaelscottpaper.com")
    _work(client, "rhoward", "ryan.howard@michaelscottpaper.com")
    says(checks.emails_updated(client), "Work emails not yet at @michaelscottpaper.com: pbeesly.")
    _work(client, "pbeesly", "pam.beesly@michaelscottpaper.com")
    says(
        checks.emails_updated(client),
        "Michael, Pam and Ryan all have @michaelscottpaper.com work emails.",
    )
    old = {"value": "ryan@dundermifflin.com", "type": "work"}
    patch_user(client, "rhoward", Operation("add", "emails", [old]))
    says(checks.emails_updated(client), "Work emails not yet at @michaelscottpaper.com: rhoward.")
    patch_user(
        client,
        "rhoward",
        Operation("replace", "emails", [{**HOME, "value": "r@michaelscottpaper.com"}]),
    )
    says(checks.emails_updated(client), "Work emails not yet at @michaelscottpaper.com: rhoward.")


def test_emails_updated_without_a_founder(seeded: Seeded) -> None:
    """A founder who was deleted: the hint names who is missing."""
    seeded.client.delete_user(seeded.user_ids["Pam Beesly"])
    says(
        checks.emails_updated(seeded.client),
        "There is no user 'pbeesly' (a Paper Company founder) on the server yet.",
    )


def test_replace_all_predicted_says_each_hint_in_full(seeded: Seeded) -> None:
    """Every hint of replace_all_predicted, word for word, and its ✓."""
    client = seeded.client
    patch_user(client, "mscott", Operation("add", "emails", [HOME]))
    says(
        checks.replace_all_predicted(client, None),
        "No prediction yet: set prediction to a number (0, 1 or 2) before you run the cell.",
    )
    says(
        checks.replace_all_predicted(client, True),
        "The prediction is a bool; it should be a number: 0, 1 or 2.",
    )
    patch_user(client, "pbeesly", Operation("replace", "emails.value", "p@michaelscottpaper.com"))
    patch_user(client, "mscott", Operation("replace", 'emails[type eq "home"].value', "x@y.com"))
    says(
        checks.replace_all_predicted(client, 2),
        "Your client has not sent the PATCH with path emails.value to Michael yet: run the "
        "cell that sends it.",
    )
    patch_user(
        client, "mscott", Operation("replace", "emails.value", "MICHAEL@MichaelScottPaper.com")
    )
    says(
        checks.replace_all_predicted(client, 0),
        "You predicted 0; on this server 2 of Michael's emails now end in "
        "@michaelscottpaper.com. Read the table below: what does a path without a filter reach?",
    )
    says(
        checks.replace_all_predicted(client, 2),
        "Right: 2 of Michael's emails now end in @michaelscottpaper.com; on this server a path "
        "without a filter reaches every email.",
    )


def test_replace_all_predicted_without_michael(client: SCIMClient) -> None:
    """No Michael: the hint names him."""
    says(
        checks.replace_all_predicted(client, 2),
        "There is no user 'mscott' (Michael Scott) on the server yet.",
    )


def test_pam_home_email_says_each_hint_in_full(seeded: Seeded) -> None:
    """Every hint of pam_home_email, word for word, and its ✓."""
    client = seeded.client
    work = {"value": "Pam.Beesly@michaelscottpaper.com", "type": "work", "primary": True}
    home = {"value": "pam@example.com", "type": "home"}
    patch_user(client, "pbeesly", Operation("replace", "emails", [home]))
    says(
        checks.pam_home_email(client),
        "Pam's work email pam.beesly@michaelscottpaper.com is gone or changed: add keeps the "
        "values that are there, replace overwrites them.",
    )
    patch_user(client, "pbeesly", Operation("replace", "emails", [work]))
    says(checks.pam_home_email(client), "Pam has no email of type 'home' yet.")
    patch_user(client, "pbeesly", Operation("add", "nickName", "Pam"))
    patch_user(client, "pbeesly", Operation("replace", "emails", [work, home]))
    says(
        checks.pam_home_email(client),
        "Pam has both emails, but your client sent replace; the exercise asks for a PATCH with "
        "op add, which cannot overwrite what is there.",
    )
    patch_user(client, "pbeesly", Operation("ADD", "emails", [{**home, "value": "p2@example.com"}]))
    says(checks.pam_home_email(client), "Pam has a home email, and her work email is still there.")


def test_ryan_emails_restored_says_each_hint_in_full(seeded: Seeded) -> None:
    """Every hint of ryan_emails_restored, word for word, and its ✓."""
    client = seeded.client
    patch_user(client, "rhoward", Operation("remove", "emails"))
    says(
        checks.ryan_emails_restored(client),
        "Ryan still has no emails at all: the PUT replaced his whole record.",
    )
    other = {"value": "ryan.howard@michaelscottpaper.com", "type": "home", "primary": True}
    patch_user(client, "rhoward", Operation("add", "emails", [other]))
    says(
        checks.ryan_emails_restored(client),
        "Ryan has emails, but none of type 'work' with the value "
        "ryan.howard@michaelscottpaper.com.",
    )
    work = {"value": "Ryan.Howard@michaelscottpaper.com", "type": "work"}
    patch_user(client, "rhoward", Operation("replace", "emails", [work]))
    says(checks.ryan_emails_restored(client), "Ryan's work email is back but not marked primary.")
    patch_user(client, "rhoward", Operation("replace", "emails", [{**work, "primary": True}]))
    says(
        checks.ryan_emails_restored(client),
        "Ryan has his work email back, marked primary, and his externalId is still there.",
    )
    patch_user(client, "rhoward", Operation("replace", "externalId", "office-course:ryan"))
    says(
        checks.ryan_emails_restored(client),
        "Ryan's externalId is no longer 'office-course:rhoward' (a PUT that leaves it out "
        "clears it); the exercise asks that he keep it, the client's own key for him.",
    )
    seeded.client.delete_user(seeded.user_ids["Ryan Howard"])
    says(
        checks.ryan_emails_restored(client),
        "There is no user 'rhoward' (Ryan Howard) on the server yet.",
    )


def test_pam_home_email_without_pam_says_who_is_missing(seeded: Seeded) -> None:
    """Pam deleted: the hint names her userName and who she is, word for word."""
    seeded.client.delete_user(seeded.user_ids["Pam Beesly"])
    says(
        checks.pam_home_email(seeded.client),
        "There is no user 'pbeesly' (Pam Beesly) on the server yet.",
    )


PAM_WORK = {"value": "pam.beesly@michaelscottpaper.com", "type": "work", "primary": True}
PAM_HOME = {"value": "pam@example.com", "type": "home"}
NO_ADD = (
    "Pam has both emails, but your client sent {}; the exercise asks for a PATCH with op add, "
    "which cannot overwrite what is there."
)


def _pam_with_both_emails(seeded: Seeded) -> str:
    """Pam gets both emails from another client (not in the checked wire log); her id."""
    with another_client(seeded) as other:
        patch_user(other, "pbeesly", Operation("replace", "emails", [PAM_WORK, PAM_HOME]))
    return seeded.user_ids["Pam Beesly"]


def test_replace_all_predicted_a_put_with_a_patch_body_is_not_the_patch(seeded: Seeded) -> None:
    """A PUT to Michael carrying the PATCH's emails.value operation is not the PATCH asked for."""
    client = seeded.client
    michael = seeded.user_ids["Michael Scott"]
    operation = {"op": "replace", "path": "emails.value", "value": "m@michaelscottpaper.com"}
    send_raw(client, "PUT", f"/Users/{michael}", {"schemas": [PATCH_OP], "Operations": [operation]})
    assert client.wire_log[-1].method == "PUT"
    says(
        checks.replace_all_predicted(client, 0),
        "Your client has not sent the PATCH with path emails.value to Michael yet: run the "
        "cell that sends it.",
    )


def test_pam_home_email_a_put_with_a_patch_body_is_no_patch(seeded: Seeded) -> None:
    """A PUT to Pam carrying an add on emails is not a PATCH: the hint says none was sent."""
    client = seeded.client
    pam = _pam_with_both_emails(seeded)
    operation = {"op": "add", "path": "emails", "value": [PAM_HOME]}
    send_raw(client, "PUT", f"/Users/{pam}", {"schemas": [PATCH_OP], "Operations": [operation]})
    assert client.wire_log[-1].method == "PUT"
    says(checks.pam_home_email(client), NO_ADD.format("no PATCH on emails"))


def test_pam_home_email_an_add_on_someone_elses_emails_is_not_hers(seeded: Seeded) -> None:
    """An add on Michael's emails does not count for Pam, whose emails came by a PUT."""
    client = seeded.client
    pam = client.get_user(seeded.user_ids["Pam Beesly"]).to_dict()
    pam["emails"] = [PAM_WORK, PAM_HOME]
    client.replace_user(User.from_dict(pam), id=pam["id"])
    patch_user(client, "mscott", Operation("add", "emails", [HOME]))
    says(checks.pam_home_email(client), NO_ADD.format("no PATCH on emails"))


def test_pam_home_email_names_every_op_sent_on_her_emails(seeded: Seeded) -> None:
    """A replace then a remove on Pam's emails, no add: the hint lists both ops, sorted."""
    client = seeded.client
    extra = {"value": "pam.old@example.com", "type": "other"}
    patch_user(client, "pbeesly", Operation("replace", "emails", [PAM_WORK, PAM_HOME, extra]))
    patch_user(client, "pbeesly", Operation("remove", 'emails[value eq "pam.old@example.com"]'))
    says(checks.pam_home_email(client), NO_ADD.format("remove, replace"))


def test_pam_home_email_an_operation_without_op_names_no_op(seeded: Seeded) -> None:
    """A PATCH on Pam's emails whose operation has no op: the hint names no op for it."""
    client = seeded.client
    pam = _pam_with_both_emails(seeded)
    operation = {"path": "emails", "value": [PAM_HOME]}
    send_raw(client, "PATCH", f"/Users/{pam}", {"schemas": [PATCH_OP], "Operations": [operation]})
    says(checks.pam_home_email(client), NO_ADD.format("no PATCH on emails"))
