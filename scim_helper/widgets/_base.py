"""What the course's widgets share: finding a client, and a text form for where widgets can't show.

Each widget is an ipywidgets box that a learner drives with clicks and keys, and that a test
drives by setting ``.value`` on its controls and calling its handlers. Where no widget frontend
exists (papermill, nbconvert, CI) the output still says something useful: the widget's
``text/plain`` form is :meth:`CourseWidget.text`, a short deterministic summary of its state.
"""

from __future__ import annotations

from typing import Any

from IPython.display import display

from scim_helper.connection import course_client
from sync_app.client import SCIMClient

__all__ = ["CourseWidget", "resolve_client"]


def resolve_client(
    client: SCIMClient | None, server_url: str | None, auth_token: str | None
) -> SCIMClient:
    """The chapter's client if given, else one for the course's server."""
    if client is not None:
        return client
    return course_client(server_url, auth_token)


class CourseWidget:
    """Mixin for ipywidgets boxes: a text/plain form that does not depend on widget ids."""

    def text(self) -> str:
        raise NotImplementedError

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle: dict[str, Any] = dict(super()._repr_mimebundle_(**kwargs) or {})  # type: ignore[misc]
        bundle["text/plain"] = self.text()
        return bundle

    def show(self) -> None:
        """Display the widget (its text form travels with it for frontends without widgets)."""
        display(self)
