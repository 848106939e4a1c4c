"""The mentor's journal: sections, inline editing, versions, conflicts, history, report flag."""

import re

from sqlalchemy import func, select

from journal.extensions import db
from journal.journals import queries
from journal.journals.operations import save_section
from journal.journals.sections import SECTIONS
from journal.models import (
    Journal,
    JournalSection,
    JournalStatus,
    SectionRevision,
    Visibility,
)
from tests.factories import make_journal, make_membership, make_user, make_workshop

HX = {"HX-Request": "true"}


def _as(client, log_in, user) -> None:
    """Log out whoever is logged in, then log this user in."""
    client.post("/logout")
    log_in(user)


def _section(journal: Journal, key: str) -> JournalSection:
    """Return a journal's section by key, fresh from the database."""
    db.session.expire_all()
    return db.session.scalar(
        select(JournalSection).where(
            JournalSection.journal_id == journal.id, JournalSection.key == key
        )
    )


def _revisions(section: JournalSection) -> list[SectionRevision]:
    """Return a section's revisions, oldest first."""
    return list(
        db.session.scalars(
            select(SectionRevision)
            .where(SectionRevision.section_id == section.id)
            .order_by(SectionRevision.version)
        )
    )


def _save(
    client, section, body, version=None, visibility=None, in_report=False, headers=HX, draft=""
):
    """Post a section editor (`draft`: the stamp of the draft the editor wrote or restored)."""
    data = {
        "body": body,
        "visibility": visibility or section.visibility.value,
        "version": str(section.version if version is None else version),
        "draft": draft,
    }
    if in_report:
        data["in_report"] = "y"
    return client.post(f"/sections/{section.id}", data=data, headers=headers)


def test_mentor_starts_journal_with_seven_sections_in_order(client, world, log_in):
    """The first edit creates one journal with the seven sections; reflection is private."""
    workshop = make_workshop(world["group_a"])
    log_in(world["mentor_a"])
    response = client.post(f"/workshops/{workshop.id}/journal", data={"open": "methods"})
    assert response.status_code == 303
    journal = db.session.scalar(select(Journal).where(Journal.workshop_id == workshop.id))
    assert journal.author_id == world["mentor_a"].id
    assert journal.status == JournalStatus.DRAFT
    assert [s.key for s in journal.sections] == [spec.key for spec in SECTIONS]
    assert {s.key: s.visibility for s in journal.sections} == {
        "topic": Visibility.COORDINATION,
        "process": Visibility.COORDINATION,
        "methods": Visibility.COORDINATION,
        "raised": Visibility.COORDINATION,
        "outcomes": Visibility.COORDINATION,
        "reflection": Visibility.PRIVATE,
        "next_steps": Visibility.COORDINATION,
    }
    assert not any(s.in_report for s in journal.sections)
    methods = _section(journal, "methods")
    assert response.headers["Location"].endswith(f"/sections/{methods.id}/edit")
    # Starting again (a double click) creates nothing more.
    again = client.post(f"/workshops/{workshop.id}/journal", data={"open": "topic"}, headers=HX)
    assert again.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Journal)) == 1
    html = again.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="journal"')
    topic = _section(journal, "topic")
    assert f'<form id="section-{topic.id}"' in html  # the chosen section opens in its editor


def test_journal_page_lists_titles_and_guiding_questions(client, world, log_in):
    """Before the journal exists the mentor sees the seven titles and their questions."""
    workshop = make_workshop(world["group_a"])
    log_in(world["mentor_a"])
    html = client.get(f"/workshops/{workshop.id}/journal").get_data(as_text=True)
    for title in ("Téma és célok", "A foglalkozás menete", "Alkalmazott módszerek",
                  "Amit a csoport felvetett", "Eredmények, felismerések", "Mentori önreflexió",
                  "Következő lépések"):  # fmt: skip
        assert title in html
    assert "Mi volt a foglalkozás témája" in html


def test_only_the_groups_mentor_starts_a_journal(client, world, log_in):
    """The coordinator and participants may not start it (403); another group's mentor gets 404."""
    workshop = make_workshop(world["group_a"])
    for user, status in (
        (world["coordinator"], 403),
        (world["participant_a"], 403),
        (world["mentor_b"], 404),
    ):
        _as(client, log_in, user)
        assert client.post(f"/workshops/{workshop.id}/journal").status_code == status
    assert db.session.scalar(select(func.count()).select_from(Journal)) == 0


def test_inline_edit_returns_fragments_and_page_fallbacks(client, world, log_in):
    """htmx gets the editor and the saved section as fragments; without JS, pages and 303."""
    workshop = make_workshop(world["group_a"])
    journal = make_journal(workshop, world["mentor_a"])
    section = _section(journal, "topic")
    log_in(world["mentor_a"])
    fragment = client.get(f"/sections/{section.id}/edit", headers=HX)
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith(f'<form id="section-{section.id}"')
    assert 'hx-disable:inherited="findAll button"' in html and "hx-status:409=" in html
    assert 'name="version" value="1"' in html and "data-autosave" in html
    page = client.get(f"/sections/{section.id}/edit")
    assert "<html" in page.get_data(as_text=True)

    saved = _save(client, section, "A **közösségi tér** szerepe")
    html = saved.get_data(as_text=True)
    assert saved.status_code == 200
    assert html.lstrip().startswith(f'<section id="section-{section.id}"')
    assert "<strong>közösségi tér</strong>" in html and "<html" not in html
    assert saved.headers["Cache-Control"] == "private, no-store"

    section = _section(journal, "topic")
    plain = _save(client, section, "Második változat", headers={})
    assert plain.status_code == 303
    assert plain.headers["Location"].endswith(f"#section-{section.id}")
    section = _section(journal, "topic")
    assert section.body == "Második változat" and section.version == 3
    bodies = [r.body for r in _revisions(section)]
    assert bodies == ["A **közösségi tér** szerepe", "Második változat"]


def test_a_save_reads_its_section_once_and_answers_what_it_wrote(client, world, log_in):
    """A saved section is answered from the row the save wrote (its new values, version and
    search entry), not read again after the UPDATE."""
    from tests.test_attendance import count_queries

    journal = make_journal(make_workshop(world["group_a"]), world["mentor_a"])
    section = _section(journal, "process")
    log_in(world["mentor_a"])
    assert section.visibility  # loaded here, so that only the request's statements count
    with count_queries() as statements:
        response = _save(client, section, "Új **szöveg**", version=1)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<p>Új <strong>szöveg</strong></p>" in html and "/sections/" in html
    reads = [s for s in statements if s.startswith("SELECT") and "FROM journal_section" in s]
    assert len(reads) == 1, [s[:60] for s in statements]
    # Its journal, workshop and group come in the same row.
    parents = [s for s in statements if re.search(r"FROM (journal|workshop|mentor_group)\b", s)]
    assert parents == [], parents
    assert _section(journal, "process").version == 2
    found = client.get("/search", query_string={"q": "szoveg"}).get_data(as_text=True)
    assert "<mark>szöveg</mark>" in found


def test_stale_save_answers_409_with_both_texts_and_keeps_the_first(client, world, log_in):
    """Two editors from one version: the second gets 409 with both texts; nothing is overwritten."""
    workshop = make_workshop(world["group_a"])
    journal = make_journal(workshop, world["mentor_a"])
    section = _section(journal, "process")
    log_in(world["mentor_a"])
    assert _save(client, section, "Első szerkesztő szövege", version=1).status_code == 200
    second = _save(client, section, "Második szerkesztő <b>szövege</b>", version=1)
    html = second.get_data(as_text=True)
    assert second.status_code == 409
    assert "HX-Retarget" not in second.headers  # it swaps into the editor itself
    assert html.lstrip().startswith(f'<form id="section-{section.id}"')
    mine = re.search(rf'<textarea id="body-{section.id}" name="body"[^>]*>([^<]*)</textarea>', html)
    assert mine and mine.group(1) == "Második szerkesztő &lt;b&gt;szövege&lt;/b&gt;"
    theirs = re.search(rf'<textarea id="theirs-{section.id}"[^>]*readonly>([^<]*)</textarea>', html)
    assert theirs and theirs.group(1) == "Első szerkesztő szövege"
    assert 'name="version" value="2"' in html  # merging and saving again succeeds
    section = _section(journal, "process")
    assert section.body == "Első szerkesztő szövege" and section.version == 2
    assert len(_revisions(section)) == 1
    merged = _save(client, section, "Összefésült szöveg", version=2)
    assert merged.status_code == 200
    assert _section(journal, "process").body == "Összefésült szöveg"


def test_double_submit_creates_nothing_twice(client, world, log_in):
    """The same text from the same base version again: 200 with the section, no new revision."""
    workshop = make_workshop(world["group_a"])
    journal = make_journal(workshop, world["mentor_a"])
    section = _section(journal, "methods")
    log_in(world["mentor_a"])
    first = _save(client, section, "Világkávéház, 3 asztal\r\n- kérdéskártyák", version=1)
    second = _save(client, section, "Világkávéház, 3 asztal\r\n- kérdéskártyák", version=1)
    assert first.status_code == 200 and second.status_code == 200
    assert first.get_data(as_text=True) == second.get_data(as_text=True)
    section = _section(journal, "methods")
    assert section.version == 2 and len(_revisions(section)) == 1
    assert section.body == "Világkávéház, 3 asztal\n- kérdéskártyák"


def test_bad_input_answers_422_and_keeps_the_text(client, world, log_in):
    """A missing version or an unknown visibility: 422, Hungarian message, the text comes back."""
    workshop = make_workshop(world["group_a"])
    journal = make_journal(workshop, world["mentor_a"])
    section = _section(journal, "topic")
    log_in(world["mentor_a"])
    no_version = client.post(
        f"/sections/{section.id}",
        data={"body": "Megőrzendő szöveg", "visibility": "group"},
        headers=HX,
    )
    assert no_version.status_code == 422
    assert "Megőrzendő szöveg" in no_version.get_data(as_text=True)
    assert "töltse újra az oldalt" in no_version.get_data(as_text=True)
    bad = _save(client, section, "Megint megőrzendő", visibility="mindenki")
    assert bad.status_code == 422
    assert "Válassza ki, ki láthatja ezt a részt." in bad.get_data(as_text=True)
    assert "Megint megőrzendő" in bad.get_data(as_text=True)
    too_long = _save(client, section, "x" * 100_001)
    assert too_long.status_code == 422
    assert _section(journal, "topic").version == 1


def test_private_section_never_goes_into_the_report(client, world, log_in):
    """The server refuses private + in report in Hungarian; switching to private clears the flag."""
    workshop = make_workshop(world["group_a"])
    journal = make_journal(workshop, world["mentor_a"])
    section = _section(journal, "outcomes")
    log_in(world["mentor_a"])
    assert _save(client, section, "Közös felismerés", in_report=True).status_code == 200
    section = _section(journal, "outcomes")
    assert section.in_report
    refused = _save(client, section, "Közös felismerés", visibility="private", in_report=True)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Privát szakasz nem kerülhet a beszámolóba" in html
    assert _section(journal, "outcomes").visibility == Visibility.COORDINATION
    switched = _save(client, section, "Közös felismerés", visibility="private")
    assert switched.status_code == 200
    section = _section(journal, "outcomes")
    assert section.visibility == Visibility.PRIVATE and not section.in_report
    editor = client.get(f"/sections/{section.id}/edit", headers=HX).get_data(as_text=True)
    box = re.search(r'<input type="checkbox" id="in-report-\d+"[^>]*>', editor).group(0)
    assert "disabled" in box and "checked" not in box


def test_report_preview_shows_exactly_the_report_sections(client, world, log_in):
    """The preview lists only sections flagged for the report, in order, never private ones."""
    workshop = make_workshop(world["group_a"])
    journal = make_journal(
        workshop,
        world["mentor_a"],
        {"topic": "TOPIC-IN-REPORT", "process": "PROCESS-NOT-IN-REPORT", "next_steps": "NEXT-IN"},
    )
    log_in(world["mentor_a"])
    for key in ("next_steps", "topic"):
        section = _section(journal, key)
        assert _save(client, section, section.body, in_report=True).status_code == 200
    assert [s.key for s in queries.report_sections(journal)] == ["topic", "next_steps"]
    html = client.get(f"/workshops/{workshop.id}/journal/preview").get_data(as_text=True)
    assert "TOPIC-IN-REPORT" in html and "NEXT-IN" in html
    assert "PROCESS-NOT-IN-REPORT" not in html
    assert html.index("TOPIC-IN-REPORT") < html.index("NEXT-IN")
    _as(client, log_in, world["participant_a"])
    assert client.get(f"/workshops/{workshop.id}/journal/preview").status_code == 403
    _as(client, log_in, world["coordinator"])
    assert "TOPIC-IN-REPORT" in client.get(f"/workshops/{workshop.id}/journal/preview").text


def test_finalised_journal_records_edits_as_amendments(client, world, log_in):
    """After finalising, saves are amendments and the section says it was changed."""
    workshop = make_workshop(world["group_a"])
    journal = make_journal(workshop, world["mentor_a"], {"outcomes": "Eredeti eredmény"})
    log_in(world["mentor_a"])
    finalise = f"/workshops/{workshop.id}/journal/finalise"
    response = client.post(finalise, data={"confirm": "1"}, headers=HX)
    assert response.status_code == 200
    assert "véglegesítve" in response.get_data(as_text=True)
    db.session.expire_all()
    assert journal.status == JournalStatus.FINAL and journal.finalised_at is not None
    page = client.get(f"/workshops/{workshop.id}/journal").get_data(as_text=True)
    assert "Módosítva a véglegesítés után" not in page
    section = _section(journal, "outcomes")
    saved = _save(client, section, "Kiegészített eredmény")
    assert saved.status_code == 200
    assert "Módosítva a véglegesítés után: " in saved.get_data(as_text=True)
    shown = client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    assert "Módosítva a véglegesítés után: " in shown  # the workshop page says so too
    assert [r.is_amendment for r in _revisions(_section(journal, "outcomes"))] == [False, True]
    history = client.get(f"/sections/{section.id}/history").get_data(as_text=True)
    assert "véglegesítés utáni módosítás" in history
    # Finalising again changes nothing.
    assert client.post(finalise).status_code == 303


def test_finalising_names_the_empty_sections_and_asks_first(client, world, log_in):
    """With empty sections the first post only asks, in place, naming them; "Véglegesítem így
    is" finalises and says so where the button was (its status badge sent beside it)."""
    workshop = make_workshop(world["group_a"])
    filled = {spec.key: "Kész szöveg" for spec in SECTIONS[2:]}
    journal = make_journal(workshop, world["mentor_a"], filled)
    log_in(world["mentor_a"])
    finalise = f"/workshops/{workshop.id}/journal/finalise"
    page = client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    journal_part = page[page.index('id="journal"') :]
    assert 'id="journal-finalise"' in journal_part and "hx-confirm" not in journal_part
    asked = client.post(finalise, headers=HX)
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "<html" not in html
    assert "2 rész még üres:" in html
    assert "Téma és célok" in html and "A foglalkozás menete" in html
    assert "Alkalmazott módszerek" not in html
    assert "Véglegesítem így is" in html and "Mégse" in html
    assert 'name="confirm" value="1"' in html and "autofocus" in html
    db.session.expire_all()
    assert journal.status == JournalStatus.DRAFT
    # "Mégse" brings the button back; without htmx the journal page asks the same.
    back = client.get(finalise, headers=HX).get_data(as_text=True)
    assert "Napló véglegesítése" in back and "<html" not in back
    plain = client.post(finalise)
    assert plain.status_code == 200 and "Véglegesítem így is" in plain.get_data(as_text=True)
    done = client.post(finalise, data={"confirm": "1"}, headers=HX)
    html = done.get_data(as_text=True)
    assert done.status_code == 200
    assert "A naplót véglegesítette." in html and "autofocus" in html
    assert 'id="journal-status"' in html and 'hx-swap-oob="true"' in html
    db.session.expire_all()
    assert journal.status == JournalStatus.FINAL


def test_finalising_a_full_journal_asks_nothing(client, world, log_in):
    """A journal without empty sections is finalised by the first post."""
    workshop = make_workshop(world["group_a"])
    journal = make_journal(workshop, world["mentor_a"], {s.key: "Szöveg" for s in SECTIONS})
    log_in(world["mentor_a"])
    done = client.post(f"/workshops/{workshop.id}/journal/finalise", headers=HX)
    assert "A naplót véglegesítette." in done.get_data(as_text=True)
    db.session.expire_all()
    assert journal.status == JournalStatus.FINAL
    finalised_at = journal.finalised_at
    # Sent again (a second device, a double tap): it says the journal was final already.
    for headers in (HX, {}):
        again = client.post(f"/workshops/{workshop.id}/journal/finalise", headers=headers)
        if not headers:
            again = client.get(again.headers["Location"])
        page = again.get_data(as_text=True)
        assert "már korábban végleges lett" in page and "A naplót véglegesítette." not in page
    db.session.expire_all()
    assert journal.finalised_at == finalised_at


def test_finalising_names_the_sections_whose_drafts_are_not_saved(client, world, log_in):
    """A full journal with an unsaved draft ("Piszkozat mentve" is not in the journal) is not
    finalised by the first post: it names the section and leads to the page that saves it. A
    draft holding just the saved text asks nothing; "Véglegesítem így is" finalises."""
    from journal.drafts.operations import save_draft

    workshop = make_workshop(world["group_a"])
    journal = make_journal(workshop, world["mentor_a"], {s.key: "Szöveg" for s in SECTIONS})
    outcomes, methods = _section(journal, "outcomes"), _section(journal, "methods")
    save_draft(world["mentor_a"], f"section:{outcomes.id}", "Tegnap este írtam", {}, 1)
    save_draft(world["mentor_a"], f"section:{methods.id}", "Szöveg", {}, 1)  # as saved
    db.session.commit()
    log_in(world["mentor_a"])
    finalise = f"/workshops/{workshop.id}/journal/finalise"
    for headers in (HX, {}):
        asked = client.post(finalise, headers=headers)
        html = asked.get_data(as_text=True)
        assert asked.status_code == 200
        assert "1 részhez el nem mentett piszkozata van:" in html
        question = html[html.index('id="finalise-question"') : html.index("Véglegesíti így is?")]
        assert "Eredmények" in question and "Alkalmazott módszerek" not in question
        assert "még üres" not in question
        assert f'href="/workshops/{workshop.id}/journal/write"' in question
        db.session.expire_all()
        assert journal.status == JournalStatus.DRAFT
    done = client.post(finalise, data={"confirm": "1"}, headers=HX)
    assert "A naplót véglegesítette." in done.get_data(as_text=True)
    db.session.expire_all()
    assert journal.status == JournalStatus.FINAL


def test_history_of_a_first_save_says_there_is_nothing_to_restore_yet(client, world, log_in):
    """After the first save the history has one version: no restore explanation, but a word on
    what the page will offer; with two versions the restore explanation is back."""
    workshop = make_workshop(world["group_a"])
    journal = make_journal(workshop, world["mentor_a"])
    log_in(world["mentor_a"])
    _save(client, _section(journal, "raised"), "első mentés")
    section = _section(journal, "raised")
    history = client.get(f"/sections/{section.id}/history").get_data(as_text=True)
    assert "Ez az első elmentett változat" in history
    assert "A visszaállítás új változatként" not in history
    _save(client, section, "második mentés", visibility="group")
    history = client.get(f"/sections/{section.id}/history").get_data(as_text=True)
    assert "Ez az első elmentett változat" not in history
    assert "A visszaállítás új változatként" in history
    # A participant sees only the group's version: no word on what only the mentor may do.
    client.post("/logout")
    log_in(world["participant_a"])
    history = client.get(f"/sections/{section.id}/history").get_data(as_text=True)
    assert "második mentés" in history and "első mentés" not in history
    assert "Ez az első elmentett változat" not in history
    assert "A visszaállítás" not in history


def test_history_compare_and_restore(client, world, log_in):
    """Every version with author and time; a safe line diff; a restore is a new revision."""
    workshop = make_workshop(world["group_a"])
    journal = make_journal(workshop, world["mentor_a"])
    section = _section(journal, "raised")
    log_in(world["mentor_a"])
    _save(client, section, "első sor\nmásodik sor")
    section = _section(journal, "raised")
    _save(client, section, "első sor\n<script>alert(1)</script>")
    section = _section(journal, "raised")
    history = client.get(f"/sections/{section.id}/history").get_data(as_text=True)
    assert "Mentor Aladár" in history and "2. változat" in history and "3. változat" in history
    assert f"/sections/{section.id}/compare?from=2&amp;to=3" in history
    diff = client.get(f"/sections/{section.id}/compare?from=2&to=3").get_data(as_text=True)
    assert 'class="diff-line removed"' in diff and 'class="diff-line added"' in diff
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in diff and "<script>alert" not in diff
    assert client.get(f"/sections/{section.id}/compare?from=2&to=99").status_code == 404
    assert client.get(f"/sections/{section.id}/compare?from=x&to=3").status_code == 404

    restored = client.post(
        f"/sections/{section.id}/restore", data={"revision": "2", "version": "3"}
    )
    assert restored.status_code == 303
    section = _section(journal, "raised")
    assert section.body == "első sor\nmásodik sor" and section.version == 4
    assert [r.version for r in _revisions(section)] == [2, 3, 4]
    stale = client.post(f"/sections/{section.id}/restore", data={"revision": "3", "version": "3"})
    assert stale.status_code == 303  # refused with a message, nothing changed
    assert _section(journal, "raised").version == 4
    stale_htmx = client.post(
        f"/sections/{section.id}/restore", data={"revision": "3", "version": "3"}, headers=HX
    )
    assert stale_htmx.status_code == 409 and stale_htmx.headers["HX-Retarget"] == "#messages"


def test_only_the_author_still_mentoring_edits(client, world, log_in):
    """A second mentor of the group reads but may not edit (403); an author who left may not."""
    workshop = make_workshop(world["group_a"])
    journal = make_journal(workshop, world["mentor_a"], {"topic": "Téma"})
    co_mentor = make_user(family_name="Társmentor", given_name="Csilla")
    from journal.models import Role

    make_membership(co_mentor, world["group_a"], Role.MENTOR)
    section = _section(journal, "topic")
    log_in(co_mentor)
    assert client.get(f"/sections/{section.id}").status_code == 200
    assert client.get(f"/sections/{section.id}/edit").status_code == 403
    assert _save(client, section, "Átírás").status_code == 403
    _as(client, log_in, world["coordinator"])
    assert _save(client, section, "Átírás").status_code == 403
    assert _section(journal, "topic").body == "Téma"


def test_refused_htmx_save_never_replaces_the_editor(client, world, log_in):
    """A 403 on an htmx save is retargeted to the message area, never into the editor."""
    workshop = make_workshop(world["group_a"])
    journal = make_journal(workshop, world["mentor_a"])
    section = _section(journal, "topic")
    log_in(world["coordinator"])
    response = _save(client, section, "Szöveg")
    assert response.status_code == 403 and response.headers["HX-Retarget"] == "#messages"


def test_previous_next_steps_suggests_the_latest_readable_one(client, world):
    """The latest earlier journal's next steps, only if the user may read them."""
    from datetime import date

    group = world["group_a"]
    first = make_workshop(group, date=date(2025, 11, 5))
    second = make_workshop(group, date=date(2025, 11, 19))
    upcoming = make_workshop(group, date=date(2025, 12, 3))
    make_journal(first, world["mentor_a"], {"next_steps": "Régebbi lépések"})
    journal = make_journal(second, world["mentor_a"], {"next_steps": "Újabb lépések"})
    mentor, participant = world["mentor_a"], world["participant_a"]
    assert queries.previous_next_steps(mentor, upcoming).body == "Újabb lépések"
    assert queries.previous_next_steps(mentor, second).body == "Régebbi lépések"
    assert queries.previous_next_steps(mentor, first) is None
    assert queries.previous_next_steps(participant, upcoming) is None  # coordination only
    section = _section(journal, "next_steps")
    save_section(mentor, section, section.version, section.body, Visibility.GROUP, False)
    assert queries.previous_next_steps(participant, upcoming).body == "Újabb lépések"
    assert queries.previous_next_steps(world["mentor_b"], upcoming) is None


def test_demo_journals_are_written_once(app):
    """seed-demo writes the file's journals in all seven sections; seeding again adds nothing."""
    from journal.demo import load_program, seed_demo

    written = [w["journal"] for w in load_program()["workshops"] if "journal" in w]
    seed_demo()
    db.session.commit()
    seed_demo()
    db.session.commit()
    journals = db.session.scalars(select(Journal)).all()
    assert len(journals) == len(written) > 3
    for journal in journals:
        assert journal.workshop.status.value == "held"
        assert all(s.body.strip() for s in journal.sections)
        assert not any(s.in_report and s.visibility == Visibility.PRIVATE for s in journal.sections)
    drafts = sum(1 for j in written if "finalised" not in j)
    assert sorted(j.status.value for j in journals) == ["draft"] * drafts + ["final"] * (
        len(written) - drafts
    )
    amendments = sum(len(j.get("amendments", [])) for j in written)
    revisions = db.session.scalar(select(func.count()).select_from(SectionRevision))
    assert revisions == 7 * len(written) + amendments
    amended = db.session.scalars(select(SectionRevision).where(SectionRevision.is_amendment)).all()
    assert len(amended) == 1
    for revision in db.session.scalars(select(SectionRevision)):
        if not revision.is_amendment:
            assert revision.created_at.date() == revision.section.journal.workshop.date


def test_without_htmx_a_conflict_is_a_full_page_with_both_texts(client, world, log_in):
    """A plain form post from an old version answers a 409 page; a bad one a 422 page."""
    workshop = make_workshop(world["group_a"])
    journal = make_journal(workshop, world["mentor_a"], {"process": "Elmentett szöveg"})
    section = _section(journal, "process")
    log_in(world["mentor_a"])
    stale = _save(client, section, "Régi alapú szöveg", version=1, headers={})
    html = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "<html" in html
    assert "Régi alapú szöveg" in html and "Elmentett szöveg" in html
    bad = _save(client, section, "Szöveg", visibility="private", in_report=True, headers={})
    assert bad.status_code == 422 and "<html" in bad.get_data(as_text=True)
    assert _section(journal, "process").body == "Elmentett szöveg"


def _checked_visibility(html: str) -> str:
    """Return the visibility radio checked in an editor."""
    return re.search(r'name="visibility" value="(\w+)" checked', html).group(1)


def test_a_conflict_offers_the_narrower_visibility_and_says_so(client, world, log_in):
    """Another tab made the section private meanwhile: the conflict editor shows the saved
    visibility, offers private (not the group this tab had) without the report flag, and says
    why; saving the merge as offered keeps the text private."""
    workshop = make_workshop(world["group_a"])
    journal = make_journal(workshop, world["mentor_a"], {"outcomes": "Közös szöveg"})
    section = _section(journal, "outcomes")
    log_in(world["mentor_a"])
    opened = section.version
    assert (
        _save(client, section, "Közös szöveg", visibility="group", in_report=True).status_code
        == 200
    )
    section = _section(journal, "outcomes")
    assert _save(client, section, "ÉRZÉKENY: csak nekem", visibility="private").status_code == 200
    stale = _save(
        client, section, "Az én szövegem", version=opened + 1, visibility="group", in_report=True
    )
    html = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert "· csak én látom</label>" in html  # the saved version's visibility, by its text
    assert _checked_visibility(html) == "private"
    assert 'name="in_report" value="y" checked' not in html
    assert "azt is megváltoztatta, ki láthatja" in html
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    merged = _save(client, section, "Összefésülve", version=int(version), visibility="private")
    assert merged.status_code == 200
    saved = _section(journal, "outcomes")
    assert (saved.body, saved.visibility, saved.in_report) == (
        "Összefésülve",
        Visibility.PRIVATE,
        False,
    )


def test_a_conflict_with_unchanged_settings_keeps_the_users_choice(client, world, log_in):
    """Only the text changed meanwhile: the user's own (narrower) choice stays, no warning."""
    workshop = make_workshop(world["group_a"])
    journal = make_journal(workshop, world["mentor_a"], {"outcomes": "Eredeti"})
    section = _section(journal, "outcomes")
    log_in(world["mentor_a"])
    opened = section.version
    assert _save(client, section, "Máshol írva", visibility="group").status_code == 200
    stale = _save(client, section, "Itt írva", version=opened, visibility="coordination")
    html = stale.get_data(as_text=True)
    assert stale.status_code == 409 and _checked_visibility(html) == "coordination"
    assert "azt is megváltoztatta" not in html


def _saved_twice(client, world, log_in, first, second):
    """The mentor saves a new journal's "outcomes" section twice, each as (text, visibility,
    in the report); return (workshop, journal, the first save's version)."""
    workshop = make_workshop(world["group_a"])
    journal = make_journal(workshop, world["mentor_a"])
    log_in(world["mentor_a"])
    versions = []
    for body, visibility, in_report in (first, second):
        section = _section(journal, "outcomes")
        saved = _save(client, section, body, visibility=visibility, in_report=in_report)
        assert saved.status_code == 200
        versions.append(_section(journal, "outcomes").version)
    return workshop, journal, versions[0]


def test_restoring_a_private_revision_keeps_it_private(client, world, log_in):
    """A text saved as private comes back private and out of the report, though the section is
    now the group's and in the report; the mentor is told. A participant never sees it."""
    workshop, journal, secret_version = _saved_twice(
        client, world, log_in, ("PRIVÁT TITOK", "private", False), ("Nyilvános", "group", True)
    )
    section = _section(journal, "outcomes")
    history = client.get(f"/sections/{section.id}/history").get_data(as_text=True)
    assert "a privátként mentett szöveg privát marad" in history
    restored = client.post(
        f"/sections/{section.id}/restore",
        data={"revision": str(secret_version), "version": str(section.version)},
    )
    assert restored.status_code == 303
    shown = client.get(restored.headers["Location"]).get_data(as_text=True)
    assert "szűkebb körnek mentette" in shown
    section = _section(journal, "outcomes")
    assert (section.body, section.visibility, section.in_report) == (
        "PRIVÁT TITOK",
        Visibility.PRIVATE,
        False,
    )
    _as(client, log_in, world["participant_a"])
    assert "PRIVÁT TITOK" not in client.get(f"/workshops/{workshop.id}").get_data(as_text=True)


def test_restoring_into_a_narrower_section_stays_narrow(client, world, log_in):
    """A text once the group's, brought back into a section now private, stays private."""
    _workshop, journal, old_version = _saved_twice(
        client, world, log_in, ("Régen közös", "group", False), ("Most privát", "private", False)
    )
    section = _section(journal, "outcomes")
    client.post(
        f"/sections/{section.id}/restore",
        data={"revision": str(old_version), "version": str(section.version)},
    )
    section = _section(journal, "outcomes")
    assert (section.body, section.visibility) == ("Régen közös", Visibility.PRIVATE)


def test_coordinator_and_mentor_see_which_held_workshops_lack_a_journal(client, world, log_in):
    """The group page marks each held workshop's journal (none, draft, final) and the home
    page counts the gaps, for the coordinator and the group's mentor; a participant sees
    neither; a planned workshop gets no mark."""
    from datetime import date

    from journal.models import WorkshopStatus

    group = world["group_a"]
    make_workshop(group, date=date(2025, 11, 5), topic="Napló nélkül")
    drafted = make_workshop(group, date=date(2025, 11, 12), topic="Piszkozatban")
    finished = make_workshop(group, date=date(2025, 11, 19), topic="Kész naplóval")
    make_workshop(group, date=date(2025, 11, 26), topic="Tervezett", status=WorkshopStatus.PLANNED)
    make_journal(drafted, world["mentor_a"], {"topic": "Félkész"})
    make_journal(finished, world["mentor_a"], {"topic": "Kész"}, status=JournalStatus.FINAL)
    db.session.commit()

    def item(html: str, topic: str) -> str:
        return re.search(
            rf"<li class=\"workshop-item[^>]*>(?:(?!</li>).)*{topic}.*?</li>", html, re.S
        )[0]

    for who in ("coordinator", "mentor_a"):
        _as(client, log_in, world[who])
        page = client.get(f"/groups/{group.slug}").get_data(as_text=True)
        assert "nincs napló" in item(page, "Napló nélkül")
        assert "napló: piszkozat" in item(page, "Piszkozatban")
        assert "napló kész" in item(page, "Kész naplóval")
        assert "napló" not in item(page, "Tervezett").replace("Tervezett", "")
        due = client.get(f"/groups/{group.slug}/tasks/journal").get_data(as_text=True)
        assert "Napló nélkül" in due and "Piszkozatban" in due and "Kész naplóval" not in due
    _as(client, log_in, world["participant_a"])
    page = client.get(f"/groups/{group.slug}").get_data(as_text=True)
    assert "nincs napló" not in page and "napló kész" not in page
    assert client.get(f"/groups/{group.slug}/tasks/journal").status_code == 403


def test_an_unsaved_draft_is_mentioned_where_the_section_is_read(client, world, log_in):
    """After a reload the section still reads "Még nincs kitöltve", but the mentor is told that
    an unsaved draft of it is kept (nobody else is); saving the section ends the draft."""
    from journal.models import Draft

    workshop = make_workshop(world["group_a"])
    journal = make_journal(workshop, world["mentor_a"])
    section = _section(journal, "methods")
    log_in(world["mentor_a"])
    kept = client.put(
        f"/drafts/section:{section.id}",
        json={"body": "Félbehagyott", "fields": {}, "base_version": section.version},
        headers=HX,
    )
    assert kept.status_code == 200
    hint = "Van egy el nem mentett piszkozata ehhez a részhez"
    page = client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    assert page.count(hint) == 1
    _as(client, log_in, world["coordinator"])
    assert hint not in client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    _as(client, log_in, world["mentor_a"])
    saved = _save(client, section, "Félbehagyott, befejezve", draft=kept.json["draft"])
    assert saved.status_code == 200 and hint not in saved.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Draft)) == 0
    assert hint not in client.get(f"/workshops/{workshop.id}").get_data(as_text=True)


def test_a_conflict_over_the_text_alone_keeps_the_mentors_wider_choice(client, world, log_in):
    """This tab chose "Csoport" and the report; the other save changed only the text: the
    conflict editor keeps this tab's choice and does not claim the other save changed it."""
    workshop = make_workshop(world["group_a"])
    journal = make_journal(workshop, world["mentor_a"], {"outcomes": "Eredeti"})
    section = _section(journal, "outcomes")
    log_in(world["mentor_a"])
    opened = section.version
    assert _save(client, section, "Csak a szöveg változott").status_code == 200
    stale = _save(client, section, "Itt", version=opened, visibility="group", in_report=True)
    html = stale.get_data(as_text=True)
    assert stale.status_code == 409 and _checked_visibility(html) == "group"
    assert 'name="in_report" value="y" checked' in html
    assert "azt is megváltoztatta" not in html


def test_a_draft_that_holds_just_the_saved_text_is_not_mentioned(client, world, log_in):
    """Typed and undone (the draft equals what is saved): no hint under the section."""
    workshop = make_workshop(world["group_a"])
    journal = make_journal(workshop, world["mentor_a"], {"methods": "Mentett szöveg"})
    section = _section(journal, "methods")
    log_in(world["mentor_a"])
    fields = {"visibility": section.visibility.value, "in_report": section.in_report}
    first = client.put(
        f"/drafts/section:{section.id}",
        json={"body": "Mentett szöveg", "fields": fields, "base_version": section.version},
        headers=HX,
    )
    page = client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    assert "el nem mentett piszkozata" not in page
    changed = fields | {"visibility": "group"}
    again = client.put(
        f"/drafts/section:{section.id}",
        json={
            "body": "Mentett szöveg",
            "fields": changed,
            "base_version": section.version,
            "draft": first.get_json()["draft"],  # the editor replaces its own draft
        },
        headers=HX,
    )
    assert again.status_code == 200
    page = client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    assert "el nem mentett piszkozata" in page  # a changed setting is unsaved work too
