"""Issue 14's acceptance on the demo: the report the association signs and files names who runs
and funds the program, lists every held workshop honestly, keeps draft journals out unless
asked for (and then marks them on every page), counts alike in its two tables, and has no page
that is only a heading or a lone table."""

import re
from datetime import timedelta

import pytest
from babel.dates import format_date
from sqlalchemy import select

from journal.extensions import db
from journal.models import (
    Attendance,
    AttendanceStatus,
    Group,
    Journal,
    JournalStatus,
    Program,
    User,
    Visibility,
    Workshop,
    WorkshopStatus,
    local_today,
)
from tests.apps import login
from tests.factories import make_workshop
from tests.pdfs import pdf_pages

COORDINATOR = "jozsa.kata@example.org"
DRAFT_MARK = "PISZKOZAT"
# A marker that only the demo's draft journal carries; long enough to run over a page.
DRAFT_TEXT = "PISZKOZAT-SZÖVEG-ŐŰ"
NO_FINAL_JOURNAL = "nincs véglegesített napló"
AT_LEAST_60 = "Legalább 60 % részvétel"
FOOTER = re.compile(r"^\d+\. oldal / \d+$")


def long_date(value) -> str:
    """Return a date in Hungarian long format, as the documents print it."""
    return format_date(value, format="long", locale="hu")


def _flat(text: str) -> str:
    """Join a text's lines and spaces (and hyphenated line ends) into single spaces."""
    return " ".join(text.replace("-\n", "").split())


def _body_lines(page: str, program_name: str) -> list[str]:
    """Return a page's lines below the running header and above the footer."""
    return [
        line
        for line in (raw.strip() for raw in page.splitlines())
        if line
        and not line.startswith(program_name)
        and not FOOTER.match(line)
        and line not in (DRAFT_MARK, "•")
    ]


@pytest.fixture
def demo(app, client, tmp_path):
    """The seeded demo, its coordinator logged in."""
    from journal.demo import seed_demo

    app.config["REPORT_CACHE_DIR"] = str(tmp_path / "pdf-cache")
    seed_demo()
    db.session.commit()
    coordinator = db.session.scalar(select(User).where(User.email == COORDINATOR))
    login(client, coordinator, password="muhelynaplo")
    return db.session.scalar(select(Program))


def _held() -> list[Workshop]:
    """Return every held workshop of the demo, by group and date."""
    return db.session.scalars(
        select(Workshop)
        .where(Workshop.status == WorkshopStatus.HELD)
        .order_by(Workshop.group_id, Workshop.date)
    ).all()


def test_the_program_report_names_its_sponsors_and_every_held_workshop(client, demo):
    """The association, funder and grant from the settings, on the cover; the program's name
    once there; every held workshop listed, those without a final journal said so."""
    program = demo
    assert program.association and program.funder and program.grant_id
    response = client.get("/program/report.pdf")
    assert response.status_code == 200
    pages = pdf_pages(response.data)
    cover = _flat(pages[0])
    for value in (program.association, program.funder, program.grant_id):
        assert _flat(value) in cover, value
    assert cover.count(program.name) == 1, cover
    flat = _flat("\n".join(pages))
    finals = missing = 0
    for workshop in _held():
        journal = workshop.journal
        heading = _flat(f"{long_date(workshop.date)} – {workshop.topic}")
        assert heading in flat, heading
        if journal is None or journal.status != JournalStatus.FINAL:
            missing += 1
            assert _flat(f"{heading}: {NO_FINAL_JOURNAL}.") in flat, heading
        else:
            finals += 1
    assert finals and missing  # the demo has both kinds
    assert flat.count(NO_FINAL_JOURNAL) == missing
    # Closing: place, date and the coordinator's signature line.
    last = _flat(pages[-1])
    assert "Kelt:" in last and "Józsa Kata koordinátor" in last


@pytest.mark.parametrize("url", ["/program/report.pdf", "/groups/tata/summary.pdf"])
def test_no_page_is_only_a_heading_or_a_lone_table(client, demo, url):
    """Below the running header, every page has more than one line and a fair amount of text,
    and the figures never open a page: they stay with what comes before them."""
    program = demo
    pages = pdf_pages(client.get(url).data)
    for number, page in enumerate(pages, start=1):
        body = _body_lines(page, program.name)
        assert len(body) > 1, (number, body)
        assert sum(len(line) for line in body) > 300, (number, body)
        assert body[0] != "Összesítés", (number, body[:3])
        assert not body[0].startswith("Megtartott alkalom"), (number, body[:3])


def _draft_journal() -> Journal:
    """Return the demo's draft journal, its report section filled with DRAFT_TEXT for pages."""
    journal = db.session.scalar(select(Journal).where(Journal.status == JournalStatus.DRAFT))
    assert journal is not None, "the demo has a draft journal"
    section = next(s for s in journal.sections if s.key == "process")
    paragraph = f"{DRAFT_TEXT} " + "a csoport közösen dolgozott a helyi terveken. " * 12
    section.body = "\n\n".join([paragraph] * 14)
    section.in_report = True
    section.visibility = Visibility.GROUP
    db.session.commit()
    return journal


def test_a_draft_reaches_a_pdf_only_when_asked_and_is_marked_on_every_page(client, demo):
    """Without "drafts too" no PDF holds the draft's text; with it, every page that shows the
    draft says PISZKOZAT (also the pages it runs on to), the workshop record too."""
    journal = _draft_journal()
    slug = journal.workshop.group.slug
    record = f"/workshops/{journal.workshop_id}/record.pdf"
    for url in ("/program/report.pdf", f"/groups/{slug}/summary.pdf", record):
        text = "\n".join(pdf_pages(client.get(url).data))
        assert DRAFT_TEXT not in text, url
        assert DRAFT_MARK not in text, url
    for url in (f"/groups/{slug}/summary.pdf", record, "/program/report.pdf"):
        pages = pdf_pages(client.get(url + "?drafts=1").data)
        showing = [page for page in pages if DRAFT_TEXT in page]
        assert len(showing) >= 2, url  # the draft runs over a page break
        for page in showing:
            assert DRAFT_MARK in page.replace(DRAFT_TEXT, ""), (url, page[:200])
        if url != record:
            # The mark is the draft's: the cover carries none.
            assert DRAFT_MARK not in pages[0], url
    # …and it ends with the draft: the program report's last group shows none.
    assert DRAFT_MARK not in pages[-1]


def test_the_period_form_offers_drafts_and_passes_them_to_the_pdf(client, demo):
    """The preview's form has the checkbox; ticked, the download link carries it."""
    html = client.get("/program/report").get_data(as_text=True)
    assert 'type="checkbox"' in html and 'name="drafts"' in html
    assert 'href="/program/report.pdf"' in html
    ticked = client.get("/groups/kecskemet/summary?from=2025.11.&drafts=1").get_data(as_text=True)
    assert "drafts=1" in ticked and "checked" in ticked


def _cells(row_html: str) -> list[str]:
    """Return the text of a table row's numeric cells."""
    return [
        re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r'class="num">(.*?)</td>', row_html)
    ]


def _one_at_exactly_60_percent() -> None:
    """Add a held workshop to a demo group so that a participant attends exactly 3 of 5."""
    group = db.session.scalar(select(Group).where(Group.slug == "komlo-hegyhat"))
    held = [w for w in _held() if w.group_id == group.id and w.attendance]
    assert len(held) == 4
    counts: dict[int, int] = {}
    for workshop in held:
        for record in workshop.attendance:
            counts.setdefault(record.user_id, 0)
            counts[record.user_id] += record.status in (
                AttendanceStatus.PRESENT,
                AttendanceStatus.LATE,
            )
    extra = make_workshop(group, date=held[-1].date + timedelta(days=1), topic="Pótalkalom")
    assert extra.date < local_today()
    chosen = next(user_id for user_id, n in sorted(counts.items()) if n in (2, 3))
    for user_id, n in counts.items():
        present = n == 2 if user_id == chosen else True
        status = AttendanceStatus.PRESENT if present else AttendanceStatus.ABSENT
        db.session.add(Attendance(workshop=extra, user_id=user_id, status=status))
    db.session.commit()


def test_both_tables_count_attendance_at_or_above_60_percent_alike(client, demo):
    """The group table's column and each group's figures row have the same words and the
    same count, and that count includes a rate of exactly 60 %."""
    _one_at_exactly_60_percent()
    words = AT_LEAST_60
    html = client.get("/program/report").get_data(as_text=True)
    table = html[html.index('<table class="program-table">') : html.index("</table>")]
    assert f'<th class="num">{words}</th>' in table
    rows = re.findall(r"<tr>\s*<td><a href=\"#(g-[^\"]+)\">(.*?)</tr>", table, re.S)
    assert len(rows) == 5
    exact = 0
    for anchor, row in rows:
        in_table = _cells(row)[-1]
        part = html[html.index(f'id="{anchor}-part"') :]
        figures = part[part.index(f'id="{anchor}-figures"') :]
        match = re.search(
            rf"<th scope=\"row\">{words}</th>.*?class=\"num\">(\d+) fő", figures, re.S
        )
        assert match, anchor
        assert match[1] == in_table, anchor
        # The matrix's rates, counted here at >= 60 %, give the same number.
        matrix = part[: part.index(f'id="{anchor}-journals"')]
        bodies = "".join(re.findall(r"<tbody>(.*?)</tbody>", matrix, re.S))
        rates = [int(r) for r in re.findall(r'<td class="rate[^"]*">(\d+)\u00a0%</td>', bodies)]
        assert sum(1 for r in rates if r >= 60) == int(in_table), anchor
        exact += rates.count(60)
    pdf = _flat("\n".join(pdf_pages(client.get("/program/report.pdf").data)))
    assert pdf.count(_flat(words)) >= 1 + len(rows)  # the column, and every figures table
    assert "60 % felett" not in pdf
    assert exact, "the demo has a participant at exactly 60 %"


def test_one_percent_format_on_screen_and_in_print():
    """A space (no-break) before the sign, everywhere: 71 %."""
    from journal.i18n import percent

    assert percent(71.4) == "71\u00a0%" and percent(None) == "–"


def test_a_half_rounds_up_on_every_page_document_and_export():
    """5 of 8 is 63 % (not Python's 62 %, a half to even), 7 of 8 is 88 %, an average of
    5,25 people is 5,3 and 1 of 16 is 6,3 % in the exports: as a funder reckons."""
    from journal.exports.tables import _rate
    from journal.i18n import percent
    from journal.reports.summary import _decimal
    from journal.workshops.queries import Rate

    assert (Rate(5, 8).percent, Rate(7, 8).percent, Rate(1, 3).percent) == (63, 88, 33)
    assert percent(62.5) == "63\u00a0%" and percent(100 * 7 / 8) == "88\u00a0%"
    assert (_decimal(5.25), _decimal(5.2), _decimal(12.0)) == ("5,3", "5,2", "12")
    assert (_rate(1, 16), _rate(5, 8)) == (6.3, 62.5)


def test_unclosed_and_cancelled_workshops_are_counted(client, demo):
    """A planned workshop whose day has passed is "lezáratlan", not planned; a cancelled one
    shows its reason."""
    program = demo
    html = client.get("/program/report").get_data(as_text=True)
    cancelled = db.session.scalars(
        select(Workshop).where(Workshop.status == WorkshopStatus.CANCELLED)
    ).all()
    assert cancelled
    for workshop in cancelled:
        assert f"Az elmaradás oka: {workshop.cancel_reason.strip()}" in " ".join(html.split())
    groups = db.session.scalars(select(Group)).all()
    today = local_today()
    unclosed = db.session.scalars(
        select(Workshop).where(Workshop.status == WorkshopStatus.PLANNED, Workshop.date < today)
    ).all()
    assert unclosed, "the demo has a planned workshop whose day has passed"
    table = html[html.index('<table class="program-table">') : html.index("</table>")]
    total = re.search(r"<tfoot>(.*?)</tfoot>", table, re.S)[1]
    cells = [
        re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r'class="num">(.*?)</td>', total)
    ]
    # held, journals, cancelled, unclosed, planned, …
    assert int(cells[2]) == len(cancelled) and int(cells[3]) == len(unclosed)
    assert len(groups) == 5 and program is not None


def test_the_program_report_holds_the_coordinators_and_each_mentors_summary(client, demo):
    """The demo's texts: the coordinator's summary of the program and every group's mentor's
    summary print in their place; a group without one says so in one line; the preview
    offers the coordinator the editor of the program's text (never in the PDF)."""
    from journal.models import ReportText

    texts = {t.scope: t for t in db.session.scalars(select(ReportText))}
    assert "program" in texts and len(texts) == 6
    flat = _flat("\n".join(pdf_pages(client.get("/program/report.pdf").data)))
    for text in texts.values():
        first_line = _flat(text.body.split("\n\n")[0].replace("\\\n", ""))[:60]
        assert first_line in flat, first_line
    assert flat.index("A program összefoglalója") < flat.index("Programösszesítő")
    assert flat.count("A mentor összefoglalója") == 5
    tata = db.session.scalar(select(ReportText).where(ReportText.scope.like("group:%")))
    db.session.delete(tata)
    db.session.commit()
    flat = _flat("\n".join(pdf_pages(client.get("/program/report.pdf").data)))
    assert "A mentor összefoglalója: erre az időszakra nem készült." in flat
    preview = client.get("/program/report").get_data(as_text=True)
    assert 'href="/program/report/text"' in preview
    assert "összefoglalójának" not in flat
