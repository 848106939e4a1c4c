"""Workshops: planning, editing with version checks, cancelling, and the group page lists."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from journal.extensions import db
from journal.models import Workshop, WorkshopStatus, local_today
from tests.factories import make_workshop

HX = {"HX-Request": "true"}


def _form(**kw) -> dict:
    """Return a valid workshop form, with overrides."""
    return {
        "date": "2026-03-12",
        "start_time": "14:00",
        "end_time": "17:00",
        "place": "Művelődési Ház, Tata",
        "topic": "Világkávézó a helyi értékekről",
        "agenda": "Ráhangolódás\nKiscsoportok",
        "methods": "világkávézó\n\n  esetmegbeszélés  \n",
    } | kw


def test_mentor_plans_a_workshop(client, world, log_in):
    """The mentor's new workshop is saved as planned, methods one per line."""
    log_in(world["mentor_a"])
    response = client.post("/groups/alfa/workshops/new", data=_form())
    assert response.status_code == 303
    workshop = db.session.scalar(select(Workshop))
    assert response.headers["Location"].endswith(f"/workshops/{workshop.id}")
    assert workshop.status == WorkshopStatus.PLANNED
    assert workshop.method_list == ["világkávézó", "esetmegbeszélés"]
    assert workshop.group_id == world["group_a"].id
    page = client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    assert "Világkávézó a helyi értékekről" in page
    assert "2026. március 12." in page and "14:00–17:00" in page
    assert 'id="journal"' in page


def test_coordinator_plans_and_participant_may_not(client, world, log_in):
    """The coordinator may plan in any group; a participant gets 403, an outsider 404."""
    log_in(world["coordinator"])
    assert client.post("/groups/beta/workshops/new", data=_form()).status_code == 303
    client.post("/logout")
    log_in(world["participant_a"])
    assert client.get("/groups/alfa/workshops/new").status_code == 403
    assert client.post("/groups/alfa/workshops/new", data=_form()).status_code == 403
    assert client.post("/groups/beta/workshops/new", data=_form()).status_code == 404
    assert db.session.scalar(select(db.func.count()).select_from(Workshop)) == 1


def test_validation_is_hungarian_and_keeps_the_input(client, world, log_in):
    """End before start, a missing topic and a bad date answer 422 with the values kept."""
    log_in(world["mentor_a"])
    response = client.post(
        "/groups/alfa/workshops/new",
        data=_form(end_time="13:00", topic="", place="Megtartott hely"),
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "A befejezésnek a kezdés után kell lennie." in body
    assert "Adja meg az alkalom témáját." in body
    assert 'value="Megtartott hely"' in body
    assert 'role="alert">Kérjük, javítsa a jelölt mezőket' in body  # a summary above the form
    response = client.post("/groups/alfa/workshops/new", data=_form(date="", topic="x" * 201))
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Adja meg a dátumot." in body
    assert "Legfeljebb 200 karakter lehet; ez 201 karakter." in body
    response = client.post("/groups/alfa/workshops/new", data=_form(date="tegnap"))
    assert "Ez nem érvényes dátum" in response.get_data(as_text=True)
    response = client.post(
        "/groups/alfa/workshops/new", data=_form(start_time="", end_time="12:00")
    )
    assert "Befejezéshez adja meg a kezdés idejét is." in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count()).select_from(Workshop)) == 0


def test_edit_saves_and_bumps_the_version(client, world, log_in):
    """An edit from the current version is saved and the version grows."""
    workshop = make_workshop(world["group_a"], status=WorkshopStatus.PLANNED)
    log_in(world["mentor_a"])
    form = client.get(f"/workshops/{workshop.id}/edit").get_data(as_text=True)
    assert 'name="version"' in form and 'value="1"' in form
    response = client.post(
        f"/workshops/{workshop.id}/edit", data=_form(version="1", topic="Új téma")
    )
    assert response.status_code == 303
    db.session.refresh(workshop)
    assert (workshop.topic, workshop.version) == ("Új téma", 2)


def test_stale_edit_answers_409_and_overwrites_nothing(client, world, log_in):
    """A save based on an old version keeps the user's values and shows the other's save."""
    workshop = make_workshop(world["group_a"], status=WorkshopStatus.PLANNED, topic="Eredeti")
    log_in(world["coordinator"])
    client.post(f"/workshops/{workshop.id}/edit", data=_form(version="1", topic="A koordinátoré"))
    client.post("/logout")
    log_in(world["mentor_a"])
    response = client.post(
        f"/workshops/{workshop.id}/edit", data=_form(version="1", topic="A mentoré")
    )
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "Valaki más közben módosította" in body
    assert 'value="A mentoré"' in body  # the user's text comes back
    assert "<strong>Téma:</strong> A koordinátoré" in body  # and what the other person saved
    assert 'name="version" type="hidden" value="2"' in body
    db.session.refresh(workshop)
    assert (workshop.topic, workshop.version) == ("A koordinátoré", 2)
    # Saving again from the form (now at version 2) is a deliberate overwrite.
    response = client.post(
        f"/workshops/{workshop.id}/edit", data=_form(version="2", topic="A mentoré")
    )
    assert response.status_code == 303
    db.session.refresh(workshop)
    assert workshop.topic == "A mentoré"


def test_edit_without_version_is_refused(client, world, log_in):
    """A form without its version changes nothing."""
    workshop = make_workshop(world["group_a"], topic="Eredeti")
    log_in(world["mentor_a"])
    response = client.post(f"/workshops/{workshop.id}/edit", data=_form(topic="Más"))
    assert response.status_code == 422
    db.session.refresh(workshop)
    assert workshop.topic == "Eredeti"


def test_cancel_with_reason_then_mark_held(client, world, log_in):
    """Cancelling needs a reason; marking held clears it; both check the version."""
    workshop = make_workshop(world["group_a"], status=WorkshopStatus.PLANNED)
    ahead = make_workshop(
        world["group_a"], date=local_today() + timedelta(days=7), status=WorkshopStatus.PLANNED
    )
    log_in(world["mentor_a"])
    # A planned workshop's blank sheet is there to print before its day.
    sheet_ahead = f"/workshops/{ahead.id}/attendance-sheet.pdf"
    assert sheet_ahead in client.get(f"/workshops/{ahead.id}").get_data(as_text=True)
    response = client.post(f"/workshops/{workshop.id}/cancel", data={"version": "1"})
    assert response.status_code == 422
    assert "Írja meg, miért marad el az alkalom." in response.get_data(as_text=True)
    response = client.post(
        f"/workshops/{workshop.id}/cancel", data={"version": "1", "reason": "Hóvihar"}
    )
    assert response.status_code == 303
    db.session.refresh(workshop)
    assert workshop.status == WorkshopStatus.CANCELLED and workshop.cancel_reason == "Hóvihar"
    assert "Hóvihar" in client.get("/groups/alfa").get_data(as_text=True)
    # No attendance sheet is offered for a workshop that did not take place.
    sheet = f"/workshops/{workshop.id}/attendance-sheet.pdf"
    assert sheet not in client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    stale = client.post(f"/workshops/{workshop.id}/held", data={"version": "1"})
    assert stale.status_code == 303  # refused: the page shows why
    db.session.refresh(workshop)
    assert workshop.status == WorkshopStatus.CANCELLED
    stale_htmx = client.post(f"/workshops/{workshop.id}/held", data={"version": "1"}, headers=HX)
    assert stale_htmx.status_code == 409
    assert "Valaki más közben" in stale_htmx.get_data(as_text=True)
    response = client.post(f"/workshops/{workshop.id}/held", data={"version": "2"})
    assert response.status_code == 303
    db.session.refresh(workshop)
    assert workshop.status == WorkshopStatus.HELD and workshop.cancel_reason == ""
    assert sheet in client.get(f"/workshops/{workshop.id}").get_data(as_text=True)


def test_cancelling_a_held_workshop_with_records_asks_first(client, world, log_in):
    """A held workshop with attendance or a journal is not cancelled at the first press: the
    page says what would leave the summaries, keeps the reason typed and changes nothing; the
    confirming press cancels it. A held one with nothing recorded is cancelled at once."""
    from journal.models import AttendanceStatus
    from journal.workshops.operations import set_attendance
    from tests.factories import make_journal

    workshop = make_workshop(world["group_a"])
    member = next(m for m in world["group_a"].memberships if m.user == world["participant_a"])
    set_attendance(world["mentor_a"], workshop, member, AttendanceStatus.PRESENT)
    make_journal(workshop, world["mentor_a"], {"topic": "Téma"})
    db.session.commit()
    log_in(world["mentor_a"])
    form = {"version": str(workshop.version), "reason": "Mégsem volt meg, tévedés"}
    response = client.post(f"/workshops/{workshop.id}/cancel", data=form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "rögzített jelenlét: 1 fő; a napló piszkozat" in html
    assert "Mégsem volt meg, tévedés" in html and 'name="drop_records" value="1"' in html
    db.session.refresh(workshop)
    assert workshop.status == WorkshopStatus.HELD
    response = client.post(f"/workshops/{workshop.id}/cancel", data=form | {"drop_records": "1"})
    assert response.status_code == 303
    db.session.refresh(workshop)
    assert workshop.status == WorkshopStatus.CANCELLED
    assert workshop.cancel_reason == "Mégsem volt meg, tévedés"

    empty = make_workshop(world["group_a"], topic="Üres alkalom")
    response = client.post(f"/workshops/{empty.id}/cancel", data=form | {"version": "1"})
    assert response.status_code == 303
    db.session.refresh(empty)
    assert empty.status == WorkshopStatus.CANCELLED


def test_participant_sees_but_does_not_manage(client, world, log_in):
    """Participants see the workshop without edit buttons and get 403 on every change."""
    workshop = make_workshop(world["group_a"])
    log_in(world["participant_a"])
    page = client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    assert "Közösségi terek a településen" in page
    assert "Szerkesztés" not in page and "Elmarad" not in page
    assert client.get(f"/workshops/{workshop.id}/edit").status_code == 403
    assert client.post(f"/workshops/{workshop.id}/cancel", data={"reason": "x"}).status_code == 403
    assert client.post(f"/workshops/{workshop.id}/held", data={"version": "1"}).status_code == 403
    other = make_workshop(world["group_b"])
    assert client.get(f"/workshops/{other.id}").status_code == 404
    assert client.get("/workshops/99999").status_code == 404


def test_group_page_lists_upcoming_soonest_first_and_past_newest_first(client, world, log_in):
    """Upcoming workshops soonest first, past ones newest first, in 20s with page links."""
    today = local_today()
    group = world["group_a"]
    for days in (30, 5, 12):
        make_workshop(
            group,
            date=today + timedelta(days=days),
            topic=f"Jövő {days}",
            status=WorkshopStatus.PLANNED,
        )
    for n in range(1, 26):
        make_workshop(group, date=today - timedelta(days=n), topic=f"Múlt-{n:02d}")
    log_in(world["participant_a"])
    page = client.get("/groups/alfa").get_data(as_text=True)
    assert page.index("Jövő 5") < page.index("Jövő 12") < page.index("Jövő 30")
    assert page.index("Múlt-01") < page.index("Múlt-02") < page.index("Múlt-20")
    assert "Múlt-21" not in page
    assert "/groups/alfa?page=2#workshops" in page
    assert "Új alkalom" not in page
    second = client.get("/groups/alfa?page=2").get_data(as_text=True)
    assert "Múlt-21" in second and "Múlt-25" in second and "Múlt-20" not in second
    assert "/groups/alfa?page=1#workshops" in second
    # Out-of-range and malformed page numbers fall back to a real page.
    assert "Múlt-21" in client.get("/groups/alfa?page=99").get_data(as_text=True)
    assert "Múlt-01" in client.get("/groups/alfa?page=abc").get_data(as_text=True)


def test_mentor_sees_the_new_workshop_button(client, world, log_in):
    """The mentor gets the planning button on the group page."""
    log_in(world["mentor_a"])
    assert "/groups/alfa/workshops/new" in client.get("/groups/alfa").get_data(as_text=True)


def test_racing_edits_one_wins_the_other_gets_409(app, world):
    """Two saves from the same version at the same moment: one is stored, the other is 409."""
    import threading

    from tests.apps import login

    workshop_id = make_workshop(world["group_a"], status=WorkshopStatus.PLANNED).id
    db.session.commit()
    editors = {"mentor": world["mentor_a"], "coordinator": world["coordinator"]}
    clients = {}
    for name, user in editors.items():
        clients[name] = app.test_client()
        login(clients[name], user)
    for round_ in range(10):
        version = db.session.get(Workshop, workshop_id).version
        db.session.commit()
        barrier = threading.Barrier(2)
        results: dict[str, int] = {}

        def save(name, barrier=barrier, version=version, round_=round_, results=results):
            """Wait for the other editor, then save."""
            barrier.wait()
            response = clients[name].post(
                f"/workshops/{workshop_id}/edit",
                data=_form(version=str(version), topic=f"{name} {round_}"),
            )
            results[name] = response.status_code

        threads = [threading.Thread(target=save, args=(name,)) for name in editors]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(results.values()) == [303, 409], results
        winner = next(name for name, status in results.items() if status == 303)
        db.session.expire_all()
        stored = db.session.get(Workshop, workshop_id)
        assert (stored.topic, stored.version) == (f"{winner} {round_}", version + 1)
        db.session.commit()


def test_new_workshop_suggests_the_last_next_steps(client, world, log_in):
    """The last journal's "next steps" prefill the agenda when the group may read them."""
    from journal.models import JournalSection, Visibility
    from tests.factories import make_journal

    journal = make_journal(
        make_workshop(world["group_a"]),
        world["mentor_a"],
        {"next_steps": "Mindenki hoz egy **helyi értéket**."},
    )
    db.session.commit()
    log_in(world["mentor_a"])
    page = client.get("/groups/alfa/workshops/new").get_data(as_text=True)
    assert "<strong>helyi értéket</strong>" in page
    assert "Mindenki hoz egy **helyi értéket**.</textarea>" not in page  # coordination only
    section = db.session.scalar(
        select(JournalSection).where(
            JournalSection.journal_id == journal.id, JournalSection.key == "next_steps"
        )
    )
    section.visibility = Visibility.GROUP
    db.session.commit()
    page = client.get("/groups/alfa/workshops/new").get_data(as_text=True)
    assert "Mindenki hoz egy **helyi értéket**.</textarea>" in page
    assert "helyi értéket" not in client.get("/groups/beta/workshops/new").get_data(as_text=True)


def test_a_workshop_before_its_day_cannot_be_held_or_have_attendance(client, world, log_in):
    """Before its day a workshop offers neither "held" nor attendance buttons, and a request
    for either is refused with the reason and changes nothing; on its day both work."""
    from journal.models import Attendance, Guest, Membership

    tomorrow = local_today() + timedelta(days=1)
    workshop = make_workshop(world["group_a"], date=tomorrow, status=WorkshopStatus.PLANNED)
    participant = world["participant_a"]
    db.session.commit()
    log_in(world["mentor_a"])
    page = client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    assert "Megtartottként jelölöm" not in page
    assert "A jelenlétet az alkalom napjától lehet rögzíteni." in page
    assert f'action="/workshops/{workshop.id}/attendance"' not in page
    tap = {"user_id": str(participant.id), "status": "present"}
    for headers in ({}, HX):
        held = client.post(f"/workshops/{workshop.id}/held", data={"version": "1"}, headers=headers)
        tapped = client.post(f"/workshops/{workshop.id}/attendance", data=tap, headers=headers)
        if headers:
            assert held.status_code == tapped.status_code == 422
            for response in (held, tapped):
                assert "Az alkalom napja még nem jött el" in response.get_data(as_text=True)
        else:
            assert held.status_code == tapped.status_code == 303
            shown = client.get(held.headers["Location"]).get_data(as_text=True)
            assert "Az alkalom napja még nem jött el" in shown
    guest = client.post(f"/workshops/{workshop.id}/guests", data={"name": "Korai"}, headers=HX)
    assert guest.status_code == 422
    assert "Az alkalom napja még nem jött el" in guest.get_data(as_text=True)
    db.session.refresh(workshop)
    assert workshop.status == WorkshopStatus.PLANNED and workshop.version == 1
    assert (
        db.session.scalar(select(Attendance).where(Attendance.workshop_id == workshop.id)) is None
    )
    assert db.session.scalar(select(Guest).where(Guest.workshop_id == workshop.id)) is None

    workshop.date = local_today()
    membership = db.session.scalar(select(Membership).where(Membership.user_id == participant.id))
    membership.joined_on = local_today()
    db.session.commit()
    page = client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    assert "Megtartottként jelölöm" in page
    assert (
        client.post(f"/workshops/{workshop.id}/attendance", data=tap, headers=HX).status_code == 200
    )
    version = str(workshop.version)
    assert (
        client.post(f"/workshops/{workshop.id}/held", data={"version": version}).status_code == 303
    )
    db.session.refresh(workshop)
    assert workshop.status == WorkshopStatus.HELD


def test_a_year_that_can_only_be_a_typo_is_refused(client, world, log_in):
    """A workshop in 1900 or in 9999 is refused at the date field, the text kept."""
    log_in(world["mentor_a"])
    count = db.session.scalar(select(db.func.count()).select_from(Workshop))
    far = (local_today() + timedelta(days=800)).isoformat()
    for typed in ("1900-01-01", "9999-12-31", far):
        response = client.post("/groups/alfa/workshops/new", data=_form(date=typed))
        assert response.status_code == 422, typed
        html = response.get_data(as_text=True)
        assert "Ellenőrizze az évszámot" in html and "Világkávézó a helyi értékekről" in html
    assert db.session.scalar(select(db.func.count()).select_from(Workshop)) == count
    near = (local_today() + timedelta(days=300)).isoformat()
    # Past the test program's end: saved once the widening of its period is confirmed.
    confirmed = _form(date=near) | {"widen_period": "1"}
    assert client.post("/groups/alfa/workshops/new", data=confirmed).status_code == 303


def test_a_held_workshop_cannot_move_to_a_future_day(client, world, log_in):
    """Editing a held workshop to a day after today is refused at the date, the rest kept."""
    workshop = make_workshop(world["group_a"], date=local_today() - timedelta(days=3))
    db.session.commit()
    log_in(world["mentor_a"])
    future = (local_today() + timedelta(days=5)).isoformat()
    response = client.post(
        f"/workshops/{workshop.id}/edit", data=_form(date=future, version=str(workshop.version))
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Megtartott, jelenléttel vagy vendéggel rögzített alkalom napja" in html
    assert "Világkávézó a helyi értékekről" in html
    db.session.refresh(workshop)
    assert workshop.date == local_today() - timedelta(days=3)
    planned = make_workshop(world["group_a"], status=WorkshopStatus.PLANNED)
    db.session.commit()
    # (Confirming the widening of the test program's period, which may have ended by today.)
    response = client.post(
        f"/workshops/{planned.id}/edit",
        data=_form(date=future, version=str(planned.version), widen_period="1"),
    )
    assert response.status_code == 303  # a planned workshop may move ahead
    # ... unless attendance or a guest is recorded for it.
    from journal.models import Guest

    recorded = make_workshop(
        world["group_a"], date=local_today() - timedelta(days=3), status=WorkshopStatus.PLANNED
    )
    db.session.add(Guest(workshop_id=recorded.id, name="Vendég Vilma", institution=""))
    db.session.commit()
    response = client.post(
        f"/workshops/{recorded.id}/edit", data=_form(date=future, version=str(recorded.version))
    )
    assert response.status_code == 422
    db.session.refresh(recorded)
    assert recorded.date == local_today() - timedelta(days=3)


def _clock_at(monkeypatch, instant: datetime) -> None:
    """Make the app's clock (journal.models: utcnow, local_today) read a fixed instant."""

    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):
            return instant.astimezone(tz) if tz else instant.replace(tzinfo=None)

    monkeypatch.setattr("journal.models.datetime", Clock)


def test_the_day_turns_at_midnight_in_budapest_not_on_the_server(
    client, world, log_in, monkeypatch
):
    """At 21:30 UTC (22:30 in Budapest) a workshop of the next day is not yet held; at 23:30 UTC
    it is already that day in Budapest, though a server on UTC still says the day before."""
    day = date(2030, 3, 11)
    workshop = make_workshop(world["group_a"], date=day, status=WorkshopStatus.PLANNED)
    db.session.commit()
    log_in(world["mentor_a"])
    _clock_at(monkeypatch, datetime(2030, 3, 10, 21, 30, tzinfo=UTC))
    assert local_today() == date(2030, 3, 10)
    refused = client.post(f"/workshops/{workshop.id}/held", data={"version": "1"}, headers=HX)
    assert refused.status_code == 422
    _clock_at(monkeypatch, datetime(2030, 3, 10, 23, 30, tzinfo=UTC))
    assert local_today() == day
    held = client.post(f"/workshops/{workshop.id}/held", data={"version": "1"})
    assert held.status_code == 303
    db.session.refresh(workshop)
    assert workshop.status == WorkshopStatus.HELD
