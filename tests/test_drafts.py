"""Autosaved drafts: per user, only while the thing may be edited, tiny answers."""

import json

import pytest
from sqlalchemy import select

from journal.drafts import kinds
from journal.drafts.operations import clear_draft, save_draft
from journal.drafts.queries import draft_for
from journal.extensions import db
from journal.models import Draft
from tests.conftest import login
from tests.factories import make_journal, make_workshop

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
    response = _put(client, key, "Második változat")
    assert response.status_code == 200
    drafts = db.session.scalars(select(Draft)).all()
    assert [(d.key, d.body, d.base_version) for d in drafts] == [(key, "Második változat", 2)]
    assert json.loads(drafts[0].fields) == {"visibility": "group"}

    shown = client.get(f"/drafts/{key}", headers=HX).json
    assert shown["exists"] and shown["body"] == "Második változat"
    assert shown["fields"] == {"visibility": "group"} and shown["base_version"] == 2

    assert client.delete(f"/drafts/{key}", headers=HX).status_code == 204
    assert client.get(f"/drafts/{key}", headers=HX).json == {"exists": False}
    _put(client, key)
    assert client.post(f"/drafts/{key}/discard").status_code == 204
    assert db.session.scalars(select(Draft)).all() == []


def test_form_encoded_autosave_works_too(client, world, log_in, section):
    log_in(world["mentor_a"])
    response = client.post(
        f"/drafts/section:{section.id}",
        data={"body": "Űrlapból", "fields": '{"title": "x"}', "base_version": "2"},
    )
    assert response.status_code == 200
    draft = db.session.scalar(select(Draft))
    assert (draft.body, draft.fields, draft.base_version) == ("Űrlapból", '{"title":"x"}', 2)


@pytest.mark.parametrize("who", ["participant_a", "coordinator", "mentor_b"])
def test_others_may_not_keep_or_read_a_draft_of_the_section(client, world, log_in, section, who):
    with db.session.begin_nested():
        save_draft(world["mentor_a"], f"section:{section.id}", "Titok", {}, 2)
    db.session.commit()
    log_in(world[who])
    key = f"section:{section.id}"
    assert _put(client, key, "Betolakodó").status_code == 404
    assert client.get(f"/drafts/{key}", headers=HX).status_code == 404
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
    clear_draft(world["mentor_a"], key)
    db.session.commit()
    assert draft_for(world["mentor_a"], key) is None
    assert draft_for(world["participant_a"], key).body == "Arankáé"


@pytest.mark.parametrize(
    "key", ["nincs:1", "section", "section:", "section:abc", "section:999", "ékezet:1", "x" * 81]
)
def test_unknown_or_malformed_keys_answer_404(client, world, log_in, section, key):
    log_in(world["mentor_a"])
    assert _put(client, key).status_code == 404
    assert client.get(f"/drafts/{key}", headers=HX).status_code == 404
    assert db.session.scalars(select(Draft)).all() == []


def test_logged_out_autosave_gets_401_without_piling_up_messages(client, section):
    for _ in range(3):
        response = _put(client, f"section:{section.id}")
        assert response.status_code == 401
        assert "/login" in response.headers["HX-Redirect"]
    page = client.get("/login").get_data(as_text=True)
    assert page.count("Kérjük, jelentkezzen be") <= 1
    assert client.get("/drafts/token", headers=HX).status_code == 401
    assert client.get("/drafts/token").status_code == 302


def test_token_endpoint_gives_the_session_csrf_token(client, world, log_in):
    log_in(world["mentor_a"])
    response = client.get("/drafts/token", headers=HX)
    assert response.status_code == 200 and len(response.json["token"]) > 20


def test_bad_payloads_are_refused_in_hungarian(client, world, log_in, section):
    log_in(world["mentor_a"])
    key = f"section:{section.id}"
    response = client.put(f"/drafts/{key}", json={"body": 5}, headers=HX)
    assert response.status_code == 400 and "piszkozatot" in response.json["message"]
    response = client.put(f"/drafts/{key}", json={"body": "x" * 200_001}, headers=HX)
    assert response.status_code == 413 and "túl hosszú" in response.json["message"]
    assert db.session.scalars(select(Draft)).all() == []


def test_note_drafts_follow_the_note_rules(app, client, world, log_in):
    from journal.models import Note, NoteKind

    note = Note(
        group_id=world["group_a"].id,
        author_id=world["participant_a"].id,
        kind=NoteKind.DIFFICULTY,
        title="Nehézség",
        body="Szöveg",
    )
    db.session.add(note)
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


def test_csrf_is_required_for_autosave_and_the_token_endpoint_renews_it(tmp_path):
    from tests.conftest import build_app
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
    assert response.status_code == 400 and response.headers["X-CSRF-Expired"] == "1"
    assert "itt maradt" in response.get_data(as_text=True)
    fresh = client.get("/drafts/token", headers=HX)
    assert fresh.status_code == 200
    response = client.put(
        f"/drafts/{key}", json={"body": "x"}, headers=HX | {"X-CSRFToken": fresh.json["token"]}
    )
    assert response.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(Draft.body)) == "x"
        db.session.remove()
        db.engine.dispose()
