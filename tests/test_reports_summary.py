"""Group summary and program report: content, outline, metadata, privacy, safety, period."""

import io
import subprocess
import threading
from datetime import UTC, datetime
from datetime import date as day
from datetime import time as clock

import pypdf
import pytest
from babel.dates import format_date
from sqlalchemy import event

from journal.extensions import db
from journal.journals.operations import finalise, save_section
from journal.models import Attendance, AttendanceStatus, NoteKind, Role, Visibility, WorkshopStatus
from journal.notes.operations import (
    add_note,
    delete_note,
    hide_note,
    set_in_report,
    set_report_consent,
)
from journal.reports import printing
from journal.reports import summary as summary_module
from tests.factories import make_journal, make_membership, make_user, make_workshop
from tests.pdfs import font_names, overlapping_words, pdf_pages, pdf_text, word_boxes
from tests.test_reports_printing import Listener

# Participants whose Hungarian order differs from a code-point sort: C < Cs, O < Ö < Ő, Z < Zs.
PARTICIPANTS = [
    ("Zsoldos", "Őrs", "Zsoldos-ház", "Őriszentpéter"),
    ("Csonka", "Űrsula", "Csonka Közösségi Ház", "Csörötnek"),
    ("Cukor", "Ödön", "Cukor Művelődési Ház", "Cák"),
    ("Zala", "Örs", "Zalai Könyvtár", "Zalaegerszeg"),
]
HUNGARIAN_ORDER = ["Cukor Ödön", "Csonka Űrsula", "Zala Örs", "Zsoldos Őrs"]
# Held workshops (date, topic, start, end, statuses in PARTICIPANTS order).
P, L, E, A = (
    AttendanceStatus.PRESENT,
    AttendanceStatus.LATE,
    AttendanceStatus.EXCUSED,
    AttendanceStatus.ABSENT,
)
HELD = [
    (day(2025, 11, 14), "Őszi nyitány: tűzön-vízen át", (P, P, P, A)),
    (day(2026, 1, 20), "Téli műhely: közösségi tér", (P, L, E, A)),
    (day(2026, 3, 10), "Tavaszi műhely: jó gyakorlatok", (P, P, P, P)),
]
REPORT_TEXT = "BESZÁMOLÓ-SZÖVEG-ŐŰ: közös önkéntes akciót terveztünk"
REPORT_NOTE = "BESZÁMOLÓ-JEGYZET-ŐŰ: jó gyakorlat a könyvtárból"
# A cancelled workshop's reason is the group's to read, and the report shows it (issue 14).
CANCEL_REASON = "ELMARADÁS-OKA: a terem beázott"
# Unique markers in every field that must never reach a summary.
SECRETS = {
    "reflection": ("TITOK-PRIVÁT-ÖNREFLEXIÓ", Visibility.PRIVATE, False),
    "methods": ("TITOK-KOORDINÁCIÓS-NEM-BESZÁMOLÓ", Visibility.COORDINATION, False),
    "raised": ("TITOK-CSOPORT-NEM-BESZÁMOLÓ", Visibility.GROUP, False),
}


def long_date(value: day) -> str:
    """Return a date in Hungarian long format, as the documents print it."""
    return format_date(value, format="long", locale="hu")


def _pdf(data: bytes) -> pypdf.PdfReader:
    """Open PDF bytes with pypdf."""
    return pypdf.PdfReader(io.BytesIO(data))


def _text(data: bytes) -> str:
    """Return the text of every page of a PDF, with hyphenation at line ends undone."""
    text = "\n".join(page.extract_text() for page in _pdf(data).pages)
    return text


def _flat(text: str) -> str:
    """Join the lines of extracted text and drop every hyphen-minus.

    Long strings wrap and may be hyphenated with "-" (our font's hyphen, see print.css), which
    cannot be told apart from the text's own hyphen at a line end. So a hyphenated word is
    joined and hyphens are dropped on both sides: compare with `_flat(needle) in flat`."""
    return " ".join(text.replace("-\n", "").replace("-", "").split())


def _figure(key: str, value: str) -> str:
    """Return a row of the figures table as _flat text: its words, what it counts, its value."""
    words, counts = summary_module.FIGURE_WORDS[key]
    return _flat(f"{words} {counts} {value}")


def _wait_for_renders():
    """Let background renders finish, so that no thread outlives the test."""
    for thread in threading.enumerate():
        if thread.name.startswith("pdf-"):
            thread.join(30)


def _note(author, group, title, workshop=None, mentor_only=False, body=None):
    """Add a note (kind: good practice)."""
    return add_note(
        author,
        group,
        kind=NoteKind.GOOD_PRACTICE,
        title=title,
        body=body if body is not None else title + " szövege",
        link="",
        workshop=workshop,
        mentor_only=mentor_only,
        hide_reactors=False,
    )


def _fill_journal(workshop, mentor, report_text: str):
    """Write a journal: one report section, and a marker in every non-report section."""
    journal = make_journal(workshop, mentor)
    for section in journal.sections:
        if section.key == "topic":
            save_section(mentor, section, section.version, report_text, Visibility.GROUP, True)
        elif section.key in SECRETS:
            body, visibility, in_report = SECRETS[section.key]
            save_section(mentor, section, section.version, body, visibility, in_report)
        else:
            body = f"TITOK-{section.key.upper()}-NEM-BESZÁMOLÓ"
            save_section(mentor, section, section.version, body, Visibility.COORDINATION, False)
    finalise(mentor, journal)  # a draft reaches a PDF only when asked for (issue 14)
    return journal


@pytest.fixture
def summary(app, world, tmp_path):
    """Group alfa: participants, three held workshops with attendance and journals, notes of
    every kind (one in the report), and group béta with its own secrets."""
    app.config["REPORT_CACHE_DIR"] = str(tmp_path / "pdf-cache")
    group = world["group_a"]
    mentor = world["mentor_a"]
    group.goals = "A csoport célja: erősödő helyi hálózat, őszinte és nyűgmentes tanulás."
    group.themes = "helyi értékek\nközösségfejlesztés"
    for membership in group.memberships:
        if membership.role == Role.PARTICIPANT:
            db.session.delete(membership)
    db.session.flush()
    users = []
    for family, given, institution, settlement in PARTICIPANTS:
        user = make_user(family_name=family, given_name=given)
        make_membership(user, group, institution=institution, settlement=settlement)
        users.append(user)
    workshops = []
    for index, (date_, topic, statuses) in enumerate(HELD):
        workshop = make_workshop(
            group,
            date=date_,
            topic=topic,
            place=f"Kőszegi Művelődési Ház {index + 1}",
            start_time=clock(15, 0),
            end_time=clock(18, 0),
            agenda=f"TITOK-NAPIREND-{index}",
            methods="kiscsoportos munka\nreflektív napló",
        )
        for user, status in zip(users, statuses, strict=True):
            db.session.add(Attendance(workshop=workshop, user_id=user.id, status=status))
        _fill_journal(workshop, mentor, f"{REPORT_TEXT} ({index + 1}. alkalom)")
        workshops.append(workshop)
    planned = make_workshop(
        group, date=day(2026, 5, 5), topic="Tervezett záróalkalom", status=WorkshopStatus.PLANNED
    )
    cancelled = make_workshop(
        group,
        date=day(2026, 2, 10),
        topic="Elmaradt alkalom",
        status=WorkshopStatus.CANCELLED,
        cancel_reason=CANCEL_REASON,
    )
    participant = users[0]
    # Notes: one in the report; the others each fail one condition.
    chosen = _note(participant, group, REPORT_NOTE, workshop=workshops[1])
    set_in_report(mentor, chosen, True)
    _note(participant, group, "TITOK-JEGYZET-NINCS-JELÖLVE")
    mentor_only = _note(participant, group, "TITOK-JEGYZET-MENTORNAK", mentor_only=True)
    set_in_report(mentor, mentor_only, True)
    hidden = _note(participant, group, "TITOK-JEGYZET-REJTETT")
    set_in_report(mentor, hidden, True)
    hide_note(mentor, hidden, "TITOK-REJTÉS-OKA")
    deleted = _note(participant, group, "TITOK-JEGYZET-TÖRÖLT")
    set_in_report(mentor, deleted, True)
    delete_note(participant, deleted)
    withdrawn = _note(participant, group, "TITOK-JEGYZET-VISSZAVONT")
    set_in_report(mentor, withdrawn, True)
    set_report_consent(participant, withdrawn, False)
    # Group béta: its report content must never appear in alfa's summary.
    other = make_workshop(world["group_b"], topic="MÁSIK-CSOPORT-TÉMA")
    _fill_journal(other, world["mentor_b"], "MÁSIK-CSOPORT-NAPLÓ")
    other_note = _note(
        world["participant_b"], world["group_b"], "MÁSIK-CSOPORT-JEGYZET", workshop=other
    )
    set_in_report(world["mentor_b"], other_note, True)
    db.session.commit()
    yield {
        "world": world,
        "group": group,
        "workshops": workshops,
        "planned": planned,
        "cancelled": cancelled,
        "users": users,
    }
    _wait_for_renders()


def _assert_no_secrets(text: str, other_group_allowed: bool = False) -> None:
    """Fail on any planted marker (and, unless allowed, on group béta's people)."""
    flat = _flat(text)
    assert "TITOK" not in flat, [w for w in flat.split() if "TITOK" in w]
    if not other_group_allowed:
        assert "Béta" not in flat and "Résztvevő Borbála" not in flat
        assert _flat("MÁSIK-CSOPORT") not in flat


# --- The group summary --------------------------------------------------------------------


def test_group_summary_pdf_content(client, log_in, summary):
    """Cover, goals, participants in order, workshops, matrix, report text, notes, figures."""
    log_in(summary["world"]["mentor_a"])
    response = client.get("/groups/alfa/summary.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = _text(response.data)
    flat = _flat(text)
    for expected in (
        "Kapcsolódások – Csoportos Mentorálás 2.0",
        "Alfa csoport",
        "Alfa régió",
        "Mentor Aladár",
        "2025. november 1. – ",  # the period starts with the program
        "erősödő helyi hálózat, őszinte és nyűgmentes tanulás",
        "helyi értékek",
        "Cukor Művelődési Ház",
        "Őriszentpéter",
        "Őszi nyitány: tűzön-vízen át",
        "kiscsoportos munka, reflektív napló",
        "Tervezett záróalkalom",
        "Elmaradt alkalom",
        f"{REPORT_TEXT} (1. alkalom)",
        f"{REPORT_TEXT} (3. alkalom)",
        "Téma és célok",
        REPORT_NOTE,
        "Cukor Ödön",  # the note's author
        "Tartalom",
        "Összesítés",
    ):
        assert _flat(expected) in flat, expected
    for date_, _topic, _statuses in HELD:
        assert long_date(date_) in flat, long_date(date_)
    assert "ő" in text and "ű" in text and "Ő" in text and "Ű" in text
    # Hyphenated line breaks too use Caladea's "-" (U+2010 would pull in a system font).
    assert font_names(_pdf(response.data)) <= {"Caladea", "Caladea-Bold", "Caladea-Italic"}
    positions = [flat.index(name) for name in HUNGARIAN_ORDER]
    assert positions == sorted(positions), "participants not in Hungarian order"
    # Figures: 3 held (9 hours), 1 planned whose day has passed (unclosed), 1 cancelled with its
    # reason; rates 100, 100, 67, 33 % → 3 reach 60 %.
    assert _figure("held", "3") in flat
    assert _figure("unclosed", "1") in flat and _figure("cancelled", "1") in flat
    assert _flat(f"Az elmaradás oka: {CANCEL_REASON}") in flat
    assert "9 óra" in flat
    assert _figure("reaching", "3 fő") in flat
    assert _figure("rate", "75 %") in flat  # 9 of 12
    assert "Mentori önreflexió" not in flat
    _assert_no_secrets(text)


def test_group_summary_pages_outline_metadata(client, log_in, summary):
    """Page count, the PDF outline, title/author/language and the running footer."""
    log_in(summary["world"]["coordinator"])
    reader = _pdf(client.get("/groups/alfa/summary.pdf").data)
    # Cover and TOC; goals and participants; workshops and the (narrow) matrix; journals;
    # notes, figures and the signatures (kept together: none of them alone on a page).
    assert len(reader.pages) == 5
    top = [item["/Title"] for item in reader.outline if not isinstance(item, list)]
    assert top == ["Alfa csoport"]
    children = next(item for item in reader.outline if isinstance(item, list))
    titles = [item["/Title"] for item in children if not isinstance(item, list)]
    assert titles == [
        "Célok és témák",
        "Résztvevők",
        "Foglalkozások",
        "Jelenlét",
        "Foglalkozási naplók",
        "Közös jegyzetek",
        "Összesítés",
    ]
    journal_children = next(item for item in children if isinstance(item, list))
    assert [item["/Title"] for item in journal_children] == [
        f"{n}. {long_date(date_)} – {topic}" for n, (date_, topic, _s) in enumerate(HELD, 1)
    ]
    assert reader.metadata.title.startswith("Alfa csoport – Összefoglaló – 2025. november 1.")
    assert reader.metadata.author == "Kapcsolódások – Csoportos Mentorálás 2.0"
    assert reader.trailer["/Root"]["/Lang"] == "hu"
    pages = len(reader.pages)
    assert f"2. oldal / {pages}" in reader.pages[1].extract_text()
    assert "Alfa csoport" in reader.pages[1].extract_text()  # running header
    # Table of contents page numbers come from target-counter(): "Összesítés" is on the last.
    toc = _flat(reader.pages[0].extract_text())
    assert f"Összesítés {pages}" in toc.replace(".", " ").replace("  ", " ") or toc.rstrip(
        "."
    ).endswith(str(pages))


@pytest.mark.parametrize("who", ["mentor_a", "coordinator"])
def test_no_secret_in_the_summary_pdf_or_preview(client, log_in, summary, who):
    """Private and unmarked sections, unpicked/mentor-only/hidden/deleted/withdrawn notes,
    agendas and the other group never appear."""
    log_in(summary["world"][who])
    _assert_no_secrets(_text(client.get("/groups/alfa/summary.pdf").data))
    preview = client.get("/groups/alfa/summary")
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    _assert_no_secrets(html)
    assert REPORT_NOTE in html and f"{REPORT_TEXT} (2. alkalom)" in html


def test_preview_is_the_same_document_with_a_form(client, log_in, summary):
    """The preview has the period form and a PDF link; the PDF's HTML has neither."""
    log_in(summary["world"]["mentor_a"])
    html = client.get("/groups/alfa/summary?from=2025-12&to=2026-03").get_data(as_text=True)
    assert 'lang="hu"' in html and "<title>Alfa csoport – Összefoglaló" in html
    assert 'href="/groups/alfa/summary.pdf?from=2025-12-01&amp;to=2026-03-31"' in html
    assert 'name="from"' in html and 'value="2025-12-01"' in html
    assert "/css/print-summary.css" in html and "preview.css" in html
    with client.application.test_request_context():
        document = summary_module.group_document(
            db.session.get(type(summary["group"]), summary["group"].id),
            summary_module.Period(day(2025, 11, 1), day(2026, 6, 30)),
        )
    assert "period-form" not in document.html and "preview-toolbar" not in document.html


# --- Period ---------------------------------------------------------------------------------


def test_period_filter(client, log_in, summary):
    """Only the period's workshops, journals and notes; the file name carries the months."""
    log_in(summary["world"]["coordinator"])
    response = client.get("/groups/alfa/summary.pdf?from=2026-01&to=2026-01-31")
    assert response.status_code == 200
    assert (
        'filename="kapcsolodasok_alfa_osszefoglalo_2026-01_2026-01.pdf"'
        in (response.headers["Content-Disposition"])
    )
    flat = _flat(_text(response.data))
    assert "2026. január 20." in flat and _flat(f"{REPORT_TEXT} (2. alkalom)") in flat
    assert _flat(REPORT_NOTE) in flat  # its workshop is in the period
    for outside in ("2025. november 14.", "2026. március 10.", "(1. alkalom)", "(3. alkalom)"):
        assert outside not in flat, outside
    assert _figure("held", "1") in flat
    assert "2026. január 1. – 2026. január 31." in flat


def test_period_parsing(app):
    """Dates and months parse; the default is the program so far; bad input is refused."""
    with app.test_request_context():
        _check_period_parsing()


def _check_period_parsing():
    """Run the parsing checks (long_date needs a request for the locale)."""
    program = type("P", (), {"period_start": day(2025, 11, 1), "period_end": day(2026, 6, 30)})
    parse = summary_module.parse_period
    default = parse(program, {}, today=day(2026, 2, 3))
    assert (default.start, default.end, default.default) == (
        day(2025, 11, 1),
        day(2026, 2, 3),
        True,
    )
    assert parse(program, {}, today=day(2027, 1, 1)).end == day(2026, 6, 30)
    period = parse(program, {"from": "2025. 12.", "to": "2026-02"})
    assert (period.start, period.end) == (day(2025, 12, 1), day(2026, 2, 28))
    assert parse(program, {"from": "2026.01.05."}).start == day(2026, 1, 5)
    # A month as the coordinator writes it: by name, or with a full stop (issue 14).
    months = ("2025. november", "2025-11", "2025.11.", "2025. 11.", "2025. nov.", "2025 November")
    for typed in months:
        period = parse(program, {"from": typed, "to": typed})
        assert (period.start, period.end) == (day(2025, 11, 1), day(2025, 11, 30)), typed
    assert parse(program, {"from": "2026. január 5."}).start == day(2026, 1, 5)
    wide = parse(program, {"from": "1900-01-01", "to": "9999-12-31"})
    assert (wide.start, wide.end) == (day(2025, 11, 1), day(2026, 6, 30))
    for args, field in (
        ({"from": "tegnap"}, "from"),
        ({"to": "2026-02-30"}, "to"),
        ({"from": "2026-13"}, "from"),
        ({"from": "2026. nyárutó"}, "from"),
        ({"from": "2026-03", "to": "2026-01"}, "to"),
        ({"from": "2030-01"}, "from"),
    ):
        with pytest.raises(summary_module.PeriodError) as caught:
            parse(program, args)
        assert caught.value.field_name == field


@pytest.mark.parametrize("url", ["/groups/alfa/summary", "/groups/alfa/summary.pdf"])
def test_bad_period_answers_422_and_keeps_what_was_typed(client, log_in, summary, url):
    """A clear Hungarian message next to the field, the typed text kept, no PDF."""
    log_in(summary["world"]["mentor_a"])
    response = client.get(url + "?from=2026-03&to=február%20eleje")
    assert response.status_code == 422
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert 'value="február eleje"' in html and 'value="2026-03"' in html
    assert "Adjon meg dátumot" in html and 'aria-invalid="true"' in html
    assert "summary.pdf" not in html  # no download link for a period that is not the typed one


def test_period_form_speaks_the_users_language(client, log_in, summary):
    """For an English-speaking mentor the period form and its messages are English; the
    document under it stays Hungarian."""
    mentor = summary["world"]["mentor_a"]
    mentor.language = "en"
    db.session.commit()
    log_in(mentor)
    html = client.get("/groups/alfa/summary").get_data(as_text=True)
    form = html[html.index('<form class="screen-only period-form"') :]
    form = form[: form.index("</form>")]
    assert 'lang="en"' in form
    for word in ("Period", "From", "To", "Show", "e.g. 2025-11", "Left empty"):
        assert word in form, word
    for word in ("Időszak", "Kezdete", "Megjelenítés", "pl. 2025-11"):
        assert word not in form, word
    assert '<html lang="hu">' in html and "Megtartott alkalom" in html
    response = client.get("/groups/alfa/summary?from=2026-03&to=2026-01")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "The end of the period cannot be earlier than its start." in html
    assert 'value="2026-03"' in html and 'value="2026-01"' in html
    html = client.get("/groups/alfa/summary?from=2030-01").get_data(as_text=True)
    assert "The period lies outside the program (November 1, 2025 – " in html


# --- The program report ---------------------------------------------------------------------


def test_program_report_has_every_group_and_its_outline(client, log_in, summary):
    """Program summary first, then each group; one outline entry per group; no secret."""
    log_in(summary["world"]["coordinator"])
    response = client.get("/program/report.pdf")
    assert response.status_code == 200
    assert (
        'filename="kapcsolodasok_programbeszamolo_2025-11_'
        in (response.headers["Content-Disposition"])
    )
    reader = _pdf(response.data)
    top = [item["/Title"] for item in reader.outline if not isinstance(item, list)]
    assert top == ["Kapcsolódások – Csoportos Mentorálás 2.0", "Programösszesítő"] + [
        "Alfa csoport",
        "Béta csoport",
    ]
    text = _text(response.data)
    flat = _flat(text)
    assert flat.index("Programösszesítő") < flat.index("Célok és témák")
    for expected in (
        "Mentor Aladár",
        "Mentor Béla",
        "Résztvevő Borbála",
        REPORT_NOTE,
        "MÁSIK-CSOPORT-NAPLÓ",
        "MÁSIK-CSOPORT-JEGYZET",
    ):
        assert _flat(expected) in flat, expected
    for date_, _topic, _statuses in HELD:
        assert long_date(date_) in flat
    _assert_no_secrets(text, other_group_allowed=True)
    assert reader.metadata.title.startswith("Kapcsolódások – Csoportos Mentorálás 2.0 – Program")
    assert reader.trailer["/Root"]["/Lang"] == "hu"


def test_only_the_coordinator_gets_the_program_report(client, log_in, summary):
    """Mentors and participants get 404 for the program report and see no link to it."""
    world = summary["world"]
    for who in ("mentor_a", "participant_a"):
        log_in(world[who])
        assert client.get("/program/report").status_code == 404
        assert client.get("/program/report.pdf").status_code == 404
        assert "/program/report" not in client.get("/").get_data(as_text=True)
        client.post("/logout")
    log_in(world["coordinator"])
    home = client.get("/").get_data(as_text=True)
    assert 'href="/program/report.pdf"' in home and 'href="/program/report"' in home


def test_group_summary_links_and_access(client, log_in, summary):
    """The group's mentor and the coordinator see the links; others get 404 and no link."""
    world = summary["world"]
    log_in(world["mentor_a"])
    assert 'href="/groups/alfa/summary.pdf"' in client.get("/groups/alfa").get_data(as_text=True)
    assert client.get("/groups/beta/summary.pdf").status_code == 404
    client.post("/logout")
    log_in(world["participant_a"])
    assert "/groups/alfa/summary" not in client.get("/groups/alfa").get_data(as_text=True)
    assert client.get("/groups/alfa/summary").status_code == 404
    assert client.get("/groups/alfa/summary.pdf").status_code == 404


# --- Safety and speed -------------------------------------------------------------------------


def test_hostile_text_fetches_nothing_and_still_renders(client, log_in, summary):
    """Markup, Markdown images and CSS in a report section and a report note fetch nothing."""
    server = Listener()
    try:
        port = server.port
        hostile = (
            f'<img src="file:///etc/passwd"> ![x](http://127.0.0.1:{port}/kep.png) '
            f'<link rel="stylesheet" href="http://127.0.0.1:{port}/a.css"> '
            f"<style>@import url(http://127.0.0.1:{port}/b.css); "
            f"body {{ background: url(http://127.0.0.1:{port}/c.png) }}</style> "
            f"`@import url('http://127.0.0.1:{port}/d.css');` "
            f"[link](http://127.0.0.1:{port}/e) GONOSZ-TARTALOM"
        )
        mentor = summary["world"]["mentor_a"]
        section = next(s for s in summary["workshops"][0].journal.sections if s.key == "topic")
        save_section(mentor, section, section.version, hostile, Visibility.GROUP, True)
        note = _note(
            summary["users"][1],
            summary["group"],
            "Gonosz jegyzet",
            workshop=summary["workshops"][0],
            body=hostile,
        )
        set_in_report(mentor, note, True)
        db.session.commit()
        log_in(summary["world"]["coordinator"])
        for url in ("/groups/alfa/summary.pdf", "/program/report.pdf"):
            response = client.get(url)
            assert response.status_code == 200 and response.mimetype == "application/pdf"
            text = _text(response.data)
            assert text.count("GONOSZ-TARTALOM") >= 2
            assert "root:x:0" not in text
        _wait_for_renders()
        assert server.connections == 0
    finally:
        server.close()


def test_second_download_comes_from_the_cache(client, log_in, summary, monkeypatch):
    """An unchanged summary is not rendered again (the document is built on every download;
    its hash finds the PDF); a change in the data renders anew."""
    from journal.reports import printing

    renders, builds = [], []
    real = printing.render_bounded
    monkeypatch.setattr(
        printing, "render_bounded", lambda html, limits: renders.append(1) or real(html, limits)
    )
    real_build = summary_module.group_summary
    monkeypatch.setattr(
        summary_module,
        "group_summary",
        lambda *args, **kw: builds.append(1) or real_build(*args, **kw),
    )
    log_in(summary["world"]["mentor_a"])
    first = client.get("/groups/alfa/summary.pdf")
    second = client.get("/groups/alfa/summary.pdf")
    assert first.data == second.data and len(renders) == 1
    assert len(builds) == 2, "every download assembles the summary from the data"
    summary["group"].goals = "Új cél, őszintén."
    db.session.commit()
    third = client.get("/groups/alfa/summary.pdf")
    assert third.status_code == 200 and "Új cél, őszintén." in _text(third.data)
    assert len(renders) == 2 and len(builds) == 3
    # Another period is another document.
    assert client.get("/groups/alfa/summary.pdf?from=2026-01").status_code == 200
    assert len(renders) == 3 and len(builds) == 4


def test_queries_do_not_grow_with_rows(app, summary):
    """Assembly costs a fixed number of queries plus one per journal (report_sections)."""
    group = summary["group"]
    period = summary_module.Period(day(2025, 11, 1), day(2026, 6, 30))
    statements = []

    def count(_conn, _cursor, statement, *_args):
        """Count one statement."""
        statements.append(statement.split("\n")[0][:90])

    db.session.expire_all()
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        with app.test_request_context():
            result = summary_module.group_summary(db.session.get(type(group), group.id), period)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    journals = len(result.held)
    # group, mentors, workshops (+attendance, guests, journal, plan), planned later,
    # participants (+users), notes (+author, workshop, replies, reactions) and one per journal.
    assert len(statements) <= 17 + journals, "\n".join(statements)
    assert len(result.participants) == 4 and len(result.held) == 3


def test_matrix_splits_many_workshops_onto_landscape_pages(client, log_in, summary):
    """Twenty held workshops: two matrix tables of at most 15 columns, on a landscape page."""
    for n in range(17):
        make_workshop(summary["group"], date=day(2026, 4, 1 + n), topic=f"Pótalkalom {n}")
    db.session.commit()
    log_in(summary["world"]["coordinator"])
    html = client.get("/groups/alfa/summary").get_data(as_text=True)
    assert html.count('<table class="matrix">') == 2
    assert "1–15. alkalom" in html and "16–20. alkalom" in html
    assert "matrix-pages wide" in html


def test_pages_render_to_png(client, log_in, summary, tmp_path):
    """pdftoppm renders every page of both documents to a PNG (to be looked at)."""
    log_in(summary["world"]["coordinator"])
    for name, url in (("summary", "/groups/alfa/summary.pdf"), ("program", "/program/report.pdf")):
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(client.get(url).data)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "50", str(path), str(tmp_path / name)], check=True
        )
        pngs = sorted(tmp_path.glob(f"{name}-*.png"))
        assert len(pngs) == len(_pdf(path.read_bytes()).pages) >= 4
        for png in pngs:
            data = png.read_bytes()
            assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 3_000


def test_long_texts_stay_in_their_columns_and_margins(client, log_in, summary):
    """The workshops' and the figures' tables have fixed columns on paper: a long place,
    topic and list of methods (a 39-letter word among them), a workshop without its hours and
    one not recorded wrap inside their columns. No word of any page overlaps another or
    passes the right margin (18 mm), in the summary and in the program report."""
    word = "Közművelődésiintézményrendszerfejlesztés"  # 39 letters: no break opportunity added
    summary["group"].program.period_end = day(2026, 9, 30)
    make_workshop(
        summary["group"],
        date=day(2026, 9, 30),  # "szeptember": the longest month name
        topic=f"{word} és a szomszédos települések önkormányzatainak bevonása",
        place=f"Nagyközségi {word} Központ és Könyvtár, emeleti nagyterem",
        methods=f"{word}\nvilágkávézó\nfishbowl\nkiscsoportos reflektív műhelymunka",
    )
    db.session.commit()
    log_in(summary["world"]["coordinator"])
    for url in ("/groups/alfa/summary.pdf", "/program/report.pdf"):
        response = client.get(url)
        assert response.mimetype == "application/pdf", url
        pages = word_boxes(response.data)
        text = " ".join(pdf_text(response.data).split())
        assert "nincs rögzítve" in text and "alkalom időpont nélkül" in text, url
        assert "ményrendszerfejlesztés" in text, url
        for number, (width, words) in enumerate(pages, 1):
            assert overlapping_words(words) == [], (url, number)
            right = width - 18 / 25.4 * 72
            # A justified line's last glyph may reach a point past it; a word cut goes further.
            assert [w[4] for w in words if w[2] > right + 2] == [], (url, number)


def test_the_attendance_heading_never_ends_a_page_without_its_matrix(app):
    """The attendance part's heading and legend go to the next page with the matrix when the
    matrix does not fit below them, wherever on the page the part begins."""
    rows = "".join(
        f'<tr><th class="name">Résztvevő {n}</th><td class="mark">J</td>'
        '<td class="rate">100 %</td></tr>'
        for n in range(12)
    )
    part = (
        '<section class="summary-section matrix-pages"><h2>Jelenlét</h2>'
        '<p class="legend">Jelölések: J = jelen.</p><div class="table-scroll">'
        '<table class="matrix"><thead><tr><th class="name">Név</th><th class="mark">1.</th>'
        f'<th class="rate">Arány</th></tr></thead><tbody>{rows}</tbody></table></div></section>'
    )
    with app.app_context():
        for spacer in range(150, 250, 20):
            html = (
                '<html lang="hu"><head><link rel="stylesheet" href="/static/css/print.css">'
                '<link rel="stylesheet" href="/static/css/print-summary.css"></head><body>'
                f'<div style="height: {spacer}mm"></div>{part}</body></html>'
            )
            for page in pdf_pages(printing.html_to_pdf(html)):
                if "Jelenlét" in page:
                    assert "Arány" in page, spacer


def test_the_contents_get_a_page_of_their_own_only_for_many_journals_listed(
    client, log_in, summary
):
    """Eleven held workshops whose journals are not written add no entry to the contents, so
    the contents stay on the cover; eleven written journals move them to a page of their own."""
    added = [
        make_workshop(summary["group"], date=day(2026, 4, 1 + n), topic=f"Pótalkalom {n}")
        for n in range(11)
    ]
    db.session.commit()
    log_in(summary["world"]["coordinator"])
    assert 'class="toc"' in client.get("/groups/alfa/summary").get_data(as_text=True)
    for workshop in added:
        _fill_journal(workshop, summary["world"]["mentor_a"], "Megírva.")
    db.session.commit()
    assert 'class="toc own-page"' in client.get("/groups/alfa/summary").get_data(as_text=True)


def test_note_outside_the_period_is_left_out(app, summary):
    """A board note (no workshop) counts by its creation date."""
    group = summary["group"]
    note = _note(summary["users"][0], group, "Régi tábla-jegyzet")
    note.created_at = datetime(2025, 11, 5, 10, tzinfo=UTC)
    set_in_report(summary["world"]["mentor_a"], note, True)
    db.session.commit()
    inside = summary_module.Period(day(2025, 11, 1), day(2025, 11, 30))
    outside = summary_module.Period(day(2025, 12, 1), day(2026, 6, 30))
    with app.test_request_context():
        titles_inside = [n.title for n in summary_module.group_summary(group, inside).notes]
        titles_outside = [n.title for n in summary_module.group_summary(group, outside).notes]
    assert "Régi tábla-jegyzet" in titles_inside
    assert "Régi tábla-jegyzet" not in titles_outside


def test_a_note_written_after_midnight_in_budapest_counts_on_that_day(app, summary):
    """A board note saved at 23:30 UTC on 30 November is 1 December in Budapest (as the board
    shows it): it belongs to December's period and the summary dates it 1 December."""
    group = summary["group"]
    note = _note(summary["users"][0], group, "Éjféli tábla-jegyzet")
    note.created_at = datetime(2025, 11, 30, 23, 30, tzinfo=UTC)
    set_in_report(summary["world"]["mentor_a"], note, True)
    db.session.commit()
    november = summary_module.Period(day(2025, 11, 1), day(2025, 11, 30))
    december = summary_module.Period(day(2025, 12, 1), day(2025, 12, 31))
    with app.test_request_context():
        in_november = summary_module.group_summary(group, november).notes
        in_december = summary_module.group_summary(group, december).notes
    assert "Éjféli tábla-jegyzet" not in [n.title for n in in_november]
    entry = next(n for n in in_december if n.title == "Éjféli tábla-jegyzet")
    assert entry.date_text == "2025. december 1."


def test_a_participant_is_counted_only_where_recorded_as_on_the_group_page(app, world):
    """A late joiner's rate is over the workshops recorded of her, not over those held before
    she joined; nor does a workshop where nobody tapped a member's name count against him. The
    summary (and so the exports) agrees with the group page's rate."""
    from journal.workshops.queries import participant_rates

    group = world["group_a"]
    early, late = world["participant_a"], make_user(email="kesobb@example.org")
    make_membership(late, group, joined_on=day(2025, 11, 20))
    first = make_workshop(group, date=day(2025, 11, 14))
    second = make_workshop(group, date=day(2025, 11, 28))
    present = AttendanceStatus.PRESENT
    db.session.add_all(
        [
            Attendance(workshop_id=first.id, user_id=world["participant_a2"].id, status=present),
            Attendance(workshop_id=second.id, user_id=late.id, status=present),
            Attendance(workshop_id=second.id, user_id=early.id, status=present),
        ]
    )  # nobody tapped `early` at the first workshop
    db.session.commit()
    period = summary_module.Period(day(2025, 11, 1), day(2025, 11, 30))
    with app.test_request_context():
        rows = {p.user_id: p for p in summary_module.group_summary(group, period).participants}
    rates = participant_rates(group)
    for person in (early, late):
        row = rows[person.id]
        assert (row.attended, row.recorded, row.percent) == (1, 1, "100\xa0%")
        assert (rates[person.id].attended, rates[person.id].recorded) == (1, 1)
        assert row.marks == ("–", "J") and row.reaching
