"""Seeing SCIM: tables for users, groups and list responses, and the wire log of the last exchanges.

A learner who only ever sees the final JSON misses what SCIM is: HTTP requests with JSON bodies.
:func:`view` turns any SCIM resource, list response or error (a client response, a model, or a
plain dict) into a compact table; :func:`wire_log` shows the last exchanges of a client — method,
URL, status, time and both bodies — with the token redacted. Every view has a rich HTML form for
Jupyter and a plain-text form for papermill outputs, terminals and ``print``.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sync_app.client import SCIMClient
from sync_app.scim.group import GROUP_SCHEMA
from sync_app.scim.messages.error import ERROR_SCHEMA
from sync_app.scim.messages.list_response import LIST_RESPONSE_SCHEMA
from sync_app.scim.user import ENTERPRISE_USER_SCHEMA, USER_SCHEMA
from sync_app.wirelog import REDACTED, Exchange

__all__ = ["View", "WireLogView", "view", "wire_log"]


_STYLE = (
    "<style>"
    ".scim-view{font-family:var(--jp-ui-font-family,sans-serif);font-size:13px;margin:4px 0}"
    ".scim-view table{border-collapse:collapse;margin:2px 0}"
    ".scim-view th,.scim-view td{border-bottom:1px solid #ddd;padding:2px 8px;text-align:left;"
    "vertical-align:top}"
    ".scim-view th{background:rgba(127,127,127,.12)}"
    ".scim-view .muted{color:#777}"
    ".scim-view pre{margin:2px 0;max-height:24em;overflow:auto;font-size:12px}"
    ".scim-view .ok{color:#1a7f37}.scim-view .bad{color:#cf222e}"
    "</style>"
)


def as_dict(obj: Any) -> Any:
    """The JSON form of a client response, a model, or anything already JSON-like."""
    if hasattr(obj, "to_dict") and callable(obj.to_dict):
        return obj.to_dict()
    if hasattr(obj, "model_dump") and callable(obj.model_dump):  # scim2-models
        return obj.model_dump()
    return obj


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _table(headers: list[str], rows: list[list[str]]) -> str:
    """An HTML table from already-escaped cells."""
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _text_table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows, strict=True)]
    lines = [
        "  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in [headers, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _work_email(user: Mapping[str, Any]) -> str:
    emails = user.get("emails") or []
    for email in emails:
        if email.get("primary") or email.get("type") == "work":
            return str(email.get("value") or "")
    return str(emails[0].get("value") or "") if emails else ""


def _email_text(email: Mapping[str, Any]) -> str:
    primary = ", primary" if email.get("primary") else ""
    return f"{email.get('value')} ({email.get('type') or '-'}{primary})"


def _full_name(user: Mapping[str, Any]) -> str:
    name = user.get("name") or {}
    if name.get("formatted"):
        return str(name["formatted"])
    parts = [name.get("givenName"), name.get("familyName")]
    return " ".join(p for p in parts if p) or str(user.get("displayName") or "")


def _active(user: Mapping[str, Any]) -> str:
    active = user.get("active")
    return "active" if active else ("inactive" if active is False else "")


class View:
    """Something that shows itself well in Jupyter (HTML) and everywhere else (text)."""

    def _html(self) -> str:
        raise NotImplementedError

    def text(self) -> str:
        raise NotImplementedError

    def _repr_html_(self) -> str:
        return f'{_STYLE}<div class="scim-view {self.css_class}">{self._html()}</div>'

    css_class = ""

    def __repr__(self) -> str:
        return self.text()

    def __str__(self) -> str:
        return self.text()


class UserView(View):
    css_class = "scim-user"

    def __init__(self, user: Mapping[str, Any]) -> None:
        self.user = user

    def rows(self) -> list[tuple[str, str]]:
        user = self.user
        rows = [
            ("userName", str(user.get("userName", ""))),
            ("name", _full_name(user)),
            ("active", _active(user)),
            (
                "emails",
                ", ".join(_email_text(e) for e in user.get("emails") or []),
            ),
        ]
        if user.get("title"):
            rows.append(("title", str(user["title"])))
        enterprise = user.get(ENTERPRISE_USER_SCHEMA) or {}
        for key in ("division", "department"):
            if enterprise.get(key):
                rows.append((key, str(enterprise[key])))
        groups = user.get("groups") or []
        rows.append(("groups", ", ".join(str(g.get("display") or g.get("value")) for g in groups)))
        if user.get("externalId"):
            rows.append(("externalId", str(user["externalId"])))
        rows.append(("id", str(user.get("id", ""))))
        return rows

    def _html(self) -> str:
        rows = [[f"<b>{_e(k)}</b>", _e(v)] for k, v in self.rows()]
        return f"<div><b>User</b> {_e(self.user.get('userName'))}</div>" + _table(["", ""], rows)

    def text(self) -> str:
        lines = [f"<User {self.user.get('userName')} {_active(self.user)}>".replace(" >", ">")]
        lines += [f"  {k}: {v}" for k, v in self.rows() if v]
        return "\n".join(lines)


class GroupView(View):
    css_class = "scim-group"

    def __init__(self, group: Mapping[str, Any]) -> None:
        self.group = group

    def members(self) -> list[list[str]]:
        return [
            [str(m.get("display") or ""), str(m.get("value") or ""), str(m.get("type") or "")]
            for m in self.group.get("members") or []
        ]

    def _html(self) -> str:
        members = self.members()
        title = (
            f"<div><b>Group</b> {_e(self.group.get('displayName'))} "
            f"<span class='muted'>id {_e(self.group.get('id'))} · {len(members)} members"
            "</span></div>"
        )
        if not members:
            return title
        rows = [[_e(c) for c in row] for row in members]
        return title + _table(["member", "value (id)", "type"], rows)

    def text(self) -> str:
        members = self.members()
        lines = [
            f"<Group {self.group.get('displayName')!r} {len(members)} members>",
            f"  id: {self.group.get('id', '')}",
        ]
        lines += [f"  - {display or '?'} ({value})" for display, value, _ in members]
        return "\n".join(lines)


_USER_COLUMNS = ["userName", "name", "active", "email", "title"]


def _user_row(user: Mapping[str, Any]) -> list[str]:
    return [
        str(user.get("userName", "")),
        _full_name(user),
        _active(user),
        _work_email(user),
        str(user.get("title") or ""),
    ]


def _group_row(group: Mapping[str, Any]) -> list[str]:
    return [
        str(group.get("displayName", "")),
        str(len(group.get("members") or [])),
        str(group.get("id", "")),
    ]


class ListView(View):
    """A ListResponse (or a plain list of resources) as one table."""

    css_class = "scim-list"

    def __init__(
        self,
        resources: list[Mapping[str, Any]],
        *,
        total: int | None = None,
        start_index: int | None = None,
    ) -> None:
        self.resources = resources
        self.total = len(resources) if total is None else total
        self.start_index = start_index

    def table(self) -> tuple[list[str], list[list[str]]]:
        if self.resources and all(
            GROUP_SCHEMA in (r.get("schemas") or []) or "members" in r for r in self.resources
        ):
            return ["displayName", "members", "id"], [_group_row(r) for r in self.resources]
        return _USER_COLUMNS, [_user_row(r) for r in self.resources]

    def summary(self) -> str:
        shown = len(self.resources)
        where = f" from startIndex {self.start_index}" if self.start_index else ""
        return f"{shown} of {self.total} result{'s' if self.total != 1 else ''}{where}"

    def _html(self) -> str:
        headers, rows = self.table()
        summary = f"<div class='muted'>{_e(self.summary())}</div>"
        if not rows:
            return summary
        return summary + _table(headers, [[_e(c) for c in row] for row in rows])

    def text(self) -> str:
        headers, rows = self.table()
        return self.summary() + ("\n" + _text_table(headers, rows) if rows else "")


class ErrorView(View):
    css_class = "scim-error"

    def __init__(self, error: Mapping[str, Any]) -> None:
        self.error = error

    def _html(self) -> str:
        e = self.error
        scim_type = f" <code>{_e(e.get('scimType'))}</code>" if e.get("scimType") else ""
        return (
            f"<div><span class='bad'><b>SCIM error {_e(e.get('status'))}</b></span>"
            f"{scim_type}: {_e(e.get('detail'))}</div>"
        )

    def text(self) -> str:
        e = self.error
        scim_type = f" {e['scimType']}" if e.get("scimType") else ""
        return f"SCIM error {e.get('status')}{scim_type}: {e.get('detail')}"


class JsonView(View):
    css_class = "scim-json"

    def __init__(self, data: Any) -> None:
        self.data = data

    def _html(self) -> str:
        return f"<pre>{_e(_pretty(self.data))}</pre>"

    def text(self) -> str:
        return _pretty(self.data)


def view(obj: Any) -> View:
    """A table for a SCIM User, Group, ListResponse or Error (response, model or dict)."""
    if isinstance(obj, View):
        return obj
    data = as_dict(obj)
    if isinstance(data, list):
        items = [as_dict(item) for item in data]
        return ListView(items)
    if not isinstance(data, Mapping):
        return JsonView(data)
    schemas = data.get("schemas") or []
    if LIST_RESPONSE_SCHEMA in schemas or "Resources" in data:
        return ListView(
            list(data.get("Resources") or []),
            total=data.get("totalResults"),
            start_index=data.get("startIndex"),
        )
    if ERROR_SCHEMA in schemas:
        return ErrorView(data)
    if GROUP_SCHEMA in schemas or (
        "displayName" in data and "userName" not in data and "members" in data
    ):
        return GroupView(data)
    if USER_SCHEMA in schemas or "userName" in data:
        return UserView(data)
    return JsonView(data)


# -- the wire log -------------------------------------------------------------------------------
# The exchanges are the client's own records (sync_app.wirelog.Exchange): headers and passwords
# are redacted there; here the token is also hidden wherever else it appears (a URL, a body).


def _pretty(body: Any) -> str:
    if body is None or body == b"" or body == "":
        return ""
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            return body
    return json.dumps(body, indent=2, ensure_ascii=False, default=str)


_BEARER = re.compile(r"(Bearer\s+)[^\s\"',]+", re.IGNORECASE)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with bearer tokens (and any of ``secrets``) replaced by the redaction marker."""
    text = _BEARER.sub(r"\1" + REDACTED, text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


def _headline(exchange: Exchange, secrets: Iterable[str]) -> str:
    status = "no response" if exchange.status is None else str(exchange.status)
    return (
        f"{exchange.method} {redact(exchange.url, secrets)} → {status} "
        f"({exchange.elapsed_ms:.0f} ms)"
    )


class WireLogView(View):
    css_class = "scim-wire-log"

    def __init__(self, exchanges: Sequence[Exchange], secrets: Iterable[str] = ()) -> None:
        self.exchanges = list(exchanges)
        self.secrets = tuple(secrets)

    def _bodies(self, exchange: Exchange) -> list[tuple[str, str]]:
        """(label, shown body) for the request and the response, empty ones left out."""
        pairs = (("request", exchange.request_body), ("response", exchange.response_body))
        shown = [(label, redact(_pretty(body), self.secrets)) for label, body in pairs]
        return [(label, body) for label, body in shown if body]

    def _html(self) -> str:
        if not self.exchanges:
            return "<div class='muted'>No requests yet.</div>"
        parts = []
        for ex in self.exchanges:
            cls = "ok" if ex.status is not None and ex.status < 400 else "bad"
            status = "—" if ex.status is None else ex.status
            bodies = "".join(
                f"<div class='muted'>{label}</div><pre>{_e(body)}</pre>"
                for label, body in self._bodies(ex)
            )
            parts.append(
                f"<details><summary><code><b>{_e(ex.method)}</b> "
                f"{_e(redact(ex.url, self.secrets))}</code> "
                f"<span class='{cls}'><b>{_e(status)}</b></span> "
                f"<span class='muted'>{ex.elapsed_ms:.0f} ms</span></summary>{bodies}</details>"
            )
        return "".join(parts)

    def text(self) -> str:
        if not self.exchanges:
            return "No requests yet."
        blocks = []
        for ex in self.exchanges:
            block = [_headline(ex, self.secrets)]
            for label, body in self._bodies(ex):
                block.append(f"  {label}:")
                block += ["    " + line for line in body.splitlines()]
            blocks.append("\n".join(block))
        return "\n\n".join(blocks)


def wire_log(source: SCIMClient | Iterable[Exchange], *, last: int = 3) -> WireLogView:
    """The last ``last`` exchanges of a client (or of its ``wire_log``), token redacted."""
    if isinstance(source, SCIMClient):
        token = source.config.auth_token
        records, secrets = list(source.wire_log), [token] if token else []
    else:
        records, secrets = list(source), []
    chosen = records[-last:] if last else records
    return WireLogView(chosen, secrets)
