"""Every PDF download: the content-hash cache, the bounded render in the request, the headers.

A view renders a print template to HTML (loading and authorizing first), wraps it in a
`Document` and returns `pdf_response(document)`. From there on the database is not touched:
the session is closed before rendering starts, so a render never holds a lock. The render runs
in a child process under the PDF_RENDER_* limits (printing.render_bounded), holding its
document's and its user's leases (slots.py); a render stopped or refused answers the page of
refusal.py instead of the PDF.

The cache is keyed by the SHA-256 of the HTML the renderer gets (with its break opportunities),
the print stylesheets, the fonts and the renderer's version, i.e. by the version of the data the
document shows: an unchanged document is a file send. The files (`<key>.pdf`, written
atomically) may be shared by every worker and host, or lost: a missing one is rendered again.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.metadata
import logging
import os
import re
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from flask import Response, current_app
from flask_login import current_user

from journal import security_log
from journal.extensions import db
from journal.reports import printing, refusal, slots

log = logging.getLogger(__name__)

# Files whose change must change every cached PDF (the HTML does not mention their content).
_DESIGN_FILES = (
    "css/print.css",
    "css/print-summary.css",
    "css/print-methods.css",
    "fonts/SHA256SUMS",
)
_RENDERER_PACKAGES = ("weasyprint", "pyphen")


@dataclass(frozen=True)
class Document:
    """A rendered print template, ready to become a PDF download."""

    title: str  # Hungarian title, goes into filename* (RFC 5987, UTF-8)
    filename: str  # ASCII, e.g. "kapcsolodasok_tata_osszefoglalo_2025-11_2026-06.pdf"
    html: str  # the rendered print HTML (render_template of a print template)


def ascii_filename(*parts: str) -> str:
    """Turn words into an ASCII file name stem: "Tata — Összefoglaló" -> "tata_osszefoglalo"."""
    words: list[str] = []
    for part in parts:
        plain = unicodedata.normalize("NFKD", str(part)).encode("ascii", "ignore").decode()
        words += re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", plain.lower())
    return "_".join(words) or "dokumentum"


def content_disposition(document: Document) -> str:
    """Return an attachment header with the ASCII name and the Hungarian title (RFC 6266/5987)."""
    ascii_name = re.sub(r"[^A-Za-z0-9._-]", "_", document.filename) or "dokumentum.pdf"
    title = document.title.strip().rstrip(".") or ascii_name
    if not title.lower().endswith(".pdf"):
        title += ".pdf"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(title, safe='')}"


def cache_dir() -> Path:
    """Return (and create) the directory of cached PDFs and job files."""
    configured = current_app.config["REPORT_CACHE_DIR"]
    path = Path(configured) if configured else Path(current_app.instance_path) / "pdf-cache"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _design_digest() -> bytes:
    """Hash what shapes a PDF besides its HTML: the print stylesheets, the fonts, and the
    versions of WeasyPrint and its hyphenation dictionaries (pyphen), so that a change to any
    of them invalidates the cache."""
    digest = hashlib.sha256()
    for name in _DESIGN_FILES:
        path = printing.STATIC_ROOT / name
        digest.update(name.encode() + b"\0" + (path.read_bytes() if path.is_file() else b"-"))
    digest.update(_renderer_versions())
    return digest.digest()


@functools.cache
def _renderer_versions() -> bytes:
    """Return the installed versions of the renderer's packages (read once per process)."""
    return "".join(f"{p}={importlib.metadata.version(p)}\0" for p in _RENDERER_PACKAGES).encode()


def cache_key(html: str) -> str:
    """Return the cache key of a document: the hash of its HTML and the print design."""
    return hashlib.sha256(_design_digest() + html.encode()).hexdigest()


def _write_atomically(path: Path, data: bytes) -> None:
    """Write a file so that readers see either nothing or all of it."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _prune(directory: Path, max_bytes: int, keep: Path) -> None:
    """Delete the least recently used PDFs until the cache fits in max_bytes."""
    entries = []
    for path in directory.glob("*.pdf"):
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        entries.append((stat.st_atime, stat.st_size, path))
    total = sum(entry[1] for entry in entries)
    for _atime, size, path in sorted(entries, key=lambda e: e[0]):
        if total <= max_bytes:
            break
        if path != keep:
            path.unlink(missing_ok=True)
            total -= size


def render_limits() -> printing.Limits:
    """Return the configured limits of one render (PDF_RENDER_* settings)."""
    config = current_app.config
    return printing.Limits(
        seconds=float(config["PDF_RENDER_SECONDS"]),
        cpu_seconds=int(config["PDF_RENDER_CPU_SECONDS"]),
        memory_bytes=int(config["PDF_RENDER_MEMORY_BYTES"]),
    )


def pdf_response(document: Document) -> Response:
    """Answer a PDF download: from the cache when the document is unchanged, else rendered
    now, in this request (about 2 s for a 25-page summary), under the render limits.

    Closes the database session first: nothing below reads the database, and a render must
    never hold a transaction open. Long words get break opportunities (in what the renderer
    gets only). A render stopped at a limit, or refused because the same document or too many
    of the user's documents are rendering, answers a Hungarian page saying what to change; a
    render that fails otherwise raises: the error page answers and the failure is logged with
    its traceback.
    """
    db.session.close()
    config = current_app.config
    html = printing.with_break_opportunities(
        printing.only_web_links(document.html), int(config["PDF_WORD_BREAK_EVERY"])
    )
    directory = cache_dir()
    key = cache_key(html)
    pdf_path = directory / f"{key}.pdf"
    pdf = None
    with contextlib.suppress(FileNotFoundError):  # not rendered yet, or pruned meanwhile
        pdf = pdf_path.read_bytes()
    if pdf is None:
        limits = render_limits()
        started = time.monotonic()
        try:
            with slots.render_slot(
                key,
                current_user.id,
                per_user=int(config["PDF_RENDERS_PER_USER"]),
                ttl=int(limits.seconds) + 30,
            ):
                pdf = printing.render_bounded(html, limits)
        except slots.Busy:
            log.warning("PDF render of %s refused: already rendering", document.filename)
            return refusal.busy(limits)
        except printing.RenderRefused as stopped:
            security_log.event(
                "pdf.render_stopped",
                document=document.filename,
                limit=stopped.reason,
                seconds=round(time.monotonic() - started, 1),
                limit_seconds=limits.seconds,
                limit_cpu_seconds=limits.cpu_seconds,
                limit_memory_bytes=limits.memory_bytes,
            )
            log.warning(
                "PDF render of %s stopped at its %s limit after %.1f s",
                document.filename,
                stopped.reason,
                time.monotonic() - started,
            )
            return refusal.too_heavy(document.html, limits)
        _write_atomically(pdf_path, pdf)
        _prune(directory, int(config["REPORT_CACHE_MAX_BYTES"]), keep=pdf_path)
        log.info(
            "Rendered %s in %.2f s (%d bytes)",
            document.filename,
            time.monotonic() - started,
            len(pdf),
        )
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = content_disposition(document)
    with contextlib.suppress(OSError):
        os.utime(pdf_path)  # least-recently-used pruning looks at access times
    return response
