"""`flask remind`: daily digests of open tasks, mailed through a real SMTP server (aiosmtpd)."""

import logging
from datetime import timedelta

import pytest
from sqlalchemy import event

from journal.extensions import db
from journal.models import (
    Attendance,
    AttendanceStatus,
    JournalStatus,
    Role,
    WorkshopStatus,
    local_today,
)
from journal.tasks import TaskKind, open_tasks, task_counts
from tests.factories import make_journal, make_membership, make_workshop
from tests.mailbox import PUBLIC_URL, Inbox, mail_text, serve


@pytest.fixture
def tasks(world):
    """Open tasks in group alfa (a late journal, a draft, a workshop left open, attendance
    not recorded); none in beta (its one past workshop is held, recorded, its journal final)."""
    today = local_today()
    late = make_workshop(world["group_a"], date=today - timedelta(days=10), topic="Késő napló")
    draft = make_workshop(world["group_a"], date=today - timedelta(days=2), topic="Friss alkalom")
    make_journal(draft, world["mentor_a"])
    db.session.add(
        Attendance(
            workshop=draft, user_id=world["participant_a"].id, status=AttendanceStatus.PRESENT
        )
    )
    unclosed = make_workshop(
        world["group_a"],
        date=today - timedelta(days=4),
        topic="Nyitva maradt alkalom",
        status=WorkshopStatus.PLANNED,
    )
    make_workshop(world["group_a"], date=today + timedelta(days=3), status=WorkshopStatus.PLANNED)
    done = make_workshop(world["group_b"], date=today - timedelta(days=5), topic="Kész alkalom")
    make_journal(done, world["mentor_b"], status=JournalStatus.FINAL)
    db.session.add(
        Attendance(
            workshop=done, user_id=world["participant_b"].id, status=AttendanceStatus.PRESENT
        )
    )
    db.session.commit()
    return {"late": late, "draft": draft, "unclosed": unclosed, "done": done}


def test_open_tasks_cost_a_fixed_number_of_queries(app, world, tasks):
    """A mentor's tasks: late journal (overdue), draft journal, unclosed, attendance; in two
    queries however many workshops there are."""

    today = local_today()
    for day in range(20, 40):
        make_workshop(world["group_a"], date=today - timedelta(days=day), topic=f"Régi {day}")
    db.session.commit()
    mentor = world["mentor_a"]
    assert mentor.id  # loaded again after the commit, before counting
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        found = open_tasks(mentor, today)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len([s for s in statements if s.startswith("SELECT")]) == 2
    mine = [(t.kind, t.workshop_id, t.overdue) for t in found if t.day >= today - timedelta(10)]
    assert mine == [
        (TaskKind.JOURNAL, tasks["late"].id, True),
        (TaskKind.ATTENDANCE, tasks["late"].id, False),
        (TaskKind.UNCLOSED, tasks["unclosed"].id, False),
        (TaskKind.JOURNAL, tasks["draft"].id, False),
    ]
    assert open_tasks(world["mentor_b"], today) == []
    counts = task_counts([world["group_a"].id, world["group_b"].id], today)
    assert counts[world["group_b"].id].total == 0
    alfa = counts[world["group_a"].id]
    assert (alfa.journals, alfa.overdue_journals, alfa.unclosed, alfa.attendance) == (22, 21, 1, 21)


def test_each_mentor_with_open_tasks_gets_the_right_digest(app, runner, world, tasks, inbox):
    """Mentor alfa gets her tasks with days, due state and absolute links; mentor beta, with
    nothing open, gets nothing; the coordinator gets the program's counts per group."""
    result = runner.invoke(args=["remind"])
    assert result.exit_code == 0, result.output
    assert "Reminders sent: 2, failed: 0." in result.output
    assert inbox.to(world["mentor_b"].email) == []
    (mail,) = inbox.to(world["mentor_a"].email)
    assert mail["Subject"] == "Emlékeztető: nyitott feladatok a Műhelynaplóban"
    body = mail_text(mail)
    late, draft, unclosed = tasks["late"].id, tasks["draft"].id, tasks["unclosed"].id
    assert "Kedves Mentor Aladár!" in body
    assert "Alfa csoport: Késő napló" in body and "10 napja – lejárt a 7 napos határidő" in body
    assert "Friss alkalom" in body and "2 napja – határidő: az alkalom után 7 nap" in body
    assert "Lezáratlan alkalmak" in body and "Nyitva maradt alkalom" in body
    assert f"{PUBLIC_URL}/workshops/{late}/journal\n" in body
    assert f"{PUBLIC_URL}/workshops/{draft}/journal\n" in body
    assert f"{PUBLIC_URL}/workshops/{unclosed}\n" in body
    assert f"{PUBLIC_URL}/workshops/{late}#attendance\n" in body
    assert "Kész alkalom" not in body and "Béta" not in body
    (digest,) = inbox.to(world["coordinator"].email)
    text = mail_text(digest)
    assert "Alfa csoport: hiányzó vagy piszkozat napló: 2 (ebből határidőn túl: 1)" in text
    assert "lezáratlan alkalom: 1 · rögzítetlen jelenlét: 1" in text
    assert "Béta csoport: hiányzó vagy piszkozat napló: 0" in text
    assert f"{PUBLIC_URL}/groups/alfa\n" in text
    for person in ("mentor_a", "coordinator"):
        db.session.refresh(world[person])
        assert world[person].reminded_on == local_today()
    db.session.refresh(world["mentor_b"])
    assert world["mentor_b"].reminded_on is None


def test_the_coordinator_who_mentors_gets_one_mail_with_both(app, runner, world, tasks, inbox):
    """One person, two roles: her own tasks and the program's counts in one digest a day."""
    coordinator = world["coordinator"]
    world["mentor_a"].active = False  # so alfa's tasks are hers alone
    make_membership(coordinator, world["group_a"], Role.MENTOR)
    db.session.commit()
    result = runner.invoke(args=["remind"])
    assert "Reminders sent: 1, failed: 0." in result.output
    (mail,) = inbox.messages
    assert mail["To"] == coordinator.email
    body = mail_text(mail)
    assert "Nyitott feladatai a Műhelynaplóban" in body and "Késő napló" in body
    assert "A program csoportjainak nyitott feladatai:" in body


def test_a_mentor_reads_the_digest_in_her_language(app, runner, world, tasks, inbox):
    """The digest is in the mentor's language, whoever runs the command."""
    world["mentor_a"].language = "en"
    db.session.commit()
    assert runner.invoke(args=["remind"]).exit_code == 0
    (mail,) = inbox.to(world["mentor_a"].email)
    assert mail["Subject"] == "Reminder: open tasks in Műhelynapló"
    assert "10 days ago – past the 7-day deadline" in mail_text(mail)


def test_run_twice_in_a_day_sends_nothing_new(app, runner, world, tasks, inbox):
    """The second run of the day sends nothing; the next day's run sends again."""
    assert "Reminders sent: 2" in runner.invoke(args=["remind"]).output
    second = runner.invoke(args=["remind"])
    assert second.exit_code == 0 and "Reminders sent: 0, failed: 0." in second.output
    assert len(inbox.messages) == 2
    for person in ("mentor_a", "coordinator"):
        world[person].reminded_on = local_today() - timedelta(days=1)
    db.session.commit()
    assert "Reminders sent: 2" in runner.invoke(args=["remind"]).output
    assert len(inbox.messages) == 4


def test_without_mail_server_it_prints_and_changes_nothing(app, runner, world, tasks):
    """No MAIL_SERVER: each digest is printed, exit 0, nobody is marked reminded."""
    app.config.update(MAIL_SERVER=None, PUBLIC_URL=PUBLIC_URL)
    result = runner.invoke(args=["remind"])
    assert result.exit_code == 0, result.output
    assert f"To: {world['mentor_a'].email}" in result.output
    assert f"{PUBLIC_URL}/workshops/{tasks['late'].id}/journal" in result.output
    assert f"To: {world['mentor_b'].email}" not in result.output
    assert "MAIL_SERVER is not set: 2 reminders printed, none sent." in result.output
    for person in ("mentor_a", "coordinator"):
        db.session.refresh(world[person])
        assert world[person].reminded_on is None


@pytest.mark.parametrize("server", ["refusing", "down"])
def test_a_refusing_server_is_logged_and_nothing_marked_sent(
    app, runner, world, tasks, caplog, server
):
    """A server that refuses the recipients, or none listening: logged, exit 0 with the count
    of failures, nobody marked, so the next run tries again."""
    handler = Inbox(refuse=True)
    controller = serve(app, handler)
    if server == "down":
        controller.stop()
    try:
        with caplog.at_level(logging.WARNING, logger="journal.mail"):
            result = runner.invoke(args=["remind"])
    finally:
        if server == "refusing":
            controller.stop()
    assert result.exit_code == 0, result.output
    assert "Reminders sent: 0, failed: 2." in result.output
    assert handler.messages == []
    warnings = [r.getMessage() for r in caplog.records if r.name == "journal.mail"]
    assert len(warnings) == 2 and all("could not be sent" in w for w in warnings)
    assert world["mentor_a"].email not in " ".join(warnings)
    for person in ("mentor_a", "coordinator"):
        db.session.refresh(world[person])
        assert world[person].reminded_on is None


# --- The coordinator's button: one mentor, now ------------------------------------------------


def test_coordinator_previews_and_sends_one_mentor_a_reminder(client, world, tasks, inbox, log_in):
    """The group page links the preview; it shows the mentor's text; the POST mails exactly
    that to her alone and marks her reminded today (so the daily run skips her)."""
    mentor = world["mentor_a"]
    log_in(world["coordinator"])
    # She also mentors the group: her own name gets no reminder link (she reads her tasks).
    make_membership(world["coordinator"], world["group_a"], Role.MENTOR)
    db.session.commit()
    group_page = client.get("/groups/alfa").get_data(as_text=True)
    assert f"/people/{mentor.id}/reminder" in group_page and "Emlékeztető küldése" in group_page
    assert f"/people/{world['coordinator'].id}/reminder" not in group_page
    preview = client.get(f"/people/{mentor.id}/reminder")
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert "Késő napló" in html and "10 napja – lejárt a 7 napos határidő" in html
    assert f"{PUBLIC_URL}/workshops/{tasks['late'].id}/journal" in html
    response = client.post(f"/people/{mentor.id}/reminder")
    assert response.status_code == 303
    (mail,) = inbox.messages
    assert mail["To"] == mentor.email and "Késő napló" in mail_text(mail)
    assert "A program csoportjainak" not in mail_text(mail)  # her own tasks, not the program's
    db.session.refresh(mentor)
    assert mentor.reminded_on == local_today()
    page = client.get(response.location).get_data(as_text=True)
    assert f"Emlékeztető elküldve: {mentor.email}" in page


def test_nothing_is_sent_to_a_mentor_without_open_tasks(client, world, tasks, inbox, log_in):
    """A mentor with nothing open: the preview says so and has no button; a POST sends nothing."""
    mentor = world["mentor_b"]
    log_in(world["coordinator"])
    html = client.get(f"/people/{mentor.id}/reminder").get_data(as_text=True)
    assert "Nincs nyitott feladata, nincs mit küldeni: Mentor Béla." in html
    assert 'method="post" action="/people/' not in html
    assert client.post(f"/people/{mentor.id}/reminder").status_code == 303
    assert inbox.messages == []
    db.session.refresh(mentor)
    assert mentor.reminded_on is None


def test_only_the_coordinator_sends_reminders(client, world, tasks, inbox, log_in):
    """A mentor sees no button and may neither preview nor send (403); nothing is mailed."""
    log_in(world["mentor_a"])
    assert "Emlékeztető küldése" not in client.get("/groups/alfa").get_data(as_text=True)
    target = world["mentor_a"].id
    assert client.get(f"/people/{target}/reminder").status_code == 403
    assert client.post(f"/people/{target}/reminder").status_code == 403
    assert inbox.messages == []


def test_the_preview_is_in_the_mentors_language_and_the_page_in_the_coordinators(
    client, world, tasks, log_in
):
    """An English-speaking mentor's text is previewed in English on a Hungarian page."""
    world["mentor_a"].language = "en"
    db.session.commit()
    log_in(world["coordinator"])
    html = client.get(f"/people/{world['mentor_a'].id}/reminder").get_data(as_text=True)
    assert "10 days ago – past the 7-day deadline" in html
    assert "Így kapja meg" in html and "Kijelentkezés" in html
