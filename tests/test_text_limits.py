"""No text is ever cut: limits are said before they bite and refused with the whole text kept."""

import importlib
import pkgutil
from pathlib import Path

from flask_wtf import FlaskForm
from sqlalchemy import select

import journal
from journal.expiry import form_classes
from journal.extensions import db
from journal.models import JournalSection, Note, Reply, Workshop
from tests.factories import make_journal, make_workshop

HX = {"HX-Request": "true"}
ROOT = Path(__file__).resolve().parent.parent


def _all_forms() -> list[type[FlaskForm]]:
    """Import every module of the app and return every form class it defines."""
    for module in pkgutil.walk_packages(journal.__path__, "journal."):
        importlib.import_module(module.name)
    return form_classes()


def test_no_form_field_and_no_template_renders_maxlength(app):
    """A browser cuts a paste at maxlength without a word: no field or template sets it."""
    forms = _all_forms()
    assert len(forms) >= 10
    with app.test_request_context():
        for form_class in forms:
            form = form_class(meta={"csrf": False})
            for field in form:
                assert "maxlength" not in str(field()), f"{form_class.__name__}.{field.name}"
    for template in (ROOT / "templates").rglob("*.html"):
        assert "maxlength=" not in template.read_text(), template


def test_the_topic_says_its_limit_before_it_bites(client, world, log_in):
    """The new-workshop form shows each short field's limit, tied to the field."""
    log_in(world["mentor_a"])
    html = client.get("/groups/alfa/workshops/new").get_data(as_text=True)
    assert 'data-limit="200"' in html and 'id="topic-limit"' in html
    assert "Legfeljebb 200 karakter." in html
    assert 'aria-describedby="topic-limit"' in html


def test_a_pasted_20400_character_topic_is_refused_and_kept_whole(client, world, log_in):
    """The whole topic comes back in the form with the count; no workshop is stored."""
    log_in(world["mentor_a"])
    topic = ("Önkéntesség a helyi közművelődésben " * 600)[:20_400]
    response = client.post(
        "/groups/alfa/workshops/new",
        data={"date": "2026-01-10", "topic": topic, "place": "Ház"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'value="{topic}"' in html
    assert "Legfeljebb 200 karakter lehet; ez 20\xa0400 karakter." in html
    assert db.session.scalar(select(db.func.count()).select_from(Workshop)) == 0


def _save_section(client, section, body):
    """Post a section save from its current version."""
    return client.post(
        f"/sections/{section.id}",
        data={"body": body, "visibility": "coordination", "version": str(section.version)},
        headers=HX,
    )


def test_a_60000_character_section_is_stored_whole(client, world, log_in):
    """A long journal text is saved as it is; one over the limit comes back whole, unsaved."""
    journal_ = make_journal(make_workshop(world["group_a"]), world["mentor_a"])
    section = journal_.sections[0]
    log_in(world["mentor_a"])
    text = ("Hosszú mentori napló, bekezdésről bekezdésre.\n\n" * 1400)[:60_000]
    assert _save_section(client, section, text).status_code == 200
    db.session.expire_all()
    section = db.session.get(JournalSection, section.id)
    assert len(section.body) == 60_000 and section.body == text
    longer = "á" * 100_001
    refused = _save_section(client, section, longer)
    assert refused.status_code == 422
    assert longer in refused.get_data(as_text=True)
    assert "ez 100\xa0001 karakter" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(JournalSection, section.id).body == text


def test_long_notes_and_replies_are_stored_whole(client, world, log_in):
    """A 40,000-character note and an 8,000-character reply are kept whole."""
    log_in(world["participant_a"])
    body = "Jó gyakorlat részletesen. " * 1600
    response = client.post(
        "/groups/alfa/notes/new",
        data={"kind": "good_practice", "title": "Hosszú", "body": body, "link": ""},
        headers=HX,
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    note = db.session.scalar(select(Note))
    assert note.body == body.strip() or note.body == body
    reply = "Köszönöm, nálunk is így van. " * 270
    assert len(reply) > 2_000
    response = client.post(f"/notes/{note.id}/replies", data={"body": reply}, headers=HX)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    stored = db.session.scalar(select(Reply))
    assert stored.body.strip() == reply.strip()
