"""What a chapter claims, checked: results its prose states, and what it says about vendors.

**Results.** A chapter source states a result next to the code cell that shows it
(``<!-- expect: 16 people -->``, see ``tools/build_notebooks.py``); the build stores it in that
cell's ``metadata["expect"]`` as ``{"contains": …}``, ``{"regex": …}`` or ``{"absent": …}``.
:func:`unmet_claims` evaluates every one against a notebook's outputs, stored or fresh.

**Vendors.** A prose block (paragraph, list item, table row, blockquote) of a chapter source
that names a product must link to that vendor's own documentation; :func:`uncited_vendor_claims`
lists the blocks that do not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "VENDORS",
    "Uncited",
    "Vendor",
    "claim_text",
    "expectations",
    "prose_blocks",
    "uncited_vendor_claims",
    "unmet",
    "unmet_claims",
]

Cell = Mapping[str, Any]

# --- results stated in prose ------------------------------------------------------------------

_BLOCK_TAGS = {
    "br", "details", "div", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "ol", "p", "pre",
    "summary", "table", "tr", "ul",
}  # fmt: skip
_HIDDEN_TAGS = {"script", "style"}


class _HTMLText(HTMLParser):
    """The text of an HTML fragment as a reader sees it: tags gone, entities unescaped, block
    elements on their own lines, table cells apart, and no style sheet."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN_TAGS:
            self.hidden += 1
        elif tag in _BLOCK_TAGS:
            self._newline()
        elif tag in ("td", "th") and self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN_TAGS:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCK_TAGS:
            self._newline()

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)

    def _newline(self) -> None:
        if self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")


def _html_text(html: str) -> str:
    parser = _HTMLText()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def _as_shown(stream: str) -> str:
    """A stream as a notebook front-end shows it: ``\\r`` returns to the start of the line, so
    only what was written after the last one on each line remains (a progress bar's last state)."""
    lines = []
    for line in stream.split("\n"):
        kept = line.rstrip("\r")
        lines.append(kept.rsplit("\r", 1)[-1])
    return "\n".join(lines)


def _joined(value: str | list[str]) -> str:
    return value if isinstance(value, str) else "".join(value)


def claim_text(cell: Cell) -> str:
    """The output text of a code cell that claims are checked against.

    Streams (stdout and stderr, as displayed), ``text/plain`` results, and ``text/html`` results
    with their tags stripped and entities unescaped, in the order the cell produced them.
    """
    parts: list[str] = []
    streams: list[str] = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            streams.append(_joined(output.get("text", "")))
            continue
        if streams:
            parts.append(_as_shown("".join(streams)))
            streams.clear()
        data = output.get("data", {})
        if "text/plain" in data:
            parts.append(_joined(data["text/plain"]))
        if "text/html" in data:
            parts.append(_html_text(_joined(data["text/html"])))
    if streams:
        parts.append(_as_shown("".join(streams)))
    return "\n".join(part.rstrip("\n") for part in parts)


def expectations(notebook: Mapping[str, Any]) -> list[tuple[int, dict[str, str]]]:
    """``(cell index, expectation)`` for every expectation stored in the notebook."""
    return [
        (index, dict(expected))
        for index, cell in enumerate(notebook["cells"])
        for expected in cell.get("metadata", {}).get("expect", [])
    ]


def _holds(expected: Mapping[str, str], text: str) -> bool:
    if "contains" in expected:
        return expected["contains"] in text
    if "regex" in expected:
        return re.search(expected["regex"], text, re.MULTILINE) is not None
    if "absent" in expected:
        return expected["absent"] not in text
    raise ValueError(f"unknown expectation {dict(expected)!r}: use contains, regex or absent")


_SAYS = {"contains": "to contain", "regex": "to match the regex", "absent": "not to contain"}


def unmet(cell: Cell) -> list[str]:
    """One line per expectation of this cell that its outputs do not meet."""
    text = claim_text(cell)
    failures = []
    for expected in cell.get("metadata", {}).get("expect", []):
        if not _holds(expected, text):
            ((kind, value),) = expected.items()
            shown = text if len(text) <= 400 else text[:400] + "…"
            failures.append(f"expected the output {_SAYS[kind]} {value!r}; it shows {shown!r}")
    return failures


def unmet_claims(notebook: Mapping[str, Any]) -> list[str]:
    """``'cell N (first line of code): …'`` for every expectation the notebook's outputs miss."""
    found: list[str] = []
    for index, cell in enumerate(notebook["cells"]):
        if cell.get("cell_type") != "code":
            continue
        first = _joined(cell.get("source", "")).strip().split("\n", 1)[0]
        found.extend(f"cell {index} ({first[:60]}): {failure}" for failure in unmet(cell))
    return found


# --- claims about vendors ---------------------------------------------------------------------


@dataclass(frozen=True)
class Vendor:
    """A vendor, the names its products go by in prose, and where its own documents live."""

    name: str
    names: tuple[str, ...]
    #: Hosts of the vendor's documentation; a host matches itself and its subdomains.
    hosts: tuple[str, ...]

    @property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, self.names)) + r")(?![\w-])")

    def documents(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        return urlsplit(url).scheme == "https" and any(
            host == h or host.endswith("." + h) for h in self.hosts
        )


#: Products the chapters (might) name, and the documentation a claim about them must cite.
VENDORS = (
    Vendor("Okta", ("Okta",), ("developer.okta.com", "help.okta.com")),
    Vendor(
        "Microsoft",
        ("Microsoft", "Entra", "Azure", "Azure AD", "Active Directory", "AAD"),
        ("learn.microsoft.com",),
    ),
    Vendor(
        "AWS",
        ("AWS", "Amazon", "IAM Identity Center"),
        ("docs.aws.amazon.com",),
    ),
    Vendor(
        "Google",
        ("Google", "Google Workspace"),
        ("support.google.com", "developers.google.com", "cloud.google.com"),
    ),
    Vendor("OneLogin", ("OneLogin",), ("onelogin.com",)),
    Vendor("JumpCloud", ("JumpCloud",), ("jumpcloud.com",)),
    Vendor("Duo", ("Duo", "Cisco Duo"), ("duo.com",)),
    Vendor("Ping Identity", ("Ping Identity", "PingOne", "PingFederate"), ("pingidentity.com",)),
    Vendor("Slack", ("Slack",), ("slack.com",)),
    Vendor("SailPoint", ("SailPoint",), ("sailpoint.com",)),
)


@dataclass(frozen=True)
class Block:
    """One prose block of a Markdown source: where it starts, what kind it is, its text."""

    line: int
    kind: str  # paragraph, list item, table row, blockquote
    text: str


@dataclass(frozen=True)
class Uncited:
    """A prose block that names vendors without linking to their documentation."""

    line: int
    kind: str
    vendors: tuple[str, ...]
    text: str

    def __str__(self) -> str:
        text = " ".join(self.text.split())
        first = min(
            (
                m.start()
                for v in VENDORS
                if v.name in self.vendors
                for m in v.pattern.finditer(text)
            ),
            default=0,
        )
        start = max(0, first - 60)
        excerpt = ("…" if start else "") + text[start : start + 160]
        excerpt += "…" if start + 160 < len(text) else ""
        hosts = " or ".join(
            host for vendor in VENDORS if vendor.name in self.vendors for host in vendor.hosts
        )
        return (
            f"line {self.line} ({self.kind}) names {', '.join(self.vendors)} without a link"
            f" to its own documentation ({hosts}), titled with page and section: {excerpt}"
        )


_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^\s{0,3}#{1,6}(\s|$)")
_LIST_ITEM = re.compile(r"^\s*([-*+]|\d+[.)])\s+")
_QUOTE = re.compile(r"^\s{0,3}>\s?")
_DEFINITION = re.compile(r"^\s{0,3}\[(?P<label>[^\]]+)\]:\s*<?(?P<url>\S+?)>?(\s.*)?$")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def prose_blocks(markdown: str) -> Iterator[Block]:
    """The paragraphs, list items, table rows and blockquotes of a Markdown text, outside fences.

    Headings, ``+++`` cell breaks, HTML comments and link reference definitions are not prose.
    """
    current: list[str] = []
    start, kind = 0, "paragraph"
    in_fence = False

    def flush() -> Iterator[Block]:
        text = _COMMENT.sub("", "\n".join(current)).strip()
        if text:
            yield Block(start, kind, text)
        current.clear()

    for number, raw in enumerate(markdown.splitlines(), start=1):
        if _FENCE.match(raw):
            yield from flush()
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        quoted = bool(_QUOTE.match(raw))
        line = _QUOTE.sub("", raw, count=1) if quoted else raw
        line_kind = "blockquote" if quoted else "paragraph"
        if (
            not line.strip()
            or line.strip() == "+++"
            or _HEADING.match(line)
            or _DEFINITION.match(line)
        ):
            yield from flush()
        elif line.lstrip().startswith("|"):
            yield from flush()
            start, kind = number, "table row"
            current.append(line)
            yield from flush()
        elif _LIST_ITEM.match(line) or not current or (kind == "blockquote") != quoted:
            yield from flush()
            start = number
            kind = "list item" if _LIST_ITEM.match(line) else line_kind
            current.append(line)
        else:
            current.append(line)
    yield from flush()


_INLINE_CODE = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.DOTALL)
_LINK_TEXT = r"!?\[(?P<text>(?:[^\[\]]|\[[^\]]*\])*)\]"
_INLINE_LINK = re.compile(_LINK_TEXT + r"\((?P<url>[^)\s]+)(\s+\"[^\"]*\")?\)")
_REFERENCE_LINK = re.compile(_LINK_TEXT + r"\[(?P<label>[^\]]*)\]")
_BARE_URL = re.compile(r"<?https?://[^\s>)]+>?")


def _links(text: str, definitions: Mapping[str, str]) -> tuple[str, list[str]]:
    """The text with code spans, links and URLs taken out, and the URLs of its Markdown links.

    The text of a link to vendor documentation is a citation's title, not a claim, so it goes;
    the text of any other link stays (``[Okta does X](https://example.com)`` still names Okta).
    """
    text = _INLINE_CODE.sub(" ", text)
    urls: list[str] = []

    def link(match: re.Match[str], url: str) -> str:
        if not match["text"].strip():
            return " "
        urls.append(url)
        cites = any(vendor.documents(url) for vendor in VENDORS)
        return " " if cites else f" {match['text']} "

    text = _INLINE_LINK.sub(lambda m: link(m, m["url"]), text)
    text = _REFERENCE_LINK.sub(
        lambda m: link(m, definitions.get((m["label"] or m["text"]).strip().lower(), "")), text
    )
    return _BARE_URL.sub(" ", text), urls


def uncited_vendor_claims(markdown: str, vendors: Iterable[Vendor] = VENDORS) -> list[Uncited]:
    """The prose blocks that name a vendor but link to none of that vendor's documentation."""
    vendors = tuple(vendors)
    definitions = {
        m["label"].strip().lower(): m["url"]
        for m in map(_DEFINITION.match, markdown.splitlines())
        if m
    }
    found = []
    for block in prose_blocks(markdown):
        claim, urls = _links(block.text, definitions)
        missing = tuple(
            vendor.name
            for vendor in vendors
            if vendor.pattern.search(claim) and not any(vendor.documents(u) for u in urls)
        )
        if missing:
            found.append(Uncited(block.line, block.kind, missing, block.text))
    return found
