"""Fixtures for the browser tests: one JupyterLab and one headless Chromium for the whole session.

Chromium is Debian's (``apt-get install chromium``), driven by Playwright from PyPI through
``executable_path``: no browser download. Without it the tests are skipped with the reason
printed (``-ra``); with ``SCIM_COURSE_REQUIRE_BROWSER=1`` (CI) a missing browser fails instead.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from scim_helper.server.runner import LocalServer
from tests.browser.jupyterlab import JupyterLab
from tests.browser.notebook import Lab
from tests.fixtures.local import TenantLogin

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
ARTIFACTS = ROOT / "test-artifacts" / "browser"
DEFAULT_CHROMIUM = "/usr/bin/chromium"

# Flags for Debian's Chromium in a container: no sandbox (no user namespaces), no GPU, and no
# background connections to Google services (refused here; they stall start-up).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """Debian's Chromium, or an explicit skip saying how to get it."""
    path = os.environ.get("SCIM_COURSE_CHROMIUM", DEFAULT_CHROMIUM)
    if shutil.which(path):
        return path
    reason = (
        f"Chromium not found at {path}: the browser tests need Debian's chromium "
        "(apt-get install chromium) or SCIM_COURSE_CHROMIUM pointing at a Chromium binary"
    )
    if os.environ.get("SCIM_COURSE_REQUIRE_BROWSER"):
        pytest.fail(reason + " (SCIM_COURSE_REQUIRE_BROWSER is set, so this is a failure)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser_artifacts() -> Path:
    """test-artifacts/browser/: screenshots and the JupyterLab log, kept after the run."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def course_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of notebooks/ for JupyterLab to serve: the tests save executed notebooks there."""
    target = tmp_path_factory.mktemp("lab") / "notebooks"
    shutil.copytree(NOTEBOOKS, target, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return target


@pytest.fixture(scope="session")
def lab_tenant(local_server: LocalServer) -> TenantLogin:
    """A fresh tenant of the course's own server, for every chapter the browser runs."""
    token, tenant = local_server.store.mint_token()
    return TenantLogin(local_server.url, token, tenant)


@pytest.fixture(scope="session")
def lab_environment(lab_tenant: TenantLogin) -> dict[str, str]:
    """What the kernels inherit: the server and token, as a learner's shell would export them."""
    return {"SCIM_SERVER_URL": lab_tenant.url, "SCIM_AUTH_TOKEN": lab_tenant.token}


@pytest.fixture(scope="session")
def jupyter_lab(
    chromium_executable: str,
    course_copy: Path,
    lab_environment: dict[str, str],
    browser_artifacts: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[JupyterLab]:
    """JupyterLab on loopback serving the course copy, started once for all browser tests."""
    server = JupyterLab(course_copy, tmp_path_factory.mktemp("lab-state"), lab_environment)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.copyfile(server.log_path, browser_artifacts / "jupyterlab.log")


@pytest.fixture(scope="session")
def lab(
    jupyter_lab: JupyterLab,
    chromium_executable: str,
    browser_artifacts: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Lab]:
    """The JupyterLab page in headless Chromium, logged in, shared by the browser tests."""
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=chromium_executable,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
        )
        lab = None
        try:
            page = context.pages[0] if context.pages else context.new_page()
            lab = Lab(page, jupyter_lab.lab_url())
            yield lab
        finally:
            if lab is not None:
                # The browser console, kept for whoever debugs a failure.
                (browser_artifacts / "console.log").write_text("\n".join(lab.console_errors))
            context.close()
