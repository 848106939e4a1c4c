"""Autosaved drafts: per user, only while the thing may be edited, tiny answers."""

import json
import re

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from journal import _CONTROLS, without_controls
from journal.drafts import kinds
from journal.drafts.operations import NewerDraft, clear_draft, save_draft, stamp
from journal.drafts.queries import draft_for
from journal.extensions import db
from journal.models import Draft
from tests.apps import login
from tests.factories import make_journal, make_workshop
from tests.test_attendance import count_queries
from tests.test_notes import make_note

HX = {"HX-Request": "true"}


@pytest.fixture
def section(world):
    """A section of group alfa's journal, written by its mentor."""
    workshop = make_workshop(world["group_a"])
    journal = make_journal(workshop, world["mentor_a"], {"process": "Eredeti szöveg."})
    db.session.commit()
    return next(s for s in journal.sections if s.key == "process")


def _put(client, key, body="Félkész szöveg", **extra):
    """Send an autosave like the browser does."""
    payload = {"body": body, "fields": {"visibility": "group"}, "base_version": 2} | extra
    return client.put(f"/drafts/{key}", json=payload, headers=HX)


def test_mentor_saves_reads_and_discards_a_section_draft(client, world, log_in, section):
    log_in(world["mentor_a"])
    key = f"section:{section.id}"
    response = _put(client, key, "Első" * 10)
    assert response.status_code == 200
    assert len(response.data) <= 2048
    assert response.json["text"].startswith("Piszkozat mentve ")
    assert response.headers["Cache-Control"] == "private, no-store"
    response = _put(client, key, "Második változat", draft=response.json["draft"])
    assert response.status_code == 200
    drafts = db.session.scalars(select(Draft)).all()
    assert [(d.key, d.body, d.base_version) for d in drafts] == [(key, "Második változat", 2)]
    assert json.loads(drafts[0].fields) == {"visibility": "group"}

    assert stamp(drafts[0]) == response.json["draft"]

    known = {"draft": response.json["draft"]}
    assert client.delete(f"/drafts/{key}", query_string=known, headers=HX).status_code == 204
    assert db.session.scalars(select(Draft)).all() == []


def test_an_editor_replacing_its_own_draft_writes_it_in_one_statement(
    client, world, log_in, section
):
    """Autosave runs every few seconds while anyone types: replacing the draft the editor
    knows is one UPDATE (no read of it first), and nothing is read after the commit (the
    answer is made before it)."""
    log_in(world["mentor_a"])
    key = f"section:{section.id}"
    first = _put(client, key, "Első változat")
    with count_queries() as statements:
        second = _put(client, key, "Második változat", draft=first.json["draft"])
    assert second.status_code == 200 and second.json["draft"] != first.json["draft"]
    assert db.session.scalar(select(Draft.body)) == "Második változat"
    about_drafts = [s for s in statements if re.search(r"\bdrafts?\b", s)]
    assert len(about_drafts) == 1 and about_drafts[0].startswith("UPDATE"), about_drafts
    assert statements[-1] == about_drafts[0], statements
    # A stamp that is none, or a moment UTC cannot hold, is not the draft's: the long way, as
    # from an editor that never saw it (a 409 with the draft), never a 500.
    for stamp_sent in ("nem dátum", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"):
        refused = _put(client, key, "Harmadik változat", draft=stamp_sent)
        assert refused.status_code == 409 and refused.json["draft"]["body"] == "Második változat"


@pytest.mark.parametrize("who", ["participant_a", "coordinator", "mentor_b"])
def test_others_may_not_keep_or_read_a_draft_of_the_section(client, world, log_in, section, who):
    with db.session.begin_nested():
        save_draft(world["mentor_a"], f"section:{section.id}", "Titok", {}, 2)
    db.session.commit()
    log_in(world[who])
    key = f"section:{section.id}"
    assert _put(client, key, "Betolakodó").status_code == 404
    assert client.delete(f"/drafts/{key}", headers=HX).status_code == 404
    drafts = db.session.scalars(select(Draft)).all()
    assert [(d.user_id, d.body) for d in drafts] == [(world["mentor_a"].id, "Titok")]


def test_drafts_are_per_user(app, world, section):
    key = f"note:new:group:{world['group_a'].id}"
    save_draft(world["mentor_a"], key, "Aladáré", {}, None)
    save_draft(world["participant_a"], key, "Arankáé", {}, None)
    db.session.commit()
    assert draft_for(world["mentor_a"], key).body == "Aladáré"
    assert draft_for(world["participant_a"], key).body == "Arankáé"
    # A member of another group has no right to the key, so nothing comes back.
    assert draft_for(world["participant_b"], key) is None
    clear_draft(world["mentor_a"], key, stamp(draft_for(world["mentor_a"], key)))
    db.session.commit()
    assert draft_for(world["mentor_a"], key) is None
    assert draft_for(world["participant_a"], key).body == "Arankáé"


@pytest.mark.parametrize(
    "key", ["nincs:1", "section", "section:", "section:abc", "section:999", "ékezet:1", "x" * 81]
)
def test_unknown_or_malformed_keys_answer_404(client, world, log_in, section, key):
    log_in(world["mentor_a"])
    assert _put(client, key).status_code == 404
    assert client.delete(f"/drafts/{key}", headers=HX).status_code == 404
    assert db.session.scalars(select(Draft)).all() == []


def test_a_key_is_taken_only_as_the_app_writes_it(client, world, log_in, section):
    """Another spelling of a key the app writes ("section:012", a group's report dated
    "20260901") would keep a second draft that no page shows or clears: 404, nothing kept. A
    group id too big for the database is no group (it was a 500)."""
    note = make_note(world["participant_a"], world["group_a"])
    db.session.commit()
    log_in(world["mentor_a"])
    group = world["group_a"].id
    for key in (
        f"section:0{section.id}",
        f"section:+{section.id}",
        f"reply:0{note.id}",
        f"note:0{note.id}",
        f"note:new:group:0{group}",
        f"report:group:0{group}:2026-01-01:2026-03-31",
        f"report:group:{group}:20260101:2026-03-31",
        f"report:group:{group}:2026-01-01:2026-W13-1",
        "report:group:" + "9" * 40 + ":2026-01-01:2026-03-31",
    ):
        assert _put(client, key).status_code == 404, key
    assert db.session.scalars(select(Draft)).all() == []
    assert _put(client, f"reply:{note.id}").status_code == 200
    assert _put(client, f"report:group:{group}:2026-01-01:2026-03-31").status_code == 200


def test_logged_out_autosave_gets_401_without_piling_up_messages(client, section):
    for _ in range(3):
        response = _put(client, f"section:{section.id}")
        assert response.status_code == 401
        assert "/login" in response.headers["HX-Redirect"]
    page = client.get("/login").get_data(as_text=True)
    assert page.count("Kérjük, jelentkezzen be") <= 1


def test_bad_payloads_are_refused_in_hungarian(client, world, log_in, section):
    log_in(world["mentor_a"])
    key = f"section:{section.id}"
    response = client.put(f"/drafts/{key}", json={"body": 5}, headers=HX)
    assert response.status_code == 400 and "piszkozatot" in response.json["message"]
    response = client.put(f"/drafts/{key}", data={"body": "űrlapként"}, headers=HX)
    assert response.status_code == 400 and "piszkozatot" in response.json["message"]
    response = client.put(f"/drafts/{key}", json={"body": "x" * 200_001}, headers=HX)
    assert response.status_code == 413 and "túl hosszú" in response.json["message"]
    # Nesting too deep for the parser: refused like any malformed body, not a 500.
    nested = "[" * 100_000 + "]" * 100_000
    response = client.put(
        f"/drafts/{key}", data=nested, content_type="application/json", headers=HX
    )
    assert response.status_code == 400 and "piszkozatot" in response.json["message"]
    # A field holds what an input holds: a text or a checkbox's state, nothing nested.
    response = _put(client, key, fields={"visibility": {"a": [1, 2]}})
    assert response.status_code == 400 and "piszkozatot" in response.json["message"]
    assert db.session.scalars(select(Draft)).all() == []


def test_a_draft_keeps_no_control_character(client, world, log_in, section):
    """The texts of an autosave lose their control characters like a form's (PostgreSQL
    refuses a NUL); a form feed pasted from a PDF reads as a line break."""
    log_in(world["mentor_a"])
    response = _put(client, f"section:{section.id}", "Első\x00 sor\x0cMásodik\x01 sor")
    assert response.status_code == 200
    assert db.session.scalar(select(Draft.body)) == "Első sor\nMásodik sor"
    # Half a character (a lone surrogate, only from a forged or broken client) goes too.
    stamp_ = response.json["draft"]
    halves = _put(client, f"section:{section.id}", "Fél\ud800 jel", draft=stamp_)
    assert halves.status_code == 200  # it was a 500: no UTF-8 text holds one
    assert db.session.scalar(select(Draft.body)) == "Fél jel"


def test_every_control_character_is_found_in_a_text():
    """Texts without a control character are left as they are without a per-character table
    lookup; every character of the Basic Multilingual Plane is still treated as the table
    says, alone and after other text."""
    for code in range(0x10000):
        for text in (chr(code), f"Első sor ő{chr(code)}"):
            assert without_controls(text) == text.translate(_CONTROLS), hex(code)


def test_note_drafts_follow_the_note_rules(app, client, world, log_in):
    note = make_note(world["participant_a"], world["group_a"], title="Nehézség", body="Szöveg")
    db.session.commit()
    log_in(world["participant_a"])
    assert _put(client, f"note:{note.id}").status_code == 200
    assert _put(client, f"note:new:group:{world['group_a'].id}").status_code == 200
    assert _put(client, f"note:new:group:{world['group_b'].id}").status_code == 404
    assert _put(client, "note:new:workshop:1").status_code == 404
    other = app.test_client()
    login(other, world["participant_a2"])
    assert _put(other, f"note:{note.id}").status_code == 404


def test_registering_a_kind(app, world):
    kinds.register_draft_kind("proba", lambda user, ident: ident == "ok")
    try:
        assert kinds.may_draft(world["mentor_a"], "proba:ok")
        assert not kinds.may_draft(world["mentor_a"], "proba:nem")
        with pytest.raises(ValueError):
            kinds.register_draft_kind("a:b", lambda user, ident: True)
    finally:
        kinds._KINDS.pop("proba", None)


def test_autosave_needs_the_token_unless_its_headers_prove_the_page_sent_it(tmp_path):
    from tests.apps import build_app
    from tests.factories import PASSWORD, make_world

    app = build_app(tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        people = make_world()
        journal = make_journal(make_workshop(people["group_a"]), people["mentor_a"])
        db.session.commit()
        key = f"section:{journal.sections[0].id}"
        email = people["mentor_a"].email
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    response = client.put(f"/drafts/{key}", json={"body": "x"}, headers=HX)
    assert response.status_code == 400
    assert "Töltse be újra az oldalt" in response.get_data(as_text=True)
    same_origin = {"Sec-Fetch-Site": "same-origin"}  # what a browser adds to the page's fetch
    response = client.put(f"/drafts/{key}", json={"body": "x"}, headers=HX | same_origin)
    assert response.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(Draft.body)) == "x"
        db.session.remove()
        db.engine.dispose()


# --- One draft, two devices: an editor replaces or removes only the draft it knew -------------


def _devices(app, world, log_in, client):
    """Log the mentor in on a laptop (the test client) and on a phone (a second client)."""
    log_in(world["mentor_a"])
    phone = app.test_client()
    login(phone, world["mentor_a"])
    return client, phone


def _save_section(client, section, body, draft):
    """Press "Mentés" in a section editor that knows the draft with this stamp."""
    db.session.refresh(section)
    data = {"body": body, "visibility": "coordination", "version": str(section.version)}
    data["draft"] = draft
    return client.post(f"/sections/{section.id}", data=data, headers=HX)


def _stored(section) -> tuple[str, str | None]:
    """Return the section's saved text and the mentor's draft of it."""
    db.session.expire_all()
    return section.body, db.session.scalar(select(Draft.body))


def test_a_draft_write_from_an_editor_that_never_saw_the_newer_draft_is_refused(
    app, client, world, log_in, section
):
    laptop, phone = _devices(app, world, log_in, client)
    key = f"section:{section.id}"
    written = _put(phone, key, "A telefonon írt bekezdés.")
    assert written.status_code == 200
    refused = _put(laptop, key, "A laptopon írt mondat.")  # it opened the editor before
    assert refused.status_code == 409
    assert refused.json["draft"]["body"] == "A telefonon írt bekezdés."
    assert refused.json["draft"]["draft"] == written.json["draft"]
    assert _stored(section)[1] == "A telefonon írt bekezdés."
    # The phone goes on writing over its own draft; the same text twice is no conflict.
    again = _put(phone, key, "A telefonon írt bekezdés. Tovább.", draft=written.json["draft"])
    assert again.status_code == 200
    assert _put(laptop, key, "A telefonon írt bekezdés. Tovább.").status_code == 200


def test_saving_over_a_newer_draft_from_another_device_shows_both_texts(
    app, client, world, log_in, section
):
    laptop, phone = _devices(app, world, log_in, client)
    key = f"section:{section.id}"
    assert _put(phone, key, "A telefonon írt bekezdés.").status_code == 200
    answer = _save_section(laptop, section, "A laptopon írt mondat.", draft="")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 409
    assert "egy másik eszközön (vagy ablakban) újabb, nem mentett szöveget írt" in page
    assert "A laptopon írt mondat." in page and "A telefonon írt bekezdés." in page
    assert _stored(section) == ("Eredeti szöveg.", "A telefonon írt bekezdés.")
    # The answer's editor has now seen the phone's draft: the merged text saves and ends it.
    seen = page.split('name="draft" value="')[1].split('"')[0]
    merged = "A telefonon írt bekezdés.\n\nA laptopon írt mondat."
    assert _save_section(laptop, section, merged, draft=seen).status_code == 200
    assert _stored(section) == (merged, None)


def test_a_save_removes_the_draft_its_editor_wrote(app, client, world, log_in, section):
    log_in(world["mentor_a"])
    key = f"section:{section.id}"
    written = _put(client, key, "Félkész")
    assert _save_section(client, section, "Kész", draft=written.json["draft"]).status_code == 200
    assert _stored(section) == ("Kész", None)


def test_an_unseen_draft_holding_the_saved_or_the_submitted_text_is_no_conflict(
    app, client, world, log_in, section
):
    laptop, phone = _devices(app, world, log_in, client)
    key = f"section:{section.id}"
    _put(phone, key, "Ugyanaz a szöveg.")
    assert _save_section(laptop, section, "Ugyanaz a szöveg.", draft="").status_code == 200
    assert _stored(section) == ("Ugyanaz a szöveg.", None)
    _put(phone, key, "Ugyanaz a szöveg.")  # typed and undone: the saved text
    assert _save_section(laptop, section, "Más", draft="").status_code == 200
    assert _stored(section) == ("Más", None)


def test_the_newer_draft_survives_and_is_offered_where_the_section_is_read(
    app, client, world, log_in, section
):
    laptop, phone = _devices(app, world, log_in, client)
    key = f"section:{section.id}"
    _put(phone, key, "A telefonon írt bekezdés.")
    _save_section(laptop, section, "A laptopon írt mondat.", draft="")
    workshop_page = laptop.get(f"/workshops/{section.journal.workshop_id}").get_data(as_text=True)
    assert "Van egy el nem mentett piszkozata ehhez a részhez" in workshop_page
    editor = laptop.get(f"/sections/{section.id}/edit").get_data(as_text=True)
    assert "A telefonon írt bekezdés." in editor


def test_discarding_removes_only_the_draft_the_editor_knew(app, client, world, log_in, section):
    laptop, phone = _devices(app, world, log_in, client)
    key = f"section:{section.id}"
    old = _put(laptop, key, "Régi").json["draft"]
    newer = _put(phone, key, "Újabb, a telefonon", draft=old).json["draft"]
    assert (
        laptop.delete(f"/drafts/{key}", query_string={"draft": old}, headers=HX).status_code == 409
    )
    assert _stored(section)[1] == "Újabb, a telefonon"
    assert (
        phone.delete(f"/drafts/{key}", query_string={"draft": newer}, headers=HX).status_code == 204
    )
    assert _stored(section)[1] is None


def test_a_note_save_keeps_a_newer_draft_from_another_device(app, client, world, log_in):
    note = make_note(world["participant_a"], world["group_a"], title="Nehézség", body="Szöveg")
    db.session.commit()
    log_in(world["participant_a"])
    phone = app.test_client()
    login(phone, world["participant_a"])
    _put(phone, f"note:{note.id}", "A telefonon folytatott jegyzet")
    data = {"kind": "difficulty", "title": "Nehézség", "body": "Laptopon", "version": "1"}
    assert client.post(f"/notes/{note.id}/edit", data=data, headers=HX).status_code == 200
    assert db.session.scalar(select(Draft.body)) == "A telefonon folytatott jegyzet"


def test_a_note_save_keeps_a_newer_draft_that_differs_only_in_its_title(app, client, world, log_in):
    """The phone changed only the title of a new note after the laptop last saw its draft; the
    laptop posts the same text under its own title: the phone's title stays in the draft, to be
    offered. The same post when the phone's draft holds just what was posted leaves none."""
    group = world["group_a"]
    key = f"note:new:group:{group.id}"
    log_in(world["participant_a"])
    phone = app.test_client()
    login(phone, world["participant_a"])
    body = "Ugyanaz a szöveg mindkét eszközön."
    sent = {"kind": "difficulty", "title": "A laptop címe", "body": body, "link": "", "draft": ""}
    for title, left in (("A telefon címe", "A telefon címe"), ("A laptop címe", None)):
        fields = {"kind": "difficulty", "title": title, "link": "", "mentor_only": False}
        _put(phone, key, body, fields=fields, base_version=None)
        posted = client.post(f"/groups/{group.slug}/notes/new", data=sent, headers=HX)
        assert posted.status_code == 200
        draft = draft_for(world["participant_a"], key)
        assert (json.loads(draft.fields)["title"] if draft else None) == left
        if draft:
            assert draft.body == body
            db.session.delete(draft)
            db.session.commit()


def test_the_draft_rules_in_one_place(app, world, section):
    """save_draft and clear_draft refuse an unseen newer draft; the stamp changes per write."""
    key = f"section:{section.id}"
    mentor = world["mentor_a"]
    first = stamp(save_draft(mentor, key, "Első", {}, 2))
    with pytest.raises(NewerDraft) as found:
        save_draft(mentor, key, "Másik", {}, 2, known="")
    assert found.value.draft.body == "Első"
    second = stamp(save_draft(mentor, key, "Második", {}, 2, known=first))
    assert second != first
    with pytest.raises(NewerDraft):
        clear_draft(mentor, key, first)
    clear_draft(mentor, key, first, kept=("Második",))
    assert draft_for(mentor, key) is None


def test_an_unseen_draft_differing_only_in_its_fields_is_not_overwritten(world):
    """Two devices change only a note's title: the second, which never saw the first's draft,
    is refused like any other unseen newer draft; the same text and fields twice is no
    conflict (whatever order the fields come in)."""
    key = "note:new:group:1"
    mentor = world["mentor_a"]
    save_draft(mentor, key, "Szöveg", {"title": "A telefonon", "kind": "question"}, None)
    with pytest.raises(NewerDraft) as found:
        save_draft(mentor, key, "Szöveg", {"title": "A laptopon", "kind": "question"}, None)
    assert found.value.draft.fields == '{"title":"A telefonon","kind":"question"}'
    save_draft(mentor, key, "Szöveg", {"kind": "question", "title": "A telefonon"}, None)


def test_opening_the_editor_puts_the_draft_back_on_the_server(client, world, log_in, section):
    log_in(world["mentor_a"])
    key = f"section:{section.id}"
    written = _put(client, key, "Félkész <szöveg>").json["draft"]  # fields: visibility "group"
    page = client.get(f"/sections/{section.id}/edit", headers=HX).get_data(as_text=True)
    assert ">Félkész &lt;szöveg&gt;</textarea>" in page
    assert "Visszaállítottuk a nem mentett szövegét és beállításait" in page
    assert "data-autosave-discard" in page
    assert f'name="draft" value="{written}"' in page
    assert 'name="version" value="2"' in page  # the draft's base version
    assert 'value="group" checked' in page
    saved = json.loads(page.split("data-autosave-saved='")[1].split("'")[0])
    assert saved["body"] == "Eredeti szöveg." and saved["base_version"] == section.version


def test_a_draft_holding_the_saved_text_is_not_put_back_but_known(client, world, log_in, section):
    log_in(world["mentor_a"])
    key = f"section:{section.id}"
    page = client.get(f"/sections/{section.id}/edit", headers=HX).get_data(as_text=True)
    assert "data-autosave-saved='\"\"'" in page and 'name="draft" value=""' in page
    payload = {"visibility": section.visibility.value, "in_report": section.in_report}
    written = _put(client, key, section.body, fields=payload).json["draft"]
    page = client.get(f"/sections/{section.id}/edit", headers=HX).get_data(as_text=True)
    assert "Visszaállítottuk" not in page and "data-autosave-discard" not in page
    assert f'name="draft" value="{written}"' in page


def test_opening_a_note_editor_puts_the_draft_back_on_the_server(client, world, log_in):
    note = make_note(world["participant_a"], world["group_a"], version=2)
    db.session.commit()
    log_in(world["participant_a"])
    fields = {"title": "Új cím", "mentor_only": True}
    written = _put(client, f"note:{note.id}", "Félkész <jegyzet>", fields=fields).json["draft"]
    page = client.get(f"/notes/{note.id}/edit", headers=HX).get_data(as_text=True)
    assert "Félkész &lt;jegyzet&gt;</textarea>" in page and 'value="Új cím"' in page
    assert "Visszaállítottuk" in page and "data-autosave-discard" in page
    assert f'value="{written}"' in page
    saved = json.loads(page.split("data-autosave-saved='")[1].split("'")[0])
    assert saved["body"] == note.body and saved["fields"]["title"] == note.title
    assert saved["fields"]["mentor_only"] is False and saved["base_version"] == "2"


def test_the_board_opens_the_new_note_form_with_the_draft_put_back(client, world, log_in):
    log_in(world["mentor_a"])
    key = f"note:new:group:{world['group_a'].id}"
    board = f"/groups/{world['group_a'].slug}/notes"
    page = client.get(board).get_data(as_text=True)
    assert '<details class="new-note">' in page and "data-autosave-saved='\"\"'" in page
    _put(client, key, "Félkész új jegyzet", fields={"title": "Cím"}, base_version=None)
    page = client.get(board).get_data(as_text=True)
    assert '<details class="new-note" open>' in page and "Félkész új jegyzet</textarea>" in page
    assert "Visszaállítottuk" in page


def test_the_key_of_the_browser_copies_is_each_user_s_own(client, world, log_in):
    """Only a logged-in user's pages carry the key that encrypts their copies in the browser;
    it is the same in every session of that user and another user's is different."""
    key = re.compile(r'data-copy-key="([A-Za-z0-9+/=]{44})"')
    assert not key.search(client.get("/login").get_data(as_text=True))
    log_in(world["mentor_a"])
    first = key.search(client.get("/").get_data(as_text=True))[1]
    client.post("/logout")
    log_in(world["participant_a"])
    other = key.search(client.get("/").get_data(as_text=True))[1]
    client.post("/logout")
    log_in(world["mentor_a"])
    assert key.search(client.get("/").get_data(as_text=True))[1] == first != other


def test_the_editors_messages_name_no_button(app):
    """The autosave messages are shared by editors whose buttons differ ("Mentés",
    "Közzététel", "Küldés"): none tells the user to press a button by a name it may not
    have."""
    from journal.drafts.views import autosave_texts

    for language in ("hu", "en"):
        with app.test_request_context(), force_locale(language):
            texts = autosave_texts()
            for name, text in texts.items():
                assert not re.search(r"gomb|nyomja meg|press|button", text, re.I), (language, name)
