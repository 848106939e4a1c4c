"""Attendance sheets and the workshop record: content, privacy, downloads, cache, progress."""

import io
import re
import subprocess
import threading
import time
from datetime import time as clock
from pathlib import Path

import pypdf
import pytest

from journal.extensions import db
from journal.journals.operations import finalise, save_section
from journal.models import (
    Attendance,
    AttendanceStatus,
    Guest,
    NoteKind,
    Role,
    Visibility,
    WorkshopStatus,
)
from journal.notes.operations import add_note
from journal.reports import printing
from tests.factories import make_journal, make_membership, make_user, make_workshop

PDF_URLS = {
    "blank": "/workshops/{id}/attendance-sheet.pdf",
    "filled": "/workshops/{id}/attendance-sheet/filled.pdf",
    "record": "/workshops/{id}/record.pdf",
}
PREVIEW_URLS = {
    "blank": "/workshops/{id}/attendance-sheet",
    "filled": "/workshops/{id}/attendance-sheet/filled",
    "record": "/workshops/{id}/record",
}
# Participants whose Hungarian order differs from a plain code-point sort:
# C < Cs, O < Ö < Ő, Z < Zs.
PARTICIPANTS = [
    ("Zsoldos", "Ő", "Zsoldos-ház", "Őriszentpéter", AttendanceStatus.ABSENT),
    ("Csonka", "Űr", "Csonka Közösségi Ház", "Csörötnek", AttendanceStatus.LATE),
    ("Cukor", "Ödön", "Cukor Művelődési Ház", "Cák", AttendanceStatus.PRESENT),
    ("Zala", "Örs", "Zalai Könyvtár", "Zalaegerszeg", AttendanceStatus.EXCUSED),
    ("Ötvös", "Anna", "Ötvös Ház", "Öttevény", None),
]
HUNGARIAN_ORDER = ["Cukor Ödön", "Csonka Űr", "Ötvös Anna", "Zala Örs", "Zsoldos Ő"]
REPORT_TEXT = {
    "topic": "BESZÁMOLÓ-TÉMA: a közösségi szolgálat őszi tapasztalatai",
    "process": "BESZÁMOLÓ-MENET: körben bemutatkoztunk, majd kiscsoportban dolgoztunk",
    "outcomes": "BESZÁMOLÓ-EREDMÉNY: három közös önkéntes akciót terveztünk",
}
# Unique markers in every field that must never reach a PDF of this workshop.
SECRET_TEXT = {
    "reflection": "TITOK-PRIVÁT-ÖNREFLEXIÓ",
    "methods": "TITOK-KOORDINÁCIÓS-NEM-BESZÁMOLÓ",
    "raised": "TITOK-CSOPORT-NEM-BESZÁMOLÓ",
    "next_steps": "TITOK-ÜRES-BESZÁMOLÓBA-NEM",
}


def _pdf(data: bytes) -> pypdf.PdfReader:
    """Open PDF bytes with pypdf."""
    return pypdf.PdfReader(io.BytesIO(data))


def _text(data: bytes) -> str:
    """Return the text of every page of a PDF."""
    return "\n".join(page.extract_text() for page in _pdf(data).pages)


@pytest.fixture
def reports(app, world, tmp_path):
    """A workshop of group alfa with participants, attendance, guests, journal and notes."""
    app.config["REPORT_CACHE_DIR"] = str(tmp_path / "pdf-cache")
    group = world["group_a"]
    mentor = world["mentor_a"]
    # Only the participants above, so the expected order is exact.
    for membership in group.memberships:
        if membership.role == Role.PARTICIPANT:
            db.session.delete(membership)
    db.session.flush()
    users = []
    for family, given, institution, settlement, _status in PARTICIPANTS:
        user = make_user(family_name=family, given_name=given)
        make_membership(user, group, institution=institution, settlement=settlement)
        users.append(user)
    workshop = make_workshop(
        group,
        topic="Őszi műhely: tűzön-vízen át",
        place="Kőszegi Művelődési Ház, Fűzfő utca 1.",
        start_time=clock(15, 0),
        end_time=clock(18, 0),
        agenda="TITOK-NAPIREND-MEZŐ",
        methods="kiscsoportos munka\nreflektív napló",
    )
    for user, (*_rest, status) in zip(users, PARTICIPANTS, strict=True):
        if status is not None:
            db.session.add(Attendance(workshop=workshop, user_id=user.id, status=status))
    db.session.add(Guest(workshop=workshop, name="Vendég Vilma", institution="Vendégház"))
    journal = make_journal(workshop, mentor)
    plan = {
        "topic": (REPORT_TEXT["topic"], Visibility.GROUP, True),
        "process": (REPORT_TEXT["process"], Visibility.COORDINATION, True),
        "outcomes": (REPORT_TEXT["outcomes"], Visibility.GROUP, True),
        "reflection": (SECRET_TEXT["reflection"], Visibility.PRIVATE, False),
        "methods": (SECRET_TEXT["methods"], Visibility.COORDINATION, False),
        "raised": (SECRET_TEXT["raised"], Visibility.GROUP, False),
        "next_steps": (SECRET_TEXT["next_steps"], Visibility.COORDINATION, False),
    }
    for section in journal.sections:
        body, visibility, in_report = plan[section.key]
        save_section(mentor, section, section.version, body, visibility, in_report)
    finalise(mentor, journal)  # a draft reaches a PDF only when asked for (issue 14)
    for title, mentor_only in (("TITOK-JEGYZET-MENTORNAK", True), ("TITOK-JEGYZET-NEM", False)):
        add_note(
            world["participant_a"] if mentor_only else mentor,
            group,
            kind=NoteKind.DIFFICULTY,
            title=title,
            body=title + "-SZÖVEG",
            link="",
            workshop=workshop,
            mentor_only=mentor_only,
            hide_reactors=False,
        )
    other = make_workshop(world["group_b"], topic="TITOK-MÁSIK-CSOPORT-TÉMA")
    make_journal(other, world["mentor_b"], {"topic": "TITOK-MÁSIK-CSOPORT-NAPLÓ"})
    db.session.commit()
    return {"workshop": workshop, "other": other, "world": world, "users": users}


def _get(client, kind: str, workshop, **kw):
    """Download one of the workshop's PDFs."""
    return client.get(PDF_URLS[kind].format(id=workshop.id), **kw)


# --- Content ------------------------------------------------------------------------------


def test_blank_sheet_has_header_order_blank_rows_and_signature(client, log_in, reports):
    """Header facts, participants in Hungarian order, blank guest rows, "Kelt:", one page."""
    log_in(reports["world"]["mentor_a"])
    response = _get(client, "blank", reports["workshop"])
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    reader = _pdf(response.data)
    assert len(reader.pages) == 1
    assert reader.metadata.title == "Alfa csoport – Jelenléti ív – 2025. november 14."
    assert reader.metadata.author == "Mentor Aladár"
    assert reader.metadata.subject.startswith("Jelenléti ív: Alfa csoport (Alfa régió)")
    assert reader.trailer["/Root"]["/Lang"] == "hu"
    text = _text(response.data)
    for expected in (
        "Jelenléti ív",
        "Kapcsolódások – Csoportos Mentorálás 2.0",
        "Egyesületünk mintaprogramja",  # the default funder line
        "Alfa csoport",
        "Alfa régió",
        "2025. november 14., 15:00–18:00",
        "Kőszegi Művelődési Ház, Fűzfő utca 1.",
        "Őszi műhely: tűzön-vízen át",
        "Mentor Aladár",
        "Cukor Művelődési Ház",
        "Őriszentpéter",
        "Aláírás",
        "Vendégek",
        "Kelt:",
    ):
        assert expected in text, expected
    positions = [text.index(name) for name in HUNGARIAN_ORDER]
    assert positions == sorted(positions), "not in Hungarian alphabetical order"
    for number in range(1, len(PARTICIPANTS) + 5):  # five participants, four blank rows
        assert f"{number}." in text
    assert f"{len(PARTICIPANTS) + 5}." not in text
    # A blank sheet says nothing about who came.
    for word in ("Vendég Vilma", "jelen", "hiányzott", "késett"):
        assert not re.search(rf"\b{word}\b", text), word


def test_filled_sheet_marks_attendance_and_lists_guests(client, log_in, reports):
    """Present/late marked, absent/excused noted, unrecorded said, guests listed."""
    log_in(reports["world"]["coordinator"])
    text = _text(_get(client, "filled", reports["workshop"]).data)
    lines = {line.split(".", 1)[1].strip() for line in text.splitlines() if "." in line[:4]}
    assert any(line.startswith("Cukor Ödön") and line.endswith("jelen") for line in lines)
    assert any(line.startswith("Csonka Űr") and line.endswith("késett") for line in lines)
    assert any(line.startswith("Zala Örs") and "igazoltan hiányzott" in line for line in lines)
    assert any(line.startswith("Zsoldos Ő") and line.endswith("hiányzott") for line in lines)
    assert any(line.startswith("Ötvös Anna") and "nincs rögzítve" in line for line in lines)
    assert "Vendég Vilma" in text and "Vendégház" in text
    assert "Résztvevők: 5 fő, ebből jelen volt 2 fő; vendégek: 1 fő." in text
    positions = [text.index(name) for name in HUNGARIAN_ORDER]
    assert positions == sorted(positions)


def test_record_has_report_sections_only(client, log_in, reports):
    """The record shows the report sections and attendance, and no other field of the demo."""
    log_in(reports["world"]["mentor_a"])
    response = _get(client, "record", reports["workshop"])
    reader = _pdf(response.data)
    assert 1 <= len(reader.pages) <= 2
    text = _text(response.data)
    for body in REPORT_TEXT.values():
        assert body in text
    for title in ("Téma és célok", "A foglalkozás menete", "Eredmények, felismerések"):
        assert title in text
    assert "Mentori önreflexió" not in text
    assert "kiscsoportos munka, reflektív napló" in text
    assert "Vendég Vilma" in text and "Cukor Ödön" in text
    _assert_no_secrets(text)
    outline = [item["/Title"] for item in reader.outline if not isinstance(item, list)]
    assert outline == ["Foglalkozási napló"]


@pytest.mark.parametrize("kind", ["blank", "filled", "record"])
def test_no_secret_reaches_any_document_or_preview(client, log_in, reports, kind):
    """Private and unmarked sections, notes, agenda and the other group never appear."""
    log_in(reports["world"]["coordinator"])
    workshop = reports["workshop"]
    _assert_no_secrets(_text(_get(client, kind, workshop).data))
    preview = client.get(PREVIEW_URLS[kind].format(id=workshop.id))
    assert preview.status_code == 200
    _assert_no_secrets(preview.get_data(as_text=True))


def _assert_no_secrets(text: str) -> None:
    """Fail on any planted marker."""
    assert "TITOK" not in text, [w for w in text.split() if "TITOK" in w]
    assert "Résztvevő Borbála" not in text and "Béta" not in text


def test_preview_is_the_same_template_with_a_toolbar(client, log_in, reports):
    """The preview shows the document and a download link; the PDF's HTML has no toolbar."""
    log_in(reports["world"]["mentor_a"])
    workshop = reports["workshop"]
    html = client.get(PREVIEW_URLS["record"].format(id=workshop.id)).get_data(as_text=True)
    assert 'lang="hu"' in html and "<title>Alfa csoport – Foglalkozási napló" in html
    assert f'href="/workshops/{workshop.id}/record.pdf"' in html
    assert "preview.css" in html and "print.css" in html
    assert REPORT_TEXT["topic"] in html
    with client.application.test_request_context():
        from journal.reports.sheets import workshop_record

        pdf_html = workshop_record(db.session.get(type(workshop), workshop.id)).html
    assert "preview-toolbar" not in pdf_html and "preview.css" not in pdf_html


def test_dates_and_titles_are_hungarian_whatever_the_user_language(client, log_in, reports):
    """An English-speaking mentor still gets a Hungarian document."""
    mentor = reports["world"]["mentor_a"]
    mentor.language = "en"
    db.session.commit()
    log_in(mentor)
    text = _text(_get(client, "record", reports["workshop"]).data)
    assert "2025. november 14." in text and "Téma és célok" in text
    # The preview is the same Hungarian document; only its screen toolbar speaks English.
    preview = client.get(f"/workshops/{reports['workshop'].id}/record").get_data(as_text=True)
    assert '<html lang="hu">' in preview and "Téma és célok" in preview
    assert 'lang="en"' in preview and "Print preview" in preview and "Download PDF" in preview
    assert "Nyomtatási előnézet" not in preview


def test_pages_render_to_png(client, log_in, reports, tmp_path):
    """pdftoppm renders every page of each document to a PNG (to be looked at)."""
    log_in(reports["world"]["mentor_a"])
    for kind in PDF_URLS:
        path = tmp_path / f"{kind}.pdf"
        path.write_bytes(_get(client, kind, reports["workshop"]).data)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", str(path), str(tmp_path / kind)], check=True
        )
        pngs = sorted(tmp_path.glob(f"{kind}-*.png"))
        assert len(pngs) == len(_pdf(path.read_bytes()).pages)
        for png in pngs:
            data = png.read_bytes()
            assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5_000


# --- Downloads: names, access, links ------------------------------------------------------


def test_file_names(client, log_in, reports):
    """An ASCII file name and the Hungarian title in filename*."""
    log_in(reports["world"]["mentor_a"])
    workshop = reports["workshop"]
    slug = workshop.group.slug
    expected = {
        "blank": f"kapcsolodasok_{slug}_jelenleti_iv_2025-11-14.pdf",
        "filled": f"kapcsolodasok_{slug}_jelenleti_iv_kitoltott_2025-11-14.pdf",
        "record": f"kapcsolodasok_{slug}_foglalkozas_2025-11-14.pdf",
    }
    for kind, name in expected.items():
        header = _get(client, kind, workshop).headers["Content-Disposition"]
        assert header.startswith(f"attachment; filename=\"{name}\"; filename*=UTF-8''Alfa%20")
    header = _get(client, "blank", workshop).headers["Content-Disposition"]
    assert "Jelenl%C3%A9ti%20%C3%ADv%20%E2%80%93%202025.%20november%2014.pdf" in header


@pytest.mark.parametrize("who", ["participant_a", "mentor_b"])
def test_others_get_404(client, log_in, reports, who):
    """A participant, or another group's mentor, finds no document of the workshop."""
    log_in(reports["world"][who])
    for urls in (PDF_URLS, PREVIEW_URLS):
        for url in urls.values():
            assert client.get(url.format(id=reports["workshop"].id)).status_code == 404


def test_workshop_page_links_only_for_those_who_may_download(client, log_in, reports):
    """The mentor sees the document links on the workshop page; a participant does not."""
    workshop = reports["workshop"]
    log_in(reports["world"]["mentor_a"])
    html = client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    for url in (*PDF_URLS.values(), *PREVIEW_URLS.values()):
        assert f'href="{url.format(id=workshop.id)}"' in html
    client.post("/logout")
    log_in(reports["world"]["participant_a"])
    html = client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    assert "attendance-sheet" not in html and "/record" not in html


def test_planned_workshop_offers_the_blank_sheet_only(client, log_in, reports):
    """Before a workshop is held, only the blank sheet is linked."""
    workshop = reports["workshop"]
    workshop.status = WorkshopStatus.PLANNED
    db.session.commit()
    log_in(reports["world"]["mentor_a"])
    html = client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    assert PDF_URLS["blank"].format(id=workshop.id) in html
    assert PDF_URLS["filled"].format(id=workshop.id) not in html


# --- Cache, session, progress, failures ---------------------------------------------------


@pytest.fixture
def render_calls(monkeypatch):
    """Count renders (and record whether a database connection was held during each)."""
    calls = []
    real = printing.render_bounded
    engine = db.engine

    def counting(html, limits):
        calls.append(engine.pool.checkedout())
        return real(html, limits)

    monkeypatch.setattr(printing, "render_bounded", counting)
    return calls


def test_second_download_is_served_from_the_cache(client, log_in, reports, render_calls):
    """An unchanged document renders once; the second download is a quick file send."""
    log_in(reports["world"]["mentor_a"])
    workshop = reports["workshop"]
    first = _get(client, "record", workshop)
    start = time.perf_counter()
    second = _get(client, "record", workshop)
    elapsed = time.perf_counter() - start
    assert first.data == second.data
    assert len(render_calls) == 1
    assert elapsed < 0.25  # generous on a shared test machine; the benchmark measures < 50 ms


def test_changed_data_renders_again(client, log_in, reports, render_calls):
    """The cache key is the document's content: a new attendance record makes a new PDF."""
    log_in(reports["world"]["mentor_a"])
    workshop = reports["workshop"]
    _get(client, "filled", workshop)
    db.session.add(Guest(workshop_id=workshop.id, name="Új Vendég Ödön"))
    db.session.commit()
    assert "Új Vendég Ödön" in _text(_get(client, "filled", workshop).data)
    assert len(render_calls) == 2


def test_database_session_is_closed_before_rendering(client, log_in, reports, render_calls):
    """No database connection is checked out while the PDF renders."""
    log_in(reports["world"]["mentor_a"])
    url = PDF_URLS["record"].format(id=reports["workshop"].id)
    db.session.close()  # the test's own session holds nothing either
    assert client.get(url).status_code == 200
    assert render_calls == [0]


def test_a_download_is_rendered_in_its_request(client, log_in, reports, monkeypatch):
    """However long the render, the download answers the PDF itself (no progress page, no
    job left behind); the next download of the unchanged document is the cached file."""
    renders = []
    real = printing.render_bounded

    def slow(html, limits):
        renders.append(threading.current_thread())
        time.sleep(0.3)
        return real(html, limits)

    monkeypatch.setattr(printing, "render_bounded", slow)
    log_in(reports["world"]["mentor_a"])
    url = PDF_URLS["record"].format(id=reports["workshop"].id)
    first = client.get(url)
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    assert renders == [threading.current_thread()]  # the request's own thread rendered it
    again = client.get(url)
    assert again.data == first.data and len(renders) == 1
    assert sorted(
        p.suffix for p in Path(client.application.config["REPORT_CACHE_DIR"]).iterdir()
    ) == [".pdf"]


def test_a_failed_render_is_logged_and_answers_the_error_page(
    client, log_in, reports, monkeypatch, caplog, app
):
    """A render error answers the Hungarian error page, is logged with its traceback, caches
    nothing, and the next download tries again."""
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer as in production
    # Alembic's fileConfig (migration tests) disables loggers that exist when it runs.
    monkeypatch.setattr(app.logger, "disabled", False)
    real = printing.html_to_pdf
    monkeypatch.setattr(printing, "html_to_pdf", lambda html: 1 / 0)
    log_in(reports["world"]["mentor_a"])
    url = PDF_URLS["blank"].format(id=reports["workshop"].id)
    response = client.get(url)
    assert response.status_code == 500
    assert "Váratlan hiba történt" in response.get_data(as_text=True)
    # The render ran in a child process: its traceback comes back inside the logged error.
    assert any(
        r.exc_info
        and r.exc_info[0] is printing.RenderFailed
        and "ZeroDivisionError" in str(r.exc_info[1])
        for r in caplog.records
    )
    assert not list(Path(app.config["REPORT_CACHE_DIR"]).glob("*"))
    monkeypatch.setattr(printing, "html_to_pdf", real)
    retried = client.get(url)
    assert retried.status_code == 200 and retried.mimetype == "application/pdf"


def test_cache_is_bounded(client, log_in, reports, app):
    """Past REPORT_CACHE_MAX_BYTES the least recently used PDFs are deleted."""
    app.config["REPORT_CACHE_MAX_BYTES"] = 1  # keeps only the newest
    log_in(reports["world"]["mentor_a"])
    for kind in PDF_URLS:
        assert _get(client, kind, reports["workshop"]).status_code == 200
    assert len(list(Path(app.config["REPORT_CACHE_DIR"]).glob("*.pdf"))) == 1


def test_hostile_journal_text_fetches_nothing(client, log_in, reports):
    """A report section full of URLs to a local listener, file:// and CSS renders, fetching none."""
    from tests.test_reports_printing import Listener

    listener = Listener()
    try:
        port = listener.port
        body = (
            f'<img src="file:///etc/passwd"> ![x](http://127.0.0.1:{port}/md) '
            f"<style>@import url(http://127.0.0.1:{port}/imp.css); "
            f"p {{ background: url(http://127.0.0.1:{port}/bg.png) }}</style>"
            f'<link rel="stylesheet" href="http://127.0.0.1:{port}/l.css"> '
            f"[link](http://127.0.0.1:{port}/a)\n\nZárószó"
        )
        db.session.expire_all()  # the fixture saved with UPDATE statements
        journal = reports["workshop"].journal
        section = next(s for s in journal.sections if s.key == "topic")
        assert save_section(
            reports["world"]["mentor_a"], section, section.version, body, Visibility.GROUP, True
        )
        db.session.commit()
        log_in(reports["world"]["mentor_a"])
        response = _get(client, "record", reports["workshop"])
        assert response.status_code == 200
        assert "Zárószó" in _text(response.data)
        assert listener.connections == 0
    finally:
        listener.close()


def test_hostile_markup_past_the_markdown_filter_fetches_nothing(
    client, log_in, reports, monkeypatch
):
    """If journal text ever reached the PDF as raw HTML (a sanitizer bug), the fetcher still
    refuses: the test above only proves the Markdown filter escapes; this one, the fetcher."""
    from markupsafe import Markup

    from tests.test_reports_printing import Listener

    monkeypatch.setitem(client.application.jinja_env.filters, "markdown", Markup)
    listener = Listener()
    try:
        port = listener.port
        body = (
            f'<img src="file:///etc/passwd"><img src="http://127.0.0.1:{port}/img.png">'
            f'<link rel="stylesheet" href="http://127.0.0.1:{port}/l.css">'
            f"<style>@import url(http://127.0.0.1:{port}/imp.css); "
            f"p {{ background: url(http://127.0.0.1:{port}/bg.png) }}</style><p>NYERS-HTML</p>"
        )
        db.session.expire_all()
        section = next(s for s in reports["workshop"].journal.sections if s.key == "topic")
        assert save_section(
            reports["world"]["mentor_a"], section, section.version, body, Visibility.GROUP, True
        )
        db.session.commit()
        log_in(reports["world"]["mentor_a"])
        response = _get(client, "record", reports["workshop"])
        assert response.status_code == 200
        assert "NYERS-HTML" in _text(response.data)  # the raw markup did reach the renderer
        assert listener.connections == 0
    finally:
        listener.close()


def _add_participants(reports, count: int) -> None:
    """Put `count` more participants into the workshop's group."""
    group = reports["workshop"].group
    for n in range(count):
        user = make_user(family_name="Pótlék", given_name=f"Résztvevő{n:02d}")
        make_membership(user, group, institution="Faluház", settlement="Bakonybél")
    db.session.commit()


def test_blank_sheet_of_eight_participants_fits_one_page(client, log_in, reports):
    """A group of eight (the demo's largest), four guest rows and the signatures: one page."""
    _add_participants(reports, 8 - len(PARTICIPANTS))
    log_in(reports["world"]["mentor_a"])
    reader = _pdf(_get(client, "blank", reports["workshop"]).data)
    assert len(reader.pages) == 1
    assert "12." in reader.pages[0].extract_text() and "Kelt:" in reader.pages[0].extract_text()


@pytest.mark.parametrize("extra", range(4, 10))
def test_signatures_never_stand_alone_on_a_page(app, reports, extra):
    """However long the list, the page with "Kelt:" and the mentor also has rows to sign."""
    from journal.models import Workshop
    from journal.reports.sheets import attendance_sheet

    _add_participants(reports, extra)
    with app.test_request_context():
        workshop = db.session.get(Workshop, reports["workshop"].id)
        reader = _pdf(printing.html_to_pdf(attendance_sheet(workshop, filled=False).html))
    last = reader.pages[-1].extract_text()
    assert "Kelt:" in last and "Mentor Aladár" in last
    assert re.search(r"^\s*\d+\.\s*$", last, re.MULTILINE), last  # a blank row comes along
