"""The Hungarian pages that answer a PDF download instead of the PDF: a render stopped at its
limits (the document is too heavy: which parts to shorten), or one refused because it is being
rendered already (try again shortly)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from html.parser import HTMLParser

from flask import Response, render_template, request

from journal.reports.printing import Limits

HEADINGS = ("h1", "h2", "h3", "h4")
# Text in these is not a part of the document a reader could shorten.
_SKIPPED = ("title", "style", "script")
# A word this long is worth naming: no real word is, a pasted blob of text is.
LONG_WORD = 50
# The downloads whose document covers a period the user chooses (a shorter one is lighter).
PERIOD_ENDPOINTS = ("reports.group_summary_pdf", "reports.program_report_pdf")


@dataclass
class Part:
    """The text under one heading of a document."""

    path: tuple[str, ...]  # the headings above it, outermost first
    characters: int = 0
    longest_word: int = 0

    @property
    def title(self) -> str:
        """Return the headings that name this part, joined."""
        return " › ".join(self.path)


class _PartsParser(HTMLParser):
    """Split a print document's text into parts by its headings."""

    def __init__(self):
        """Start with an untitled part (the text before the first heading)."""
        super().__init__()
        self.headings: list[str] = []
        self.parts: list[Part] = [Part(())]
        self._heading: tuple[int, list[str]] | None = None
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        """Start collecting a heading's text, or skip a non-text element."""
        if tag in _SKIPPED:
            self._skipping += 1
        elif tag in HEADINGS:
            self._heading = (HEADINGS.index(tag), [])

    def handle_endtag(self, tag):
        """End a heading (starting its part), or a skipped element."""
        if tag in _SKIPPED:
            self._skipping = max(0, self._skipping - 1)
        elif tag in HEADINGS and self._heading is not None:
            level, words = self._heading
            self._heading = None
            self.headings = [*self.headings[:level], " ".join(" ".join(words).split())]
            self.parts.append(Part(tuple(h for h in self.headings if h)))

    def handle_data(self, data):
        """Count the text of the current part, or collect the heading's."""
        if self._skipping:
            return
        if self._heading is not None:
            self._heading[1].append(data)
            return
        part = self.parts[-1]
        part.characters += len(data.strip())
        part.longest_word = max([part.longest_word, *(len(w) for w in data.split())])


def heaviest_parts(html: str, count: int = 3) -> list[Part]:
    """Return the `count` parts of a document with the most text, largest first."""
    parser = _PartsParser()
    parser.feed(html)
    parser.close()
    parts = [p for p in parser.parts if p.characters]
    return sorted(parts, key=lambda p: p.characters, reverse=True)[:count]


def _preview_url() -> str | None:
    """Return the address of the download's preview (the same address without .pdf)."""
    if not request.path.endswith(".pdf"):
        return None
    query = request.query_string.decode()
    return request.path.removesuffix(".pdf") + (f"?{query}" if query else "")


def _page(status: int, **context) -> Response:
    """Render the refusal page with a status."""
    html = render_template("reports/refused.html", preview_url=_preview_url(), **context)
    response = Response(html, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "private, no-store"
    return response


def too_heavy(html: str, limits: Limits) -> Response:
    """Answer 422: the render was stopped at its limits; name the parts to shorten."""
    return _page(
        422,
        kind="too_heavy",
        seconds=math.ceil(limits.seconds),
        parts=heaviest_parts(html),
        long_word=LONG_WORD,
        has_period=request.endpoint in PERIOD_ENDPOINTS,
    )


def busy(limits: Limits) -> Response:
    """Answer 429: this document, or enough of the user's, are being rendered right now."""
    response = _page(429, kind="busy", seconds=math.ceil(limits.seconds))
    response.headers["Retry-After"] = str(math.ceil(limits.seconds))
    return response
