"""HTML to PDF with WeasyPrint, fetching nothing but our own static files."""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from journal import ROOT, static_files

log = logging.getLogger(__name__)

STATIC_ROOT = (ROOT / "static").resolve()

# The document's base URL. It names no real host: the fetcher answers it from STATIC_ROOT
# and nothing ever goes to the network.
BASE_URL = "https://muhelynaplo.invalid/"
STATIC_PREFIX = "/static/"

_MIME_TYPES = {
    ".css": "text/css",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}


class RefusedURL(ValueError):
    """A URL the PDF renderer may not fetch."""


def static_path_for(url: str) -> Path:
    """Return the file under static/ that a URL names, or raise RefusedURL.

    Only `https://muhelynaplo.invalid/static/...` (what `/static/...` and relative URLs in
    our templates and print.css resolve to) is served; `file:`, `data:`, any other host,
    scheme or port, and any path that leaves static/ after resolving `..` and symlinks are
    refused.
    """
    parts = urlsplit(url)
    base = urlsplit(BASE_URL)
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
        raise RefusedURL(f"not our static origin: {url[:200]}")
    path = unquote(parts.path)
    if not path.startswith(STATIC_PREFIX) or "\x00" in path:
        raise RefusedURL(f"not under {STATIC_PREFIX}: {url[:200]}")
    path = path.removeprefix(static_files.url_path() + "/")  # url_for's hashed address
    candidate = (STATIC_ROOT / path.removeprefix(STATIC_PREFIX)).resolve()
    if not candidate.is_relative_to(STATIC_ROOT) or not candidate.is_file():
        raise RefusedURL(f"no such static file: {url[:200]}")
    return candidate


def _fetcher_class():
    """Build the URL fetcher class (WeasyPrint is imported lazily: it costs ~0.5 s)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Serve files under static/ and refuse every other URL, without opening any socket."""

        def __init__(self):
            """Allow no protocol and no redirect, in case the parent's code is ever reached."""
            super().__init__(allowed_protocols=(), allow_redirects=False, timeout=1)

        def fetch(self, url, headers=None):
            """Answer a static file, or log and refuse the URL."""
            try:
                path = static_path_for(url)
            except RefusedURL as refusal:
                log.warning("PDF renderer refused to fetch a URL: %s", refusal)
                raise
            mime = _MIME_TYPES.get(path.suffix.lower()) or (
                mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            )
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})

    return StaticOnlyFetcher


_warm = False


def preload() -> None:
    """Import WeasyPrint and load our fonts once per process (~0.7 s), outside a render's wait."""
    global _warm
    if not _warm:
        _render(
            '<html lang="hu"><link rel="stylesheet" href="/static/css/print.css"><p>ő ű</p></html>'
        )
        _warm = True


def html_to_pdf(html: str) -> bytes:
    """Render one of our print templates to PDF bytes.

    Title, author, description and language come from the template's <title>, <meta> and
    <html lang="hu">. Relative and `/static/...` URLs resolve against BASE_URL.
    """
    return _render(html)


def _render(html: str) -> bytes:
    """Render HTML to PDF with the static-only fetcher."""
    from weasyprint import HTML

    fetcher = _fetcher_class()()
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher, media_type="print")
    return document.write_pdf(pdf_variant=None, uncompressed_pdf=False)
