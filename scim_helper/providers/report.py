"""The outcome of a validation run: each step, what it sent and got, and for a failure the fix.

:class:`Report` prints as plain text for a terminal (``str(report)``) and renders as an HTML
table in a notebook (``_repr_html_``). Each step keeps its HTTP exchanges as
:class:`sync_app.wirelog.Exchange`, the client's own record; nothing in them holds the bearer token:
the runner redacts it (``<redacted>``) before they are recorded.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

from sync_app.wirelog import REDACTED, Exchange

from .citations import Citation

Outcome = Literal["pass", "fail", "skip"]
_MARK = {"pass": "✓", "fail": "✗", "skip": "-"}


def request_line(exchange: Exchange) -> str:
    """``GET /scim/v2/Users?filter=userName eq "…"``: the request as a person reads it."""
    url = urlsplit(exchange.url)
    shown = unquote(url.path) + (f"?{unquote(url.query)}" if url.query else "")
    return f"{exchange.method} {shown}"


def reply_summary(exchange: Exchange, limit: int = 300) -> str:
    """The status and the start of the reply body, on one line."""
    if exchange.status is None:
        return f"no answer: {exchange.error}" if exchange.error else "no answer"
    body = exchange.response_body
    shown = "" if body is None else body if isinstance(body, str) else _compact(body)
    shown = shown.strip()
    if len(shown) > limit:
        shown = shown[: limit - 1] + "…"
    return f"{exchange.status} {shown}".rstrip()


def _line(exchange: Exchange) -> str:
    status = exchange.status if exchange.status is not None else "no answer"
    return f"{request_line(exchange)} → {status}"


def _sent(exchange: Exchange, limit: int = 600) -> str:
    """The request body, indented one space, cut at ``limit`` characters."""
    if exchange.request_body is None:
        return ""
    text = json.dumps(exchange.request_body, indent=1)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _compact(body: Any) -> str:
    return json.dumps(body, separators=(",", ":"))


@dataclass(frozen=True)
class StepResult:
    """How one step went."""

    number: int
    name: str
    outcome: Outcome
    expects: str
    cite: Citation
    fix: str = ""
    got: str = ""
    note: str = ""
    exchanges: tuple[Exchange, ...] = ()

    def headline(self) -> str:
        last = _line(self.exchanges[0]) if self.exchanges else self.got
        return f" {_MARK[self.outcome]} {self.number:>2} {self.name:<44} {last}"


@dataclass
class Report:
    """A profile replayed against one server."""

    profile: str
    url: str
    results: list[StepResult] = field(default_factory=list)
    cleanup: list[str] = field(default_factory=list)
    unreachable: str = ""

    @property
    def passed(self) -> bool:
        """True when the server answered and every step passed."""
        return not self.unreachable and all(r.outcome == "pass" for r in self.results)

    @property
    def exit_code(self) -> int:
        """0 every step passed, 1 a step failed or was skipped, 2 the server did not answer."""
        if self.unreachable:
            return 2
        return 0 if self.passed else 1

    def failures(self) -> list[StepResult]:
        return [r for r in self.results if r.outcome == "fail"]

    def step(self, name: str) -> StepResult:
        """The result of the step called ``name``."""
        for result in self.results:
            if result.name == name:
                return result
        raise KeyError(name)

    def summary(self) -> str:
        if self.unreachable:
            return f"The server did not answer: {self.unreachable}"
        counts = {o: sum(r.outcome == o for r in self.results) for o in ("pass", "fail", "skip")}
        text = f"{counts['pass']} of {len(self.results)} steps passed"
        if counts["fail"]:
            text += f", {counts['fail']} failed"
        if counts["skip"]:
            text += f", {counts['skip']} skipped"
        verdict = "ready for" if self.passed else "not yet ready for"
        return f"{text}: {verdict} {self.profile}."

    def text(self, verbose: bool = False) -> str:
        """The report for a terminal; ``verbose`` shows every request and reply body."""
        lines = [
            f"Replaying {self.profile} against {self.url} (Authorization: Bearer {REDACTED})",
        ]
        for result in self.results:
            lines.append(result.headline())
            if result.outcome == "fail" or verbose:
                for exchange in result.exchanges[1:]:
                    lines.append(f"      then  {_line(exchange)}")
            if result.outcome == "fail":
                for exchange in result.exchanges:
                    if exchange.request_body is not None:
                        lines.append(f"      sent  {request_line(exchange)}")
                        lines += ["        " + line for line in _sent(exchange).splitlines()]
                    lines.append(f"      reply {reply_summary(exchange)}")
                lines.append(f"      expects: {result.expects}")
                lines.append(f"      got:     {result.got}")
                lines.append(f"      fix:     {result.fix}")
                lines.append(f"      source:  {result.cite}")
            elif result.outcome == "skip":
                lines.append(f"      skipped: {result.got}")
            elif verbose:
                lines.append(f"      expects: {result.expects}")
            if result.note and (verbose or result.outcome == "fail"):
                lines.append(f"      note:    {result.note}")
        lines += [f"Cleanup: {line}" for line in self.cleanup]
        lines.append(self.summary())
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        return f"<Report {self.profile} {self.summary()}>"

    def _repr_html_(self) -> str:
        esc = html.escape
        rows = []
        for result in self.results:
            colour = {"pass": "#1a7f37", "fail": "#cf222e", "skip": "#6e7781"}[result.outcome]
            requests_shown = "<br>".join(esc(_line(e)) for e in result.exchanges) or esc(result.got)
            detail = ""
            if result.outcome == "fail":
                bodies = "".join(
                    f"<details><summary>what was sent</summary><pre style='margin:2px 0'>"
                    f"{esc(request_line(e))}\n{esc(_sent(e))}</pre></details>"
                    for e in result.exchanges
                    if e.request_body is not None
                )
                bodies += "".join(
                    f"<div><b>reply</b> <code>{esc(reply_summary(e))}</code></div>"
                    for e in result.exchanges
                )
                detail = (
                    f"{bodies}<div><b>expects</b> {esc(result.expects)}</div>"
                    f"<div><b>got</b> {esc(result.got)}</div>"
                    f"<div><b>fix</b> {esc(result.fix)}</div>"
                    f"<div><b>source</b> <a href='{esc(result.cite.url)}'>"
                    f"{esc(result.cite.title)}, {esc(result.cite.section)}</a></div>"
                )
            elif result.outcome == "skip":
                detail = f"<div>skipped: {esc(result.got)}</div>"
            rows.append(
                f"<tr><td style='color:{colour};font-weight:bold'>{_MARK[result.outcome]}</td>"
                f"<td>{result.number}</td><td>{esc(result.name)}</td>"
                f"<td style='text-align:left'><code>{requests_shown}</code>{detail}</td></tr>"
            )
        cleanup = "".join(f"<div>Cleanup: {esc(line)}</div>" for line in self.cleanup)
        return (
            f"<div><b>{esc(self.profile)}</b> against <code>{esc(self.url)}</code>"
            f"<table>{''.join(rows)}</table>{cleanup}<p><b>{esc(self.summary())}</b></p></div>"
        )
