"""A workshop dated outside the program's period is saved only when the user confirms, and
then the period widens to include it (else it would vanish from every summary)."""

from datetime import date

from journal.extensions import db
from journal.models import Program, Workshop
from tests.factories import make_workshop


def _program() -> Program:
    """Return the stored program, read again."""
    program = db.session.scalar(db.select(Program))
    db.session.refresh(program)
    return program


WORKSHOP = {"topic": "Nyári tábor a régióban", "place": "Közösségi ház", "agenda": "Tábortűz"}


def test_a_new_workshop_outside_the_period_asks_first(client, world, log_in):
    """A day after the program's end is not saved silently: 422 asks, keeping what was typed;
    confirming saves it and widens the period; the widened period's summary shows it."""
    log_in(world["mentor_a"])
    typed = WORKSHOP | {"date": "2026-08-20"}
    response = client.post("/groups/alfa/workshops/new", data=typed)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "A dátum (2026. augusztus 20.) a program időszakán kívül esik" in html
    assert "2025. november 1. – 2026. június 30." in html
    assert "2025. november 1. – 2026. augusztus 20." in html
    assert 'name="widen_period" value="1"' in html
    assert "Nyári tábor a régióban" in html and "Tábortűz" in html and 'value="2026-08-20"' in html
    assert db.session.scalar(db.select(db.func.count()).select_from(Workshop)) == 0
    assert _program().period_end == date(2026, 6, 30)

    response = client.post("/groups/alfa/workshops/new", data=typed | {"widen_period": "1"})
    assert response.status_code == 303
    assert db.session.scalar(db.select(Workshop.topic)) == "Nyári tábor a régióban"
    assert (_program().period_start, _program().period_end) == (
        date(2025, 11, 1),
        date(2026, 8, 20),
    )
    summary = client.get("/groups/alfa/summary?from=2026-08&to=2026-08")
    assert summary.status_code == 200
    assert "Nyári tábor a régióban" in summary.get_data(as_text=True)


def test_an_edit_to_a_day_before_the_period_asks_and_a_new_day_inside_does_not(
    client, world, log_in
):
    """Moving a workshop before the start asks first; cancelling (not confirming) changes
    nothing; confirming moves it and the period's start with it."""
    workshop = make_workshop(world["group_a"], date=date(2025, 11, 14))
    db.session.commit()
    log_in(world["coordinator"])
    typed = WORKSHOP | {"date": "2025-10-10", "version": str(workshop.version)}
    response = client.post(f"/workshops/{workshop.id}/edit", data=typed)
    assert response.status_code == 422
    assert "a program időszakán kívül esik" in response.get_data(as_text=True)
    db.session.refresh(workshop)
    assert (workshop.date, workshop.version) == (date(2025, 11, 14), 1)
    assert _program().period_start == date(2025, 11, 1)

    response = client.post(f"/workshops/{workshop.id}/edit", data=typed | {"widen_period": "1"})
    assert response.status_code == 303
    db.session.refresh(workshop)
    assert workshop.date == date(2025, 10, 10)
    assert (_program().period_start, _program().period_end) == (
        date(2025, 10, 10),
        date(2026, 6, 30),
    )
    inside = WORKSHOP | {"date": "2026-01-16", "version": str(workshop.version)}
    assert client.post(f"/workshops/{workshop.id}/edit", data=inside).status_code == 303
