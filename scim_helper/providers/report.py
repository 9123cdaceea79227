"""The outcome of a validation run: each step, what it sent and got, and for a failure the fix.

:class:`Report` prints as plain text for a terminal (``str(report)``) and renders as an HTML
table in a notebook (``_repr_html_``). Nothing in it holds the bearer token: the runner redacts
every string before it is recorded.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from typing import Any, Literal

from .citations import Citation

Outcome = Literal["pass", "fail", "skip"]
_MARK = {"pass": "✓", "fail": "✗", "skip": "-"}


@dataclass(frozen=True)
class Exchange:
    """One request and its answer, as shown in the report (token already redacted)."""

    request: str
    body: Any
    status: int | None
    reply: str

    def line(self) -> str:
        return f"{self.request} → {self.status if self.status is not None else 'no answer'}"

    def body_text(self, limit: int = 600) -> str:
        if self.body is None:
            return ""
        text = json.dumps(self.body, indent=1)
        return text if len(text) <= limit else text[: limit - 1] + "…"


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
        last = self.exchanges[0].line() if self.exchanges else self.got
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
            f"Replaying {self.profile} against {self.url} (Authorization: Bearer [redacted])",
        ]
        for result in self.results:
            lines.append(result.headline())
            if result.outcome == "fail" or verbose:
                for exchange in result.exchanges[1:]:
                    lines.append(f"      then  {exchange.line()}")
            if result.outcome == "fail":
                for exchange in result.exchanges:
                    if exchange.body is not None:
                        lines.append(f"      sent  {exchange.request}")
                        lines += ["        " + line for line in exchange.body_text().splitlines()]
                    lines.append(f"      reply {exchange.reply}")
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
            requests_shown = "<br>".join(esc(e.line()) for e in result.exchanges) or esc(result.got)
            detail = ""
            if result.outcome == "fail":
                bodies = "".join(
                    f"<details><summary>what was sent</summary><pre style='margin:2px 0'>"
                    f"{esc(e.request)}\n{esc(e.body_text())}</pre></details>"
                    for e in result.exchanges
                    if e.body is not None
                )
                bodies += "".join(
                    f"<div><b>reply</b> <code>{esc(e.reply)}</code></div>" for e in result.exchanges
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
