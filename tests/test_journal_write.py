"""Write mode: the whole journal as one document, each section on its own version check."""

import html
import json
import re

from sqlalchemy import func, select

from journal.extensions import db
from journal.models import Journal, JournalSection, SectionRevision, Visibility
from tests.factories import make_journal, make_workshop

HX = {"HX-Request": "true"}


def _sections(journal: Journal) -> list[JournalSection]:
    """Return the journal's sections fresh from the database, in order."""
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(JournalSection)
            .where(JournalSection.journal_id == journal.id)
            .order_by(JournalSection.position)
        )
    )


def _fields(section: JournalSection, body: str, version=None, visibility=None, report=None):
    """Return one section's part of the write-mode form."""
    visibility = visibility or section.visibility.value
    if report is None:
        report = visibility != "private"
    data = {
        f"s{section.id}-body": body,
        f"s{section.id}-visibility": visibility,
        f"s{section.id}-version": str(section.version if version is None else version),
    }
    if report:
        data[f"s{section.id}-in_report"] = "y"
    return data


def _write(client, journal, data, headers=HX):
    """Post the write-mode form."""
    return client.post(
        f"/workshops/{journal.workshop_id}/journal/write", data=data, headers=headers
    )


def test_the_mentor_writes_all_seven_sections_at_once(client, world, log_in):
    """One save stores every section with its own revision; non-private sections go into the
    report by default, the self-reflection stays private and out of it."""
    journal = make_journal(make_workshop(world["group_a"]), world["mentor_a"])
    log_in(world["mentor_a"])
    page = client.get(f"/workshops/{journal.workshop_id}/journal/write").get_data(as_text=True)
    sections = _sections(journal)
    assert all(f'name="s{s.id}-body"' in page for s in sections)
    assert page.count("Következő rész") == 6 and page.count('data-autosave-key="section:') == 7
    boxes = re.findall(r'<input type="checkbox"[^>]*data-in-report', page)
    assert len(boxes) == 7
    assert sum(" checked" in box for box in boxes) == 6  # the private one is not in the report
    data = {}
    for number, section in enumerate(sections, start=1):
        data |= _fields(section, f"{number}. rész szövege")
    response = _write(client, journal, data)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    sections = _sections(journal)
    assert [s.body for s in sections] == [f"{n}. rész szövege" for n in range(1, 8)]
    assert all(s.version == 2 for s in sections)
    assert [s.in_report for s in sections] == [True, True, True, True, True, False, True]
    assert sections[5].visibility == Visibility.PRIVATE
    revisions = db.session.scalars(select(SectionRevision.section_id)).all()
    assert sorted(revisions) == sorted(s.id for s in sections)


def test_a_conflict_in_one_section_never_blocks_the_others(client, world, log_in):
    """Another device saved "topic" meanwhile: that section answers 409 with both texts, the
    other sections of the same save are stored."""
    journal = make_journal(make_workshop(world["group_a"]), world["mentor_a"])
    log_in(world["mentor_a"])
    topic, process, *_ = _sections(journal)
    elsewhere = _write(client, journal, _fields(topic, "A telefonon írt téma"))
    assert elsewhere.status_code == 200
    data = _fields(topic, "A laptopon írt téma", version=1) | _fields(process, "A menet")
    response = _write(client, journal, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "A laptopon írt téma" in html and "A telefonon írt téma" in html
    assert f'name="s{topic.id}-version" value="2"' in html  # merging, then saving, wins
    topic, process, *_ = _sections(journal)
    assert topic.body == "A telefonon írt téma" and process.body == "A menet"
    merged = _write(client, journal, _fields(topic, "Összefésült téma", version=2))
    assert merged.status_code == 200
    assert _sections(journal)[0].body == "Összefésült téma"


def test_two_devices_writing_different_sections_both_save(client, world, log_in):
    """Each device sends only what it has: both saves land, neither overwrites the other."""
    journal = make_journal(make_workshop(world["group_a"]), world["mentor_a"])
    log_in(world["mentor_a"])
    sections = _sections(journal)
    phone = _fields(sections[2], "Módszerek a telefonról")
    laptop = _fields(sections[4], "Eredmények a laptopról")
    assert _write(client, journal, phone).status_code == 200
    assert _write(client, journal, laptop).status_code == 200
    sections = _sections(journal)
    assert sections[2].body == "Módszerek a telefonról"
    assert sections[4].body == "Eredmények a laptopról"


def test_bad_input_comes_back_whole_and_the_rest_is_saved(client, world, log_in):
    """A private section in the report and a text over the limit come back (422) with the
    text kept; the valid section is saved."""
    journal = make_journal(make_workshop(world["group_a"]), world["mentor_a"])
    log_in(world["mentor_a"])
    topic, process, methods, *_ = _sections(journal)
    too_long = "ő" * 100_001
    data = (
        _fields(topic, "Privát, de beszámolóba?", visibility="private", report=True)
        | _fields(process, too_long)
        | _fields(methods, "Rendben lévő rész")
    )
    response = _write(client, journal, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Privát, de beszámolóba?" in html and too_long in html
    assert "Privát szakasz nem kerülhet a beszámolóba." in html
    assert "Legfeljebb 100\xa0000 karakter lehet" in html
    topic, process, methods, *_ = _sections(journal)
    assert topic.body == "" and process.body == "" and methods.body == "Rendben lévő rész"


def test_write_mode_is_for_the_journal_author_only(client, world, log_in):
    """The coordinator reads the journal but cannot open its write mode; another group's
    mentor does not see it at all; without a journal there is nothing to write."""
    workshop = make_workshop(world["group_a"])
    journal = make_journal(workshop, world["mentor_a"])
    log_in(world["coordinator"])
    url = f"/workshops/{workshop.id}/journal/write"
    assert client.get(url).status_code == 403
    client.post("/logout")
    log_in(world["mentor_b"])
    assert client.get(url).status_code == 404
    client.post("/logout")
    log_in(world["mentor_a"])
    empty = make_workshop(world["group_a"])
    assert client.get(f"/workshops/{empty.id}/journal/write").status_code == 404
    started = client.post(f"/workshops/{empty.id}/journal", data={"mode": "write"})
    assert started.status_code == 303
    assert started.headers["Location"].endswith(f"/workshops/{empty.id}/journal/write")
    assert journal.id


def test_a_plain_form_post_saves_and_comes_back_to_the_write_page(client, world, log_in):
    """Without JavaScript the save is a form post answered with 303 and a message."""
    journal = make_journal(make_workshop(world["group_a"]), world["mentor_a"])
    log_in(world["mentor_a"])
    topic = _sections(journal)[0]
    response = _write(client, journal, _fields(topic, "Űrlapból"), headers={})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "A naplót elmentette." in page and "Űrlapból" in page


def _as_shown(client, journal) -> dict:
    """Return every field of the write page as the browser would send it untouched."""
    page = client.get(f"/workshops/{journal.workshop_id}/journal/write").get_data(as_text=True)
    data = {}
    for section in _sections(journal):
        prefix = f"s{section.id}-"
        body = re.search(rf'name="{prefix}body"[^>]*>(.*?)</textarea>', page, re.S).group(1)
        data[prefix + "body"] = body
        data[prefix + "visibility"] = re.search(
            rf'name="{prefix}visibility" value="(\w+)" checked', page
        ).group(1)
        box = re.search(rf'<input type="checkbox"[^>]*name="{prefix}in_report"[^>]*>', page)
        if " checked" in box.group(0):
            data[prefix + "in_report"] = "y"
        data[prefix + "version"] = re.search(rf'name="{prefix}version" value="(\d+)"', page).group(
            1
        )
    return data


def test_only_the_sections_the_mentor_touched_are_saved(client, world, log_in):
    """The whole form comes back, but an untouched section gets no revision and does not go
    into the report by itself."""
    journal = make_journal(make_workshop(world["group_a"]), world["mentor_a"])
    log_in(world["mentor_a"])
    data = _as_shown(client, journal)
    topic = _sections(journal)[0]
    data[f"s{topic.id}-body"] = "Csak ezt írtam meg."
    assert _write(client, journal, data).status_code == 200
    sections = _sections(journal)
    assert [s.version for s in sections] == [2, 1, 1, 1, 1, 1, 1]
    assert sections[0].in_report and not any(s.in_report for s in sections[1:])
    assert db.session.scalar(select(func.count()).select_from(SectionRevision)) == 1


def test_a_page_left_open_does_not_undo_another_devices_save(client, world, log_in):
    """The laptop's page is older than the phone's save of "topic"; saving another section
    from it is no conflict, and the phone's text stays — also when saved twice."""
    journal = make_journal(make_workshop(world["group_a"]), world["mentor_a"])
    log_in(world["mentor_a"])
    laptop = _as_shown(client, journal)
    topic, process, *_ = _sections(journal)
    assert _write(client, journal, _fields(topic, "Telefonos szöveg")).status_code == 200
    laptop[f"s{process.id}-body"] = "A menet a laptopról"
    for _ in range(2):
        response = _write(client, journal, laptop)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        laptop[f"s{process.id}-version"] = "2"
    topic, process, *_ = _sections(journal)
    assert topic.body == "Telefonos szöveg" and process.body == "A menet a laptopról"


def test_a_conflict_beside_bad_input_says_what_was_not_saved(client, world, log_in):
    """One section saved meanwhile, one over its limit: the answer does not claim the rest
    was saved."""
    journal = make_journal(make_workshop(world["group_a"]), world["mentor_a"])
    log_in(world["mentor_a"])
    topic, process, *_ = _sections(journal)
    assert _write(client, journal, _fields(topic, "Máshol mentve")).status_code == 200
    data = _fields(topic, "Itt írva", version=1) | _fields(process, "x" * 100_001)
    html = _write(client, journal, data).get_data(as_text=True)
    assert "A hibásan kitöltött részeket nem mentettük" in html
    assert "A többi rész elmentve." not in html


def test_the_write_page_puts_an_unsaved_draft_back(client, world, log_in):
    """A draft written in a section's editor (or on another device) is shown in the write
    mode by the server, with the notice and the way back to the saved text."""
    journal = make_journal(make_workshop(world["group_a"]), world["mentor_a"])
    log_in(world["mentor_a"])
    section = _sections(journal)[1]
    kept = client.put(
        f"/drafts/section:{section.id}",
        json={"body": "Félbehagyott menet", "fields": {}, "base_version": 1},
        headers=HX,
    )
    assert kept.status_code == 200
    page = client.get(f"/workshops/{journal.workshop_id}/journal/write").get_data(as_text=True)
    assert ">Félbehagyott menet</textarea>" in page
    assert "Visszaállítottuk" in page and "data-autosave-saved=" in page


def _report_box(page: str, name: str) -> bool:
    """Tell whether the page's report box of that field name is ticked."""
    return " checked" in re.search(rf'<input type="checkbox"[^>]*name="{name}"[^>]*>', page)[0]


def test_both_editors_offer_the_same_report_choice_and_restore_only_what_changed(
    client, world, log_in
):
    """A section never saved is offered for the report (unless private) in its own editor as
    in the write mode, so the editor chosen does not choose the report. A draft that changed
    only the text is said to have restored the text alone, and "Elvetés" goes back to the box
    as offered."""
    journal = make_journal(make_workshop(world["group_a"]), world["mentor_a"])
    log_in(world["mentor_a"])
    write_page = client.get(f"/workshops/{journal.workshop_id}/journal/write").get_data(
        as_text=True
    )
    for section in _sections(journal):
        own = client.get(f"/sections/{section.id}/edit").get_data(as_text=True)
        offered = section.visibility != Visibility.PRIVATE
        assert _report_box(own, "in_report") == offered, section.key
        assert _report_box(write_page, f"s{section.id}-in_report") == offered, section.key
    section = _sections(journal)[1]
    assert client.put(
        f"/drafts/section:{section.id}",
        json={"body": "Csak a szöveg", "fields": {"visibility": section.visibility.value,
              "in_report": True}, "base_version": 1},
        headers=HX,
    ).status_code == 200  # fmt: skip
    for url in (f"/sections/{section.id}/edit", f"/workshops/{journal.workshop_id}/journal/write"):
        page = client.get(url).get_data(as_text=True)
        assert "Visszaállítottuk a nem mentett szövegét." in page, url
        assert "és beállításait" not in page, url
        saved = re.search(
            rf'id="(?:write|section)-{section.id}"[^>]*data-autosave-saved=\'([^\']*)\'', page
        )
        assert json.loads(html.unescape(saved[1]))["fields"]["in_report"] is True, url


def test_an_untouched_fresh_section_saved_in_its_own_editor_stays_unwritten(client, world, log_in):
    """Saved as its own editor offers it (empty, ticked for the report), a section never
    written gets no version, no revision and no place in the report."""
    journal = make_journal(make_workshop(world["group_a"]), world["mentor_a"])
    log_in(world["mentor_a"])
    section = _sections(journal)[1]
    data = {"body": "", "visibility": section.visibility.value, "in_report": "y", "version": "1"}
    assert client.post(f"/sections/{section.id}", data=data, headers=HX).status_code == 200
    section = _sections(journal)[1]
    assert (section.version, section.in_report) == (1, False)
    assert db.session.scalar(select(func.count()).select_from(SectionRevision)) == 0


def test_a_conflict_keeps_the_other_devices_unticked_report_box(client, world, log_in):
    """The phone saved a fresh section out of the report; the laptop's editor, opened before
    with the box ticked as offered, comes back from its 409 with the box unticked (the
    narrower choice), so merging and saving does not put the text in the report."""
    journal = make_journal(make_workshop(world["group_a"]), world["mentor_a"])
    log_in(world["mentor_a"])
    section = _sections(journal)[1]
    url, visibility = f"/sections/{section.id}", section.visibility.value
    phone = {"body": "A telefonról", "visibility": visibility, "version": "1"}
    assert client.post(url, data=phone, headers=HX).status_code == 200
    laptop = phone | {"body": "A laptopról", "in_report": "y"}
    answer = client.post(url, data=laptop, headers=HX)
    assert answer.status_code == 409
    assert not _report_box(answer.get_data(as_text=True), "in_report")
