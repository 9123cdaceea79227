"""Benchmarks of the course's SCIM server: scripts that print tables, never timed assertions.

- ``python -m bench.peer``: ours against ``scim2-server`` and a bare Starlette ceiling.
- ``python -m bench.scale``: filters, big groups and Bulk seeding at 1k, 10k and 100k users.

Figures for this machine are in ``bench/RESULTS.md``; how to run them is in CONTRIBUTING.md.
"""
