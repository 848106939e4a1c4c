"""The coordinator's program settings, and where they show: pages and every PDF."""

from datetime import date

import pytest

from journal.extensions import db
from journal.models import Program
from tests.factories import make_workshop
from tests.pdfs import pdf_text

SETTINGS = {
    "name": "Kapcsolódások 3.0",
    "association": "Próba Népművelő Egyesület",
    "funder": "Próba Kulturális Alap",
    "grant_id": "PKA-2025-0042",
    "period_start": "2025-10-01",
    "period_end": "2026-09-30",
    "journal_due_days": "10",
}


def _program() -> Program:
    """Return the stored program, read again."""
    program = db.session.scalar(db.select(Program))
    db.session.refresh(program)
    return program


def test_coordinator_saves_the_settings_with_303(client, world, log_in):
    """The form shows the stored values; a valid save answers 303 and stores every field."""
    log_in(world["coordinator"])
    page = client.get("/program/settings")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Kapcsolódások – Csoportos Mentorálás 2.0" in html and 'value="2025-11-01"' in html
    assert 'value="7"' in html  # the default journal due days
    response = client.post("/program/settings", data=SETTINGS)
    assert response.status_code == 303
    assert response.location.endswith("/program/settings")
    program = _program()
    assert (program.name, program.association, program.funder, program.grant_id) == (
        "Kapcsolódások 3.0",
        "Próba Népművelő Egyesület",
        "Próba Kulturális Alap",
        "PKA-2025-0042",
    )
    assert (program.period_start, program.period_end) == (date(2025, 10, 1), date(2026, 9, 30))
    assert program.journal_due_days == 10


def test_a_mentor_may_not_see_or_change_the_settings(client, world, log_in):
    """The settings are the coordinator's: a mentor gets 403 and changes nothing, and no link."""
    log_in(world["mentor_a"])
    assert client.get("/program/settings").status_code == 403
    assert client.post("/program/settings", data=SETTINGS).status_code == 403
    assert _program().name == "Kapcsolódások – Csoportos Mentorálás 2.0"
    assert "/program/settings" not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"period_end": "2025-09-30"}, "A program vége nem lehet korábbi a kezdeténél."),
        ({"period_start": "2025-13-45"}, "Ez nem érvényes dátum"),
        # A mistyped year: the same rule as every date field's.
        (
            {"period_start": "0025-10-01"},
            "Ellenőrizze az évszámot: 2000 előtti nap nem adható meg.",
        ),
        ({"name": "  "}, "Adja meg a program nevét."),
        ({"journal_due_days": "hét"}, "1 és 90 nap közötti egész számot adjon meg, például 7."),
        # A 3 to int(), but not a number typed in the digits the form asks for.
        ({"journal_due_days": "٣"}, "1 és 90 nap közötti egész számot adjon meg, például 7."),
        ({"journal_due_days": "0"}, "1 és 90 nap közötti egész számot adjon meg, például 7."),
        ({"journal_due_days": " "}, "Adja meg, hány nappal az alkalom után esedékes a napló."),
        ({"journal_due_days": None}, "Adja meg, hány nappal az alkalom után esedékes a napló."),
        # A workshop of 2025-11-14 would fall outside and vanish from the summaries.
        # (A Hungarian date ends in a full stop: the message must not add another after it.)
        (
            {"period_start": "2025-12-01"},
            "Az időszaknak tartalmaznia kell minden alkalmat (az "
            "első: 2025. november 14., az utolsó: 2025. november 14.).",
        ),  # fmt: skip
    ],
)
def test_bad_input_answers_422_with_the_form_as_typed(client, world, log_in, change, message):
    """A refused save answers 422 in Hungarian, keeps what was typed and stores nothing."""
    make_workshop(world["group_a"], date=date(2025, 11, 14))
    db.session.commit()
    log_in(world["coordinator"])
    data = {key: value for key, value in (SETTINGS | change).items() if value is not None}
    response = client.post("/program/settings", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert html.count('class="errors"') == 1  # one message, not the library's beside ours
    assert "Próba Népművelő Egyesület" in html and "PKA-2025-0042" in html
    assert _program().association == ""


def test_settings_show_on_pages_and_in_every_pdf(app, client, world, log_in, tmp_path):
    """The name and association head every page; association, funder and grant every PDF."""
    app.config["REPORT_CACHE_DIR"] = str(tmp_path / "pdf-cache")
    workshop = make_workshop(world["group_a"], date=date(2025, 11, 14))
    db.session.commit()
    log_in(world["coordinator"])
    assert client.post("/program/settings", data=SETTINGS).status_code == 303
    home = client.get("/").get_data(as_text=True)
    assert "Kapcsolódások 3.0 · Próba Népművelő Egyesület" in home
    for url in (
        f"/workshops/{workshop.id}/attendance-sheet.pdf",
        f"/workshops/{workshop.id}/attendance-sheet/filled.pdf",
        f"/workshops/{workshop.id}/record.pdf",
        "/groups/alfa/summary.pdf",
        "/program/report.pdf",
    ):
        text = pdf_text(client.get(url).data)
        for expected in ("Kapcsolódások 3.0", "Próba Népművelő Egyesület", "PKA-2025-0042"):
            assert expected in text, (url, expected)
        assert "Próba Kulturális Alap" in text, url
        assert "Egyesületünk" not in text, url
    client.post("/logout")
    login_page = client.get("/login").get_data(as_text=True)
    assert "Kapcsolódások 3.0" in login_page and "Mentorálás 2.0" not in login_page


def test_the_operation_itself_refuses_a_period_that_ends_before_it_starts(app, world):
    """The rule holds for every caller of the operation (the CLI, the demo seeder), not only
    behind the settings form, which refuses it first with the same words."""
    from journal.domain import NotAllowed
    from journal.program.operations import ProgramSettings, update_settings

    program = _program()
    settings = ProgramSettings(
        name=program.name,
        association=program.association,
        funder=program.funder,
        grant_id=program.grant_id,
        period_start=date(2026, 6, 30),
        period_end=date(2026, 1, 1),
        journal_due_days=program.journal_due_days,
    )
    with app.test_request_context(), pytest.raises(NotAllowed, match="nem lehet korábbi"):
        update_settings(world["coordinator"], program, settings)
