"""Anonymising a leaver: a preview, then a confirmed, irreversible change of name and email to
a label; afterwards the name is on no page, PDF or export, attendance figures are unchanged,
notes stay (or go, as the coordinator chose), and the log says who and when, not what."""

import csv
import io
import logging
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from journal.extensions import db
from journal.models import (
    Attendance,
    AttendanceStatus,
    Draft,
    Invitation,
    Note,
    NoteKind,
    Reaction,
    Reply,
    User,
    utcnow,
)
from tests.apps import login
from tests.factories import make_workshop
from tests.pdfs import pdf_text

NAME = "Résztvevő Aranka"


@pytest.fixture
def leaver(app, world, tmp_path):
    """Aranka with attendance, a note with a reply of Ágota, a reply, a "Nálam is", a draft
    and an unused password link."""
    app.config["REPORT_CACHE_DIR"] = str(tmp_path / "pdf-cache")
    aranka, agota = world["participant_a"], world["participant_a2"]
    for day, status in ((14, AttendanceStatus.PRESENT), (21, AttendanceStatus.ABSENT)):
        workshop = make_workshop(world["group_a"], date=date(2025, 11, day), topic=f"Alkalom {day}")
        db.session.add(Attendance(workshop_id=workshop.id, user_id=aranka.id, status=status))
        db.session.add(
            Attendance(workshop_id=workshop.id, user_id=agota.id, status=AttendanceStatus.PRESENT)
        )
    now = utcnow() - timedelta(hours=1)
    notes = {}
    for author, title in ((aranka, "ARANKA-NOTE"), (agota, "AGOTA-NOTE")):
        notes[title] = Note(
            group_id=world["group_a"].id,
            author_id=author.id,
            kind=NoteKind.DIFFICULTY,
            title=title,
            body="szöveg",
            created_at=now,
            updated_at=now,
        )
        db.session.add(notes[title])
    db.session.flush()
    db.session.add_all(
        [
            Reply(note_id=notes["ARANKA-NOTE"].id, author_id=agota.id, body="AGOTA-REPLY"),
            Reply(note_id=notes["AGOTA-NOTE"].id, author_id=aranka.id, body="ARANKA-REPLY"),
            Reaction(note_id=notes["AGOTA-NOTE"].id, user_id=aranka.id),
            Draft(user_id=aranka.id, key="note:new:group:1", body="piszkozat"),
            Invitation(
                user_id=aranka.id,
                token_hash="x" * 64,
                purpose="reset",
                expires_at=utcnow() + timedelta(days=1),
            ),
        ]
    )
    db.session.commit()
    return world


def _participation(client) -> dict[str, dict[str, str]]:
    """Return the group's participation export by name."""
    response = client.get(
        "/groups/alfa/exports/download", query_string={"table": "participation", "format": "csv"}
    )
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    return {row[1]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}


def _anonymise(client, person, **data):
    """Post the confirming form."""
    return client.post(
        f"/people/{person.id}/anonymise", data={"notes": "keep", "confirm": "y"} | data
    )


def test_preview_says_what_changes_and_changes_nothing(client, log_in, leaver):
    """The preview names the label and counts what goes and what stays; it writes nothing."""
    log_in(leaver["coordinator"])
    person = leaver["participant_a"]
    page = client.get(f"/people/{person.id}/anonymise").get_data(as_text=True)
    assert "Volt résztvevő 1" in page and "volt-1@anonim.invalid" in page
    assert "1 mentés előtti piszkozat" in page
    assert "2 jelenlét-bejegyzés" in page
    assert "1 jegyzete és 1 válasza van; a jegyzeteire mások 1 választ írtak." in page
    assert f"/people/{person.id}/anonymise" in client.get(f"/people/{person.id}").get_data(
        as_text=True
    )
    db.session.expire_all()
    assert db.session.get(User, person.id).full_name == NAME


def test_confirmation_is_required(client, log_in, leaver):
    """Without the box ticked the page comes back (422) with a message; nothing changes."""
    log_in(leaver["coordinator"])
    person = leaver["participant_a"]
    response = client.post(f"/people/{person.id}/anonymise", data={"notes": "keep"})
    assert response.status_code == 422
    assert "Az anonimizáláshoz jelölje be, hogy megértette." in response.get_data(as_text=True)
    response = _anonymise(client, person, notes="valami")
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(User, person.id).full_name == NAME


def test_after_anonymising_the_name_is_nowhere_and_figures_stay(client, log_in, leaver, caplog):
    """The name and email are on no page, PDF or export; the attendance row is the same under
    the label; notes stay under it; the person cannot log in; the log holds no name."""
    # Alembic's fileConfig (migration tests) disables loggers that exist when it runs.
    logging.getLogger("journal.security").disabled = False
    person = leaver["participant_a"]
    email = person.email
    own_client = client.application.test_client()
    login(own_client, person)
    log_in(leaver["coordinator"])
    before = _participation(client)[NAME]
    cached = client.application.config["REPORT_CACHE_DIR"]
    assert client.get("/groups/alfa/summary.pdf").status_code == 200
    with caplog.at_level(logging.INFO, logger="journal.security"):
        response = _anonymise(client, person)
    assert response.status_code == 303
    assert "Volt résztvevő 1" in client.get(response.location).get_data(as_text=True)
    log_line = next(r.getMessage() for r in caplog.records if "person.anonymised" in r.getMessage())
    assert f"target={person.id}" in log_line and "Aranka" not in log_line and email not in log_line

    after = _participation(client)
    assert NAME not in after
    label_row = after["Volt résztvevő 1"]
    for column in ("Jelen", "Hiányzott", "Rögzített alkalom", "Részvételi arány (%)"):
        assert label_row[column] == before[column]
    assert label_row["Intézmény"] == "" and label_row["Település"] == ""

    pages = ["/", "/people", f"/people/{person.id}", "/groups/alfa", "/groups/alfa/notes"]
    pages += ["/groups/alfa/summary", f"/groups/alfa/people/{person.id}"]
    # The search: her notes stay under the label (found by their text), her name nowhere,
    # not even in the author filter.
    pages += ["/search?q=aranka", "/search?q=ARANKA-NOTE", "/search?q=resztvevo"]
    for url in pages:
        text = client.get(url).get_data(as_text=True)
        assert NAME not in text and email not in text and "Aranka" not in text, url
    assert not list(Path(cached).glob("*.pdf"))  # old PDFs are gone
    text = " ".join(pdf_text(client.get("/groups/alfa/summary.pdf").data).split())
    assert "Aranka" not in text and "Volt résztvevő 1" in text

    db.session.expire_all()
    assert db.session.scalar(select(func.count()).where(Note.author_id == person.id)) == 1
    assert db.session.scalar(select(func.count()).where(Draft.user_id == person.id)) == 0
    assert db.session.scalar(select(func.count()).where(Invitation.user_id == person.id)) == 0
    # Signed out everywhere, and no way back in.
    assert own_client.get("/").status_code == 302
    again = client.application.test_client().post(
        "/login", data={"email": email, "password": "jelszo-teszt-123"}
    )
    assert again.status_code != 303
    # Irreversible: not offered, not allowed again.
    assert client.get(f"/people/{person.id}/anonymise").status_code == 403


def test_notes_can_go_with_the_person(client, log_in, leaver):
    """At the coordinator's choice their notes (with the replies under them) and their
    replies are deleted; the "Nálam is" count and the others' notes stay."""
    log_in(leaver["coordinator"])
    person = leaver["participant_a"]
    assert _anonymise(client, person, notes="delete").status_code == 303
    db.session.expire_all()
    titles = set(db.session.scalars(select(Note.title)))
    assert titles == {"AGOTA-NOTE"}
    assert set(db.session.scalars(select(Reply.body))) == set()
    assert db.session.scalar(select(func.count()).select_from(Reaction)) == 1


def test_an_anonymised_person_is_never_let_in_again(client, log_in, leaver):
    """Anonymising is for good: the person page offers no way back, and the actions refuse
    (422): no re-enabling, no password link, no group; the account could not log in even if
    its flag were set by hand."""
    person = leaver["participant_a"]
    log_in(leaver["coordinator"])
    assert _anonymise(client, person).status_code == 303
    page = client.get(f"/people/{person.id}").get_data(as_text=True)
    assert "anonimizálva: nem léphet be újra" in page
    assert "Újra engedélyezés" not in page and "Hozzáadás csoporthoz" not in page
    listed = client.get("/people").get_data(as_text=True)
    row = listed[listed.index(f'href="/people/{person.id}"') :]
    assert row[: row.index("</tr>")].count("anonimizálva") == 1  # not "letiltva"
    hx = {"HX-Request": "true"}
    refused = client.post(f"/people/{person.id}/activate", headers=hx)
    assert refused.status_code == 422
    assert "nem léphet be újra" in refused.get_data(as_text=True)
    page = client.post(f"/people/{person.id}/activate", follow_redirects=True)
    assert "Anonimizált személy: nem léphet be újra" in page.get_data(as_text=True)
    assert client.post(f"/people/{person.id}/link").status_code == 303
    group = {"group": "alfa", "role": "participant"}
    added = client.post(f"/people/{person.id}/memberships", data=group, headers=hx)
    assert added.status_code == 422
    db.session.expire_all()
    person = db.session.get(User, person.id)
    assert not person.active and not any(m.is_current for m in person.memberships)
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0
    person.active = True
    assert not person.is_active


@pytest.mark.parametrize("who", ["participant_a2", "mentor_a"])
def test_only_the_coordinator_anonymises(client, log_in, leaver, who):
    """Members cannot reach the page or the action (403)."""
    log_in(leaver[who])
    person = leaver["participant_a"]
    assert client.get(f"/people/{person.id}/anonymise").status_code == 403
    assert _anonymise(client, person).status_code == 403


def test_the_coordinator_cannot_anonymise_herself(client, log_in, leaver):
    """Her own account is not offered (403)."""
    coordinator = leaver["coordinator"]
    log_in(coordinator)
    assert client.get(f"/people/{coordinator.id}/anonymise").status_code == 403
    assert _anonymise(client, coordinator).status_code == 403
