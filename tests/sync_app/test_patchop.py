"""PatchOp and Operation (RFC 7644 §3.5.2)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from sync_app.errors import ValidationError
from sync_app.scim.group import Group, Member
from sync_app.scim.patchop import PATCH_OP_SCHEMA, Operation, PatchOp
from sync_app.scim.user import User


def test_rfc7644_3_5_2_replace_active() -> None:
    """The transcript's deactivation is the RFC's PatchOp body."""
    patch = PatchOp(operations=[Operation(op="replace", path="active", value=False)])
    assert patch.to_dict() == {
        "schemas": [PATCH_OP_SCHEMA],
        "Operations": [{"op": "replace", "path": "active", "value": False}],
    }


def test_rfc7644_3_5_2_1_add_members(sample: Callable[[str], Any]) -> None:
    """Members given as Member objects serialize like RFC 7644 §3.5.2.1's example."""
    member = Member(
        value="2819c223-7f76-453a-919d-413861904646",
        display="Babs Jensen",
        ref="https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646",
    )
    patch = PatchOp(operations=[Operation(op="add", path="members", value=[member])])
    assert patch.to_dict() == sample("rfc7644-3.5.2.1-add-members")


@pytest.mark.parametrize(
    "value",
    [
        "2819c223-7f76-453a-919d-413861904646",
        uuid.UUID("2819c223-7f76-453a-919d-413861904646"),
        {"value": "2819c223-7f76-453a-919d-413861904646"},
        Member(value="2819c223-7f76-453a-919d-413861904646"),
        ["2819c223-7f76-453a-919d-413861904646"],
    ],
)
def test_rfc7644_3_5_2_2_remove_with_value_is_sent_as_filter(
    value: Any, sample: Callable[[str], Any]
) -> None:
    """A remove naming the member in value is sent as RFC 7644 §3.5.2.2's filter path."""
    patch = PatchOp(operations=[Operation(op="remove", path="members", value=value)])
    assert patch.to_dict() == sample("rfc7644-3.5.2.2-remove-member")


def test_remove_several_values_becomes_several_operations() -> None:
    """Removing two members by value sends two filtered removes, in order."""
    patch = PatchOp(
        operations=[Operation(op="remove", path="members", value=["a", {"value": "b"}])]
    )
    assert [op["path"] for op in patch.to_dict()["Operations"]] == [
        'members[value eq "a"]',
        'members[value eq "b"]',
    ]


def test_remove_value_with_quotes_is_escaped() -> None:
    """A value with a double quote stays one string in the filter."""
    (op,) = Operation(op="remove", path="emails", value='a"b@x.com').to_dicts()
    assert op["path"] == 'emails[value eq "a\\"b@x.com"]'


def test_op_is_case_insensitive() -> None:
    """ "Replace" (as some providers send it) is normalized to "replace"."""
    assert Operation(op="Replace", path="active", value=True).op == "replace"


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({"op": "delete", "path": "active"}, "op", "one of 'add', 'remove', 'replace'"),
        ({"op": "remove"}, "path", "needs a path"),
        ({"op": "add", "path": "emails"}, "value", "needs a value"),
        ({"op": "replace", "path": "emails["}, "path", "not a valid SCIM path"),
        ({"op": "replace", "value": "x"}, "value", "dict value of attributes"),
    ],
)
def test_operation_errors_name_the_field(kwargs: dict[str, Any], field: str, words: str) -> None:
    """A malformed Operation is refused at construction, naming what is wrong."""
    with pytest.raises(ValidationError) as caught:
        Operation(**kwargs)
    assert caught.value.field == field
    assert words in str(caught.value)


def test_empty_patchop_is_refused() -> None:
    """A PatchOp needs at least one Operation."""
    with pytest.raises(ValidationError):
        PatchOp(operations=[])


def test_patchop_accepts_one_operation_or_dicts() -> None:
    """One Operation or dicts are accepted where a list of Operations is expected."""
    one = Operation(op="replace", path="active", value=False)
    assert PatchOp(operations=one).operations == [one]  # type: ignore[arg-type]
    as_dict = {"op": "replace", "path": "active", "value": False}
    assert PatchOp(operations=[as_dict]).operations == [one]  # type: ignore[list-item]


def test_validate_for_refuses_read_only_path() -> None:
    """Replacing id is refused before sending: it is read-only (RFC 7643 §3.1)."""
    patch = PatchOp(operations=[Operation(op="replace", path="id", value="x")])
    with pytest.raises(ValidationError) as caught:
        patch.validate_for(User)
    assert "cannot apply to a User" in str(caught.value) and "read-only" in str(caught.value)


def test_validate_for_refuses_unknown_attribute() -> None:
    """A path naming an attribute the Group schema lacks is refused before sending."""
    patch = PatchOp(operations=[Operation(op="add", path="employees", value=[{"value": "x"}])])
    with pytest.raises(ValidationError) as caught:
        patch.validate_for(Group)
    assert "'employees' is not an attribute" in str(caught.value)


def test_round_trip_from_dict(sample: Callable[[str], Any]) -> None:
    """PatchOp.from_dict reads a body that to_dict writes back."""
    data = sample("rfc7644-3.5.2.1-add-members")
    assert PatchOp.from_dict(data).to_dict() == data
