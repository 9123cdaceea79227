"""A prepared room (SQLite) and its workshop server, shared by a test module."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from scim_helper.workshop.prepare import Room
from tests.fixtures.workshop import WorkshopServer, prepare_room


@dataclass
class Workshop:
    server: WorkshopServer
    room: Room
    tokens: Path

    def learner(self, name: str) -> dict[str, str]:
        """The Authorization header of a learner."""
        return {"Authorization": f"Bearer {self.room.learners[name]}"}

    @property
    def instructor(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.room.instructor}"}


@pytest.fixture(scope="module")
def workshop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workshop]:
    """Three learners (ann, bob, cat) on a SQLite room served by `scim-course workshop serve`."""
    folder = tmp_path_factory.mktemp("room")
    db, tokens = str(folder / "room.db"), folder / "tokens.csv"
    room = prepare_room(db, ["ann", "bob", "cat"], tokens)
    with WorkshopServer(db) as server:
        yield Workshop(server, room, tokens)
