"""The instructor's view in Chromium: sign in once, then watch a learner's ✓ arrive live."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Page, expect, sync_playwright

from scim_helper import checks
from scim_helper.workshop import reporter
from sync_app.client import SCIMClient
from sync_app.config import ClientConfiguration
from tests.browser.conftest import CHROMIUM_ARGS
from tests.fixtures.workshop import WorkshopServer, prepare_room

pytestmark = pytest.mark.browser


def _in_own_thread(scenario: Callable[[], None]) -> None:
    """Run ``scenario`` in a thread of its own: Playwright's sync API refuses to start while
    another sync Playwright (the session's JupyterLab browser) is running in this thread."""
    failures: list[BaseException] = []

    def run() -> None:
        try:
            scenario()
        except BaseException as exc:  # re-raised in the test's thread
            failures.append(exc)

    thread = threading.Thread(target=run, name="workshop-browser")
    thread.start()
    thread.join(timeout=300)
    assert not thread.is_alive(), "the browser scenario did not finish in 5 minutes"
    if failures:
        raise failures[0]


def test_instructor_sees_a_learners_pass_appear_without_reloading(
    tmp_path: Path,
    chromium_executable: str,
    browser_artifacts: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Sign in with the instructor token (kept in an HttpOnly cookie, never in the URL); a
    real check run by ann shows ✓ in her row within a few seconds, on the same page load;
    bob's same hint three times marks him stuck."""
    monkeypatch.delenv(reporter.PROGRESS_ENV, raising=False)
    db = str(tmp_path / "room.db")
    room = prepare_room(db, ["ann", "bob"], tmp_path / "tokens.csv")
    assert room.instructor is not None
    instructor = room.instructor

    with WorkshopServer(db) as server:

        def scenario() -> None:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS
                )
                try:
                    page = browser.new_page()
                    watch(page)
                finally:
                    browser.close()

        def watch(page: Page) -> None:
            page.goto(f"{server.root}/workshop/")
            page.fill("input[name=token]", instructor)
            page.click("button[type=submit]")
            expect(page.locator("tr[data-learner=ann]")).to_be_visible(timeout=15_000)
            assert instructor not in page.url
            (cookie,) = page.context.cookies()
            assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
            assert cookie["path"] == "/workshop"
            assert page.evaluate("document.cookie") == "", "the script cannot read the token"
            assert "same hint 3 times in a row" in page.inner_text("body")
            page.evaluate("window.loadedOnce = true")

            config = ClientConfiguration(server_url=server.url, auth_token=room.learners["ann"])
            with SCIMClient(config) as client:
                limit = client.service_provider_config().to_dict()["bulk"]["maxOperations"]
                assert checks.welcome_bulk_limit(client, limit).ok
            config = ClientConfiguration(server_url=server.url, auth_token=room.learners["bob"])
            with SCIMClient(config) as client:
                for _ in range(3):
                    assert not checks.welcome_bulk_limit(client, -1).ok
            assert reporter.wait()

            ann_pass = page.locator(
                "tr[data-learner=ann] td.pass[data-exercise='01-welcome/welcome_bulk_limit']"
            )
            expect(ann_pass).to_have_text("✓", timeout=15_000)
            expect(page.locator("tr[data-learner=bob]")).to_have_class("stuck")
            expect(page.locator("tr[data-learner=bob] td.hint")).to_have_text("hint ×3")
            assert page.evaluate("window.loadedOnce") is True, "the page was not reloaded"
            page.screenshot(path=str(browser_artifacts / "workshop-view.png"), full_page=True)

            exported = page.request.get(f"{server.root}/workshop/progress.csv")
            assert exported.status == 200 and "ann,01-welcome/welcome_bulk_limit,pass" in (
                exported.text()
            )

        _in_own_thread(scenario)
        # The same CSV is closed to anyone without the cookie or the token.
        closed = requests.get(f"{server.root}/workshop/progress.csv", timeout=30)
        assert closed.status_code == 401
