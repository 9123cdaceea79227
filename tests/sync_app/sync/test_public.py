"""The sync's public pieces, which chapter 10 uses to build one person's sync by hand."""

from __future__ import annotations

import sync_app.sync
from sync_app.sync import Account, external_id, load_roster, user_operations


def test_sync_all_names_the_pieces() -> None:
    """Every name in sync_app.sync.__all__ exists, the chapter's pieces among them."""
    assert all(hasattr(sync_app.sync, name) for name in sync_app.sync.__all__)
    for name in ("Account", "external_id", "read_state", "user_operations"):
        assert name in sync_app.sync.__all__


def test_external_id_is_source_colon_employee_id() -> None:
    """The key a row matches by: ``<source>:<employee_id>``."""
    assert external_id("office-course:sabre", "S002") == "office-course:sabre:S002"


def _gabe(user_name: str) -> dict[str, str]:
    return {
        "employee_id": "S002",
        "user_name": user_name,
        "given_name": "Gabe",
        "family_name": "Lewis",
        "email": user_name,
        "title": "Coordinator",
        "department": "",
        "division": "",
        "manager_id": "",
        "active": "true",
        "groups": "",
    }


def test_rfc7644_3_5_2_user_operations_are_only_what_changed() -> None:
    """A renamed row gives a replace of userName and emails, and nothing else."""
    (row,) = load_roster([_gabe("gabriel.lewis@sabre.example")]).people
    current = Account(
        user_id="42",
        userName="gabe.lewis@sabre.example",
        externalId="hr:S002",
        givenName="Gabe",
        familyName="Lewis",
        displayName="Gabe Lewis",
        title="Coordinator",
        emails=(("gabe.lewis@sabre.example", "work", True),),
        active=True,
    )
    operations, changed = user_operations(current, row, "hr", None)
    assert [(op.op, op.path) for op in operations] == [
        ("replace", "userName"),
        ("replace", "emails"),
    ]
    assert changed == ["rename gabe.lewis@sabre.example → gabriel.lewis@sabre.example", "email"]


def test_user_operations_of_an_unchanged_row_are_empty() -> None:
    """A row that matches the user sends nothing."""
    (row,) = load_roster([_gabe("gabe.lewis@sabre.example")]).people
    current = Account(
        user_id="42",
        userName="gabe.lewis@sabre.example",
        externalId="hr:S002",
        givenName="Gabe",
        familyName="Lewis",
        displayName="Gabe Lewis",
        title="Coordinator",
        emails=(("gabe.lewis@sabre.example", "work", True),),
        active=True,
    )
    assert user_operations(current, row, "hr", None) == ([], [])
