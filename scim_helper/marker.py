"""The course's mark on what it creates: an ``externalId`` under ``office-course:``.

On a server the course did not start (scim2-server, a workshop server, a company's test tenant,
``scim-course serve`` holding other people's data) the course creates, changes and deletes only
resources carrying this mark, and keeps it through every PUT. ``externalId`` is the client's own
identifier for a resource (RFC 7643 §3.1), so marking it is what a provisioning client does
anyway; the ``office-course:`` prefix is this course's choice, not the RFC's::

    course_external_id("cminer")          # 'office-course:cminer'
    is_course_resource({"externalId": "office-course:cminer"})   # True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["EXTERNAL_ID_PREFIX", "course_external_id", "is_course_resource"]

#: Every resource the course creates carries an externalId starting with this.
EXTERNAL_ID_PREFIX = "office-course:"


def course_external_id(name: str) -> str:
    """The ``externalId`` that marks a resource as the course's: ``"office-course:" + name``.

    ``name`` is a short stable key of the resource: a userName (``"cminer"``), or
    ``"group:…"`` for a group (``"group:paper-company"``). A name already marked is returned
    unchanged, so the call is safe to repeat.
    """
    if not name or not name.strip():
        raise ValueError("course_external_id needs a name, such as a userName ('cminer').")
    return name if name.startswith(EXTERNAL_ID_PREFIX) else EXTERNAL_ID_PREFIX + name


def is_course_resource(resource: Mapping[str, Any] | None) -> bool:
    """Whether a resource (a dict as the server returned it) carries the course's mark."""
    if not resource:
        return False
    external_id = resource.get("externalId")
    return isinstance(external_id, str) and external_id.startswith(EXTERNAL_ID_PREFIX)
