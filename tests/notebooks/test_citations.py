"""Every prose block of a chapter that names a product links to that vendor's own documentation.

Paragraphs, list items, table rows and blockquotes of ``tools/chapters/*.md`` are read outside
code fences; a name inside inline code, or as the text of a link to the vendor's documentation,
is not a claim.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scim_helper.claims import prose_blocks, uncited_vendor_claims

from .course import NOTEBOOKS

SOURCES = NOTEBOOKS.parent / "tools" / "chapters"
CHAPTER_SOURCES = sorted(path.name for path in SOURCES.glob("[0-9][0-9]-*.md"))
OKTA = (
    '([Okta: SCIM 2.0 Protocol Reference, "Update a specific User (PATCH)"]'
    "(https://developer.okta.com/docs/reference/scim/scim-20/#update-a-specific-user-patch))"
)
ENTRA = (
    '([Microsoft Learn: Known issues with SCIM 2.0 compliance, "Flags to alter the SCIM'
    ' behavior"](https://learn.microsoft.com/en-us/entra/identity/app-provisioning/'
    "application-provisioning-config-problem-scim-compatibility#flags-to-alter-the-scim-behavior))"
)


def uncited_in(path: Path) -> list[str]:
    return [str(found) for found in uncited_vendor_claims(path.read_text(encoding="utf-8"))]


@pytest.mark.parametrize("name", CHAPTER_SOURCES)
def test_vendor_claims_cite_the_vendor(name: str) -> None:
    """A paragraph, list item, table row or quote naming a product links to its documentation."""
    found = uncited_in(SOURCES / name)
    assert not found, f"tools/chapters/{name}:\n" + "\n".join(found)


# --- the mechanism can fail ---------------------------------------------------------------------


@pytest.fixture
def chapter_copy(tmp_path: Path) -> Path:
    """A copy of a real chapter source that talks about identity providers."""
    copy = tmp_path / "03-michaels-last-day.md"
    shutil.copy(SOURCES / copy.name, copy)
    return copy


def test_a_vendor_sentence_without_citation_fails(chapter_copy: Path) -> None:
    """Adding an uncited sentence about Okta to a real chapter adds exactly that failure."""
    before = uncited_in(chapter_copy)
    text = chapter_copy.read_text(encoding="utf-8")
    chapter_copy.write_text(text + "\nOkta deactivates a user with a PATCH.\n", encoding="utf-8")
    added = [found for found in uncited_in(chapter_copy) if found not in before]
    assert len(added) == 1
    assert "names Okta without a link" in added[0]
    assert "developer.okta.com" in added[0]  # says where the citation should point
    assert "Okta deactivates a user with a PATCH." in added[0]


def test_a_cited_vendor_sentence_passes(chapter_copy: Path) -> None:
    """The same sentence with a link to Okta's own documentation adds no failure."""
    before = uncited_in(chapter_copy)
    text = chapter_copy.read_text(encoding="utf-8")
    sentence = f"\nOkta deactivates a user with a PATCH {OKTA}.\n"
    chapter_copy.write_text(text + sentence, encoding="utf-8")
    assert uncited_in(chapter_copy) == before


# --- what counts as a claim and as a citation ---------------------------------------------------


def test_a_link_to_another_vendor_does_not_cite() -> None:
    """An Okta claim linked to Microsoft's documentation is still uncited for Okta."""
    (found,) = uncited_vendor_claims(f"Okta sends `replace` {ENTRA}.\n")
    assert found.vendors == ("Okta",)


def test_each_vendor_named_needs_its_own_link() -> None:
    """A block naming Okta and Entra ID needs a link to each; with both, it passes."""
    (found,) = uncited_vendor_claims(f"Okta and Microsoft Entra ID differ {OKTA}.\n")
    assert found.vendors == ("Microsoft",)
    assert uncited_vendor_claims(f"Okta and Microsoft Entra ID differ {OKTA} {ENTRA}.\n") == []


@pytest.mark.parametrize(
    "text",
    [
        "The client sends `okta_id` and `Okta` in code.\n",
        '```json\n{"source": "Okta"}\n```\n',
        "```python\n# Okta sends this\n```\n",
        "## How Okta does it\n",
        "<!-- Okta, later -->\n",
        f"Okta sends a path-less PATCH {OKTA}.\n",
        "Stoke, Duolingo, Azurely and slack ropes are not vendors.\n",
        "[okta]: https://developer.okta.com/docs/\n\nOkta, see [its docs][okta].\n",
    ],
)
def test_not_uncited_claims(text: str) -> None:
    """Code, fences, headings, comments, cited blocks and look-alike words pass."""
    assert uncited_vendor_claims(text) == []


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Okta sends a PATCH.\n", "paragraph"),
        ("- first\n- Okta sends a PATCH\n  on two lines.\n", "list item"),
        ("| who | what |\n| --- | --- |\n| Okta | PATCH |\n", "table row"),
        ("> Okta sends a PATCH.\n", "blockquote"),
        ("Okta sends [a PATCH](https://example.com/okta).\n", "paragraph"),
        ("Okta sends a PATCH <https://developer.okta.com/docs/>.\n", "paragraph"),
        ("Okta sends a PATCH, see [](https://developer.okta.com/docs/).\n", "paragraph"),
        ("Okta sends a PATCH (http://developer.okta.com/docs/).\n", "paragraph"),
        ("Okta sends a PATCH (https://developer.okta.com.example.com/).\n", "paragraph"),
    ],
)
def test_uncited_claims(text: str, kind: str) -> None:
    """Each kind of prose block is read; a bare URL, an empty or foreign link does not cite."""
    (found,) = uncited_vendor_claims(text)
    assert (found.kind, found.vendors) == (kind, ("Okta",))


def test_prose_blocks_split_like_markdown() -> None:
    """Blank lines end paragraphs, list items and table rows stand alone, fences are skipped."""
    text = (
        "One\nparagraph.\n\n- item one\n  continued\n- item two\n\n| a |\n| b |\n\n"
        "```python\nx = 1\n```\n\n> quoted\n> twice\n\n+++\n\nLast.\n"
    )
    blocks = [(b.line, b.kind, b.text) for b in prose_blocks(text)]
    assert blocks == [
        (1, "paragraph", "One\nparagraph."),
        (4, "list item", "- item one\n  continued"),
        (6, "list item", "- item two"),
        (8, "table row", "| a |"),
        (9, "table row", "| b |"),
        (15, "blockquote", "quoted\ntwice"),
        (20, "paragraph", "Last."),
    ]
