"""Report picks: only live, group-visible notes get the pick button and accept a pick."""

import pytest

from journal.extensions import db
from journal.models import utcnow
from tests.test_notes import make_note, relogin


@pytest.mark.parametrize(
    ("whose", "state", "page_status", "pick_status"),
    [
        ("participant_a", "hidden_at", 200, 403),  # the mentor moderates it, so sees it
        ("mentor_a", "hidden_at", 200, 403),  # the author sees their own
        ("mentor_a", "deleted_at", 200, 404),  # actions look up live notes only
        ("participant_a", "deleted_at", 404, 404),  # a peer's deleted note is nobody else's
    ],
)
def test_hidden_or_deleted_note_cannot_be_picked(
    client, world, whose, state, page_status, pick_status
):
    """No pick button on a hidden or deleted note, a pick is refused, and no badge is set."""
    note = make_note(world[whose], world["group_a"], title="Elrejtett")
    setattr(note, state, utcnow())
    db.session.commit()
    relogin(client, world["mentor_a"])
    page = client.get(f"/notes/{note.id}")
    assert page.status_code == page_status
    assert f"/notes/{note.id}/report" not in page.get_data(as_text=True)
    for board in ("/groups/alfa/notes", "/groups/alfa/notes?show=hidden"):
        assert f"/notes/{note.id}/report" not in client.get(board).get_data(as_text=True)
    response = client.post(f"/notes/{note.id}/report", data={"picked": "1"})
    assert response.status_code == pick_status
    db.session.refresh(note)
    assert not note.in_report


def test_live_note_has_the_pick_button(client, world):
    """The control case: the mentor is offered a pick on a live peer note."""
    note = make_note(world["participant_a"], world["group_a"])
    db.session.commit()
    relogin(client, world["mentor_a"])
    assert f"/notes/{note.id}/report" in client.get(f"/notes/{note.id}").get_data(as_text=True)


def test_a_picked_note_once_hidden_loses_its_report_badge(client, world):
    """A hidden note stays out of the reports, so its page no longer says it is picked."""
    note = make_note(world["participant_a"], world["group_a"], title="Beválogatott")
    note.in_report = True
    db.session.commit()
    relogin(client, world["participant_a"])
    assert "beszámolóba válogatva" in client.get(f"/notes/{note.id}").get_data(as_text=True)
    note.hidden_at = utcnow()
    db.session.commit()
    for who in ("participant_a", "mentor_a"):
        relogin(client, world[who])
        page = client.get(f"/notes/{note.id}")
        assert page.status_code == 200
        assert "Beválogatott" in page.get_data(as_text=True)
        assert "beszámolóba válogatva" not in page.get_data(as_text=True)
