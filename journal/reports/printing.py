"""HTML to PDF with WeasyPrint, fetching nothing but our own static files, under hard limits."""

from __future__ import annotations

import contextlib
import ctypes
import functools
import gc
import logging
import mimetypes
import os
import re
import resource
import select
import signal
import time
import traceback
from dataclasses import dataclass
from html import unescape
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

# What preload() renders: every face of our font, both stylesheets, headings, a table, margin
# boxes and a paragraph that needs Hungarian hyphenation. What WeasyPrint caches while laying
# these out (font faces, the hyphenation dictionary, parsed stylesheets) is then in the worker's
# memory, so every forked render starts with it instead of loading it again (~0.5 s each).
_WARM_UP = (
    '<html lang="hu"><head><title>Bemelegítés</title>'
    '<link rel="stylesheet" href="/static/css/print.css">'
    '<link rel="stylesheet" href="/static/css/print-summary.css"></head><body>'
    '<div class="running-strings"><span class="running">Árvíztűrő</span></div>'
    "<h1>Összefoglaló</h1><h2>Foglalkozások</h2><h3>Első alkalom</h3><h4>Tapasztalatok</h4>"
    '<p style="width: 20mm">Megszentségteleníthetetlenségeskedéseitekért <strong>erős</strong>'
    " <em>dőlt <strong>erős dőlt</strong></em> ő ű „idézet” – 2025. november 12.</p>"
    '<table class="plain"><thead><tr><th class="num">Sorsz.</th><th class="name">Név</th></tr>'
    '</thead><tbody><tr><td class="num">1.</td><td class="name">Kovács Ödön</td></tr></tbody>'
    '</table><ul><li>Egy</li></ul><p class="empty">Nincs kitöltve.</p></body></html>'
)


def preload() -> None:
    """Import WeasyPrint and warm its caches once per process (~1 s), outside a render's wait."""
    global _warm
    if not _warm:
        html_to_pdf(_WARM_UP)
        _warm = True


def html_to_pdf(html: str) -> bytes:
    """Render one of our print templates to PDF bytes, with the static-only fetcher.

    Title, author, description and language come from the template's <title>, <meta> and
    <html lang="hu">. Relative and `/static/...` URLs resolve against BASE_URL.
    """
    from weasyprint import HTML

    fetcher = _fetcher_class()()
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher, media_type="print")
    return document.write_pdf(pdf_variant=None, uncompressed_pdf=False)


# --- Links ----------------------------------------------------------------------------------

# An <a> element with its href (our templates and nh3 quote attributes with double quotes).
_LINK = re.compile(r'<a\b[^>]*?\bhref="([^"]*)"[^>]*>(.*?)</a\s*>', re.IGNORECASE | re.DOTALL)
_WEB = re.compile(r"^https?://[^/?#\s]", re.IGNORECASE)


def only_web_links(html: str) -> str:
    """Return the HTML with every link that is not an absolute http(s) address (nor one of the
    document's own "#…" anchors, the table of contents) made plain text: in a PDF a relative
    link would point at BASE_URL's made-up host, and a mailto: or other scheme has no place in
    a filed report. Only what the renderer gets: stored texts never change."""

    def plain(match: re.Match) -> str:
        href = unescape(match.group(1)).strip()
        return match.group(0) if _WEB.match(href) or href.startswith("#") else match.group(2)

    return _LINK.sub(plain, html)


# --- Break opportunities ---------------------------------------------------------------------

ZERO_WIDTH_SPACE = "\u200b"
# Text inside these elements is not laid out as words on a page (or is metadata: <title>).
_NOT_TEXT = re.compile(
    r"(<(script|style|title|textarea)\b.*?</\2\s*>|<!--.*?-->|<[^>]*>)", re.IGNORECASE | re.DOTALL
)


@functools.cache
def _long_run(every: int) -> re.Pattern:
    """Match `every` characters of a word (an entity counts as one) that more of it follow."""
    char = r"(?:&#?\w+;|[^\s\u200b])"
    return re.compile(f"({char}{{{every}}})(?={char})")


def with_break_opportunities(html: str, every: int) -> str:
    """Return the HTML with a zero-width space after every `every` characters of each longer
    word in its text (never in tags, attributes, <title>, <style> or <script>).

    WeasyPrint lays out one long unbroken word super-linearly (2,000 characters take seconds,
    10,000 more than a minute); with a break opportunity every few dozen characters it is a
    line of text like any other. Stored texts are never changed: this is only what the
    renderer gets. `every` of 0 (or less) leaves the HTML as it is.
    """
    if every <= 0:
        return html
    pattern = _long_run(every)
    # split() returns text, tag, group 2 (the element name or None: left out), text, tag, ...
    return "".join(
        pattern.sub(lambda m: m.group(1) + ZERO_WIDTH_SPACE, part) if index % 3 == 0 else part
        for index, part in enumerate(_NOT_TEXT.split(html))
        if index % 3 != 2
    )


# --- Bounded rendering -----------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """What one render may spend before it is stopped."""

    seconds: float  # wall clock, from the fork to the last byte of the PDF
    cpu_seconds: int  # CPU time of the rendering process (RLIMIT_CPU)
    memory_bytes: int  # address space the render may add to the worker's (RLIMIT_AS)


class RenderRefused(Exception):
    """A render stopped at a limit (reason "time" or "memory"): the document is too heavy."""

    def __init__(self, reason: str):
        """Remember which limit stopped the render."""
        super().__init__(reason)
        self.reason = reason


class RenderFailed(RuntimeError):
    """A render raised an error in its process (the message holds the child's traceback)."""


# Children rendering now, by process id (the renderer's own accounting; tests read it).
_running: dict[int, float] = {}


def running_renders() -> set[int]:
    """Return the process ids of the renders of this process that are still running."""
    return set(_running)


def render_bounded(html: str, limits: Limits) -> bytes:
    """Render HTML to PDF in a child forked from this (warm) process, and return the PDF.

    The child has a CPU-time and an address-space limit; the parent reads the PDF from a pipe
    and kills the child at the wall-clock deadline. Whatever happens, the child is reaped
    before this returns or raises: no render outlives its request. A limit reached raises
    RenderRefused; an error in the render raises RenderFailed with the child's traceback.
    """
    preload()  # once per process: every child starts warm (WeasyPrint imported, fonts loaded)
    read_end, write_end = os.pipe()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child process; it always ends in os._exit
        os.close(read_end)
        _child(html, limits, write_end)
    os.close(write_end)
    _running[pid] = started
    chunks: list[bytes] = []
    status = None
    try:
        deadline = started + limits.seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise RenderRefused("time")
            ready, _w, _x = select.select([read_end], [], [], left)
            if ready:
                chunk = os.read(read_end, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
        _pid, status = os.waitpid(pid, 0)
    finally:
        os.close(read_end)
        if status is None:  # still running (deadline, or an exception here): stop it now
            with contextlib.suppress(ProcessLookupError):  # it ended meanwhile
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        del _running[pid]
    return _result(b"".join(chunks), status)


# The child's exit status when it ran out of memory where Python could still tell.
_OUT_OF_MEMORY = 3


def _result(data: bytes, status: int) -> bytes:
    """Turn what the child sent and how it ended into the PDF, or raise."""
    if os.WIFSIGNALED(status):
        # SIGXCPU at the CPU limit (SIGKILL a second later). A C library that cannot allocate
        # under the address-space limit aborts (GLib) or crashes: that is running out of memory.
        signum = os.WTERMSIG(status)
        raise RenderRefused("time" if signum in (signal.SIGXCPU, signal.SIGKILL) else "memory")
    if os.WEXITSTATUS(status) == _OUT_OF_MEMORY:
        raise RenderRefused("memory")
    kind, payload = data[:1], data[1:]
    if kind == b"P" and os.WEXITSTATUS(status) == 0:
        return payload
    raise RenderFailed(payload.decode("utf-8", "replace") or f"render ended with {status}")


def _child(html: str, limits: Limits, out: int) -> None:  # pragma: no cover - runs in the child
    """Render under the limits, write b"P" + PDF (or b"E" + traceback), and exit."""
    code = 0
    try:
        for signum in (
            signal.SIGTERM,
            signal.SIGINT,
            signal.SIGQUIT,
            signal.SIGUSR1,
            signal.SIGXCPU,
            signal.SIGCHLD,
        ):
            signal.signal(signum, signal.SIG_DFL)
        gc.freeze()  # the worker's objects: the collector in the child never walks (copies) them
        _die_with_parent()
        cpu = max(1, int(limits.cpu_seconds))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        address_space = _address_space() + int(limits.memory_bytes)
        resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
        try:
            pdf = html_to_pdf(html)
        except MemoryError:
            raise
        except BaseException:
            _write_all(out, b"E" + traceback.format_exc().encode())
        else:
            _write_all(out, b"P")
            _write_all(out, pdf)
    except MemoryError:
        code = _OUT_OF_MEMORY
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _write_all(fd: int, data: bytes) -> None:  # pragma: no cover - runs in the child
    """Write all of data to a file descriptor."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _address_space() -> int:
    """Return this process's address-space size in bytes (from /proc/self/statm)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    """Ask Linux to kill this child if the worker dies first (PR_SET_PDEATHSIG)."""
    # Without it (not Linux), the CPU limit still ends an orphaned render.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
