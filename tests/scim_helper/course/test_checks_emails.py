"""Chapter 06's checks: PATCH paths, add vs replace, and a PUT that must keep externalId."""

from __future__ import annotations

from scim_helper import checks
from sync_app.scim.patchop import Operation
from sync_app.scim.user import Name, User

from .conftest import Seeded
from .test_checks import hint, ok, patch_user, user_id

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
