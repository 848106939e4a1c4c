"""The download machinery of every PDF: cache, background render, progress page, headers.

A view renders a print template to HTML (loading and authorizing first), wraps it in a
`Document` and returns `pdf_response(document)`. From there on the database is not touched:
the session is closed before rendering starts, so a long render never holds a lock.

The cache is keyed by the SHA-256 of the HTML (plus the print stylesheets, the fonts and the
renderer's version), i.e. by the version of the data the document shows: an unchanged document
is a file send. Job state lives in files next to the cache, so it works across gunicorn's
worker processes:

    <key>.pdf   the finished document (written atomically)
    <key>.job   a render is running (created with O_EXCL: one render per key at a time);
                holds the start time
    <key>.err   the last render failed or timed out; holds the reason ("error", "timeout")
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.metadata
import json
import logging
import os
import re
import secrets
import tempfile
import threading
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

from flask import Response, current_app, make_response, render_template, request

from journal.extensions import db
from journal.htmx import wants_fragment
from journal.reports import printing

log = logging.getLogger(__name__)

# Files whose change must change every cached PDF (the HTML does not mention their content).
_DESIGN_FILES = ("css/print.css", "css/print-summary.css", "fonts/SHA256SUMS")
_RENDERER_PACKAGES = ("weasyprint", "pyphen")

# The query argument of the "try again" link after a failed or timed-out render.
RETRY_ARG = "ujra"

# Renders started by this process, so its requests can wait on an event instead of polling.
_local_jobs: dict[str, _JobEvent] = {}
_local_jobs_lock = threading.Lock()


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
    configured = current_app.config.get("REPORT_CACHE_DIR")
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


def _render_job(
    directory: Path, key: str, token: str, html: str, timeout: float, max_bytes: int
) -> None:
    """Render in the background; leave <key>.pdf or <key>.err, then drop <key>.job."""
    started = time.monotonic()
    pdf_path, err_path, job_path = _paths(directory, key)
    try:
        pdf = printing.html_to_pdf(html)
        elapsed = time.monotonic() - started
        if elapsed > timeout:
            log.error("PDF render of %s took %.1f s, over the %.0f s limit", key, elapsed, timeout)
            _write_atomically(err_path, json.dumps({"reason": "timeout"}).encode())
        else:
            _write_atomically(pdf_path, pdf)
            err_path.unlink(missing_ok=True)
            _prune(directory, max_bytes, keep=pdf_path)
            log.info("Rendered PDF %s in %.2f s (%d bytes)", key, elapsed, len(pdf))
    except Exception:
        log.exception("PDF render of %s failed", key)
        _write_atomically(err_path, json.dumps({"reason": "error"}).encode())
    finally:
        # A job given up for its time limit may have been replaced by a retry: leave that one.
        if _job_token(job_path) == token:
            job_path.unlink(missing_ok=True)
        with _local_jobs_lock:
            event = _local_jobs.get(key)
            if event is not None and event.token == token:
                del _local_jobs[key]
            else:
                event = None
        if event is not None:
            event.set()


class _JobEvent(threading.Event):
    """The end of one render job, known by its token."""

    def __init__(self, token: str):
        """Remember the job's token."""
        super().__init__()
        self.token = token


def _job_token(job_path: Path) -> str | None:
    """Return the token of the job file, or None if there is none (or it is unreadable)."""
    try:
        return json.loads(job_path.read_text()).get("token")
    except (OSError, ValueError, AttributeError):
        return None


def _paths(directory: Path, key: str) -> tuple[Path, Path, Path]:
    """Return the PDF, error and job file paths of a key."""
    return directory / f"{key}.pdf", directory / f"{key}.err", directory / f"{key}.job"


def _start_job(directory: Path, key: str, html: str) -> bool:
    """Start a render unless one is already running (in any process); tell if this one did."""
    _pdf, err_path, job_path = _paths(directory, key)
    try:
        fd = os.open(job_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return False
    token = secrets.token_hex(8)
    with os.fdopen(fd, "w") as job:
        job.write(json.dumps({"started": time.time(), "pid": os.getpid(), "token": token}))
    err_path.unlink(missing_ok=True)
    event = _JobEvent(token)
    with _local_jobs_lock:
        _local_jobs[key] = event
    config = current_app.config
    thread = threading.Thread(
        target=_render_job,
        args=(
            directory,
            key,
            token,
            html,
            float(config["REPORT_RENDER_TIMEOUT"]),
            int(config["REPORT_CACHE_MAX_BYTES"]),
        ),
        name=f"pdf-{key[:12]}",
        daemon=True,
    )
    thread.start()
    return True


def _job_started(job_path: Path) -> float | None:
    """Return when a running job started (epoch seconds), or None if there is none."""
    try:
        return float(json.loads(job_path.read_text())["started"])
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError):
        # Being written right now by another process: treat it as just started.
        return time.time()


def _wait(directory: Path, key: str, seconds: float) -> None:
    """Wait up to `seconds` for the job of `key` to finish (in this process or another)."""
    pdf_path, err_path, job_path = _paths(directory, key)
    with _local_jobs_lock:
        event = _local_jobs.get(key)
    if event is not None:
        event.wait(seconds)
        return
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if pdf_path.exists() or err_path.exists() or not job_path.exists():
            return
        time.sleep(0.05)


def _cached(pdf_path: Path) -> bytes | None:
    """Return a finished PDF, or None (read whole: no file handle is left open)."""
    try:
        return pdf_path.read_bytes()
    except FileNotFoundError:
        return None


def _send(document: Document, pdf_path: Path, pdf: bytes) -> Response:
    """Send a finished PDF as an attachment."""
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = content_disposition(document)
    response.vary.add("HX-Request")
    with contextlib.suppress(OSError):
        os.utime(pdf_path)  # least-recently-used pruning looks at access times
    return response


def _status_page(document: Document, state: str, status: int) -> Response:
    """Answer the progress, ready or error page (a fragment for htmx polling)."""
    # The document's own URL, query string included (a period, say), without the retry flag.
    args = [(k, v) for k, v in request.args.items(multi=True) if k != RETRY_ARG]
    poll_url = request.script_root + request.path + ("?" + urlencode(args) if args else "")
    retry_url = request.script_root + request.path + "?" + urlencode([*args, (RETRY_ARG, "1")])
    template = "reports/_job_status.html" if wants_fragment() else "reports/job.html"
    response = make_response(
        render_template(
            template,
            document=document,
            state=state,
            poll_url=poll_url,
            retry_url=retry_url,
            refresh_seconds=2,
        ),
        status,
    )
    response.vary.add("HX-Request")
    return response


def pdf_response(document: Document) -> Response:
    """Answer a PDF download: from the cache, rendered within ~1.5 s, or a progress page.

    Closes the database session first: nothing below reads the database, and a render must
    never hold a transaction open. An htmx poll (the progress page's) gets a small status
    fragment; a plain request gets the PDF itself as soon as it is ready.
    """
    db.session.close()
    directory = cache_dir()
    key = cache_key(document.html)
    pdf_path, err_path, job_path = _paths(directory, key)
    config = current_app.config

    if (pdf := _cached(pdf_path)) is not None:
        return _ready(document, pdf_path, pdf)

    retry = request.args.get(RETRY_ARG) == "1"
    if err_path.exists() and not retry:
        return _failure(document, err_path)

    started = _job_started(job_path)
    if started is not None and time.time() - started > float(config["REPORT_RENDER_TIMEOUT"]):
        # A render that outlived its limit (or whose worker died): give up on it.
        log.error("PDF render of %s passed its time limit; reporting a failure", key)
        job_path.unlink(missing_ok=True)
        _write_atomically(err_path, json.dumps({"reason": "timeout"}).encode())
        if not retry:
            return _status_page(document, "timeout", 504)
        started = None
    if started is None:
        # The one-time import is not part of the render the request waits for.
        printing.preload()
        _start_job(directory, key, document.html)

    _wait(directory, key, float(config["REPORT_WAIT_SECONDS"]))
    if (pdf := _cached(pdf_path)) is not None:
        return _ready(document, pdf_path, pdf)
    if err_path.exists() and not job_path.exists():
        return _failure(document, err_path)
    return _status_page(document, "running", 202)


def _ready(document: Document, pdf_path: Path, pdf: bytes) -> Response:
    """Send the PDF, or tell an htmx poll that it is ready to download."""
    if wants_fragment():
        return _status_page(document, "ready", 200)
    return _send(document, pdf_path, pdf)


def _failure(document: Document, err_path: Path) -> Response:
    """Answer the page of a failed (500) or timed-out (504) render, with a retry link."""
    try:
        reason = json.loads(err_path.read_text()).get("reason")
    except (OSError, ValueError, AttributeError):
        reason = "error"
    if reason == "timeout":
        return _status_page(document, "timeout", 504)
    return _status_page(document, "error", 500)
