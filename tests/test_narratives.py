"""The narrative parts of a report: the coordinator's program summary and a mentor's group
summary for a period, saved with a version check (409 with both texts), a revision per
version, drafts that another device's newer draft never overwrites, and limits that refuse
instead of cutting."""

from sqlalchemy import select

from journal.extensions import db
from journal.models import Draft, ReportText, ReportTextRevision
from tests.factories import make_membership

PERIOD = "?from=2026-01&to=2026-03"
PROGRAM_TEXT = "/program/report/text" + PERIOD


def _texts() -> list[ReportText]:
    """Return every stored report text, fresh."""
    db.session.expire_all()
    return list(db.session.scalars(select(ReportText).order_by(ReportText.id)))


def test_the_coordinator_writes_the_program_summary_for_the_period(client, world, log_in):
    """A text not written yet opens at version 0; saving it keeps it under the period, goes
    back to the report's preview of that period, and records the first revision."""
    log_in(world["coordinator"])
    page = client.get(PROGRAM_TEXT).get_data(as_text=True)
    assert 'name="version" value="0"' in page and "2026. január 1. – 2026. március 31." in page
    response = client.post(PROGRAM_TEXT, data={"body": "A **program** összegzése.", "version": "0"})
    assert response.status_code == 303
    assert response.location.endswith("/program/report?from=2026-01&to=2026-03")
    [text] = _texts()
    assert (text.scope, str(text.period_start), str(text.period_end)) == (
        "program",
        "2026-01-01",
        "2026-03-31",
    )
    assert text.version == 1 and "<strong>program</strong>" in text.body_html
    again = client.post(PROGRAM_TEXT, data={"body": "Második változat.", "version": "1"})
    assert again.status_code == 303
    revisions = db.session.scalars(select(ReportTextRevision.version)).all()
    assert sorted(revisions) == [1, 2]
    page = client.get(PROGRAM_TEXT).get_data(as_text=True)
    assert "Második változat." in page and "1. változat" in page and 'value="2"' in page


def test_a_save_from_an_old_version_answers_409_with_both_texts(client, world, log_in):
    """Two editors from the same version: the second is refused with its own text and the one
    saved meanwhile; nothing of either is lost; saving the merged text then works."""
    log_in(world["coordinator"])
    client.post(PROGRAM_TEXT, data={"body": "Első.", "version": "0"})
    client.post(PROGRAM_TEXT, data={"body": "Valaki más szövege.", "version": "1"})
    response = client.post(PROGRAM_TEXT, data={"body": "Az én szövegem.", "version": "1"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Az én szövegem." in page and "Valaki más szövege." in page
    assert _texts()[0].body == "Valaki más szövege."
    assert 'name="version" value="2"' in page
    merged = client.post(PROGRAM_TEXT, data={"body": "Összefésülve.", "version": "2"})
    assert merged.status_code == 303 and _texts()[0].body == "Összefésülve."


def test_a_save_over_a_text_the_period_no_longer_has_keeps_the_typed_one(client, world, log_in):
    """An editor opened on a text that is no longer this period's (the period in settings
    changed, say) posts its version: the answer is a 409 in Hungarian with the typed text,
    ready to be saved as the period's first text; nothing is stored meanwhile."""
    log_in(world["coordinator"])
    response = client.post(PROGRAM_TEXT, data={"body": "Az én szövegem.", "version": "3"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Az én szövegem." in page and "már nem ehhez az időszakhoz tartozik" in page
    assert 'name="version" value="0"' in page and _texts() == []
    again = client.post(PROGRAM_TEXT, data={"body": "Az én szövegem.", "version": "0"})
    assert again.status_code == 303 and _texts()[0].body == "Az én szövegem."


def test_a_newer_draft_from_another_device_is_never_overwritten(client, world, log_in):
    """A draft written on another device after this editor opened: saving answers 409 with
    both texts and keeps that draft; the editor that saw it may then save."""
    log_in(world["coordinator"])
    key = "report:program:2026-01-01:2026-03-31"
    phone = client.put(f"/drafts/{key}", json={"body": "A telefonon írt bekezdés.", "draft": ""})
    assert phone.status_code == 200
    response = client.post(PROGRAM_TEXT, data={"body": "A laptopon írt mondat.", "version": "0"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "A telefonon írt bekezdés." in page and "A laptopon írt mondat." in page
    assert db.session.scalar(select(Draft.body).where(Draft.key == key))
    assert _texts() == []
    stamp = phone.get_json()["draft"]
    merged = {"body": "Mindkettő.", "version": "0", "draft": stamp}
    assert client.post(PROGRAM_TEXT, data=merged).status_code == 303
    assert db.session.scalar(select(Draft.id).where(Draft.key == key)) is None


def test_an_opened_editor_puts_the_unsaved_draft_back(client, world, log_in):
    """The text typed and autosaved but not saved comes back when the editor is opened again,
    with "Elvetés" to go back to the saved text."""
    log_in(world["coordinator"])
    client.put(
        "/drafts/report:program:2026-01-01:2026-03-31",
        json={"body": "Félbehagyott gondolat.", "draft": ""},
    )
    page = client.get(PROGRAM_TEXT).get_data(as_text=True)
    assert "Félbehagyott gondolat." in page and "data-autosave-discard" in page


def test_a_text_over_the_limit_is_refused_whole(client, world, log_in):
    """A text longer than the limit answers 422 with all of it in the form; nothing saved."""
    log_in(world["coordinator"])
    long = "szó " * 30_000
    response = client.post(PROGRAM_TEXT, data={"body": long, "version": "0"})
    assert response.status_code == 422
    assert long.strip() in response.get_data(as_text=True)
    assert _texts() == []


def test_the_groups_mentor_writes_the_group_summary_and_others_may_not(client, world, log_in):
    """The mentor of the group writes its summary; a participant, another group's mentor and
    the coordinator who does not mentor it may not; a bad period answers 422."""
    log_in(world["mentor_a"])
    url = "/groups/alfa/summary/text" + PERIOD
    assert client.post(url, data={"body": "A csoport éve.", "version": "0"}).status_code == 303
    assert _texts()[0].scope == f"group:{world['group_a'].id}"
    assert client.get("/groups/alfa/summary/text?from=2026-13").status_code == 422
    for who in ("participant_a", "mentor_b", "coordinator"):
        client.post("/logout")
        log_in(world[who])
        assert client.get(url).status_code in (403, 404), who
        response = client.post(url, data={"body": "Nem írhatom.", "version": "1"})
        assert response.status_code in (403, 404), who
    assert _texts()[0].body == "A csoport éve."
    make_membership(world["coordinator"], world["group_b"], role=_mentor())
    db.session.commit()
    assert client.get("/groups/beta/summary/text").status_code == 200


def test_the_group_summary_lists_the_mentors_text_in_its_contents(client, world, log_in):
    """The group summary's table of contents links the mentor's summary once it is written,
    as the program report's contents link the program's."""
    log_in(world["mentor_a"])
    link = 'href="#g-alfa-narrative"'
    assert link not in client.get("/groups/alfa/summary" + PERIOD).get_data(as_text=True)
    url = "/groups/alfa/summary/text" + PERIOD
    assert client.post(url, data={"body": "A csoport éve.", "version": "0"}).status_code == 303
    page = client.get("/groups/alfa/summary" + PERIOD).get_data(as_text=True)
    assert page.count(link) == 1 and 'id="g-alfa-narrative"' in page


def test_the_default_period_keeps_its_text_under_the_whole_program(client, world, log_in):
    """Without a period (the program so far, whose end moves daily) the text is kept under
    the program's whole period, so tomorrow it is still there."""
    log_in(world["coordinator"])
    client.post("/program/report/text", data={"body": "Az egész program.", "version": "0"})
    [text] = _texts()
    program = world["group_a"].program
    assert (text.period_start, text.period_end) == (program.period_start, program.period_end)


def test_the_period_the_default_shows_typed_in_shows_the_same_texts(client, world, log_in):
    """The program so far typed as the report shows it (start to today) is the same report:
    the text written without a period is there, in the preview and in its editor."""
    from datetime import timedelta

    from journal.models import local_today

    program = world["group_a"].program
    program.period_end = local_today() + timedelta(days=60)
    db.session.commit()
    log_in(world["coordinator"])
    client.post("/program/report/text", data={"body": "Az eddigi program.", "version": "0"})
    typed = f"?from={program.period_start.isoformat()}&to={local_today().isoformat()}"
    assert "Az eddigi program." in client.get("/program/report" + typed).get_data(as_text=True)
    editor = client.get("/program/report/text" + typed).get_data(as_text=True)
    assert "Az eddigi program." in editor and 'name="version" value="1"' in editor
    assert len(_texts()) == 1
    # Another period starts from it, named as its report showed it: the program so far.
    from journal.i18n import long_date

    other = client.get(PROGRAM_TEXT).get_data(as_text=True)
    with client.application.test_request_context():
        shown = f"{long_date(program.period_start)} – {long_date(local_today())}"
    assert f"kiindulásnak a {shown} időszakra" in other


def test_a_periods_first_text_starts_from_the_one_written_last(client, world, log_in):
    """The editor of a period without a text opens with the scope's text saved last (another
    period's), says so, and stores nothing until saved; saving keeps it under this period and
    leaves the other text as it was."""
    log_in(world["coordinator"])
    client.post("/program/report/text", data={"body": "Az egész program.", "version": "0"})
    page = client.get(PROGRAM_TEXT).get_data(as_text=True)
    assert "Az egész program.</textarea>" in page and 'name="version" value="0"' in page
    assert "kiindulásnak a 2025. november 1. – 2026. június 30. időszakra" in page
    assert len(_texts()) == 1
    saved = client.post(PROGRAM_TEXT, data={"body": "Az első negyedév.", "version": "0"})
    assert saved.status_code == 303
    whole, quarter = _texts()
    assert (whole.body, quarter.body) == ("Az egész program.", "Az első negyedév.")
    assert str(quarter.period_start) == "2026-01-01"
    # A group's text starts only from that group's, not from the program's.
    client.post("/logout")
    log_in(world["mentor_a"])
    group_page = client.get(f"/groups/{world['group_a'].slug}/summary/text" + PERIOD)
    assert group_page.status_code == 200
    assert "kiindulásnak" not in group_page.get_data(as_text=True)


def test_the_previews_link_to_the_text_in_the_readers_language(client, world, log_in):
    """The document stays Hungarian, but the link to write its text is a control on the
    screen: in the reader's language, marked with it."""
    log_in(world["coordinator"])
    page = client.get("/program/report").get_data(as_text=True)
    assert "A program összefoglalójának megírása</a>" in page
    client.post("/language", data={"language": "en", "next": "/program/report"})
    page = client.get("/program/report").get_data(as_text=True)
    assert '<p class="text-link" lang="en">' in page
    assert "Write the program’s summary</a>" in page
    client.post("/logout")
    log_in(world["mentor_a"])  # the group's text is its mentor's to write
    client.post("/language", data={"language": "en", "next": "/groups/alfa/summary"})
    group = client.get("/groups/alfa/summary").get_data(as_text=True)
    assert "Write the group’s summary</a>" in group


def _mentor():
    """Return the mentor role."""
    from journal.models import Role

    return Role.MENTOR


def test_the_report_so_far_keeps_its_texts_when_the_program_period_changes(client, world, log_in):
    """The report of the program so far keeps its texts under the program's period: when the
    coordinator moves its end, or a workshop's date widens it, the texts and their unsaved
    drafts move too, and every report still shows them. A group that has a text written for
    the new days already keeps that one."""
    from datetime import date

    from journal.narratives.operations import save_text
    from journal.narratives.queries import Place, group_scope
    from journal.workshops.operations import WorkshopData, create_workshop

    program = world["group_a"].program
    log_in(world["mentor_a"])
    assert client.post(
        "/groups/alfa/summary/text", data={"body": "Az alfa éve.", "version": "0"}
    ).status_code == 303  # fmt: skip
    client.post("/logout")
    log_in(world["coordinator"])
    client.post("/program/report/text", data={"body": "A program éve.", "version": "0"})
    old = f"{program.period_start.isoformat()}:{program.period_end.isoformat()}"
    kept = client.put(
        f"/drafts/report:program:{old}",
        json={"body": "A program éve, folytatva.", "fields": {}, "base_version": 1},
        headers={"HX-Request": "true"},
    )
    assert kept.status_code == 200
    beta = group_scope(world["group_b"])
    save_text(world["coordinator"], Place(beta, program.period_start, date(2026, 7, 31)), 0,
              "A béta júliusig, kézzel választva.")  # fmt: skip
    save_text(world["coordinator"], Place(beta, program.period_start, program.period_end), 0,
              "A béta eddig.")  # fmt: skip
    db.session.commit()
    settings = {
        "name": program.name, "association": program.association, "funder": "",
        "grant_id": "", "period_start": program.period_start.isoformat(),
        "period_end": "2026-07-31", "journal_due_days": "7",
    }  # fmt: skip
    saved = client.post("/program/settings", data=settings, follow_redirects=True)
    notice = " ".join(saved.get_data(as_text=True).split())
    assert "Az új időszakra már volt külön megírt szöveg" in notice
    assert (
        "a(z) Béta csoport összefoglalója." in notice
        and "2025. november 1. – 2026. június 30." in notice
    )
    report = client.get("/program/report").get_data(as_text=True)
    assert "A program éve." in report and "Az alfa éve." in report
    assert "A béta júliusig, kézzel választva." in report and "A béta eddig." not in report
    editor = client.get("/program/report/text").get_data(as_text=True)
    assert "A program éve, folytatva.</textarea>" in editor and "Visszaállítottuk" in editor
    # Widened by a workshop's date: the texts follow again.
    day = WorkshopData(date=date(2026, 8, 20), start_time=None, end_time=None, place="",
                       topic="Nyári alkalom", agenda="", methods="")  # fmt: skip
    create_workshop(world["mentor_a"], world["group_a"], day, widen=True)
    db.session.commit()
    assert program.period_end == date(2026, 8, 20)
    client.post("/logout")
    log_in(world["mentor_a"])
    summary = client.get("/groups/alfa/summary").get_data(as_text=True)
    assert "Az alfa éve." in summary
