"""tools/story_overlap.py finds chapter sentences that copy six words in a row from a text."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from .course import NOTEBOOKS

TOOL = NOTEBOOKS.parent / "tools" / "story_overlap.py"


@pytest.fixture(scope="module")
def tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("story_overlap", TOOL)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_copied_sentence_is_found(tool: ModuleType) -> None:
    """A sentence of chapter 2, pasted into a transcript with other punctuation, is reported."""
    transcript = "Blah. Before CHARLES can open his laptop though he needs an account! More."
    found = list(tool.overlaps(transcript))
    assert [(name, sentence[:30]) for name, _line, sentence, _shared in found] == [
        ("02-charles-joins.md", "Before Charles can open his la")
    ]


def test_protocol_messages_and_short_runs_do_not_count(tool: ModuleType, tmp_path: Path) -> None:
    """RFC URNs in fenced JSON, and runs shorter than six words, are not copying."""
    transcript = "urn:ietf:params:scim:api:messages:2.0:PatchOp and the Dunder Mifflin group"
    assert list(tool.overlaps(transcript)) == []
    source = 'Prose here.\n\n```json\n{"a": "one two three four five six"}\n```\n'
    assert list(tool.sentences(source)) == [(1, "Prose here.")]
    (tmp_path / "t.txt").write_text("nothing in common at all with any chapter, really")
    assert tool.main([str(tmp_path / "t.txt")]) == 0
