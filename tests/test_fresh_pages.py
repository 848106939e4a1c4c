"""A write shows on the next view of every page, and one user's page never reaches another.

Pages are rendered from the database on every request; these scenarios (kept from the page
cache's tests) guard that a change made through the app, through the ORM or through a bulk
UPDATE is what the next view shows.
"""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from journal.extensions import db
from journal.models import AttendanceStatus, Group, Membership, Visibility, local_today
from tests.factories import make_journal, make_membership, make_user, make_workshop

HX = {"HX-Request": "true"}


def _page(client, url: str) -> str:
    """GET a page and return its text."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def _shows_after(client, url: str, text: str, write) -> bool:
    """View a page without text, run a write, and tell whether the next view shows it."""
    assert text not in _page(client, url)
    write()
    return text in _page(client, url)


@pytest.fixture
def workshop(world):
    """A held workshop of group alfa with a journal whose sections are filled."""
    workshop = make_workshop(world["group_a"], date=local_today() - timedelta(days=3))
    make_journal(workshop, world["mentor_a"], {"topic": "A mai téma", "reflection": "Titok"})
    db.session.commit()
    return workshop


def test_attendance_toggle_shows(client, world, log_in, workshop):
    """A tap on the attendance toggle (through the app) shows on the next workshop page."""
    log_in(world["mentor_a"])
    url = f"/workshops/{workshop.id}"
    before = _page(client, url).count(" checked>")
    data = {"user_id": str(world["participant_a"].id), "status": AttendanceStatus.LATE.value}
    assert client.post(f"{url}/attendance", data=data, headers=HX).status_code == 200
    assert _page(client, url).count(" checked>") == before + 1


def test_journal_save_shows(client, world, log_in, workshop):
    """A section saved through the editor shows on the next workshop page."""
    log_in(world["mentor_a"])
    section = next(s for s in workshop.journal.sections if s.key == "topic")

    def save():
        data = {"body": "Egészen új szöveg", "visibility": "coordination"}
        data["version"] = str(section.version)
        response = client.post(f"/sections/{section.id}", data=data, headers=HX)
        assert response.status_code == 200

    assert _shows_after(client, f"/workshops/{workshop.id}", "Egészen új szöveg", save)


def test_visibility_change_shows_to_participant(client, world, log_in, workshop):
    """A section switched from private to group shows on the participant's next view."""
    section = next(s for s in workshop.journal.sections if s.key == "reflection")
    log_in(world["participant_a"])

    def publish():
        section.visibility = Visibility.GROUP
        db.session.commit()

    assert _shows_after(client, f"/workshops/{workshop.id}", "Titok", publish)


def test_member_added_shows(client, world, log_in):
    """A new member shows on the next view of the group page."""
    log_in(world["mentor_a"])

    def add():
        newcomer = make_user(family_name="Újonnan", given_name="Érkező")
        make_membership(newcomer, world["group_a"])
        db.session.commit()

    assert _shows_after(client, "/groups/alfa", "Újonnan", add)


def test_name_change_shows(client, world, log_in):
    """A participant's new name shows on the next view of the group page."""
    log_in(world["coordinator"])

    def rename():
        world["participant_a"].family_name = "Átnevezett"
        db.session.commit()

    assert _shows_after(client, "/groups/alfa", "Átnevezett", rename)


def test_group_edit_through_a_bulk_update_shows(client, world, log_in):
    """An UPDATE statement run through the session (no unit of work) shows too."""
    log_in(world["participant_a"])

    def edit():
        db.session.execute(update(Group).where(Group.slug == "alfa").values(goals="Új célok"))
        db.session.commit()

    assert _shows_after(client, "/groups/alfa", "Új célok", edit)


def test_home_page_follows_a_new_group_membership(client, world, log_in):
    """The participant's home page lists a group they were just added to."""
    log_in(world["participant_a"])

    def join():
        make_membership(world["participant_a"], world["group_b"])
        db.session.commit()

    assert _shows_after(client, "/", "Béta csoport", join)


def test_removed_member_loses_the_page(client, world, log_in):
    """A participant who left the group gets 404, not the page seen while a member."""
    log_in(world["participant_a"])
    _page(client, "/groups/alfa")
    membership = db.session.scalar(
        select(Membership).where(Membership.user_id == world["participant_a"].id)
    )
    membership.left_on = local_today() - timedelta(days=1)
    db.session.commit()
    assert client.get("/groups/alfa").status_code == 404


def test_users_never_share_a_page(client, world, log_in, workshop):
    """The mentor's page (with the private section) never reaches a participant after it."""
    url = f"/workshops/{workshop.id}"
    log_in(world["mentor_a"])
    assert "Titok" in _page(client, url)
    client.post("/logout")
    log_in(world["participant_a"])
    assert "Titok" not in _page(client, url)
    assert "Titok" not in _page(client, url)


def test_a_flash_shows_once(client, world, log_in):
    """A page viewed with a pending flash shows it, and the next view does not."""
    log_in(world["mentor_a"])
    _page(client, "/groups/alfa")
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Egy fontos üzenet")]
    assert "Egy fontos üzenet" in _page(client, "/groups/alfa")
    assert "Egy fontos üzenet" not in _page(client, "/groups/alfa")
