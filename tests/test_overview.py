"""The home page as the coordinator's desk: each group's open tasks with their delay, the last
and next workshop, the most shared difficulties (never a name or a restricted text), what
changed since the last visit, a mentor's own tasks, and a constant number of queries."""

import re
from datetime import timedelta

from journal.extensions import db
from journal.models import (
    Attendance,
    AttendanceStatus,
    JournalStatus,
    Note,
    NoteKind,
    Reaction,
    Role,
    Visibility,
    WorkshopStatus,
    local_today,
    utcnow,
)
from journal.workshops.forms import REASON_MAX
from tests.factories import make_group, make_journal, make_membership, make_user, make_workshop
from tests.test_attendance import count_queries

PLANNED = WorkshopStatus.PLANNED


def _day(offset: int):
    """Return the program's day `offset` days from today."""
    return local_today() + timedelta(days=offset)


def _alfa_program(world) -> dict:
    """Give group alfa one workshop of each kind the overview tells apart."""
    group = world["group_a"]
    done = make_workshop(group, date=_day(-30), topic="Kész alkalom")
    make_journal(done, world["mentor_a"], {"topic": "Kész"}, status=JournalStatus.FINAL)
    db.session.add(
        Attendance(workshop=done, user=world["participant_a"], status=AttendanceStatus.PRESENT)
    )
    workshops = {
        "done": done,
        "forgotten": make_workshop(group, date=_day(-40), topic="Rég elfelejtett napló"),
        "recent": make_workshop(group, date=_day(-3), topic="Friss alkalom"),
        "overdue": make_workshop(group, date=_day(-9), topic="Lezáratlan alkalom", status=PLANNED),
        "next": make_workshop(group, date=_day(12), topic="Következő alkalom", status=PLANNED),
        "later": make_workshop(group, date=_day(40), topic="Későbbi alkalom", status=PLANNED),
    }
    draft = make_workshop(group, date=_day(-20), topic="Piszkozat naplóval")
    make_journal(draft, world["mentor_a"], {"topic": "Félkész"})
    workshops["draft"] = draft
    db.session.commit()
    return workshops


def _row(page: str, group_name: str) -> str:
    """Return the overview table's row of a group."""
    return re.search(rf"<tr>\s*<th scope=\"row\"><a [^>]*>{group_name}</a>.*?</tr>", page, re.S)[0]


def test_each_group_row_counts_what_is_open_and_links_to_exactly_it(client, world, log_in):
    """The coordinator's row of a group: the last and next workshop, and the open tasks with
    the oldest one's delay, each figure linking to a list of exactly what it counts."""
    w = _alfa_program(world)
    log_in(world["coordinator"])
    page = client.get("/").get_data(as_text=True)
    # Each column is named as its figure's list is (and as a phone's card labels it).
    head = page[page.index("<thead>") : page.index("</thead>")]
    assert "Rögzítetlen jelenlét" in head and "Nincs jelenlét" not in head
    row = _row(page, "Alfa csoport")
    assert f'/workshops/{w["recent"].id}"' in row and f'/workshops/{w["next"].id}"' in row
    assert f'/workshops/{w["later"].id}"' not in row and f'/workshops/{w["done"].id}"' not in row
    overdue = re.search(r'href="(/groups/alfa/tasks/unclosed)">1</a>', row)
    journals = re.search(r'href="(/groups/alfa/tasks/journal)">3<span', row)
    assert overdue and journals, row
    assert "(40 napja)" in row  # the journal missing for the longest
    listed = client.get(journals[1]).get_data(as_text=True)
    topics = re.findall(r'<h2><a href="/workshops/\d+">([^<]+)</a></h2>', listed)
    assert topics == ["Rég elfelejtett napló", "Piszkozat naplóval", "Friss alkalom"]
    assert "40 napja" in listed and "20 napja" in listed and "3 napja" in listed
    beta = _row(client.get("/").get_data(as_text=True), "Béta csoport")
    assert "/tasks/" not in beta and "nincs kitűzve" in beta
    # Red only when late: a journal within its due days (7) is due, not late.
    late = '"figure late" href="/groups/alfa/tasks/journal">3<span class="visually-hidden"> ('
    assert late + "lejárt)" in row
    make_workshop(world["group_b"], date=_day(-2), topic="Tegnapelőtti alkalom")
    db.session.commit()
    beta = _row(client.get("/").get_data(as_text=True), "Béta csoport")
    assert 'class="figure" href="/groups/beta/tasks/journal">1</a>' in beta


def test_an_overdue_workshop_is_cancelled_in_one_step_and_leaves_the_list(client, world, log_in):
    """From the list of overdue planned workshops the coordinator records one as cancelled (the
    reason typed there) and is back on the list, which no longer has it; a held one goes too."""
    w = _alfa_program(world)
    other = make_workshop(world["group_a"], date=_day(-2), topic="Másik lezáratlan", status=PLANNED)
    db.session.commit()
    log_in(world["coordinator"])
    listed = client.get("/groups/alfa/tasks/unclosed").get_data(as_text=True)
    assert "Lezáratlan alkalom" in listed and "9 napja" in listed
    # The reason's limit is said before it bites, as on the cancel page (and never maxlength).
    reason = f'id="reason-{w["overdue"].id}"'
    field = re.search(rf"<input[^>]*{reason}[^>]*>", listed).group(0)
    assert f'data-limit="{REASON_MAX}"' in field and "maxlength" not in field
    hint = rf'id="reason-{w["overdue"].id}-limit"[^>]*>Legfeljebb 1\W?000 karakter\.</p>'
    assert re.search(hint, listed)
    form = {"version": "1", "reason": "Betegség miatt", "next": "/groups/alfa/tasks/unclosed"}
    response = client.post(f"/workshops/{w['overdue'].id}/cancel", data=form)
    assert response.status_code == 303 and response.location.endswith("/groups/alfa/tasks/unclosed")
    db.session.refresh(w["overdue"])
    assert w["overdue"].status == WorkshopStatus.CANCELLED
    assert w["overdue"].cancel_reason == "Betegség miatt"
    held = client.post(f"/workshops/{other.id}/held", data={"version": "1", "next": form["next"]})
    assert held.location.endswith("/groups/alfa/tasks/unclosed")
    listed = client.get("/groups/alfa/tasks/unclosed").get_data(as_text=True)
    assert "Lezáratlan alkalom" not in listed and "Másik lezáratlan" not in listed
    assert "Nincs ilyen teendő" in listed


def test_a_cancel_without_reason_keeps_the_way_back_and_an_outside_next_is_ignored(
    client, world, log_in
):
    """An empty reason answers 422 with the form (still knowing where to go back); a `next`
    outside the app is not followed."""
    w = _alfa_program(world)
    log_in(world["mentor_a"])
    refused = client.post(
        f"/workshops/{w['overdue'].id}/cancel",
        data={"version": "1", "reason": "", "next": "/groups/alfa/tasks/unclosed"},
    )
    assert refused.status_code == 422
    assert 'value="/groups/alfa/tasks/unclosed"' in refused.get_data(as_text=True)
    outside = client.post(
        f"/workshops/{w['overdue'].id}/cancel",
        data={"version": "1", "reason": "Elmaradt", "next": "//example.com/"},
    )
    assert outside.location.endswith(f"/workshops/{w['overdue'].id}")


def test_shared_difficulties_show_titles_and_counts_only(client, world, log_in):
    """Across groups: the difficulties with the most "Nálam is", title and count; never a
    mentor-only, hidden or deleted note, never a name, never a journal's private text."""
    a, b = world["group_a"], world["group_b"]

    def difficulty(group, author, title, reactors, **kw):
        """Add a difficulty note with "Nálam is" from these users."""
        note = Note(group=group, author=author, kind=NoteKind.DIFFICULTY, title=title, **kw)
        db.session.add(note)
        db.session.flush()
        db.session.add_all(Reaction(note=note, user=user) for user in reactors)

    everyone = [world[k] for k in ("participant_a", "participant_a2", "mentor_a")]
    difficulty(a, world["participant_a"], "Kevés a fiatal látogató", everyone[:2])
    difficulty(b, world["participant_b"], "Nincs pályázati forrás", [world["mentor_b"]])
    difficulty(
        a, world["participant_a2"], "Titkos mentornak szóló gond", everyone, mentor_only=True
    )
    difficulty(a, world["participant_a2"], "Elrejtett gond", everyone, hidden_at=utcnow())
    difficulty(a, world["participant_a2"], "Törölt gond", everyone, deleted_at=utcnow())
    journal = make_journal(make_workshop(a), world["mentor_a"])
    private = next(s for s in journal.sections if s.visibility == Visibility.PRIVATE)
    private.body = "Magánreflexió a csoportról"
    db.session.commit()
    log_in(world["coordinator"])
    page = client.get("/").get_data(as_text=True)
    section = re.search(r'id="difficulties-title".*?</section>', page, re.S)[0]
    titles = re.findall(r"<li>([^<]+?) <span", section)
    assert titles == ["Kevés a fiatal látogató", "Nincs pályázati forrás"]
    assert "2 „Nálam is”" in section and "1 „Nálam is”" in section
    for name in ("Résztvevő", "Aranka", "Társ", "Borbála", "Mentor"):
        assert name not in section
    assert "Magánreflexió" not in page and "Titkos" not in page


def test_the_months_me_too_counts_only_what_the_board_shows(client, world, log_in):
    """A "Nálam is" left on a note whose kind no longer takes one (a difficulty edited into a
    good practice) is shown nowhere on the board, so the month's figure does not count it."""
    note = Note(group=world["group_a"], author=world["participant_a"], kind=NoteKind.DIFFICULTY,
                title="Kevés az önkéntes")  # fmt: skip
    db.session.add(note)
    db.session.flush()
    db.session.add(Reaction(note=note, user=world["participant_a2"]))
    db.session.commit()
    log_in(world["coordinator"])

    def month_figure() -> str:
        """Return the group's "Nálam is" figure of this month on the overview."""
        page = " ".join(client.get("/").get_data(as_text=True).split())
        return re.search(r"jegyzet</a><br>(\d+) „Nálam is”", page)[1]

    assert month_figure() == "1"
    note.kind = NoteKind.GOOD_PRACTICE
    db.session.commit()
    assert month_figure() == "0"


def test_since_the_last_visit_counts_what_happened_since(client, world, log_in):
    """The first visit says nothing of "since"; after an hour's pause what was added meanwhile
    is counted per group, and it stays so for the rest of that visit."""
    coordinator = world["coordinator"]
    log_in(coordinator)
    assert "Az előző látogatása óta" not in client.get("/").get_data(as_text=True)
    coordinator.visited_at = utcnow() - timedelta(hours=2)
    db.session.commit()
    assert "Azóta nem történt semmi új" in client.get("/").get_data(as_text=True)
    coordinator.visited_at = utcnow() - timedelta(hours=3)
    db.session.add(
        Note(
            group=world["group_a"],
            author=world["participant_a"],
            kind=NoteKind.QUESTION,
            title="Új kérdés",
        )
    )
    db.session.add(
        Note(
            group=world["group_b"],
            author=world["participant_b"],
            kind=NoteKind.QUESTION,
            title="Rejtett",
            mentor_only=True,
        )
    )
    make_workshop(world["group_b"], date=_day(5), status=PLANNED)
    # What she did herself is not news to her: her own note, the workshop she planned.
    db.session.add(
        Note(group=world["group_a"], author=coordinator, kind=NoteKind.QUESTION, title="Saját")
    )
    make_workshop(world["group_a"], date=_day(6), status=PLANNED, created_by_id=coordinator.id)
    db.session.commit()
    for _ in range(2):  # the second view is the same visit
        page = client.get("/").get_data(as_text=True)
        section = re.search(r'id="changes-title".*?</section>', page, re.S)[0]
        assert re.search(r"Alfa csoport</a>:\s*1 új jegyzet\s*·", section), section
        assert re.search(r"Béta csoport</a>:\s*1 új alkalom\s*</li>", section), section


def test_a_mentor_sees_their_tasks_and_a_participant_the_next_workshop(client, world, log_in):
    """The mentor's home begins with their own tasks, oldest first; a participant has none and
    sees the next workshop; neither gets the coordinator's table."""
    w = _alfa_program(world)
    log_in(world["mentor_a"])
    page = client.get("/").get_data(as_text=True)
    tasks = re.search(r'id="my-tasks-title".*?</section>', page, re.S)[0]
    assert tasks.index("Lezáratlan alkalom: Lezáratlan alkalom") < tasks.index("Hiányzó napló")
    assert tasks.index("Hiányzó napló: Rég elfelejtett napló") < tasks.index(
        "Befejezetlen napló: Piszkozat naplóval"
    )
    assert "Rögzítetlen jelenlét: Friss alkalom" in tasks and "Kész alkalom" not in tasks
    assert 'class="overview"' not in page
    client.post("/logout")
    log_in(world["participant_a"])
    page = client.get("/").get_data(as_text=True)
    assert "Teendőim" not in page and 'class="overview"' not in page
    assert f'/workshops/{w["next"].id}"' in page


def test_the_overview_costs_the_same_queries_for_more_groups(client, world, log_in):
    """Three more groups, each with workshops, notes and a mentor: not one query more."""
    _alfa_program(world)
    log_in(world["coordinator"])
    client.get("/")
    with count_queries() as few:
        client.get("/")
    for n in range(3):
        group = make_group(slug=f"uj-{n}", name=f"Új csoport {n}")
        make_membership(make_user(), group, Role.MENTOR)
        make_workshop(group, date=_day(-5 - n))
        make_workshop(group, date=_day(10 + n), status=PLANNED)
        db.session.add(
            Note(group=group, author=world["coordinator"], kind=NoteKind.QUESTION, title="K")
        )
    db.session.commit()
    with count_queries() as more:
        page = client.get("/").get_data(as_text=True)
    assert "Új csoport 2" in page
    assert len(more) == len(few), (len(few), len(more))


def test_a_members_participation_page(client, world, log_in):
    """The group's mentor sees a participant's held workshops of their membership with their
    attendance, the rate and their notes; not the workshops before they joined."""
    from datetime import date

    a = world["group_a"]
    person = world["participant_a2"]
    membership = next(m for m in person.memberships if m.group_id == a.id)
    membership.joined_on = date(2025, 11, 10)
    before = make_workshop(a, date=date(2025, 11, 3), topic="Csatlakozás előtt")
    there = make_workshop(a, date=date(2025, 11, 14), topic="Ott volt")
    late = make_workshop(a, date=date(2025, 11, 21), topic="Késve jött")
    make_workshop(a, date=date(2025, 11, 28), topic="Nincs rögzítve")
    make_workshop(
        a, date=date(2025, 12, 5), topic="Elmaradt alkalom", status=WorkshopStatus.CANCELLED
    )
    for workshop, status in ((there, AttendanceStatus.PRESENT), (late, AttendanceStatus.LATE)):
        db.session.add(Attendance(workshop=workshop, user=person, status=status))
    db.session.add(Note(group=a, author=person, kind=NoteKind.QUESTION, title="Kérdésem"))
    db.session.commit()
    log_in(world["mentor_a"])
    page = client.get(f"/groups/alfa/people/{person.id}").get_data(as_text=True)
    rows = re.findall(r"<tr><td><a [^>]*>[^<]*– ([^<]+)</a></td>\s*<td>(.*?)</td>", page, re.S)
    assert [(topic, re.sub(r"<[^>]+>", "", cell)) for topic, cell in rows] == [
        ("Ott volt", "jelen"),
        ("Késve jött", "késett"),
        ("Nincs rögzítve", "nincs rögzítve"),
    ]
    assert "100\u00a0%" in page and "2 / 2 alkalom" in page
    assert f'/groups/alfa/notes?author={person.id}">1 jegyzet' in page
    assert before.topic not in page
    assert client.get(f"/groups/alfa/people/{world['participant_b'].id}").status_code == 404
    assert client.get(f"/groups/beta/people/{world['participant_b'].id}").status_code == 404


def test_with_many_groups_the_bar_keeps_the_coordinators_own_and_the_table_pages(
    client, world, log_in
):
    """Over twelve groups the navigation bar lists only the coordinator's own groups and a
    link to all of them; the overview's table shows twenty groups a page, in name order."""
    coordinator = world["coordinator"]
    for n in range(25):
        make_group(slug=f"sok-{n:02d}", name=f"Sokadik csoport {n:02d}")
    make_membership(coordinator, world["group_b"], Role.MENTOR)
    db.session.commit()
    log_in(coordinator)
    page = client.get("/").get_data(as_text=True)
    bar = re.search(r'<nav class="group-nav".*?</nav>', page, re.S)[0]
    assert re.findall(r">([^<]+)</a></li>", bar) == ["Béta csoport", "Minden csoport"]
    rows = re.findall(r'<th scope="row"><a href="/groups/([^"]+)"', page)
    assert rows == ["alfa", "beta", *[f"sok-{n:02d}" for n in range(18)]]
    second = client.get("/?page=2").get_data(as_text=True)
    rows = re.findall(r'<th scope="row"><a href="/groups/([^"]+)"', second)
    assert rows == [f"sok-{n:02d}" for n in range(18, 25)]
    assert "2. oldal / 2" in second


def test_a_group_with_open_tasks_offers_its_mentor_a_reminder(client, world, log_in):
    """In the row of a group with something open, the coordinator finds the reminder of its
    mentor (a preview before sending); a group with nothing open offers none."""
    _alfa_program(world)
    log_in(world["coordinator"])
    page = client.get("/").get_data(as_text=True)
    reminder = f'/people/{world["mentor_a"].id}/reminder"'
    assert reminder in _row(page, "Alfa csoport")
    assert "/reminder" not in _row(page, "Béta csoport")
    assert client.get(reminder.rstrip('"')).status_code == 200
