"""The filter playground: type a filter, see the results, the request URL and any error, live."""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

from scim_helper.display import view
from scim_helper.widgets._base import CourseWidget, resolve_client
from sync_app.client import SCIMClient
from sync_app.errors import ProtocolError, SCIMError

__all__ = ["FilterPlayground"]


class FilterPlayground(CourseWidget, widgets.VBox):
    """Type a filter into ``filter``; each change runs it (``run()``) on ``/Users`` or ``/Groups``.

    After a run, ``url`` is the request URL, ``result`` the list response (a dict) and ``error``
    the SCIM error (``None`` when the filter was accepted).
    """

    def __init__(
        self,
        client: SCIMClient | None = None,
        *,
        filter: str = 'userName eq "mscott"',
        resource_type: str = "Users",
        count: int = 10,
        server_url: str | None = None,
        auth_token: str | None = None,
    ) -> None:
        self.client = resolve_client(client, server_url, auth_token)
        self.url = ""
        self.result: dict[str, Any] | None = None
        self.error: SCIMError | None = None
        self.filter = widgets.Text(
            value=filter,
            description="filter",
            placeholder='e.g. title eq "Sales Representative"',
            continuous_update=True,
            layout=widgets.Layout(width="70%"),
        )
        self.resource_type = widgets.ToggleButtons(options=["Users", "Groups"], value=resource_type)
        self.count = widgets.BoundedIntText(value=count, min=0, max=200, description="count")
        self.request = widgets.HTML()
        self.status = widgets.HTML()
        self.results = widgets.HTML()
        for control in (self.filter, self.resource_type, self.count):
            control.observe(self.on_change, names="value")
        super().__init__(
            children=[
                widgets.HBox([self.filter, self.count]),
                self.resource_type,
                self.request,
                self.status,
                self.results,
            ]
        )
        self.add_class("scim-filter-playground")
        self.run()

    def on_change(self, change: Any = None) -> None:
        self.run()

    def run(self) -> None:
        """Send the query as it stands and show what came back."""
        text = self.filter.value.strip() or None
        method = (
            self.client.get_users if self.resource_type.value == "Users" else self.client.get_groups
        )
        self.error, self.result = None, None
        try:
            response = method(text, count=self.count.value)
            self.result = response.to_dict()
            self.url = response.url
        except SCIMError as error:
            self.error = error
            request = getattr(error, "request", None)
            self.url = getattr(request, "url", "") or ""
        self.request.value = f"<code>GET {html.escape(self.url)}</code>"
        if self.error is None:
            assert self.result is not None
            total = self.result.get("totalResults", 0)
            self.status.value = f"<span style='color:#1a7f37'>200 OK</span>, {total} found"
            self.results.value = view(self.result)._repr_html_()
        else:
            self.status.value = (
                f"<span style='color:#cf222e'>{html.escape(self.error_line())}</span>"
            )
            self.results.value = ""

    def error_line(self) -> str:
        error = self.error
        if error is None:
            return ""
        if isinstance(error, ProtocolError):
            scim_type = f" {error.scim_type}" if error.scim_type else ""
            return f"{error.status}{scim_type}: {error.detail or error}"
        return f"{type(error).__name__}: {error}"

    def text(self) -> str:
        head = f"Filter playground: {self.resource_type.value} filter={self.filter.value!r}"
        if self.error is not None:
            return f"{head}\n{self.error_line()}"
        if self.result is None:
            return head
        return f"{head}\n{view(self.result).text()}"
