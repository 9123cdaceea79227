"""Fixtures: the toy provider of ``toy.py`` on loopback, correct or with one planted deviation."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import pytest

from .toy import make_app, serving

TOKEN = "toy-token-5f3a9c"


@dataclass(frozen=True)
class Toy:
    """A running toy provider: its base URL, token, and its in-memory store to inspect."""

    url: str
    token: str
    store: dict[str, dict[str, dict[str, Any]]]


@pytest.fixture
def toy() -> Iterator[Callable[..., Toy]]:
    """``toy(*deviations)`` starts a provider with those deviations planted."""
    with ExitStack() as stack:

        def start(*deviations: str) -> Toy:
            app = make_app(*deviations, token=TOKEN)
            url = stack.enter_context(serving(app))
            return Toy(url, TOKEN, app.state.store)

        yield start
