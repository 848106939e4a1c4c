"""Attendance: one tap per participant, guests, rates, and a constant number of queries."""

from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import event, select

from journal.extensions import db
from journal.models import Attendance, AttendanceStatus, Guest, Role, WorkshopStatus
from journal.workshops import queries
from tests.factories import make_membership, make_user, make_workshop

HX = {"HX-Request": "true"}


def _tap(client, workshop, user, status, htmx=True):
    """Send one attendance tap."""
    return client.post(
        f"/workshops/{workshop.id}/attendance",
        data={"user_id": str(user.id), "status": status},
        headers=HX if htmx else {},
    )


def test_one_tap_swaps_only_that_row(client, world, log_in):
    """An htmx tap answers the participant's row alone, with the chosen button pressed."""
    workshop = make_workshop(world["group_a"])
    aranka = world["participant_a"]
    log_in(world["mentor_a"])
    response = _tap(client, workshop, aranka, "late")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith("{#") is False
    assert f'<tr id="attendance-{aranka.id}"' in body and "<html" not in body
    assert body.count(" checked>") == 1
    assert 'name="status" value="late" checked>' in body
    response = _tap(client, workshop, aranka, "present")
    assert response.status_code == 200
    rows = db.session.scalars(select(Attendance)).all()
    assert [(r.user_id, r.status) for r in rows] == [(aranka.id, AttendanceStatus.PRESENT)]
    assert rows[0].recorded_by_id == world["mentor_a"].id


def test_tap_without_javascript_redirects_to_the_row(client, world, log_in):
    """A plain form POST answers 303 back to the workshop page at the row."""
    workshop = make_workshop(world["group_a"])
    log_in(world["coordinator"])
    response = _tap(client, workshop, world["participant_a2"], "excused", htmx=False)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(
        f"/workshops/{workshop.id}#attendance-{world['participant_a2'].id}"
    )
    page = client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    assert page.count(" checked>") == 1


def test_workshop_page_lists_participants_not_the_mentor(client, world, log_in):
    """The list shows the group's current participants in Hungarian order, no mentor."""
    workshop = make_workshop(world["group_a"])
    log_in(world["mentor_a"])
    page = client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    assert f'id="attendance-{world["participant_a"].id}"' in page
    assert f'id="attendance-{world["participant_a2"].id}"' in page
    assert f'id="attendance-{world["mentor_a"].id}"' not in page
    assert page.index("Résztvevő Aranka") < page.index("Társ Ágota")


def test_bad_taps_change_nothing(client, world, log_in):
    """The mentor, a non-member, an unknown status: 422 with a Hungarian message."""
    workshop = make_workshop(world["group_a"])
    log_in(world["mentor_a"])
    for user, status in (
        (world["mentor_a"], "present"),
        (world["participant_b"], "present"),
        (world["participant_a"], "maybe"),
    ):
        response = _tap(client, workshop, user, status)
        assert response.status_code == 422
        assert response.headers["HX-Retarget"] == "#messages"
    response = client.post(f"/workshops/{workshop.id}/attendance", data={}, headers=HX)
    assert response.status_code == 422
    assert "nem résztvevője" in response.get_data(as_text=True)
    assert db.session.scalars(select(Attendance)).all() == []


def test_participants_may_not_record(client, world, log_in):
    """A participant gets 403 on their own group's workshop, 404 on another group's."""
    workshop = make_workshop(world["group_a"])
    log_in(world["participant_a"])
    assert _tap(client, workshop, world["participant_a"], "present").status_code == 403
    page = client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    assert "attendance-choices" not in page and "nincs rögzítve" in page
    other = make_workshop(world["group_b"])
    assert _tap(client, other, world["participant_b"], "present").status_code == 404
    assert db.session.scalars(select(Attendance)).all() == []


def test_a_cancelled_workshop_records_no_attendance_until_marked_held(client, world, log_in):
    """A cancelled workshop shows what was recorded, without choices, and says why; a tap or a
    guest sent anyway is refused in Hungarian and changes nothing; marked held after all, it
    takes attendance again."""
    workshop = make_workshop(world["group_a"], status=WorkshopStatus.CANCELLED)
    workshop.cancel_reason = "Betegség"
    db.session.commit()
    aranka = world["participant_a"]
    log_in(world["mentor_a"])
    page = client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    assert 'name="status"' not in page and "Az alkalom elmaradt: jelenlét nem" in page
    assert 'name="institution"' not in page  # no guest form either
    refused = _tap(client, workshop, aranka, "present")
    assert refused.status_code == 422 and "Az alkalom elmaradt" in refused.get_data(as_text=True)
    guest = {"name": "Vendég Vilma", "institution": ""}
    refused = client.post(f"/workshops/{workshop.id}/guests", data=guest, headers=HX)
    assert refused.status_code == 422 and "Az alkalom elmaradt" in refused.get_data(as_text=True)
    assert db.session.scalars(select(Attendance)).all() == []
    assert db.session.scalars(select(Guest)).all() == []
    held = client.post(f"/workshops/{workshop.id}/held", data={"version": str(workshop.version)})
    assert held.status_code == 303
    assert _tap(client, workshop, aranka, "present").status_code == 200
    assert 'name="status"' in client.get(f"/workshops/{workshop.id}").get_data(as_text=True)


def test_guests_are_added_and_removed(client, world, log_in):
    """Guests with a name (required) and an institution; the list fragment comes back."""
    workshop = make_workshop(world["group_a"])
    log_in(world["mentor_a"])
    url = f"/workshops/{workshop.id}/guests"
    response = client.post(url, data={"name": "", "institution": "Könyvtár"}, headers=HX)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Adja meg a vendég nevét." in body and 'value="Könyvtár"' in body
    response = client.post(
        url, data={"name": "Vendég Vilma", "institution": "Könyvtár"}, headers=HX
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<section id="guests"') or 'id="guests"' in body
    assert "Vendég Vilma" in body and "<html" not in body
    guest_id = db.session.scalar(select(Guest.id))
    assert client.post(url, data={"name": "Más Máté"}).status_code == 303
    response = client.post(f"{url}/remove", data={"guest_id": str(guest_id)}, headers=HX)
    assert response.status_code == 200 and "Vendég Vilma" not in response.get_data(as_text=True)
    assert client.post(f"{url}/remove", data={"guest_id": str(guest_id)}).status_code == 303
    other = make_workshop(world["group_b"], date=date(2025, 12, 1))
    db.session.add(Guest(workshop_id=other.id, name="Idegen Ida"))
    db.session.commit()
    foreign = db.session.scalar(select(Guest).where(Guest.name == "Idegen Ida"))
    response = client.post(f"{url}/remove", data={"guest_id": str(foreign.id)}, headers=HX)
    assert response.status_code == 404
    assert [g.name for g in db.session.scalars(select(Guest).order_by(Guest.id))] == [
        "Más Máté",
        "Idegen Ida",
    ]
    client.post("/logout")
    log_in(world["participant_a"])
    assert client.post(url, data={"name": "Titkos"}).status_code == 403


def test_rates_count_present_and_late_over_held_workshops(client, world, log_in):
    """Rates per participant and per workshop; planned and cancelled workshops do not count."""
    group = world["group_a"]
    aranka, agota = world["participant_a"], world["participant_a2"]
    first = make_workshop(group, date=date(2025, 11, 10), topic="Első")
    second = make_workshop(group, date=date(2025, 12, 10), topic="Második")
    cancelled = make_workshop(group, date=date(2026, 1, 10), status=WorkshopStatus.CANCELLED)
    for workshop, a, b in (
        (first, AttendanceStatus.PRESENT, AttendanceStatus.ABSENT),
        (second, AttendanceStatus.LATE, AttendanceStatus.EXCUSED),
        (cancelled, AttendanceStatus.ABSENT, AttendanceStatus.ABSENT),
    ):
        db.session.add_all(
            [
                Attendance(workshop_id=workshop.id, user_id=aranka.id, status=a),
                Attendance(workshop_id=workshop.id, user_id=agota.id, status=b),
            ]
        )
    db.session.flush()
    people = queries.participant_rates(group)
    assert (people[aranka.id].attended, people[aranka.id].recorded) == (2, 2)
    assert people[agota.id].percent == 0
    per_workshop = queries.workshop_rates([first.id, second.id, cancelled.id])
    assert per_workshop[first.id].percent == 50 and cancelled.id not in per_workshop
    log_in(world["participant_a"])
    page = client.get("/groups/alfa").get_data(as_text=True)
    assert "2 / 2 alkalom" in page and "0 / 2 alkalom" in page
    assert "jelenlét: 50\u00a0% (1/2)" in page
    # Who left still counts in the group's rate: listed beside it, said to be a former member,
    # to the mentor (who sees each member's attendance), not to the participants.
    membership = next(m for m in agota.memberships if m.group_id == group.id)
    membership.left_on = date.today() - timedelta(days=1)
    db.session.commit()
    rates = client.get("/groups/alfa").get_data(as_text=True).split('id="attendance-rates"')[1]
    assert "Társ Ágota" not in rates and "Résztvevő Aranka</td>" in rates
    client.post("/logout")
    log_in(world["mentor_a"])
    rates = client.get("/groups/alfa").get_data(as_text=True).split('id="attendance-rates"')[1]
    assert 'Társ Ágota</a> <span class="hint">(korábbi tag)</span>' in rates
    assert "0 / 2 alkalom" in rates
    # A member whose login was disabled is still in the rate: said so.
    aranka.active = False
    db.session.commit()
    rates = client.get("/groups/alfa").get_data(as_text=True).split('id="attendance-rates"')[1]
    assert 'Résztvevő Aranka</a> <span class="hint">(letiltva)</span>' in rates


@contextmanager
def count_queries():
    """Count the SQL statements run inside the block."""
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        """Record one statement."""
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def _grow(group, members: int, workshops: int) -> None:
    """Add participants with attendance at held workshops."""
    made = [
        make_workshop(group, date=date(2025, 11, 1) + timedelta(days=i)) for i in range(workshops)
    ]
    for _ in range(members):
        user = make_user()
        make_membership(user, group, Role.PARTICIPANT)
        for workshop in made:
            db.session.add(
                Attendance(
                    workshop_id=workshop.id, user_id=user.id, status=AttendanceStatus.PRESENT
                )
            )
    db.session.commit()


def _queries_for(client, url: str) -> int:
    """Return how many statements one GET runs."""
    with count_queries() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


@pytest.mark.parametrize("who", ["mentor_a", "participant_a"])
def test_workshop_page_queries_do_not_grow_with_members(client, world, log_in, who):
    """The workshop page with its journal and 30 attendance rows runs as many queries as with 2."""
    from tests.factories import make_journal

    workshop = make_workshop(world["group_a"], date=date(2025, 10, 1))
    make_journal(workshop, world["mentor_a"], {"topic": "Téma", "next_steps": "Lépések"})
    db.session.commit()
    log_in(world[who])
    url = f"/workshops/{workshop.id}"
    _queries_for(client, url)  # warm up
    small = _queries_for(client, url)
    _grow(world["group_a"], members=28, workshops=3)
    for user_id in [r for r in queries.participant_rates(world["group_a"])][:10]:
        db.session.add(Attendance(workshop_id=workshop.id, user_id=user_id, status="present"))
    db.session.add(Guest(workshop_id=workshop.id, name="Vendég"))
    db.session.commit()
    large = _queries_for(client, url)
    page = client.get(url).get_data(as_text=True)
    assert page.count('class="attendance-row"') == 30
    assert large == small, (small, large)
    print(f"workshop page, 30 attendance rows, as {who}: {large} SQL statements")


def test_group_page_queries_do_not_grow(client, world, log_in):
    """The group page runs as many queries with 30 members and 25 workshops as with few."""
    make_workshop(world["group_a"], date=date(2025, 10, 1))
    log_in(world["mentor_a"])
    _queries_for(client, "/groups/alfa")
    small = _queries_for(client, "/groups/alfa")
    _grow(world["group_a"], members=28, workshops=25)
    large = _queries_for(client, "/groups/alfa")
    assert large == small, (small, large)


def test_simultaneous_taps_leave_one_row(app, world):
    """Four taps on one participant at the same moment: all answer 200, one row remains."""
    import threading

    from tests.apps import login

    participant_id = world["participant_a"].id
    clients = [app.test_client() for _ in range(4)]
    for client in clients:
        login(client, world["mentor_a"])
    statuses = ["present", "late", "excused", "absent"]
    for round_ in range(5):
        workshop_id = make_workshop(world["group_a"], date=date(2025, 11, 1 + round_)).id
        db.session.commit()
        barrier = threading.Barrier(len(clients))
        answers: dict[int, int] = {}

        def tap(index, client, barrier=barrier, workshop_id=workshop_id, answers=answers):
            """Wait for the others, then tap."""
            barrier.wait()
            response = client.post(
                f"/workshops/{workshop_id}/attendance",
                data={"user_id": str(participant_id), "status": statuses[index]},
                headers=HX,
            )
            answers[index] = response.status_code

        threads = [threading.Thread(target=tap, args=(i, c)) for i, c in enumerate(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(answers.values()) == [200] * 4, answers
        rows = db.session.scalars(
            select(Attendance).where(Attendance.workshop_id == workshop_id)
        ).all()
        assert len(rows) == 1
        db.session.commit()


def test_the_participants_of_a_workshop_are_the_members_on_its_day(client, world, log_in):
    """Someone who joined after a workshop is on none of its lists and cannot be marked there;
    someone who left after it stays on it (and can still be marked), not on a later one."""
    from journal.reports.sheets import sheet_rows

    group = world["group_a"]
    early = make_workshop(group, date=date(2025, 11, 14), topic="Korai alkalom")
    later = make_workshop(group, date=date(2026, 3, 10), topic="Késői alkalom")
    newcomer = make_user(family_name="Újonnan", given_name="Érkezett")
    make_membership(newcomer, group, joined_on=date(2026, 1, 5))
    leaver = make_user(family_name="Távozó", given_name="Tekla")
    make_membership(leaver, group, left_on=date(2026, 1, 5))
    db.session.commit()

    def names(workshop):
        return {m.user.family_name for m in queries.attendees(workshop)}

    def sheet(workshop):
        return {row.name.split()[0] for row in sheet_rows(workshop, {})}

    assert "Újonnan" not in names(early) and "Távozó" in names(early)
    assert "Újonnan" in names(later) and "Távozó" not in names(later)
    assert sheet(early) == names(early) and sheet(later) == names(later)
    log_in(world["mentor_a"])
    page = client.get(f"/workshops/{early.id}").get_data(as_text=True)
    assert "Távozó Tekla" in page and "Újonnan Érkezett" not in page
    assert "Újonnan Érkezett" not in client.get(f"/workshops/{early.id}/attendance-sheet").get_data(
        as_text=True
    )
    assert _tap(client, early, newcomer, "present").status_code == 422
    assert _tap(client, early, leaver, "present").status_code == 200
    assert _tap(client, later, leaver, "present").status_code == 422
    recorded = db.session.scalars(
        select(Attendance.user_id).where(Attendance.workshop_id == early.id)
    )
    assert set(recorded) == {leaver.id}


def test_a_summary_lists_the_members_of_its_period(client, world, log_in):
    """A group summary of a period leaves out who joined after it and who had left before it."""
    group = world["group_a"]
    make_workshop(group, date=date(2025, 11, 14))
    newcomer = make_user(family_name="Újonnan", given_name="Érkezett")
    make_membership(newcomer, group, joined_on=date(2026, 1, 5))
    gone = make_user(family_name="Régen", given_name="Elment")
    make_membership(gone, group, joined_on=date(2025, 1, 1), left_on=date(2025, 10, 1))
    db.session.commit()
    log_in(world["coordinator"])
    december = client.get("/groups/alfa/summary?from=2025-11&to=2025-12").get_data(as_text=True)
    assert "Újonnan Érkezett" not in december and "Régen Elment" not in december
    assert world["participant_a"].full_name in december
    spring = client.get("/groups/alfa/summary?from=2026-01&to=2026-03").get_data(as_text=True)
    assert "Újonnan Érkezett" in spring
