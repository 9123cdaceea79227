"""Every result a chapter's prose states holds, in the stored outputs and in a fresh run.

A chapter source states a result with ``<!-- expect…: … -->`` under the code cell that shows it;
the build stores it in the cell's metadata and ``scim_helper.claims`` evaluates it.
"""

from __future__ import annotations

import copy
import importlib.util
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import ModuleType

import nbformat
import pytest

from scim_helper.claims import claim_text, expectations, unmet, unmet_claims

from .course import CHAPTERS, LESSONS, NOTEBOOKS, read

SOURCES = NOTEBOOKS.parent / "tools" / "chapters"
NUMBER = re.compile(r"\b\d+\b(?=[ ,.])")  # a count, not digits inside an id
COUNTED = re.compile(r"^\s*<!--\s*expect\s*:\s*(?P<claim>[^\n]*?)\s*-->\s*$", re.MULTILINE)
A_COUNT = re.compile(r"\b\d+ [a-z]+(?: [a-z]+)?")


def builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_notebooks", SOURCES.parent / "build_notebooks.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cell(outputs: list[dict], expect: list[dict] | None = None) -> nbformat.NotebookNode:
    code = nbformat.v4.new_code_cell("x")
    code.outputs = [nbformat.from_dict(o) for o in outputs]
    if expect is not None:
        code.metadata["expect"] = expect
    return code


# --- what the claims are checked against ------------------------------------------------------


def test_claim_text_joins_streams_plain_and_html_results() -> None:
    """Streams, text/plain and text/html (tags stripped, entities unescaped, no CSS) all count."""
    shown = cell(
        [
            {"output_type": "stream", "name": "stdout", "text": "16 peo"},
            {"output_type": "stream", "name": "stdout", "text": "ple\n"},
            {"output_type": "stream", "name": "stderr", "text": "careful\n"},
            {
                "output_type": "execute_result",
                "execution_count": 1,
                "metadata": {},
                "data": {
                    "text/plain": "<User cminer>",
                    "text/html": "<style>.x{color:red}</style><div><b>Hint:</b> it&#x27;s"
                    " &quot;cminer&quot;</div><table><tr><td>a</td><td>b</td></tr></table>",
                },
            },
        ]
    )
    text = claim_text(shown)
    assert "16 people\ncareful" in text
    assert "<User cminer>" in text
    assert 'Hint: it\'s "cminer"' in text
    assert re.search(r"^a b$", text, re.MULTILINE)
    assert "color" not in text


def test_claim_text_shows_a_progress_bar_as_it_was_left() -> None:
    """A carriage return overwrites the line, as in a notebook: only the bar's last state shows."""
    bar = "\r  0%|          | 0/20\r 50%|#####     | 10/20\r100%|##########| 20/20\n"
    text = claim_text(cell([{"output_type": "stream", "name": "stderr", "text": bar}]))
    assert text == "100%|##########| 20/20"


@pytest.mark.parametrize(
    ("expectation", "holds"),
    [
        ({"contains": "16 people"}, True),
        ({"contains": "17 people"}, False),
        ({"regex": r"^16 people$"}, True),
        ({"regex": r"^people"}, False),
        ({"absent": "mscott"}, True),
        ({"absent": "16"}, False),
    ],
)
def test_each_kind_of_expectation(expectation: dict[str, str], holds: bool) -> None:
    """contains, regex (multiline) and absent each pass and fail on the output text."""
    shown = cell([{"output_type": "stream", "name": "stdout", "text": "Found:\n16 people\n"}])
    shown.metadata["expect"] = [expectation]
    failures = unmet(shown)
    assert (failures == []) is holds
    if not holds:
        (value,) = expectation.values()
        assert repr(value) in failures[0]
        assert "16 people" in failures[0]  # what the output shows instead


def test_unmet_claims_names_the_cell() -> None:
    """A failure says which cell (index and first line of code) and what was expected."""
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("text"),
            cell([{"output_type": "stream", "name": "stdout", "text": "0\n"}], [{"contains": "1"}]),
        ]
    )
    assert unmet_claims(notebook) == [
        "cell 1 (x): expected the output to contain '1'; it shows '0'"
    ]
    assert expectations(notebook) == [(1, {"contains": "1"})]


# --- the chapters ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CHAPTERS)
def test_claims_hold_in_the_stored_outputs(name: str) -> None:
    """What the prose says about a cell's result is what the committed notebook shows."""
    failures = unmet_claims(read(name))
    assert not failures, "\n".join(failures)


@pytest.mark.notebooks
@pytest.mark.parametrize("name", CHAPTERS)
def test_claims_hold_in_a_fresh_run(chapter_run, name: str) -> None:
    """What the prose says about a cell's result is what a fresh run against a new tenant shows."""
    executed, _token = chapter_run(name)
    failures = unmet_claims(executed)
    assert not failures, "\n".join(failures)


# --- a tampered chapter fails ------------------------------------------------------------------


def markdown_replace(source: str, old: str, new: str) -> str:
    """``source`` with ``old`` replaced by ``new`` in its Markdown only, never in code cells."""
    out, in_code = [], False
    for line in source.split("\n"):
        if line.startswith("```python"):
            in_code = True
        elif in_code and line.rstrip() == "```":
            in_code = False
        elif not in_code:
            line = line.replace(old, new)
        out.append(line)
    return "\n".join(out)


def counted_claims(build: ModuleType) -> Iterator[tuple[str, str, str]]:
    """``(chapter, source, claim)``: chapter sources and the counts they state with expectations.

    The chapters' own claims first; last, the source of chapter 1 with a sentence (and its
    expectation) stating the first count its stored outputs show, so there is always one.
    """
    for name in LESSONS:
        source = (SOURCES / f"{name}.md").read_text(encoding="utf-8")
        for found in COUNTED.finditer(source):
            if NUMBER.search(found["claim"]):
                yield name, source, found["claim"]
    name = LESSONS[0]
    source = (SOURCES / f"{name}.md").read_text(encoding="utf-8")
    stored = build.merged(build.parse(source, name), read(name))
    for code in (c for c in stored.cells if c.cell_type == "code"):
        count = A_COUNT.search(claim_text(code))
        if count and f"{code.source}\n```" in source:
            claim = count[0]
            sentence = f"\n\nThe cell says {claim}.\n<!-- expect: {claim} -->"
            end = source.index(f"{code.source}\n```") + len(f"{code.source}\n```")
            yield name, source[:end] + sentence + source[end:], claim
            return
    raise AssertionError(f"no count in the stored outputs of {name}")


def tamper(source: str, claim: str) -> tuple[str, str]:
    """The source with the claim's first number off by one, in prose and expectation alike."""
    wrong = NUMBER.sub(lambda m: str(int(m[0]) + 1), claim, count=1)
    return markdown_replace(source, claim, wrong), wrong


@dataclass
class Tampering:
    """A chapter built honestly and with one stated count changed, both with the same outputs."""

    claim: str
    wrong: str
    honest: nbformat.NotebookNode
    tampered: nbformat.NotebookNode


def tampering(outputs_of: Callable[[str], nbformat.NotebookNode]) -> Tampering:
    """The first counted claim that holds in ``outputs_of(chapter)``, honest and tampered."""
    build = builder()
    for name, source, claim in counted_claims(build):
        outputs = outputs_of(name)
        honest = build.merged(build.parse(source, name), copy.deepcopy(outputs))
        if any(repr(claim) in failure for failure in unmet_claims(honest)):
            continue  # not a claim that holds today: no use for showing that tampering fails
        tampered_source, wrong = tamper(source, claim)
        tampered = build.merged(build.parse(tampered_source, name), copy.deepcopy(outputs))
        return Tampering(claim, wrong, honest, tampered)
    raise AssertionError("no stated count holds in any chapter")


def prose(notebook: nbformat.NotebookNode) -> str:
    return "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")


def test_a_tampered_chapter_fails_against_its_stored_outputs() -> None:
    """Change a stated count in prose and expectation: the rebuilt chapter's claims test fails."""
    case = tampering(read)
    assert {"contains": case.claim} in [e for _i, e in expectations(case.honest)]
    assert "<!-- expect" not in prose(case.tampered)  # the build moved them into the metadata
    if case.claim in prose(case.honest):
        assert case.wrong in prose(case.tampered)  # the prose now states the wrong count too
    before = unmet_claims(case.honest)
    added = [failure for failure in unmet_claims(case.tampered) if failure not in before]
    assert len(added) == 1 and f"to contain {case.wrong!r}" in added[0], added
    assert case.claim in added[0]  # the message shows what the output says instead


@pytest.mark.notebooks
def test_a_tampered_chapter_fails_against_a_fresh_run(chapter_run) -> None:
    """The same tampered count fails against the chapter's fresh execution; the honest one holds."""
    case = tampering(lambda name: chapter_run(name)[0])
    before = unmet_claims(case.honest)
    added = [failure for failure in unmet_claims(case.tampered) if failure not in before]
    assert len(added) == 1 and f"to contain {case.wrong!r}" in added[0], added
