"""The client's models at their edges (RFC 7643 §2, §4; issue 18): the messages a learner
reads for each wrong value, and the JSON each Python value becomes."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from sync_app.errors import ValidationError
from sync_app.scim.base import dump_value
from sync_app.scim.group import Group, Member
from sync_app.scim.patchop import Operation, PatchOp
from sync_app.scim.resource import ResourceMeta
from sync_app.scim.user import Email, Name, User


@pytest.mark.parametrize(
    ("build", "message", "field"),
    [
        (
            lambda: User(userName="a", emails="x"),
            "User.emails must be a list of Email, not str ('x').",
            "emails",
        ),
        (
            lambda: User(userName="a", emails=[3]),
            "User.emails[0] must be an Email(...), not int (3).",
            "emails[0]",
        ),
        (lambda: User(userName="a", name=3), "User.name must be a Name(...), not int (3).", "name"),
        (
            lambda: User(userName="a", active=1),
            "User.active must be True or False, not int (1).",
            "active",
        ),
        (lambda: Member(value="x", ref=5), "Member.ref must be a string, not int (5).", "ref"),
        (
            lambda: User.from_dict([1]),
            "User.from_dict() needs a dict of SCIM attributes, not list.",
            None,
        ),
    ],
)
def test_rfc7643_2_3_wrong_types_name_the_field_and_the_type(
    build: Any, message: str, field: str | None
) -> None:
    """A value of the wrong type names the field (with its index), the type expected, with
    its article, and what was given."""
    with pytest.raises(ValidationError) as caught:
        build()
    assert str(caught.value) == message
    if field is not None:
        assert caught.value.field == field


def test_bad_date_message_shows_the_expected_form() -> None:
    """A date that is not ISO 8601 says so and shows one."""
    with pytest.raises(ValidationError) as caught:
        ResourceMeta(resourceType="User", created="yesterday")
    assert str(caught.value) == (
        "ResourceMeta.created is not valid (got 'yesterday'): expected an ISO 8601 date and "
        "time such as '2024-03-11T19:13:16Z'."
    )


def test_dump_value_turns_python_values_into_json() -> None:
    """Models, tuples, dicts, datetimes and UUIDs become JSON values, nested too."""
    when = dt.datetime(2024, 3, 11, 19, 13, 16, tzinfo=dt.UTC)
    ident = uuid.UUID("2819c223-7f76-453a-919d-413861904646")
    assert dump_value(
        {"at": when, "ids": (ident, "x"), "email": Email(value="a@b.example"), "n": 1}
    ) == {
        "at": "2024-03-11T19:13:16Z",
        "ids": ["2819c223-7f76-453a-919d-413861904646", "x"],
        "email": {"value": "a@b.example"},
        "n": 1,
    }


def test_to_dict_leaves_out_none_and_keeps_extra() -> None:
    """to_dict drops attributes that are None and adds what the server sent beyond the model."""
    group = Group.from_dict({"displayName": "G", "urn:x:custom": {"a": 1}})
    assert group.to_dict()["urn:x:custom"] == {"a": 1}
    assert "members" not in group.to_dict()


def test_repr_html_shows_values_of_lists_and_objects() -> None:
    """The notebook table shows a multi-valued attribute by its values, an object by its
    sub-attributes, and escapes HTML."""
    user = User(
        userName="<b>",
        emails=[Email(value="a@b.example"), Email(value="c@d.example")],
        name={"givenName": "Ann", "familyName": "Lee"},
    )
    html = user._repr_html_()
    assert "<td style='text-align:left'>a@b.example, c@d.example</td>" in html
    assert "<td style='text-align:left'>familyName=Lee, givenName=Ann</td>" in html
    assert "&lt;b&gt;" in html and "<b>" not in html
    assert "schemas" not in html


@pytest.mark.parametrize(
    ("build", "message", "field"),
    [
        (
            lambda: Email(value="not-an-address"),
            "Email.value is not valid (got 'not-an-address'): value is not a valid email "
            "address: An email address must have an @-sign.",
            "value",
        ),
        (
            lambda: User(userName="a", profileUrl="not a url"),
            "User.profileUrl is not valid (got 'not a url'): Value error, Invalid URI: not a url.",
            "profileUrl",
        ),
    ],
)
def test_rfc7643_2_3_rule_faults_name_the_field_and_the_value(
    build: Any, message: str, field: str
) -> None:
    """A value that breaks an RFC 7643 rule names the field, quotes the value and says the
    rule, ending in one full stop."""
    with pytest.raises(ValidationError) as caught:
        build()
    assert (str(caught.value), caught.value.model, caught.value.field) == (
        message,
        message.split(".")[0],
        field,
    )


@pytest.mark.parametrize(("model", "field"), [(User, "userName"), (Group, "displayName")])
def test_rfc7643_required_attribute_missing_before_a_create(model: Any, field: str) -> None:
    """Validating for a create without the required attribute names it and says what to do."""
    import scim2_models

    with pytest.raises(ValidationError) as caught:
        model().validate(scim2_models.Context.RESOURCE_CREATION_REQUEST)
    assert str(caught.value) == (
        f"{model.__name__}.{field} is required (RFC 7643) but is missing or empty: set it "
        "before sending."
    )
    assert (caught.value.model, caught.value.field) == (model.__name__, field)


def test_complex_value_notebook_table() -> None:
    """A complex value (not a resource) shows one row per attribute, lists by their values
    and objects by their sub-attributes, HTML escaped, with its repr as caption."""
    from sync_app.scim.user import Name

    member = Member(value="<id>", display="Jim")
    html = member._repr_html_()
    assert html.startswith(f"<table><caption>{__import__('html').escape(repr(member))}</caption>")
    assert (
        "<tr><th style='text-align:left'>value</th><td style='text-align:left'>&lt;id&gt;</td></tr>"
        in html
    )
    name = Name(givenName="Ann", familyName="Lee")
    assert "<th style='text-align:left'>givenName</th><td style='text-align:left'>Ann</td>" in (
        name._repr_html_()
    )
    assert User.from_dict({"userName": "a", "schemas": ["x"]})._summary().get("schemas") is None


def test_nested_fault_is_reported_from_the_top_model() -> None:
    """A wrong value inside a valid sub-object, found when the User is validated, names the
    whole path and keeps the model and field apart."""
    from sync_app.scim.user import Name

    user = User(userName="a", name=Name(givenName="Ann"))
    user.name.givenName = 3  # type: ignore[union-attr,assignment]
    with pytest.raises(ValidationError) as caught:
        user.validate()
    assert str(caught.value) == "User.name.givenName must be a string, not int (3)."
    assert (caught.value.model, caught.value.field) == ("User", "name.givenName")


def test_bad_date_error_names_model_and_field() -> None:
    """The date error carries the model and the field the learner set."""
    with pytest.raises(ValidationError) as caught:
        ResourceMeta(resourceType="User", lastModified="soon")
    assert (caught.value.model, caught.value.field) == ("ResourceMeta", "lastModified")


@pytest.mark.parametrize(
    ("word", "article"), [("Email", "an"), ("Im", "an"), ("Name", "a"), ("Address", "an")]
)
def test_article_before_a_model_name(word: str, article: str) -> None:
    """Messages say "an Email", "a Name"."""
    from sync_app.scim.base import _article

    assert _article(word) == article


@pytest.mark.parametrize(
    ("members", "shown"),
    [
        (0, "<Group 'Sales' 0 members>"),
        (1, "<Group 'Sales' 1 member>"),
        (2, "<Group 'Sales' 2 members>"),
    ],
)
def test_group_repr_counts_members(members: int, shown: str) -> None:
    """A Group's repr counts its members, singular for exactly one."""
    group = Group(displayName="Sales", members=[Member(value=str(n)) for n in range(members)])
    assert repr(group) == shown


def test_member_repr_shows_display_when_there_is_one() -> None:
    """A Member's repr is its id, and its display when it has one."""
    assert repr(Member(value="42", display="Jim")) == "<Member 42 'Jim'>"
    assert repr(Member(value="42")) == "<Member 42>"
    assert repr(Member(value="42", display="")) == "<Member 42>"


@pytest.mark.parametrize(
    ("build", "message", "model", "field"),
    [
        (
            lambda: Operation(op="delete", path="active"),
            "Operation.op must be one of 'add', 'remove', 'replace', not 'delete'.",
            "Operation",
            "op",
        ),
        (
            lambda: Operation(op=3),
            "Operation.op must be one of 'add', 'remove', 'replace', not 3.",
            "Operation",
            "op",
        ),
        (
            lambda: Operation(op="add", path=5, value=1),
            "Operation.path must be a string, not int.",
            "Operation",
            "path",
        ),
        (
            lambda: Operation(op="add", path="emails[type eq", value=1),
            (
                "Operation.path 'emails[type eq' is not a valid SCIM path: invalid syntax at "
                'column 13. Paths look like "active", "name.givenName", "emails.value" or '
                "'members[value eq \"2819c223\"]'."
            ),
            "Operation",
            "path",
        ),
        (
            lambda: Operation(op="remove"),
            (
                "Operation(op='remove') needs a path saying what to remove, e.g. "
                "path='members[value eq \"2819c223\"]' (RFC 7644 §3.5.2.2)."
            ),
            "Operation",
            "path",
        ),
        (
            lambda: Operation(op="replace", path="active"),
            (
                "Operation(op='replace') needs a value (RFC 7644 §3.5.2); to clear an attribute, "
                "use op='remove'."
            ),
            "Operation",
            "value",
        ),
        (
            lambda: Operation(op="add", value="x"),
            (
                "Operation(op='add') without a path needs a dict value of attributes, e.g. "
                "value={'active': False}."
            ),
            "Operation",
            "value",
        ),
        (
            lambda: PatchOp(operations=[]),
            "PatchOp(operations=...) needs a non-empty list of Operation(op=, path=, value=).",
            "PatchOp",
            "operations",
        ),
        (
            lambda: PatchOp(operations=["x"]),
            "PatchOp(operations=...) needs a non-empty list of Operation(op=, path=, value=).",
            "PatchOp",
            "operations",
        ),
        (
            lambda: PatchOp(operations="replace"),
            "PatchOp(operations=...) needs a non-empty list of Operation(op=, path=, value=).",
            "PatchOp",
            "operations",
        ),
        (
            lambda: PatchOp(
                operations=[Operation(op="replace", path="id", value="x")]
            ).validate_for(User),
            "This PatchOp cannot apply to a User: 'id' is read-only.",
            "PatchOp",
            "operations",
        ),
    ],
)
def test_rfc7644_3_5_2_patch_errors_in_full(
    build: Any, message: str, model: str, field: str
) -> None:
    """Each PatchOp or Operation fault is a ValidationError naming its model, its field and
    the form to send, before anything goes on the wire."""
    with pytest.raises(ValidationError) as caught:
        build()
    assert (str(caught.value), caught.value.model, caught.value.field) == (message, model, field)


@pytest.mark.parametrize(
    ("value", "paths"),
    [
        (
            {"value": "a", "display": "A", "$ref": "../Users/a", "type": "User"},
            ['members[value eq "a"]'],
        ),
        ({"display": "A"}, None),
        ({"value": "a", "colour": "red"}, None),
        ([{"value": "a"}, 7], None),
    ],
)
def test_rfc7644_3_5_2_2_which_removes_become_filters(value: Any, paths: list[str] | None) -> None:
    """A remove naming members by value becomes one filtered remove per id; a value that
    names no id (no "value", unknown keys, a number) is sent as given."""
    dicts = Operation(op="remove", path="members", value=value).to_dicts()
    if paths is None:
        assert dicts == [{"op": "remove", "path": "members", "value": value}]
    else:
        assert [d["path"] for d in dicts] == paths
        assert all("value" not in d for d in dicts)


def test_patchop_repr_lists_each_operation() -> None:
    """A PatchOp's repr names each op and path, "(attributes)" for a path-less one."""
    patch = PatchOp(
        operations=[
            Operation(op="replace", path="active", value=False),
            Operation(op="add", value={"title": "x"}),
        ]
    )
    assert repr(patch) == "<PatchOp replace active, add (attributes)>"


def test_patchop_from_dict_without_operations_is_refused() -> None:
    """A body without "Operations" cannot make a PatchOp."""
    with pytest.raises(ValidationError):
        PatchOp.from_dict({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]})


def test_validate_for_a_class_without_rules_accepts_anything() -> None:
    """validate_for on a class that has no scim2-models rules checks nothing."""
    PatchOp(operations=[Operation(op="replace", path="id", value="x")]).validate_for(dict)


def test_remove_of_member_objects_becomes_filters_unless_without_value() -> None:
    """Member objects name their ids; one without a value is sent as given."""
    (op,) = Operation(op="remove", path="members", value=[Member(value="a")]).to_dicts()
    assert op == {"op": "remove", "path": 'members[value eq "a"]'}
    (as_given,) = Operation(op="remove", path="members", value=[Member(display="A")]).to_dicts()
    assert as_given["path"] == "members"


def test_create_meta_error_names_model_field_and_suggestion() -> None:
    """An unknown resource type names the closest one, once, and lists the five."""
    with pytest.raises(ValidationError) as caught:
        ResourceMeta.create_meta("Users", "/Users/1")
    assert str(caught.value) == (
        "'Users' is not a SCIM resource type. Did you mean 'User'? Use one of: User, Group, "
        "ServiceProviderConfig, ResourceType, Schema."
    )
    assert (caught.value.model, caught.value.field) == ("ResourceMeta", "resourceType")
    with pytest.raises(ValidationError) as far:
        ResourceMeta.create_meta("Widget", "/Widgets/1")
    assert str(far.value).startswith("'Widget' is not a SCIM resource type. Use one of:")


def test_create_meta_is_now_to_the_second() -> None:
    """created and lastModified are the same instant, whole seconds, in UTC."""
    meta = ResourceMeta.create_meta("User", "/Users/1")
    assert meta.created == meta.lastModified
    assert meta.created is not None and meta.created.microsecond == 0
    assert meta.created.utcoffset() == dt.timedelta(0)


def test_meta_and_ref_reprs() -> None:
    """ResourceMeta shows type, location and version; ResourceRef its id and display."""
    from sync_app.scim.resource import ResourceRef

    assert repr(ResourceMeta(resourceType="User", location="/Users/1", version='W/"2"')) == (
        '<ResourceMeta User /Users/1 W/"2">'
    )
    assert repr(ResourceMeta(resourceType="User", location="/Users/1")) == (
        "<ResourceMeta User /Users/1>"
    )
    assert repr(ResourceRef(value="g1", display="Sales")) == "<ResourceRef g1 'Sales'>"
    assert repr(ResourceRef(value="g1")) == "<ResourceRef g1>"


def test_resource_notebook_rows() -> None:
    """A resource's table: id first, then each attribute set (members by display, else by
    id; objects as key=value), its version last; meta and extra are not rows."""
    group = Group.from_dict(
        {
            "id": "g1",
            "displayName": "Sales",
            "members": [{"value": "u1", "display": "Jim"}, {"value": "u2"}],
            "meta": {"resourceType": "Group", "version": 'W/"3"'},
            "urn:x": {"a": 1},
        }
    )
    assert group._rows() == {
        "id": "g1",
        "displayName": "Sales",
        "members": "Jim, u2",
        "version": 'W/"3"',
    }
    html = group._repr_html_()
    assert html.count("<tr>") == 4
    assert (
        "<th style='text-align:left'>members</th><td style='text-align:left'>Jim, u2</td>" in html
    )
    user = User(userName="a", name={"givenName": "Ann"})
    assert user._rows()["name"] == "givenName=Ann"
    assert user._rows()["id"] == "None"


def test_to_scim_sends_extra_back_and_checks_the_context() -> None:
    """to_scim validates for its request context (a create needs userName) and sends the
    attributes kept in extra back as they came."""
    import scim2_models

    user = User.from_dict({"userName": "a", "urn:x:custom": {"k": 1}})
    assert user.to_scim(scim2_models.Context.RESOURCE_CREATION_REQUEST)["urn:x:custom"] == {"k": 1}
    with pytest.raises(ValidationError):
        User().to_scim(scim2_models.Context.RESOURCE_CREATION_REQUEST)


@pytest.mark.parametrize(
    ("user", "shown"),
    [
        (User(userName="dschrute", active=True, user_id="1"), "<User dschrute active>"),
        (User(userName="dschrute", active=False), "<User dschrute inactive (not created yet)>"),
        (User(displayName="Dwight", user_id="1"), "<User Dwight>"),
        (User(user_id="1"), "<User (no userName)>"),
    ],
)
def test_user_repr(user: User, shown: str) -> None:
    """A User's repr: userName (else displayName), active state, and whether it exists yet."""
    assert repr(user) == shown


def test_empty_user_name_error_names_model_and_field() -> None:
    """A blank userName is refused naming User.userName."""
    with pytest.raises(ValidationError) as caught:
        User(userName="  ")
    assert (caught.value.model, caught.value.field) == ("User", "userName")


def test_fault_found_by_the_rfc_rules_inside_a_list_names_the_index() -> None:
    """A value made wrong after construction is caught when the User is validated, named
    with its index in the learner's spelling."""
    user = User(userName="a", emails=[Email(value="a@b.example")])
    user.emails[0].value = "bad"  # type: ignore[index]
    with pytest.raises(ValidationError) as caught:
        user.validate()
    assert str(caught.value) == (
        "User.emails[0].value is not valid (got 'bad'): value is not a valid email address: "
        "An email address must have an @-sign."
    )
    assert (caught.value.model, caught.value.field) == ("User", "emails[0].value")


def test_uuid_member_value_and_dicts_become_models() -> None:
    """A UUID member value becomes its string; dicts for members and meta become models."""
    member = Member(value=uuid.UUID(int=1))  # type: ignore[arg-type]
    assert member.value == "00000000-0000-0000-0000-000000000001"
    group = Group(
        displayName="G",
        members=[{"value": "x", "display": "D"}],  # type: ignore[list-item]
        meta={"resourceType": "Group"},  # type: ignore[arg-type]
    )
    assert isinstance(group.members[0], Member) and group.members[0].display == "D"  # type: ignore[index]
    assert isinstance(group.meta, ResourceMeta) and group.meta.resourceType == "Group"


def test_dates_keep_their_offset_unless_utc() -> None:
    """A UTC date is written with Z; another offset is kept as it is."""
    from sync_app.scim.base import format_datetime

    assert (
        format_datetime(dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)) == "2024-01-02T03:04:05Z"
    )
    plus_two = dt.timezone(dt.timedelta(hours=2))
    assert format_datetime(dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=plus_two)) == (
        "2024-01-02T03:04:05+02:00"
    )


@pytest.mark.parametrize("blank", ["", "   "])
def test_rfc7643_4_1_1_empty_user_name_says_what_a_user_name_is(blank: str) -> None:
    """An empty or blank userName: the whole message, with an example (RFC 7643 §4.1.1)."""
    with pytest.raises(ValidationError) as caught:
        User(userName=blank)
    assert str(caught.value) == (
        "User.userName must not be empty: it is the unique name the User signs in with, "
        "e.g. 'cminer'."
    )
    assert (caught.value.model, caught.value.field) == ("User", "userName")


def test_an_x509_certificate_takes_an() -> None:
    """A wrong item in x509Certificates reads "an X509Certificate", as it is said aloud."""
    with pytest.raises(ValidationError) as caught:
        User(userName="a", x509Certificates=["MIIC"])
    assert str(caught.value) == (
        "User.x509Certificates[0] must be an X509Certificate(...), not str ('MIIC')."
    )


def test_repr_html_is_one_table_of_adjacent_rows() -> None:
    """The notebook table, whole: a caption, then one row per attribute, nothing between."""
    html = User(userName="cminer", active=True)._repr_html_()
    row = "<tr><th style='text-align:left'>{}</th><td style='text-align:left'>{}</td></tr>"
    assert html == (
        "<table><caption>&lt;User cminer active (not created yet)&gt;</caption>"
        + row.format("id", "None")
        + row.format("active", "True")
        + row.format("userName", "cminer")
        + "</table>"
    )


def test_rfc7644_3_5_2_patchop_takes_one_operation_as_a_dict() -> None:
    """PatchOp(operations={...}): one operation given as a dict is one Operation."""
    patch = PatchOp(operations={"op": "replace", "path": "active", "value": False})
    assert patch.operations == [Operation("replace", "active", False)]


@pytest.mark.parametrize("given", [None, 5, 2.5])
def test_rfc7644_3_5_2_patchop_of_no_list_says_what_it_needs(given: Any) -> None:
    """Operations that are not a list (nor one Operation or dict): the same ValidationError."""
    with pytest.raises(ValidationError) as caught:
        PatchOp(operations=given)
    assert str(caught.value) == (
        "PatchOp(operations=...) needs a non-empty list of Operation(op=, path=, value=)."
    )


def test_rfc7644_3_5_2_2_a_remove_of_an_object_without_value_is_sent_as_given() -> None:
    """A remove whose value is a model without a value (a Name) is not turned into a filter."""
    op = Operation("remove", "emails", value=Name(givenName="Ann"))
    assert op.to_dicts() == [{"op": "remove", "path": "emails", "value": {"givenName": "Ann"}}]


def test_rfc7644_3_5_2_2_validate_for_refuses_a_remove_that_carries_a_value() -> None:
    """A remove selecting by anything but value ids keeps its value: RFC 7644 §3.5.2.2 wants
    a filter in the path instead, and validate_for says so before anything is sent."""
    patch = PatchOp([Operation("remove", "emails", value={"type": "work"})])
    with pytest.raises(ValidationError) as caught:
        patch.validate_for(User)
    assert str(caught.value) == (
        "This PatchOp cannot apply to a User: a remove operation carries no value, a filter in "
        "the path selects what to remove."
    )
