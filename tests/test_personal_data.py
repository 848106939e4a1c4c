"""A person's own data (GDPR): a ZIP with a readable HTML page and JSON holding everything the
app keeps about them and nothing of anybody else's; the coordinator's copy for a person holds
only what she may see."""

import io
import json
import logging
import zipfile
from datetime import date, timedelta

import pytest

from journal.extensions import db
from journal.models import (
    Attendance,
    AttendanceStatus,
    Draft,
    Note,
    NoteKind,
    Reaction,
    Reply,
    utcnow,
)
from tests.factories import make_journal, make_workshop


def _note(author, group, title: str, **kw) -> Note:
    """Add a difficulty with a body that repeats its title."""
    now = utcnow() - timedelta(hours=1)
    note = Note(
        group_id=group.id,
        author_id=author.id,
        kind=NoteKind.DIFFICULTY,
        title=title,
        body=f"{title} szövege",
        created_at=now,
        updated_at=now,
        **kw,
    )
    db.session.add(note)
    db.session.flush()
    return note


@pytest.fixture
def lives(world):
    """Notes, replies, reactions, attendance, drafts and journals of several people."""
    group_a = world["group_a"]
    aranka, agota = world["participant_a"], world["participant_a2"]
    mine = _note(aranka, group_a, "ARANKA-NOTE-1")
    _note(aranka, group_a, "ARANKA-MENTORONLY-2", mentor_only=True)
    _note(aranka, group_a, "ARANKA-DELETED-3", deleted_at=utcnow())
    theirs = _note(agota, group_a, "AGOTA-NOTE-4")
    _note(world["participant_b"], world["group_b"], "BORBALA-NOTE-5")
    db.session.add_all(
        [
            Reply(note_id=theirs.id, author_id=aranka.id, body="ARANKA-REPLY-6"),
            Reply(note_id=mine.id, author_id=agota.id, body="AGOTA-REPLY-7"),
            Reaction(note_id=theirs.id, user_id=aranka.id),
            Reaction(note_id=mine.id, user_id=agota.id),
            Draft(user_id=aranka.id, key=f"note:{mine.id}", body="ARANKA-DRAFT-8"),
            Draft(user_id=agota.id, key=f"note:{theirs.id}", body="AGOTA-DRAFT-9"),
        ]
    )
    workshop_a = make_workshop(group_a, date=date(2025, 11, 14), topic="Alfa alkalom")
    workshop_b = make_workshop(world["group_b"], date=date(2025, 11, 21), topic="Béta alkalom")
    db.session.add_all(
        [
            Attendance(workshop_id=workshop_a.id, user_id=aranka.id, status=AttendanceStatus.LATE),
            Attendance(workshop_id=workshop_a.id, user_id=agota.id, status=AttendanceStatus.ABSENT),
        ]
    )
    make_journal(
        workshop_a,
        world["mentor_a"],
        {"reflection": "MENTOR-A-PRIVATE-10", "process": "MENTOR-A-COORD-11"},
    )
    make_journal(
        workshop_b,
        world["mentor_b"],
        {"reflection": "MENTOR-B-PRIVATE-12", "process": "MENTOR-B-COORD-13"},
    )
    db.session.commit()
    return world


def _unzip(response) -> tuple[dict, str, str]:
    """Return the JSON, the HTML page and all the text of a downloaded ZIP."""
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert sorted(archive.namelist()) == ["adataim.html", "adataim.json"]
        raw = archive.read("adataim.json").decode()
        html = archive.read("adataim.html").decode()
    return json.loads(raw), html, raw + html


def test_a_participants_zip_has_their_data_and_nobody_elses(client, log_in, lives):
    """Profile, membership, attendance, every note (mentor-only and deleted too), replies,
    reactions and drafts of the participant; nothing another person wrote."""
    aranka = lives["participant_a"]
    log_in(aranka)
    data, html, everything = _unzip(client.get("/profile/my-data.zip"))
    assert data["profile"]["email"] == aranka.email
    assert "password_hash" not in everything and aranka.session_token not in everything
    assert [m["group"] for m in data["memberships"]] == ["Alfa csoport"]
    assert data["memberships"][0]["institution"] == "Alfa-ház"
    assert [(a["workshop"]["topic"], a["status"]) for a in data["attendance"]] == [
        ("Alfa alkalom", "late")
    ]
    assert {n["title"] for n in data["notes"]} == {
        "ARANKA-NOTE-1",
        "ARANKA-MENTORONLY-2",
        "ARANKA-DELETED-3",
    }
    assert [r["body"] for r in data["replies"]] == ["ARANKA-REPLY-6"]
    assert len(data["reactions"]) == 1
    assert [d["body"] for d in data["drafts"]] == ["ARANKA-DRAFT-8"]
    for mine in ("ARANKA-NOTE-1 szövege", "ARANKA-REPLY-6", "ARANKA-DRAFT-8", "Résztvevő Aranka"):
        assert mine in html
    # Readable on a phone, the language named as people name it.
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    language = {"hu": "magyar", "en": "English"}[data["profile"]["language"]]
    assert f"<td>{language}</td>" in html
    for theirs in (
        "AGOTA-NOTE-4",
        "AGOTA-REPLY-7",
        "AGOTA-DRAFT-9",
        "BORBALA-NOTE-5",
        "Társ Ágota",
        lives["participant_a2"].email,
        "MENTOR-A-COORD-11",
        "MENTOR-A-PRIVATE-10",
    ):
        assert theirs not in everything, theirs
    assert data["journals"] == []


def test_a_mentors_zip_has_their_private_sections_and_nobody_elses(client, log_in, lives):
    """A mentor's journals come with every section, private ones too (and their versions);
    the other mentor's sections and the participants' notes are not there."""
    from journal.methods.operations import create_method, set_used_too

    values = dict.fromkeys(("aim", "group_size", "materials", "body", "variations", "source",
                            "tags"), "")  # fmt: skip
    for name, who in (("Akvárium", "mentor_a"), ("Világkávézó", "mentor_b")):
        method = create_method(lives[who], values | {"name": name, "minutes": None})
        set_used_too(lives[who], method, True)
    db.session.commit()
    log_in(lives["mentor_a"])
    data, html, everything = _unzip(client.get("/profile/my-data.zip"))
    assert [m["method"] for m in data["methods_used_too"]] == ["Akvárium"]
    assert "„Ezt én is használtam” jelöléseim" in html and "Világkávézó" not in everything
    sections = {s["key"]: s for j in data["journals"] for s in j["sections"]}
    assert sections["reflection"]["body"] == "MENTOR-A-PRIVATE-10"
    assert sections["reflection"]["visibility"] == "private"
    assert "MENTOR-A-PRIVATE-10" in html and "MENTOR-A-COORD-11" in html
    assert any(r["body"] == "MENTOR-A-PRIVATE-10" for r in data["section_revisions"])
    for theirs in ("MENTOR-B-PRIVATE-12", "MENTOR-B-COORD-13", "ARANKA-NOTE-1", "AGOTA-NOTE-4"):
        assert theirs not in everything, theirs


def test_the_coordinators_copy_holds_only_what_she_may_see(client, log_in, lives, caplog):
    """Produced by the coordinator for a person: no private section, mentor-only or deleted
    note or draft, and the file says so; the download is in the security log."""
    # Alembic's fileConfig (migration tests) disables loggers that exist when it runs.
    logging.getLogger("journal.security").disabled = False
    log_in(lives["coordinator"])
    mentor = lives["mentor_a"]
    with caplog.at_level(logging.INFO, logger="journal.security"):
        data, html, everything = _unzip(client.get(f"/people/{mentor.id}/data.zip"))
    assert data["generated_by"] == "coordinator"
    assert "MENTOR-A-COORD-11" in html
    assert "MENTOR-A-PRIVATE-10" not in everything
    assert "privát naplószakaszok" in html
    assert "event=personal_data.exported" in caplog.text and f"person={mentor.id}" in caplog.text

    aranka = lives["participant_a"]
    data, html, everything = _unzip(client.get(f"/people/{aranka.id}/data.zip"))
    assert {n["title"] for n in data["notes"]} == {"ARANKA-NOTE-1"}
    assert data["drafts"] == []
    assert "ARANKA-DRAFT-8" not in everything and "ARANKA-MENTORONLY-2" not in everything
    assert "ARANKA-REPLY-6" in everything


@pytest.mark.parametrize(
    ("who", "whose", "status"),
    [
        ("participant_a", "participant_a", 200),
        ("participant_a", "participant_a2", 404),
        ("mentor_a", "participant_a", 404),
        ("coordinator", "participant_b", 200),
    ],
)
def test_only_the_person_and_the_coordinator(client, log_in, lives, who, whose, status):
    """A person's data for the person and the coordinator only; 404 for anyone else."""
    log_in(lives[who])
    assert client.get(f"/people/{lives[whose].id}/data.zip").status_code == status


def test_pages_link_the_download(client, log_in, lives):
    """The profile page offers my data; the coordinator's person page offers theirs."""
    log_in(lives["participant_a"])
    assert "/profile/my-data.zip" in client.get("/profile").get_data(as_text=True)
    client.post("/logout")
    log_in(lives["coordinator"])
    page = client.get(f"/people/{lives['participant_a'].id}").get_data(as_text=True)
    assert f"/people/{lives['participant_a'].id}/data.zip" in page
