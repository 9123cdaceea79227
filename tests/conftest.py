"""Shared fixtures, and the fast lane. Each fixture module in tests/fixtures/ has one owner:

- ``tests.fixtures.peer``: the independent reference server ``scim2-server`` on loopback.
- ``tests.fixtures.local``: the course's own server, started through the runner the notebooks use.
- ``tests.fixtures.postgres``: ``postgres_url``, one throwaway PostgreSQL cluster per session.
- ``tests.fixtures.servers``: ``scim_server``, parametrized over both, for the client suite.

The fast lane (``python3 bootstrap.py test --fast``, CONTRIBUTING.md; ``bootstrap.FAST_LANE``)
leaves out the tests
marked ``notebooks``, ``browser``, ``postgres`` and ``slow``; the folders and tests below are
``slow`` by nature (several processes, many generated inputs, a whole JupyterLab), so they are
marked here rather than one by one.
"""

from __future__ import annotations

import pytest

pytest_plugins = [
    "tests.fixtures.peer",
    "tests.fixtures.local",
    "tests.fixtures.servers",
    "tests.fixtures.postgres",
]

#: Paths (a folder, a file, or file::test) whose tests are marked ``slow``.
SLOW = (
    "tests/bench",  # runs every benchmark script
    "tests/scim_helper/server/reliability",  # crashes, concurrency, fuzzing: many processes
    "tests/test_first_ten_minutes.py::test_course_prints_the_url_and_one_ctrl_c_stops_everything",
    # Each starts Python programs of its own (scim-course serve and token, kernels, testers).
    "tests/scim_helper/course/test_data_dir.py",
    "tests/scim_helper/course/test_advice.py::test_connection_refused_with_scim_server_url_says_so",
    "tests/scim_helper/course/test_advice.py::"
    "test_connection_refused_on_the_embedded_server_says_restart_the_kernel",
    "tests/scim_helper/course/test_advice.py::test_unauthorized_points_to_scim_auth_token",
    "tests/scim_helper/course/test_sandbox.py::"
    "test_a_kernel_given_the_url_and_token_recognises_the_sandbox",
    "tests/scim_helper/server/http/test_cli.py",
    "tests/scim_helper/server/http/test_conformance.py",
    # Each test runs the sync against two servers behind counting proxies (about 1 s apiece).
    "tests/sync_app/sync",
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "slow: left out of the fast lane (tests/conftest.py says which and why)"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        # node ids are relative to the repository: tests/x.py::test_name[param]
        if any(item.nodeid == slow or item.nodeid.startswith(_below(slow)) for slow in SLOW):
            item.add_marker(pytest.mark.slow)


def _below(path: str) -> tuple[str, ...]:
    return (f"{path}/", f"{path}::", f"{path}[")
