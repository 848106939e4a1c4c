"""The demo program: a data file with named keys, loaded alive on whatever day it is loaded."""

import copy
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from journal.demo import DemoDataError, load_program, seed_demo
from journal.extensions import db
from journal.models import (
    Attendance,
    Group,
    Journal,
    Method,
    Note,
    Program,
    Reaction,
    Reply,
    Workshop,
    WorkshopStatus,
    local_today,
    program_zone,
)
from tests.apps import login

SECTIONS = {
    "people", "program", "groups", "memberships", "workshops", "notes", "report_texts", "methods",
}  # fmt: skip


def _named_only(value, path: str = "") -> None:
    """Fail on a list of lists anywhere: every record in the file is a table of named keys."""
    if isinstance(value, dict):
        for key, item in value.items():
            _named_only(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            assert not isinstance(item, list), f"a positional tuple at {path}[{index}]"
            _named_only(item, f"{path}[{index}]")


def test_the_demo_is_a_toml_file_with_named_keys():
    """The file holds every part of the demo, each record a table of named keys."""
    data = load_program()
    assert set(data) == SECTIONS
    _named_only(data)
    assert {"name", "start", "end"} <= set(data["program"])
    assert {g["slug"] for g in data["groups"]} == set(data["memberships"])
    for workshop in data["workshops"]:
        assert {"group", "day", "topic", "status"} <= set(workshop), workshop
        for section in workshop.get("journal", {}).get("sections", {}).values():
            assert set(section) == {"text", "visibility", "in_report"}
    for note in data["notes"]:
        assert {"group", "author", "day", "kind", "title"} <= set(note), note
    assert any(n.get("me_too") for n in data["notes"])
    assert any(n.get("replies") for n in data["notes"])
    assert 12 <= len(data["methods"]) <= 20
    for method in data["methods"]:
        assert {"name", "aim", "group_size", "minutes", "tags", "steps", "source"} <= set(method)


def test_every_method_a_demo_workshop_names_is_in_the_library():
    """The library holds (under the same name, letter case aside) each method the demo's
    workshops list."""
    data = load_program()
    library = {method["name"].casefold() for method in data["methods"]}
    used = {name.casefold() for w in data["workshops"] for name in w.get("methods", [])}
    assert used and used <= library, used - library


def _local_day(moment) -> date:
    """Return the program's calendar day of a stored moment."""
    return moment.astimezone(program_zone()).date()


@pytest.mark.parametrize(
    "today",
    [date(2024, 2, 29), date(2025, 12, 31), None],
    ids=["leap-day", "new-years-eve", "today"],
)
def test_the_demo_is_a_program_in_its_middle_on_any_day(app, today):
    """Loaded on any day: the period spans it; a workshop that day, one held the day before
    without a journal, planned ones ahead in every group, held ones with journals, notes of
    the last days; no planned workshop in the past but the one the file leaves open."""
    seed_demo(today=today)
    db.session.commit()
    today = today or local_today()
    yesterday = today - timedelta(days=1)
    program = db.session.scalar(select(Program))
    assert program.period_start < today < program.period_end
    # The settings every page and PDF names (stand-ins: the program's text names no funder).
    assert program.association and program.funder and program.grant_id
    assert program.journal_due_days == 7
    workshops = db.session.scalars(select(Workshop)).all()
    assert all(program.period_start <= w.date <= program.period_end for w in workshops)

    on_the_day = [w for w in workshops if w.date == today]
    assert on_the_day and all(w.status == WorkshopStatus.PLANNED for w in on_the_day)
    held_yesterday = [w for w in workshops if w.date == yesterday]
    assert held_yesterday and all(w.status == WorkshopStatus.HELD for w in held_yesterday)
    assert all(w.journal is None and w.attendance for w in held_yesterday)

    for group in db.session.scalars(select(Group)):
        ahead = [w for w in workshops if w.group_id == group.id and w.date > today]
        assert any(w.status == WorkshopStatus.PLANNED for w in ahead), group.slug
    assert all(w.date <= today for w in workshops if w.status == WorkshopStatus.HELD)

    overdue = [w for w in workshops if w.status == WorkshopStatus.PLANNED and w.date < today]
    marked = [w["topic"] for w in load_program()["workshops"] if w.get("left_open")]
    assert [w.topic for w in overdue] == marked and len(marked) == 1

    journals = db.session.scalars(select(Journal)).all()
    assert len(journals) == sum(1 for w in load_program()["workshops"] if "journal" in w)
    # Most held workshops have their journal; a few are still to be written, as in a program
    # in its middle (the overview's "Hiányzó napló" is then the exception it is there for).
    held = [w for w in workshops if w.status == WorkshopStatus.HELD]
    assert len(journals) >= 2 * (len(held) - len(journals)), (len(journals), len(held))
    assert all(
        j.workshop.status == WorkshopStatus.HELD and j.workshop.date < today for j in journals
    )
    assert all(w.attendance for w in workshops if w.status == WorkshopStatus.HELD)

    notes = db.session.scalars(select(Note)).all()
    assert notes and all(
        today - timedelta(days=7) <= _local_day(n.created_at) < today for n in notes
    )
    replies = db.session.scalars(select(Reply)).all()
    assert replies and all(r.created_at > r.note.created_at for r in replies)
    assert all(_local_day(r.created_at) < today for r in replies)


def _counts() -> dict:
    """Count the rows the demo writes."""
    models = (Program, Group, Workshop, Attendance, Journal, Note, Reply, Reaction, Method)
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in models}


def test_loading_again_on_a_later_day_adds_nothing(app):
    """A demo loaded last week and loaded again today keeps one copy of everything, on the
    dates of its first loading."""
    first = date(2025, 3, 10)
    seed_demo(today=first)
    db.session.commit()
    before = _counts()
    days = sorted(db.session.scalars(select(Workshop.date)))
    seed_demo(today=first + timedelta(days=9))
    db.session.commit()
    assert _counts() == before
    assert sorted(db.session.scalars(select(Workshop.date))) == days


def _planned(data: dict) -> dict:
    """Return the first planned workshop of the file that is not left open."""
    return next(w for w in data["workshops"] if w["status"] == "planned" and not w.get("left_open"))


def _me_too_on_a_good_practice(data: dict) -> None:
    """Give a good practice of the file a "Nálam is" (the board shows none on that kind)."""
    note = next(n for n in data["notes"] if n["kind"] == "good_practice")
    note["me_too"] = [next(n for n in data["notes"] if n["kind"] == "difficulty")["me_too"][0]]


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: _planned(d).update(day=-2), "left_open"),
        (lambda d: _planned(d).update(day=5, left_open=True), "left_open"),
        (lambda d: d["workshops"][0].update(status="held", day=3), "after the day of loading"),
        (lambda d: d["notes"][0].update(author="Senki Sem"), "nobody called 'Senki Sem'"),
        (lambda d: d["workshops"][0].update(absent=["Senki Sem"]), "not a participant"),
        (_me_too_on_a_good_practice, "only to a difficulty or question"),
    ],
    ids=[
        "past-planned",
        "future-left-open",
        "future-held",
        "unknown-author",
        "unknown-absent",
        "me-too-on-good-practice",
    ],
)
def test_a_mistake_in_the_file_stops_the_seed_with_where_it_is(app, change, message):
    """A planned workshop in the past that is not marked, a held one in the future or a name
    nobody has is refused, with the place in the file named."""
    data = copy.deepcopy(load_program())
    change(data)
    with pytest.raises(DemoDataError, match=message):
        seed_demo(today=date(2025, 3, 10), data=data)


def _item(html: str, topic: str) -> str:
    """Return the list item of the workshop with this topic on a group page."""
    start = html.index(f"<strong>{topic}</strong>")
    return html[html.rindex("<li", 0, start) : html.index("</li>", start)]


def test_the_coordinator_sees_the_demo_alive_today(client, app):
    """Seeded today: the coordinator's own group lists today's workshop among the coming ones;
    the group that met yesterday lists it among the past ones, held, without a journal."""
    from journal.models import User

    seed_demo()
    db.session.commit()
    data = load_program()
    today = next(w for w in data["workshops"] if w["day"] == 0)
    yesterday = next(w for w in data["workshops"] if w["day"] == -1)
    assert today["group"] == "kecskemet"  # hers: what a newcomer logging in as her sees first
    kata = db.session.scalar(select(User).where(User.email == "jozsa.kata@example.org"))
    login(client, kata, password="muhelynaplo")
    coming, past = client.get("/groups/kecskemet").get_data(as_text=True).split("Korábbi alkalmak")
    assert today["topic"] in coming and "Nincs tervezett alkalom" not in coming
    assert "workshop-planned" in _item(coming, today["topic"])
    coming, past = (
        client.get(f"/groups/{yesterday['group']}").get_data(as_text=True).split("Korábbi alkalmak")
    )
    item = _item(past, yesterday["topic"])
    assert "workshop-held" in item and "nincs napló" in item


def test_the_demo_workshops_plan_their_methods_from_the_library(app):
    """Each demo workshop's methods are its plan's, linked to the library, with the minutes
    the library gives them; the methods typed as free text stay text."""
    from journal.models import WorkshopMethod

    seed_demo()
    db.session.commit()
    data = load_program()
    planned = {w["topic"]: w.get("methods", []) for w in data["workshops"]}
    typed = {w["topic"]: w.get("typed_methods", []) for w in data["workshops"]}
    for workshop in db.session.scalars(select(Workshop)):
        assert [s.method.name.casefold() for s in workshop.plan] == [
            name.casefold() for name in planned[workshop.topic]
        ]
        assert workshop.free_methods == typed[workshop.topic]
    assert db.session.scalar(select(func.count()).select_from(WorkshopMethod)) > 20
    assert all(step.minutes for step in db.session.scalars(select(WorkshopMethod)))


def test_the_demo_has_typed_methods_to_match(client, app):
    """A newcomer finds the library's matching page at work in the demo: the coordinator is
    offered "SWOT-elemzés" for the typed "SWOT elemzés", and nothing for a method the library
    does not hold."""
    from journal.models import Method, User

    seed_demo()
    db.session.commit()
    swot = db.session.scalar(select(Method).where(Method.name == "SWOT-elemzés"))
    kata = db.session.scalar(select(User).where(User.email == "jozsa.kata@example.org"))
    login(client, kata, password="muhelynaplo")
    page = client.get("/methods/matching").get_data(as_text=True)
    assert "<strong>SWOT elemzés</strong>" in page and "<strong>Térségi bejárás</strong>" in page
    assert f'name="method" value="{swot.id}" class="button small">SWOT-elemzés</button>' in page
