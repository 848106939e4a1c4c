"""A workshop's plan: methods from the library (a new name is added to it in place), each
with its minutes, the running time shown; bad rows refused with everything kept."""

from sqlalchemy import func, select

from journal.extensions import db
from journal.methods.operations import create_method
from journal.models import Method, Workshop
from tests.factories import make_workshop
from tests.test_notes import relogin

BASE = {"date": "2026-01-16", "topic": "Önkéntesek", "place": "Közösségi ház"}


def _method(world, name: str) -> Method:
    """Add a method to the library."""
    values = {"name": name, "aim": "", "group_size": "", "minutes": None, "materials": "",
              "body": "", "variations": "", "source": "", "tags": ""}  # fmt: skip
    return create_method(world["coordinator"], values)


def _plan(*steps) -> dict:
    """Return the form fields of plan rows."""
    data = {}
    for i, (name, minutes) in enumerate(steps):
        data[f"plan-{i}-name"] = name
        data[f"plan-{i}-minutes"] = minutes
    return data


def test_a_mentor_plans_a_workshop_with_library_methods(client, world, log_in):
    """Two methods picked from the library (typed as people type), one created in place: the
    workshop lists them in order with their minutes and the running time, linked to the
    library, which now holds the new one."""
    cafe = _method(world, "Világkávézó")
    _method(world, "Nyitókör")
    db.session.commit()
    log_in(world["mentor_a"])
    form = client.get("/groups/alfa/workshops/new").get_data(as_text=True)
    assert '<option value="Világkávézó">' in form and 'list="method-names"' in form
    plan = _plan(("nyitokor", "15"), ("vilagkavezo", "45"), ("Forgószínpad", "30"), ("", ""))
    response = client.post("/groups/alfa/workshops/new", data=BASE | plan)
    assert response.status_code == 303
    workshop = db.session.scalar(select(Workshop))
    assert [(s.method.name, s.minutes) for s in workshop.plan] == [
        ("Nyitókör", 15), ("Világkávézó", 45), ("Forgószínpad", 30),
    ]  # fmt: skip
    page = client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    assert "Összesen: 90 perc" in page and f'href="/methods/{cafe.id}"' in page
    assert page.index("Nyitókör") < page.index("Világkávézó") < page.index("Forgószínpad")
    assert db.session.scalar(select(func.count()).select_from(Method)) == 3
    edit = client.get(f"/workshops/{workshop.id}/edit").get_data(as_text=True)
    assert 'value="Forgószínpad"' in edit and 'value="45"' in edit
    assert "Összesen: 90 perc" in edit


def test_a_method_planned_without_minutes_takes_the_librarys(client, world, log_in):
    """Minutes left blank for a library method that has them are the library's (and count in
    the running time); a method without minutes in the library stays without."""
    round_ = _method(world, "Nyitókör")
    round_.minutes = 30
    _method(world, "Világkávézó")
    db.session.commit()
    log_in(world["mentor_a"])
    plan = _plan(("Nyitókör", ""), ("Világkávézó", ""), ("Forgószínpad", "25"))
    assert client.post("/groups/alfa/workshops/new", data=BASE | plan).status_code == 303
    workshop = db.session.scalar(select(Workshop))
    assert [(s.method.name, s.minutes) for s in workshop.plan] == [
        ("Nyitókör", 30), ("Világkávézó", None), ("Forgószínpad", 25),
    ]  # fmt: skip
    assert "Összesen: 55 perc" in client.get(f"/workshops/{workshop.id}").get_data(as_text=True)


def test_bad_rows_are_refused_with_everything_kept(client, world, log_in):
    """Minutes that are not minutes, or minutes without a method: 422, nothing saved, every
    row as typed."""
    log_in(world["mentor_a"])
    plan = _plan(("Körkérdés", "negyed óra"), ("", "20"), ("Galéria-séta", "40"))
    response = client.post("/groups/alfa/workshops/new", data=BASE | plan)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Egész percet adjon meg 1 és 600 között." in page
    assert "Adja meg a módszer nevét is." in page
    assert 'value="negyed óra"' in page and 'value="Galéria-séta"' in page
    assert db.session.scalar(select(func.count()).select_from(Workshop)) == 0
    assert db.session.scalar(select(func.count()).select_from(Method)) == 0


def test_another_row_is_added_without_saving(client, world, log_in):
    """ "Újabb sor" answers the form with one more empty row and what was typed; no save."""
    log_in(world["mentor_a"])
    data = BASE | _plan(("Körkérdés", "10"), ("", ""), ("", "")) | {"more_steps": "1"}
    page = client.post("/groups/alfa/workshops/new", data=data).get_data(as_text=True)
    assert 'name="plan-3-name"' in page and 'value="Körkérdés"' in page
    assert db.session.scalar(select(func.count()).select_from(Workshop)) == 0


def test_a_full_plan_still_opens_and_a_longer_one_is_refused_with_every_row_kept(
    client, world, log_in
):
    """A plan of 40 methods (the most) is saved and its edit page opens with no empty row
    and no "Újabb sor" (two empty rows on top of 40 were a 500 on every open); 41 rows are
    refused in Hungarian with all 41 kept (the 41st was dropped without a word)."""
    log_in(world["mentor_a"])
    full = _plan(*((f"Módszer {i}", "5") for i in range(40)))
    assert client.post("/groups/alfa/workshops/new", data=BASE | full).status_code == 303
    workshop = db.session.scalar(select(Workshop))
    edit = client.get(f"/workshops/{workshop.id}/edit")
    assert edit.status_code == 200
    page = edit.get_data(as_text=True)
    assert 'value="Módszer 39"' in page and page.count('class="plan-step"') == 40
    assert 'name="more_steps"' not in page
    data = BASE | _plan(*((f"Módszer {i}", "5") for i in range(41)))
    data["version"] = str(workshop.version)
    response = client.post(f"/workshops/{workshop.id}/edit", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "legfeljebb 40 módszer tervezhető" in page and 'value="Módszer 40"' in page
    db.session.expire_all()
    assert len(workshop.plan) == 40


def test_a_row_number_in_other_digits_is_no_row(client, world, log_in):
    """A field named "plan-²-name" (sent by hand: "²" is a digit to isdigit(), no number to
    int()) names no row, rather than answering 500."""
    log_in(world["mentor_a"])
    data = BASE | _plan(("Körkérdés", "10")) | {"plan-²-name": "Nyitókör"}
    assert client.post("/groups/alfa/workshops/new", data=data).status_code == 303
    assert [s.method.name for s in db.session.scalar(select(Workshop)).plan] == ["Körkérdés"]


def test_an_edit_changes_the_plan_and_the_search_finds_it(client, world, log_in):
    """Saving the edited plan replaces it (a method named twice kept once), the free text of
    an older workshop stays, and the workshop is found by its methods' names."""
    workshop = make_workshop(world["group_a"], methods="régi szabad szöveg")
    db.session.commit()
    log_in(world["mentor_a"])
    edit = client.get(f"/workshops/{workshop.id}/edit").get_data(as_text=True)
    assert "régi szabad szöveg" in edit  # the older free text is kept in its own field
    data = {
        "date": workshop.date.isoformat(), "topic": workshop.topic, "place": workshop.place,
        "version": str(workshop.version), "methods": "régi szabad szöveg",
    } | _plan(("Akvárium", "20"), ("akvarium", "5"), ("Zárókör", ""))  # fmt: skip
    assert client.post(f"/workshops/{workshop.id}/edit", data=data).status_code == 303
    db.session.expire_all()
    assert [(s.method.name, s.minutes) for s in workshop.plan] == [
        ("Akvárium", 20),
        ("Zárókör", None),
    ]
    assert workshop.method_list == ["Akvárium", "Zárókör", "régi szabad szöveg"]
    relogin(client, world["coordinator"])
    found = client.get("/search?q=akvarium&kind=workshop").get_data(as_text=True)
    assert found.count('class="result"') == 1


def test_the_method_page_shows_its_life_in_the_program(client, world, log_in):
    """Where the method was used, newest first, and what the journals' methods section said:
    the group's mentor and the coordinator read their sections; a participant of the group,
    who reads both on the journal's page, here only what was picked for the report; a
    participant of another group sees that it was used there, but no topic and no journal
    text."""
    from datetime import date

    from journal.journals.operations import save_section
    from journal.models import Visibility
    from journal.workshops.operations import WorkshopData, create_workshop
    from tests.factories import make_journal

    cafe = _method(world, "Világkávézó")
    shown, hidden = [], []
    for n, (in_report, text) in enumerate([(True, "BESZÁMOLÓBA-KERÜL"), (False, "CSAK-KOORD")]):
        data = WorkshopData(date=date(2025, 11, 14 + n), start_time=None, end_time=None,
                            place="", topic=f"Alkalom {n}", agenda="", methods="",
                            plan=(("Világkávézó", 40),))  # fmt: skip
        workshop = create_workshop(world["mentor_a"], world["group_a"], data, widen=True)
        journal = make_journal(workshop, world["mentor_a"])
        section = next(s for s in journal.sections if s.key == "methods")
        visibility = Visibility.GROUP  # the group reads both on the journal's page
        save_section(world["mentor_a"], section, section.version, text, visibility, in_report)
        (shown if in_report else hidden).append(text)
    db.session.commit()
    url = f"/methods/{cafe.id}"
    log_in(world["mentor_a"])
    page = client.get(url).get_data(as_text=True)
    assert "2 alkalmon használták." in page and "BESZÁMOLÓBA-KERÜL" in page and "CSAK-KOORD" in page
    assert page.index("Alkalom 1") < page.index("Alkalom 0")  # newest first
    relogin(client, world["participant_a"])
    page = client.get(url).get_data(as_text=True)
    assert "BESZÁMOLÓBA-KERÜL" in page and "CSAK-KOORD" not in page and "Alkalom 0" in page
    relogin(client, world["participant_b"])
    page = client.get(url).get_data(as_text=True)
    assert "2 alkalmon használták." in page and "Alfa csoport" in page
    assert "BESZÁMOLÓBA-KERÜL" not in page and "Alkalom 0" not in page


def test_the_method_page_costs_the_same_queries_however_often_it_was_used(
    app, client, world, log_in
):
    """Used once or six times: the same number of statements."""
    from datetime import date

    from sqlalchemy import event

    from journal.workshops.operations import WorkshopData, create_workshop

    cafe = _method(world, "Világkávézó")
    db.session.commit()
    log_in(world["coordinator"])

    def statements(times: int) -> int:
        for n in range(times):
            data = WorkshopData(date=date(2025, 10, 1 + n), start_time=None, end_time=None,
                                place="", topic=f"T{n}", agenda="", methods="",
                                plan=(("Világkávézó", 30),))  # fmt: skip
            create_workshop(world["mentor_a"], world["group_a"], data, widen=True)
        db.session.commit()
        seen = []
        listener = lambda *args: seen.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get(f"/methods/{cafe.id}").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    assert statements(1) == statements(5)
