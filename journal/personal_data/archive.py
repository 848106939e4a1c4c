"""The ZIP a person downloads: a readable HTML page and the same data as JSON."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime

from flask import render_template

from journal.i18n import long_date, short_datetime
from journal.models import User, local_today
from journal.reports.documents import ascii_filename

HTML_NAME = "adataim.html"
JSON_NAME = "adataim.json"


def when(text: str | None) -> str:
    """Return an ISO date or moment as the reader writes it ("2025. november 14.", or with
    the time in the program's zone)."""
    if not text:
        return "–"
    if "T" not in text:
        return long_date(date.fromisoformat(text))
    return short_datetime(datetime.fromisoformat(text))


def archive_name(person: User) -> str:
    """Return the ZIP's ASCII file name: muhelynaplo_adatok_<name>_<date>.zip."""
    stem = ascii_filename("muhelynaplo", "adatok", person.family_name, person.given_name)
    return f"{stem}_{local_today().isoformat()}.zip"


def build_archive(person: User, data: dict) -> bytes:
    """Return the ZIP of a person's data: adataim.html and adataim.json."""
    html = render_template("personal_data/document.html", person=person, data=data, when=when)
    payload = json.dumps(data, ensure_ascii=False, indent=2)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(HTML_NAME, html)
        archive.writestr(JSON_NAME, payload)
    return buffer.getvalue()
