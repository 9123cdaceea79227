"""Shared fixtures. Each fixture module lives in tests/fixtures/ and is owned by one part:

- ``tests.fixtures.peer``: the independent reference server ``scim2-server`` on loopback.
- ``tests.fixtures.local``: the course's own server, started through the runner the notebooks use.
- ``tests.fixtures.postgres``: ``postgres_url``, one throwaway PostgreSQL cluster per session.
- ``tests.fixtures.servers``: ``scim_server``, parametrized over both, for the client suite.
"""

pytest_plugins = [
    "tests.fixtures.peer",
    "tests.fixtures.local",
    "tests.fixtures.servers",
    "tests.fixtures.postgres",
]
