"""Replay a profile against a SCIM server: :func:`validate` and the :class:`Run` its steps share.

A run marks everything it creates with a random suffix (``validate-<suffix>-…``), remembers
each id the server issues, and deletes those resources at the end, also when a step fails.
It never reads, changes or deletes anything it did not create, apart from the reads a profile
sends (a filter, a page of users).
"""

from __future__ import annotations

import json
import secrets
import sys
from collections.abc import Callable
from typing import Any

import requests

from sync_app.wirelog import REDACTED, Exchange, redact_body, redact_headers

from .profile import Profile, get_profile
from .report import Report, StepResult, reply_summary
from .step import Reply, Request, Skip, eq

SCIM_JSON = "application/scim+json"
_TOKEN_FIX = (
    "Give the server's bearer token with --token or SCIM_AUTH_TOKEN "
    "(RFC 7644 §2: the client authenticates; 401 means the token was refused)."
)


class Unreachable(Exception):
    """The server did not answer at all."""


class Run:
    """The state one replay shares between its steps: ids issued, names used, the session."""

    def __init__(
        self, url: str, token: str, *, timeout: float = 15.0, suffix: str | None = None
    ) -> None:
        self.url = url.rstrip("/")
        self.suffix = suffix or secrets.token_hex(4)
        self.ids: dict[str, Any] = {}
        self._token = token
        self._timeout = timeout
        self._created: list[tuple[str, str]] = []
        self._names: list[tuple[str, str, str]] = []
        self._gone: set[tuple[str, str]] = set()
        self.session = requests.Session()
        self.session.headers.update(
            {"Accept": SCIM_JSON, "Content-Type": SCIM_JSON, "User-Agent": "scim-course validate"}
        )
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def name(self, label: str) -> str:
        """A name marked as this run's: ``validate-<suffix>-<label>``."""
        return f"validate-{self.suffix}-{label}"

    def user_name(self, label: str) -> str:
        """A userName marked as this run's, remembered for the cleanup."""
        value = f"{self.name(label)}@example.com"
        self._names.append(("/Users", "userName", value))
        return value

    def group_name(self, label: str) -> str:
        """A group displayName marked as this run's, remembered for the cleanup."""
        value = self.name(label)
        self._names.append(("/Groups", "displayName", value))
        return value

    def need(self, key: str) -> Any:
        """A value an earlier step stored, or :class:`Skip` saying which one is missing."""
        if key not in self.ids:
            raise Skip(f"needs the {key} an earlier step did not get")
        return self.ids[key]

    def redact(self, text: str) -> str:
        """``text`` with the bearer token replaced by the redaction marker."""
        return text.replace(self._token, REDACTED) if self._token else text

    def _redact_json(self, body: Any) -> Any:
        """A JSON body with passwords (as the wire log hides them) and the token redacted."""
        if body is None or not self._token:
            return redact_body(body)
        return redact_body(json.loads(self.redact(json.dumps(body))))

    def send(self, request: Request) -> Reply:
        """Send ``request``; a resource created by POST is remembered for the cleanup."""
        try:
            response = self.session.request(
                request.method,
                self.url + request.target,
                data=None if request.body is None else json.dumps(request.body).encode(),
                timeout=self._timeout,
            )
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise Unreachable(self.redact(f"{type(exc).__name__} for {self.url}")) from exc
        try:
            body = response.json() if response.content else None
        except ValueError:
            body = None
        exchange = self._exchange(request, response, body)
        reply = Reply(response.status_code, body, self.redact(response.text), exchange)
        created = request.method == "POST" and response.status_code == 201
        if created and isinstance(body, dict) and body.get("id"):
            self._created.append((request.path, str(body["id"])))
        return reply

    def clean_up(self) -> list[str]:
        """Delete what this run created (by id, then by its marked names); say what happened."""
        deleted: list[str] = []
        problems: list[str] = []
        for path, rid in reversed(self._created):
            self._delete(path, rid, deleted, problems)
        for path, attribute, value in self._names:
            found = self._try(Request("GET", path, {"filter": eq(attribute, value)}))
            resources = (
                found.body.get("Resources", []) if found and isinstance(found.body, dict) else []
            )
            for resource in resources or []:
                if str(resource.get(attribute, "")).lower() == value.lower() and resource.get("id"):
                    self._delete(path, str(resource["id"]), deleted, problems)
        self.session.close()
        users = sum(path == "/Users" for path in deleted)
        groups = len(deleted) - users
        lines = [
            f"deleted this run's {users} user(s) and {groups} group(s) (marked {self.name('*')})."
        ]
        return lines + problems

    def _exchange(self, request: Request, response: requests.Response, body: Any) -> Exchange:
        """The exchange as the report shows it: headers, bodies and URL redacted."""
        if body is None and response.content:
            shown: Any = self.redact(response.text)  # not JSON: the text, as the wire log keeps it
        else:
            shown = self._redact_json(body)
        return Exchange(
            method=request.method,
            url=self.redact(response.request.url or self.url + request.target),
            path=self.redact(request.target),
            request_headers=redact_headers(
                {k: str(v) for k, v in response.request.headers.items()}
            ),
            request_body=self._redact_json(request.body),
            status=response.status_code,
            response_headers=redact_headers(dict(response.headers)),
            response_body=shown,
            elapsed_ms=response.elapsed.total_seconds() * 1000,
        )

    def _delete(self, path: str, rid: str, deleted: list[str], problems: list[str]) -> None:
        if (path, rid) in self._gone:
            return
        reply = self._try(Request("DELETE", f"{path}/{rid}"))
        if reply is not None and reply.status in (200, 204):
            deleted.append(path)
            self._gone.add((path, rid))
        elif reply is not None and reply.status != 404:
            problems.append(f"could not delete {path}/{rid}: {reply_summary(reply.exchange, 120)}")

    def _try(self, request: Request) -> Reply | None:
        try:
            return self.send(request)
        except Unreachable:
            return None


def _print_progress(result: StepResult) -> None:
    print(result.headline(), file=sys.stderr, flush=True)


def validate(
    url: str,
    token: str = "",
    profile: str | Profile = "entra",
    *,
    progress: bool | Callable[[StepResult], None] = True,
    timeout: float = 15.0,
    suffix: str | None = None,
) -> Report:
    """Replay ``profile`` (``entra``, ``entra-compliant``, ``okta``) against the server at ``url``.

    Each step's result is shown as it finishes (``progress``: True prints a line to stderr, a
    callable receives the :class:`StepResult`). Returns the :class:`Report`. ``suffix`` fixes
    the marker in the run's names (default: random), for a server that is new for each run.
    """
    chosen = get_profile(profile) if isinstance(profile, str) else profile
    show = _print_progress if progress is True else (progress or None)
    run = Run(url, token, timeout=timeout, suffix=suffix)
    report = Report(profile=chosen.title, url=run.redact(run.url))
    try:
        for number, step in enumerate(chosen.steps, start=1):
            result = _run_step(run, number, step)
            report.results.append(result)
            if show:
                show(result)
    except Unreachable as exc:
        report.unreachable = str(exc)
    finally:
        if not report.unreachable:
            report.cleanup = run.clean_up()
        else:
            run.session.close()
    return report


def _run_step(run: Run, number: int, step: Any) -> StepResult:
    common = {"number": number, "name": step.name, "cite": step.cite, "note": step.note}
    try:
        request = step.request(run)
    except Skip as skip:
        return StepResult(outcome="skip", expects=step.expects, got=str(skip), **common)
    try:
        reply = run.send(request)
    except Unreachable:
        raise
    exchanges = [reply.exchange]
    problem = step.check(run, reply)
    expects = step.expects
    if problem is None and step.probe is not None:
        try:
            probe_request = step.probe.request(run)
        except Skip as skip:
            problem = str(skip)
        else:
            probe_reply = run.send(probe_request)
            exchanges.append(probe_reply.exchange)
            problem = step.probe.check(run, probe_reply)
            if problem:
                problem = f"the follow-up read {probe_request}: {problem}"
        expects = f"{step.expects}; then {step.probe.expects}"
    if problem is None:
        return StepResult(outcome="pass", expects=expects, exchanges=tuple(exchanges), **common)
    fix = _TOKEN_FIX if reply.status == 401 else step.fix
    return StepResult(
        outcome="fail",
        expects=expects,
        got=run.redact(problem),
        fix=fix,
        exchanges=tuple(exchanges),
        **common,
    )
