"""The PDF renderer: static-only URL fetcher, shipped fonts, metadata, file names, headers."""

import hashlib
import io
import logging
import socket
import threading

import pypdf
import pytest
from flask import render_template_string

from journal import static_files
from journal.reports import printing
from journal.reports.documents import Document, ascii_filename, content_disposition
from journal.reports.printing import BASE_URL, RefusedURL, html_to_pdf, static_path_for
from tests.pdfs import font_names

STATIC = printing.STATIC_ROOT


class Listener:
    """A local TCP listener that counts every connection made to it."""

    def __init__(self):
        """Listen on a free port of 127.0.0.1 and accept in a background thread."""
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        """Count connections until stopped, answering none of them."""
        while not self._stop.is_set():
            try:
                conn, _addr = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self):
        """Stop accepting and close the socket."""
        self._stop.set()
        self._thread.join()
        self.sock.close()


@pytest.fixture
def listener():
    """A local listener that must receive no request."""
    server = Listener()
    yield server
    server.close()


def _pdf(data: bytes) -> pypdf.PdfReader:
    """Open PDF bytes with pypdf."""
    return pypdf.PdfReader(io.BytesIO(data))


def _text(reader: pypdf.PdfReader) -> str:
    """Return the text of every page."""
    return "\n".join(page.extract_text() for page in reader.pages)


def _render(body: str, title: str = "Próba – dokumentum", head: str = "") -> str:
    """Render a body inside print_base.html, as the views do."""
    template = (
        '{% extends "reports/print_base.html" %}{% block title %}' + title + "{% endblock %}"
        "{% block running_header %}Árvíztűrő csoport{% endblock %}{% block content %}"
        + body
        + "{% endblock %}"
    )
    html = render_template_string(template, program_name="Kapcsolódások", doc_author="Egyesület")
    return html.replace("</head>", head + "</head>")


# --- The fetcher --------------------------------------------------------------------------


def test_fetcher_serves_our_static_files():
    """/static/... under the base URL resolves to the file under static/."""
    assert static_path_for(BASE_URL + "static/fonts/Caladea-Regular.ttf") == (
        STATIC / "fonts" / "Caladea-Regular.ttf"
    )
    assert static_path_for(BASE_URL + "static/css/print.css") == STATIC / "css" / "print.css"
    hashed = static_files.url_path().lstrip("/") + "/css/print.css"  # what url_for writes
    assert static_path_for(BASE_URL + hashed) == STATIC / "css" / "print.css"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file://" + str(STATIC / "css" / "print.css"),
        "http://127.0.0.1:9/static/css/print.css",
        "https://example.org/static/css/print.css",
        "http://muhelynaplo.invalid/static/css/print.css",  # other scheme than the base
        "https://muhelynaplo.invalid:8443/static/css/print.css",  # other port
        "https://muhelynaplo.invalid/journal/config.py",  # our origin, but not static/
        "https://muhelynaplo.invalid/static/../journal/config.py",
        "https://muhelynaplo.invalid/static/%2e%2e/journal/config.py",
        "https://muhelynaplo.invalid/static/css/../../instance/config.py",
        "https://muhelynaplo.invalid/static/css/",  # a directory
        "https://muhelynaplo.invalid/static/nincs-ilyen.css",
        "data:text/css,body{color:red}",
        "ftp://127.0.0.1/x",
    ],
)
def test_fetcher_refuses_everything_else(url):
    """Other schemes, hosts, ports, paths outside static/ and data: URLs are refused."""
    with pytest.raises(RefusedURL):
        static_path_for(url)


HOSTILE = """
<h1>Támadás ő ű</h1>
<p>Szöveg marad: árvíztűrő tükörfúrógép.</p>
<img src="file:///etc/passwd" alt="">
<img src="http://127.0.0.1:{port}/img.png" alt="">
<img src="/static/../journal/config.py" alt="">
<img alt="" src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'%3E\
%3Cimage href='http://127.0.0.1:{port}/svg'/%3E%3C/svg%3E">
<object data="http://127.0.0.1:{port}/object"></object>
<embed src="http://127.0.0.1:{port}/embed">
<iframe src="http://127.0.0.1:{port}/iframe"></iframe>
<p style="background: url(http://127.0.0.1:{port}/inline-bg.png)">Háttér</p>
<p><a href="http://127.0.0.1:{port}/link">![x](http://127.0.0.1:{port}/markdown)</a></p>
"""
HOSTILE_HEAD = """
<link rel="stylesheet" href="http://127.0.0.1:{port}/link.css">
<link rel="stylesheet" href="file:///etc/passwd">
<style>
@import url("http://127.0.0.1:{port}/import.css");
@import "file:///etc/hosts";
@font-face {{ font-family: Rossz; src: url(http://127.0.0.1:{port}/font.ttf); }}
body {{ background-image: url("http://127.0.0.1:{port}/bg.png"); }}
h1 {{ font-family: Rossz; list-style-image: url(file:///etc/passwd); }}
</style>
"""


def test_hostile_html_fetches_nothing_and_still_renders(app, listener, caplog, monkeypatch):
    """file://, http:// to a local listener, @import, url(), data: — no request, PDF renders."""
    # Alembic's fileConfig (migration tests) disables loggers that exist when it runs.
    monkeypatch.setattr(logging.getLogger(printing.__name__), "disabled", False)
    with app.test_request_context():
        html = _render(
            HOSTILE.format(port=listener.port), head=HOSTILE_HEAD.format(port=listener.port)
        )
    with caplog.at_level(logging.WARNING, logger="journal.reports.printing"):
        pdf = html_to_pdf(html)
    assert listener.connections == 0
    text = _text(_pdf(pdf))
    assert "Támadás ő ű" in text and "árvíztűrő tükörfúrógép" in text
    refused = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert any("file:///etc/passwd" in message for message in refused)
    assert any(f"127.0.0.1:{listener.port}/import.css" in message for message in refused)
    assert any(f"127.0.0.1:{listener.port}/bg.png" in message for message in refused)
    assert any("data:" in message for message in refused)


def test_listener_would_notice_a_request(listener):
    """The listener itself works: a real connection is counted (so 0 above means something)."""
    with socket.create_connection(("127.0.0.1", listener.port), timeout=1):
        pass
    for _ in range(50):
        if listener.connections:
            break
        threading.Event().wait(0.02)
    assert listener.connections == 1


# --- Fonts, metadata, outline -------------------------------------------------------------


def test_fonts_match_their_checksums():
    """Every shipped font has its pinned digest; none is unlisted; licence and README exist."""
    fonts = STATIC / "fonts"
    listed = {}
    for line in (fonts / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split(maxsplit=1)
        listed[name] = digest
    assert {f"fonts/{p.name}" for p in fonts.glob("*.ttf")} == set(listed)
    for name, digest in listed.items():
        assert hashlib.sha256((STATIC / name).read_bytes()).hexdigest() == digest, name
    assert "Open Font License" in (fonts / "Caladea-OFL.txt").read_text()
    assert "fonts-crosextra-caladea" in (fonts / "README.md").read_text()


def test_pdf_embeds_only_our_fonts_and_carries_metadata(app):
    """Caladea (regular, bold, italic) is embedded, nothing else; title, author, lang hu."""
    with app.test_request_context():
        html = _render(
            "<h1>Összefoglaló ő ű Ő Ű</h1><p>Normál <strong>félkövér</strong> <em>dőlt</em></p>"
            "<h2>Második fejezet</h2><p>Szöveg</p>",
            title="Árvíztűrő – összefoglaló",
        )
    reader = _pdf(html_to_pdf(html))
    assert font_names(reader) == {"Caladea", "Caladea-Bold", "Caladea-Italic"}
    assert reader.metadata.title == "Árvíztűrő – összefoglaló"
    assert reader.metadata.author == "Egyesület"
    assert reader.trailer["/Root"]["/Lang"] == "hu"
    text = _text(reader)
    assert "Összefoglaló ő ű Ő Ű" in text
    assert "1. oldal / 1" in text  # the footer's counters
    titles = [item["/Title"] for item in _flatten(reader.outline)]
    assert titles == ["Összefoglaló ő ű Ő Ű", "Második fejezet"]


def test_hungarian_hyphenation_in_a_narrow_column_uses_our_font(app):
    """lang=hu and hyphens:auto break long Hungarian words with pyphen's hu patterns, and the
    hyphen comes from Caladea: the default U+2010 is not in it and pulled in a system font."""
    import pyphen

    assert "hu" in pyphen.LANGUAGES
    with app.test_request_context():
        html = _render(
            '<div><p style="width: 30mm">'
            "megszentségteleníthetetlenségeskedéseitekért "
            "közösségfejlesztési önkéntességgel</p></div>"
        )
    reader = _pdf(html_to_pdf(html))
    lines = reader.pages[0].extract_text().splitlines()
    broken = [line for line in lines if line.endswith("-")]
    assert len(broken) >= 3, lines  # not one word fits the column whole
    assert "megszentségtele-" in lines, lines  # a break where Hungarian allows one
    assert "\u2010" not in _text(reader)
    assert font_names(reader) == {"Caladea"}


def test_running_header_and_page_counter_on_later_pages(app):
    """Page 2 on carries the program and group in its header and "X. oldal / Y" at the foot."""
    with app.test_request_context():
        html = _render("<h1>Első</h1>" + '<p class="page-break">Második oldal</p>' * 2)
    reader = _pdf(html_to_pdf(html))
    assert len(reader.pages) == 3
    first, second = reader.pages[0].extract_text(), reader.pages[1].extract_text()
    assert "Árvíztűrő csoport" not in first  # the first page has the letterhead instead
    assert "Árvíztűrő csoport" in second and "Kapcsolódások" in second
    assert "2. oldal / 3" in second


def test_toc_page_numbers_come_from_target_counter(app):
    """A table of contents gets its page numbers from CSS, not from the template."""
    with app.test_request_context():
        html = _render(
            '<nav class="toc"><ol><li><a href="#a">Első fejezet</a></li>'
            '<li><a href="#b">Második fejezet</a></li></ol></nav>'
            '<h2 id="a" class="page-break">Első fejezet</h2><p>x</p>'
            '<h2 id="b" class="page-break">Második fejezet</h2><p>y</p>'
        )
    first_page = _pdf(html_to_pdf(html)).pages[0].extract_text()
    lines = [line.replace(" ", "").replace(".", "") for line in first_page.splitlines()]
    assert "Elsőfejezet2" in lines and "Másodikfejezet3" in lines


def _flatten(outline) -> list:
    """Return every outline item, depth first."""
    items = []
    for item in outline:
        items += _flatten(item) if isinstance(item, list) else [item]
    return items


# --- File names and headers ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("Tata — Összefoglaló",), "tata_osszefoglalo"),
        (("Kapcsolódások", "tata", "összefoglaló", "2025-11", "2026-06"),
         "kapcsolodasok_tata_osszefoglalo_2025-11_2026-06"),
        (("Őrség – Űrhajós", "ÁÉÍÓÖŐÚÜŰ"), "orseg_urhajos_aeiooouuu"),
        (("../../etc/passwd",), "etc_passwd"),
        (('"; rm -rf /',), "rm_rf"),
        (("",), "dokumentum"),
    ],
)  # fmt: skip
def test_ascii_filename(parts, expected):
    """Accents are dropped, words joined by "_", nothing but [a-z0-9_-] is left."""
    assert ascii_filename(*parts) == expected


def test_content_disposition_has_ascii_name_and_utf8_title():
    """filename= is the ASCII name; filename*= the Hungarian title, percent-encoded UTF-8."""
    document = Document(title="Tata – Jelenléti ív", filename="kapcsolodasok_tata.pdf", html="")
    header = content_disposition(document)
    assert header == (
        'attachment; filename="kapcsolodasok_tata.pdf"; '
        "filename*=UTF-8''Tata%20%E2%80%93%20Jelenl%C3%A9ti%20%C3%ADv.pdf"
    )
    hostile = Document(title='x"; y', filename='a"b\r\n.pdf', html="")
    assert '"' not in content_disposition(hostile).split("filename=")[1].strip('"').split('"')[0]
    assert "\r" not in content_disposition(hostile) and "\n" not in content_disposition(hostile)


def test_cache_key_follows_the_stylesheets_and_the_renderer(app, monkeypatch, tmp_path):
    """A changed summary stylesheet or another WeasyPrint/pyphen version gives a new key, so a
    cached PDF in the old design is never served; the same inputs give the same key."""
    from journal.reports import documents

    html = "<p>Ugyanaz</p>"
    before = documents.cache_key(html)
    assert documents.cache_key(html) == before
    static = tmp_path / "static"
    for name in documents._DESIGN_FILES:
        (static / name).parent.mkdir(parents=True, exist_ok=True)
        (static / name).write_bytes((printing.STATIC_ROOT / name).read_bytes())
    monkeypatch.setattr(printing, "STATIC_ROOT", static)
    assert documents.cache_key(html) == before
    (static / "css" / "print-summary.css").write_text("h1 { color: red; }")
    restyled = documents.cache_key(html)
    assert restyled != before
    monkeypatch.setattr(documents, "_renderer_versions", lambda: b"weasyprint=99.0\0")
    assert documents.cache_key(html) not in (before, restyled)
