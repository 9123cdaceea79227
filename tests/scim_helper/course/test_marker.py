"""The course's mark: one helper makes it, one recognises it."""

from __future__ import annotations

import pytest

from scim_helper import course_external_id, is_course_resource
from scim_helper.staff import GROUP_EXTERNAL_ID, staff_member


def test_course_external_id_prefixes_the_name_once() -> None:
    """The marker is 'office-course:' + name, and marking twice changes nothing."""
    assert course_external_id("cminer") == "office-course:cminer"
    assert course_external_id("office-course:cminer") == "office-course:cminer"
    assert staff_member("mscott").external_id == course_external_id("mscott")
    assert course_external_id("group:dunder-mifflin") == GROUP_EXTERNAL_ID


def test_course_external_id_refuses_an_empty_name() -> None:
    """An empty name would mark nothing in particular; the error says what to pass."""
    with pytest.raises(ValueError, match="userName"):
        course_external_id(" ")


def test_is_course_resource_reads_the_externalid() -> None:
    """Only a resource whose externalId carries the prefix is the course's."""
    assert is_course_resource({"externalId": "office-course:hflax"})
    assert not is_course_resource({"externalId": "hflax"})
    assert not is_course_resource({"userName": "office-course:hflax"})
    assert not is_course_resource({"externalId": None})
    assert not is_course_resource(None)
