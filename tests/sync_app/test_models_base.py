"""What every model shares (sync_app/scim/base.py), at its edges (issue 18).

Found missing by the fourth mutation run: the messages a learner reads when a value has the
wrong type or a whole resource breaks a rule, what ``from_dict`` does with odd input, and the
notebook table of a complex value that is not a resource.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable

import pytest
import scim2_models

from sync_app.errors import ValidationError
from sync_app.scim.base import SCIMObject
from sync_app.scim.group import Group, Member
from sync_app.scim.resource import ResourceMeta
from sync_app.scim.user import EnterpriseUser, Manager, User


def test_rfc7643_2_3_5_a_datetime_of_the_wrong_type_says_so() -> None:
    """meta.created given a number: the message names the field and "a datetime"."""
    with pytest.raises(ValidationError) as caught:
        ResourceMeta(created=5)  # type: ignore[arg-type]
    assert str(caught.value) == "ResourceMeta.created must be a datetime, not int (5)."
    assert (caught.value.model, caught.value.field) == ("ResourceMeta", "created")


def test_from_dict_of_no_dict_names_the_model() -> None:
    """from_dict(["a"]): the error says what it needs, for the model it was called on."""
    with pytest.raises(ValidationError) as caught:
        User.from_dict(["a"])  # type: ignore[arg-type]
    assert str(caught.value) == "User.from_dict() needs a dict of SCIM attributes, not list."
    assert caught.value.model == "User"


def test_rfc7643_2_3_from_dict_of_a_list_for_a_string_is_a_type_error() -> None:
    """userName given as a list in the JSON: the same type error as in Python, not a crash."""
    with pytest.raises(ValidationError) as caught:
        User.from_dict({"userName": ["dschrute"]})
    assert str(caught.value) == "User.userName must be a string, not list (['dschrute'])."


def test_from_dict_keeps_an_attribute_named_extra_as_an_attribute() -> None:
    """A server's attribute literally named "extra" is kept among the unknown attributes and
    sent back as it came; it does not replace them."""
    user = User.from_dict({"userName": "a", "extra": {"x": 1}, "nickName2": "n"})
    assert user.extra == {"extra": {"x": 1}, "nickName2": "n"}
    assert user.to_dict()["extra"] == {"x": 1}


def test_rfc7643_3_1_a_resource_level_fault_names_the_model_alone() -> None:
    """A fault of the whole resource (a response without its id, RFC 7643 §3.1 returned
    "always"): "User is not valid: …", the model alone, no field."""
    with pytest.raises(ValidationError) as caught:
        User(userName="dschrute").validate(scim2_models.Context.RESOURCE_QUERY_RESPONSE)
    assert str(caught.value) == (
        "User is not valid: Field 'id' has returnability 'always' but value is missing or null."
    )
    assert (caught.value.model, caught.value.field) == ("User", "")


def test_complex_value_table_shows_a_reference_by_its_value_or_its_parts() -> None:
    """The notebook table of the enterprise extension: one row per attribute, adjacent; a
    manager by its value, or by its sub-attributes when it has no value."""
    html = EnterpriseUser(department="Sales", manager=Manager(value="m1"))._repr_html_()
    assert html.endswith(
        "<tr><th style='text-align:left'>department</th><td style='text-align:left'>Sales</td>"
        "</tr><tr><th style='text-align:left'>manager</th><td style='text-align:left'>m1</td>"
        "</tr></table>"
    )
    html = EnterpriseUser(manager=Manager(displayName="Jan", ref="../Users/9"))._repr_html_()
    assert "<td style='text-align:left'>$ref=../Users/9, displayName=Jan</td>" in html, html


def test_a_uuid_id_first_then_member_dicts_become_models() -> None:
    """Group(group_id=UUID, members=[{...}]): the id becomes its string and the members after
    it still become Member objects (each field is coerced, not only up to the first id)."""
    group_id = uuid.uuid4()
    group = Group(group_id=group_id, displayName="Sales", members=[{"value": "u1"}])
    assert group.group_id == str(group_id)
    assert group.members == [Member(value="u1")]


def test_rfc7643_2_3_1_a_member_value_that_is_no_string_is_refused() -> None:
    """Only a UUID becomes a string in an id field: Member(value=5) is a type error."""
    with pytest.raises(ValidationError) as caught:
        Member(value=5)  # type: ignore[arg-type]
    assert str(caught.value) == "Member.value must be a string, not int (5)."


@pytest.mark.parametrize(
    ("build", "message", "field"),
    [
        (
            lambda: User(userName="a", emails="a@b.example"),
            "User.emails must be a list of Email, not str ('a@b.example').",
            "emails",
        ),
        (lambda: User(userName=1), "User.userName must be a string, not int (1).", "userName"),
    ],
)
def test_rfc7643_2_3_type_errors_carry_model_and_field(
    build: Callable[[], object], message: str, field: str
) -> None:
    """A list field given a string, a string field given a number: the message, and the
    error's model and field for code that reads them."""
    with pytest.raises(ValidationError) as caught:
        build()
    assert str(caught.value) == message
    assert (caught.value.model, caught.value.field) == ("User", field)


def test_a_model_class_new_to_the_process_reads_its_own_field_types() -> None:
    """The field types of a model are resolved (and cached) per class: a model defined
    here, after every other was used, is checked against its own types."""

    @dataclasses.dataclass
    class Badge(SCIMObject):
        label: str | None = None

    assert Badge(label="Scranton").to_dict() == {"label": "Scranton"}
    with pytest.raises(ValidationError) as caught:
        Badge(label=3)  # type: ignore[arg-type]
    assert str(caught.value) == "Badge.label must be a string, not int (3)."
