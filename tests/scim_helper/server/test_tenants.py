"""Bearer tokens the server mints (scim_helper/server/tenants.py)."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest

from scim_helper.server import tenants


def test_new_token_never_starts_with_a_dash(monkeypatch: pytest.MonkeyPatch) -> None:
    """A token that starts with "-" is drawn again: after --token it would read as an option."""
    drawn: Iterator[str] = iter(["-looks-like-an-option", "_fine-token"])
    monkeypatch.setattr(tenants.secrets, "token_urlsafe", lambda n: next(drawn))
    token = tenants.new_token()
    assert token == "_fine-token"
    parser = argparse.ArgumentParser()
    parser.add_argument("--token")
    assert parser.parse_args(["--token", token]).token == token


def test_new_token_is_long_and_fresh() -> None:
    """256 random bits, URL-safe: 43 characters, different every time."""
    tokens = {tenants.new_token() for _ in range(50)}
    assert len(tokens) == 50
    assert all(len(t) == 43 and not t.startswith("-") for t in tokens)
