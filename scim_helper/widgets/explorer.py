"""The directory explorer: pick a group, see its members, click a person to see their JSON."""

from __future__ import annotations

import html
import json
from typing import Any

import ipywidgets as widgets

from scim_helper.display import view
from scim_helper.tenant import Tenant
from scim_helper.widgets._base import CourseWidget, resolve_client
from sync_app.client import SCIMClient

__all__ = ["DirectoryExplorer"]


class DirectoryExplorer(CourseWidget, widgets.VBox):
    """Groups ↔ members: ``group_select`` lists groups, ``member_select`` their members.

    Selecting a member (``member_select.value = user_id``) shows the user's JSON in ``detail``;
    ``person`` holds it as a dict. ``refresh()`` reads the server again.
    """

    def __init__(
        self,
        client: SCIMClient | None = None,
        *,
        server_url: str | None = None,
        auth_token: str | None = None,
    ) -> None:
        self.client = resolve_client(client, server_url, auth_token)
        self.tenant = Tenant(self.client)
        self.groups: list[dict[str, Any]] = []
        self.person: dict[str, Any] | None = None
        self.group_select = widgets.Select(description="Groups", rows=8)
        self.member_select = widgets.Select(description="Members", rows=8)
        self.detail = widgets.HTML(value="<i>Pick a group, then a person.</i>")
        self.summary = widgets.HTML()
        self.refresh_button = widgets.Button(description="Refresh", icon="refresh")
        self.group_select.observe(self.on_group, names="value")
        self.member_select.observe(self.on_member, names="value")
        self.refresh_button.on_click(lambda _: self.refresh())
        super().__init__(
            children=[
                widgets.HBox([self.group_select, self.member_select, self.refresh_button]),
                self.summary,
                self.detail,
            ]
        )
        self.add_class("scim-directory-explorer")
        self.refresh()

    def refresh(self) -> None:
        """Read the groups again and keep the current selection where it still exists."""
        selected = self.group_select.value
        self.groups = sorted(self.tenant.groups(), key=lambda g: str(g.get("displayName", "")))
        options = [(str(g.get("displayName")), str(g["id"])) for g in self.groups]
        self.group_select.options = options
        ids = [value for _, value in options]
        self.group_select.value = selected if selected in ids else (ids[0] if ids else None)
        self.on_group()

    def group(self) -> dict[str, Any] | None:
        return next((g for g in self.groups if str(g["id"]) == self.group_select.value), None)

    def on_group(self, change: Any = None) -> None:
        """Show the members of the selected group."""
        group = self.group()
        names = self.tenant.member_names(group)
        members = sorted((name, member_id) for member_id, name in names.items())
        self.member_select.options = members
        self.member_select.value = None
        count = len(members)
        name = html.escape(str((group or {}).get("displayName", "")))
        self.summary.value = (
            f"<b>{name}</b>: {count} member{'s' if count != 1 else ''}" if group else ""
        )
        self.person = None
        self.detail.value = "<i>Click a person to see their SCIM JSON.</i>"

    def on_member(self, change: Any = None) -> None:
        """Show the selected person's User resource: a table, and the JSON the server sent."""
        user_id = self.member_select.value
        if not user_id:
            return
        self.person = self.client.get_user(user_id).to_dict()
        body = html.escape(json.dumps(self.person, indent=2, ensure_ascii=False))
        self.detail.value = view(self.person)._repr_html_() + f"<pre>{body}</pre>"

    def text(self) -> str:
        lines = [f"Directory explorer: {len(self.groups)} groups."]
        for g in self.groups:
            count = len(g.get("members") or [])
            lines.append(f"  {g.get('displayName')} ({count} member{'s' if count != 1 else ''})")
        if self.person:
            lines.append(f"Selected: {self.person.get('userName')}")
        return "\n".join(lines)
