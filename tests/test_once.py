"""One-time form keys (journal/once.py): a form that creates something, sent twice (one after
the other, or at the same moment), creates one thing and answers the repeat as the first."""

import re
import threading

import pytest
from sqlalchemy import func, select

from journal.extensions import db
from journal.models import (
    Guest,
    Invitation,
    Membership,
    Method,
    Note,
    NoteKind,
    Reply,
    User,
    Workshop,
)
from journal.notes.operations import add_note
from tests.apps import login
from tests.factories import make_workshop

KEY = re.compile(r'name="form_key" value="([^"]+)"')


def make_note(group, author) -> Note:
    """Add a note through the real operation."""
    return add_note(
        author, group, kind=NoteKind.QUESTION, title="Kérdés", body="Mi a véleményetek?",
        link="", workshop=None, mentor_only=False, hide_reactors=False,
    )  # fmt: skip


def _count(model) -> int:
    """Count a table's rows (as the database has them)."""
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def _cases(world) -> list[tuple]:
    """Return (who, page with the form, its address, what is typed, the table it adds to)."""
    workshop = make_workshop(world["group_a"])
    note = make_note(world["group_a"], world["participant_a"])
    person = world["participant_a2"].id
    db.session.commit()
    return [
        ("participant_a", "/groups/alfa/notes/new", "/groups/alfa/notes/new",
         {"kind": "difficulty", "title": "Egyszer", "body": "Csak egyszer"}, Note),
        ("participant_a", f"/notes/{note.id}", f"/notes/{note.id}/replies",
         {"body": "Egy válasz"}, Reply),
        ("mentor_a", "/groups/alfa/workshops/new", "/groups/alfa/workshops/new",
         {"date": "2026-01-16", "topic": "Új alkalom", "place": "Közösségi ház"}, Workshop),
        ("mentor_a", f"/workshops/{workshop.id}", f"/workshops/{workshop.id}/guests",
         {"name": "Vendég Vilma"}, Guest),
        ("mentor_a", "/methods/new", "/methods/new",
         {"name": "Körkérdés", "aim": "Mindenki szóhoz jut.", "body": "1. Kérdés",
          "minutes": "10", "version": "0"}, Method),
        ("coordinator", "/people", "/people",
         {"family_name": "Új", "given_name": "Ödön", "email": "uj.odon@example.org",
          "group": "alfa", "role": "participant"}, User),
        ("coordinator", f"/people/{person}", f"/people/{person}/link", {}, Invitation),
        ("coordinator", f"/people/{person}", f"/people/{person}/memberships",
         {"group": "beta", "role": "participant"}, Membership),
    ]  # fmt: skip


def _key(client, page: str, action: str) -> str:
    """Return the one-time key of the form posting to `action` on a page."""
    html = client.get(page).get_data(as_text=True)
    forms = [(f.split(">")[0], f) for f in html.split("<form")[1:]]
    form = next(
        f
        for tag, f in forms
        if f'action="{action}"' in tag or ("action=" not in tag and page == action)
    )
    return KEY.search(form.split("</form>")[0])[1]


def test_every_creating_form_sent_twice_creates_once(app, client, world):
    for who, page, action, data, model in _cases(world):
        login(client, world[who])
        key = _key(client, page, action)
        before = _count(model)
        first = client.post(action, data=data | {"form_key": key})
        assert first.status_code == 303, (action, first.get_data(as_text=True)[:2000])
        assert _count(model) == before + 1, action
        again = client.post(action, data=data | {"form_key": key})
        assert _count(model) == before + 1, action
        assert again.status_code == 303 and again.location == first.location, action
        assert "Ezt már elküldte" in client.get(again.location).get_data(as_text=True), action
        client.post("/logout")


def test_a_refused_form_keeps_its_key_usable(app, client, world, log_in):
    """A form refused for its input creates nothing and writes no key: corrected, it saves."""
    log_in(world["participant_a"])
    key = _key(client, "/groups/alfa/notes/new", "/groups/alfa/notes/new")
    bad = client.post("/groups/alfa/notes/new", data={"kind": "difficulty", "form_key": key})
    assert bad.status_code == 422
    good = {"kind": "difficulty", "title": "Most jó", "body": "Szöveg", "form_key": key}
    assert client.post("/groups/alfa/notes/new", data=good).status_code == 303
    assert _count(Note) == 1


def test_an_htmx_repeat_is_told_and_changes_nothing(app, client, world, log_in):
    log_in(world["participant_a"])
    note = make_note(world["group_a"], world["participant_a"])
    db.session.commit()
    data = {"body": "Egy válasz", "form_key": "k" * 32}
    hx = {"HX-Request": "true"}
    assert client.post(f"/notes/{note.id}/replies", data=data, headers=hx).status_code == 200
    again = client.post(f"/notes/{note.id}/replies", data=data, headers=hx)
    assert again.status_code == 200 and again.headers["HX-Retarget"] == "#messages"
    assert "Ezt már elküldte" in again.get_data(as_text=True)
    assert _count(Reply) == 1


@pytest.mark.parametrize("attempt", range(3))
def test_two_identical_posts_at_the_same_moment_create_one_note(app, world, attempt):
    """Two browsers of the same user send the same form at once: one note, both answered."""
    clients = [app.test_client(), app.test_client()]
    for client in clients:
        login(client, world["participant_a"])
    data = {"kind": "question", "title": "Egyszerre", "body": "Két kattintás", "form_key": "x" * 40}
    start, answers = threading.Barrier(2), []

    def send(client):
        start.wait()
        answers.append(client.post("/groups/alfa/notes/new", data=data).status_code)

    threads = [threading.Thread(target=send, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [303, 303]
    assert _count(Note) == 1
