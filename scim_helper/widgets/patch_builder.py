"""The PATCH builder: op, path and value in, the JSON it makes out, then apply it to the server."""

from __future__ import annotations

import html
import json
from typing import Any

import ipywidgets as widgets

from scim_helper.display import view
from scim_helper.tenant import Tenant
from scim_helper.widgets._base import CourseWidget, resolve_client
from sync_app.client import SCIMClient
from sync_app.errors import ProtocolError, SCIMError
from sync_app.scim.patchop import PATCH_OP_SCHEMA, Operation, PatchOp

__all__ = ["PatchBuilder", "parse_value"]


def parse_value(text: str) -> Any:
    """The value box's meaning: JSON where it is JSON (``false``, ``[{"value": …}]``), else text."""
    text = text.strip()
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


class PatchBuilder(CourseWidget, widgets.VBox):
    """Build one PATCH operation, see its JSON in ``preview``, send it with ``apply()``.

    ``target`` takes a userName (for Users) or a group's displayName (for Groups), or an id.
    After ``apply()``, ``result`` is the updated resource (a dict) or ``error`` the SCIM error.
    """

    def __init__(
        self,
        client: SCIMClient | None = None,
        *,
        resource_type: str = "Users",
        target: str = "",
        op: str = "replace",
        path: str = "active",
        value: str = "false",
        server_url: str | None = None,
        auth_token: str | None = None,
    ) -> None:
        self.client = resolve_client(client, server_url, auth_token)
        self.tenant = Tenant(self.client)
        self.result: dict[str, Any] | None = None
        self.error: SCIMError | None = None
        self.resource_type = widgets.ToggleButtons(options=["Users", "Groups"], value=resource_type)
        self.target = widgets.Text(value=target, description="target", placeholder="mscott")
        self.op = widgets.Dropdown(options=["add", "replace", "remove"], value=op, description="op")
        self.path = widgets.Text(
            value=path, description="path", placeholder='emails[type eq "work"].value'
        )
        self.value = widgets.Textarea(
            value=value, description="value", placeholder='false, "text" or JSON'
        )
        self.preview = widgets.HTML()
        self.apply_button = widgets.Button(description="Apply", button_style="primary", icon="send")
        self.outcome = widgets.HTML()
        for control in (self.resource_type, self.target, self.op, self.path, self.value):
            control.observe(self.on_change, names="value")
        self.apply_button.on_click(lambda _: self.apply())
        super().__init__(
            children=[
                self.resource_type,
                widgets.HBox([self.target, self.op]),
                self.path,
                self.value,
                self.preview,
                self.apply_button,
                self.outcome,
            ]
        )
        self.add_class("scim-patch-builder")
        self.on_change()

    def operation(self) -> dict[str, Any]:
        """The one operation as SCIM JSON (RFC 7644 §3.5.2)."""
        op: dict[str, Any] = {"op": self.op.value}
        if self.path.value.strip():
            op["path"] = self.path.value.strip()
        value = parse_value(self.value.value)
        if value is not None:
            op["value"] = value
        return op

    def body(self) -> dict[str, Any]:
        """The whole PatchOp message the Apply button sends."""
        return {"schemas": [PATCH_OP_SCHEMA], "Operations": [self.operation()]}

    def request_line(self) -> str:
        target = self.target.value.strip() or "<target>"
        return f"PATCH /{self.resource_type.value}/{{id of {target}}}"

    def on_change(self, change: Any = None) -> None:
        body = html.escape(json.dumps(self.body(), indent=2, ensure_ascii=False))
        self.preview.value = f"<code>{html.escape(self.request_line())}</code><pre>{body}</pre>"

    def resolve(self) -> str | None:
        """The id of the target: by userName / displayName first, else taken as an id."""
        target = self.target.value.strip()
        if not target:
            return None
        found = (
            self.tenant.user(target)
            if self.resource_type.value == "Users"
            else self.tenant.group(target)
        )
        return str(found["id"]) if found else target

    def apply(self) -> None:
        """Send the PATCH and show the updated resource, or the error."""
        self.result, self.error = None, None
        target = self.resolve()
        if target is None:
            self.outcome.value = "<i>Type a userName, a group name or an id in target first.</i>"
            return
        operation = self.operation()
        patch = PatchOp(
            operations=[
                Operation(
                    op=operation["op"], path=operation.get("path"), value=operation.get("value")
                )
            ]
        )
        update = (
            self.client.update_user
            if self.resource_type.value == "Users"
            else self.client.update_group
        )
        try:
            self.result = update(id=target, ops=patch).to_dict()
        except SCIMError as error:
            self.error = error
            self.outcome.value = (
                f"<span style='color:#cf222e'>{html.escape(self.error_line())}</span>"
            )
            return
        self.outcome.value = view(self.result)._repr_html_()

    def error_line(self) -> str:
        error = self.error
        if isinstance(error, ProtocolError):
            scim_type = f" {error.scim_type}" if error.scim_type else ""
            return f"{error.status}{scim_type}: {error.detail or error}"
        return f"{type(error).__name__}: {error}" if error else ""

    def text(self) -> str:
        lines = [f"PATCH builder: {self.request_line()}", json.dumps(self.body(), indent=2)]
        if self.error is not None:
            lines.append(self.error_line())
        elif self.result is not None:
            lines.append(view(self.result).text())
        return "\n".join(lines)
