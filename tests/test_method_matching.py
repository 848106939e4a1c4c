"""Matching the free-text methods of older workshops to the library: near-identical names are
suggested, nothing changes until a person confirms one, and a stale or bad confirmation is
refused in Hungarian with nothing changed."""

import pytest
from sqlalchemy import func, select

from journal.extensions import db
from journal.methods.operations import create_method
from journal.methods.queries import near_names
from journal.models import Method, Workshop
from tests.factories import make_workshop
from tests.test_notes import relogin

HX = {"HX-Request": "true"}


def _method(world, name: str) -> Method:
    """Add a method to the library with just its name."""
    values = {"name": name, "aim": "", "group_size": "", "minutes": None, "materials": "",
              "body": "", "variations": "", "source": "", "tags": ""}  # fmt: skip
    return create_method(world["coordinator"], values)


def _state(workshop: Workshop) -> tuple:
    """Return what a match would change: the free text, the version, the plan, the library."""
    db.session.expire_all()
    plan = [(step.method.name, step.minutes) for step in workshop.plan]
    methods = db.session.scalar(select(func.count()).select_from(Method))
    return workshop.methods, workshop.version, plan, methods


@pytest.fixture
def older(world):
    """A workshop of group alfa with methods typed as free text, and a library of two."""
    gallery = _method(world, "Galéria-séta")
    gallery.minutes = 20  # the library's: the plan takes it
    _method(world, "Világkávézó")
    workshop = make_workshop(world["group_a"], methods="galériaséta\nkörkérdés")
    db.session.commit()
    return workshop, gallery


def _confirm(workshop: Workshop, text: str, **choice) -> dict:
    """Return the form of one confirmation, from the workshop's current version."""
    return {"workshop": workshop.id, "version": workshop.version, "text": text} | choice


def test_matching_suggests_galeria_seta_and_changes_nothing_until_confirmed(
    client, world, log_in, older
):
    """The page offers "Galéria-séta" for "galériaséta" and changes nothing; the confirmed
    suggestion moves it into the plan (for the library's minutes) and out of the free text;
    "create as new"
    adds the other to the library and the plan."""
    workshop, gallery = older
    before = _state(workshop)
    log_in(world["mentor_a"])
    page = client.get("/methods/matching").get_data(as_text=True)
    assert "<strong>galériaséta</strong>" in page
    assert f'name="method" value="{gallery.id}" class="button small">Galéria-séta</button>' in page
    assert "Világkávézó</button>" not in page
    assert _state(workshop) == before  # a GET changes nothing
    response = client.post("/methods/matching", data=_confirm(workshop, "galériaséta",
                                                               method=gallery.id))  # fmt: skip
    assert response.status_code == 303
    assert _state(workshop) == ("körkérdés", before[1] + 1, [("Galéria-séta", 20)], 2)
    page = client.get(response.location).get_data(as_text=True)
    assert "„galériaséta” átkerült az alkalom tervébe: Galéria-séta." in page
    assert "<strong>galériaséta</strong>" not in page
    response = client.post("/methods/matching", data=_confirm(workshop, "körkérdés", new="1"))
    assert response.status_code == 303
    assert _state(workshop) == (
        "", before[1] + 2, [("Galéria-séta", 20), ("körkérdés", None)], 3,
    )  # fmt: skip
    assert "Nincs párosításra váró" in client.get("/methods/matching").get_data(as_text=True)
    relogin(client, world["coordinator"])
    found = client.get("/search?q=galeria&kind=workshop").get_data(as_text=True)
    assert found.count('class="result"') == 1  # found by its plan now


def test_a_stale_or_bad_confirmation_changes_nothing(client, world, log_in, older):
    """An older version, a text already matched, a method no longer there, no choice or two:
    a Hungarian message, the list again, nothing changed; htmx gets the list with it."""
    workshop, gallery = older
    before = _state(workshop)
    log_in(world["mentor_a"])
    stale = _confirm(workshop, "galériaséta", method=gallery.id) | {"version": 99}
    gone = _confirm(workshop, "galéria-séta", method=gallery.id)
    for data in (stale, gone):
        response = client.post("/methods/matching", data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 409 and "semmi sem változott" in page
        assert "<strong>galériaséta</strong>" in page
    for data in (
        _confirm(workshop, "galériaséta", method=2**30),
        _confirm(workshop, "galériaséta"),
        _confirm(workshop, "galériaséta", method=gallery.id, new="1"),
        _confirm(workshop, "galériaséta", method=gallery.id) | {"workshop": "x"},
        _confirm(workshop, "", new="1"),
    ):
        response = client.post("/methods/matching", data=data)
        assert response.status_code == 422, data
        assert "Ez a párosítás nem érvényes" in response.get_data(as_text=True)
    response = client.post("/methods/matching", data=stale, headers=HX)
    fragment = response.get_data(as_text=True)
    assert response.status_code == 409 and fragment.startswith('<section id="matching"')
    assert "semmi sem változott" in fragment and "<html" not in fragment
    assert _state(workshop) == before


def test_a_confirmation_by_htmx_answers_the_list(client, world, log_in, older):
    """Confirmed by htmx: the list comes back without the matched text, with the message."""
    workshop, gallery = older
    log_in(world["coordinator"])
    response = client.post(
        "/methods/matching", data=_confirm(workshop, "galériaséta", method=gallery.id), headers=HX
    )
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200 and "átkerült az alkalom tervébe" in fragment
    assert (
        "<strong>galériaséta</strong>" not in fragment and "<strong>körkérdés</strong>" in fragment
    )


def test_each_sees_the_free_text_of_the_workshops_they_plan(client, world, log_in, older):
    """A mentor sees (and matches) their groups' workshops only, the coordinator every
    group's; a participant is refused the page."""
    workshop, gallery = older
    theirs = make_workshop(world["group_b"], methods="galeria seta", topic="BÉTA-ALKALOM")
    db.session.commit()
    before = _state(theirs)
    log_in(world["mentor_a"])
    page = client.get("/methods/matching").get_data(as_text=True)
    assert "galériaséta" in page and "BÉTA-ALKALOM" not in page
    response = client.post("/methods/matching", data=_confirm(theirs, "galeria seta",
                                                               method=gallery.id))  # fmt: skip
    assert response.status_code == 422 and _state(theirs) == before  # as if not there
    relogin(client, world["coordinator"])
    page = client.get("/methods/matching").get_data(as_text=True)
    assert "galériaséta" in page and "BÉTA-ALKALOM" in page
    relogin(client, world["participant_a"])
    assert client.get("/methods/matching").status_code == 403


def test_near_names_fold_case_accents_hyphens_and_a_letter_or_two(app, world):
    """The same letters first, then a letter apart; short names only when the same."""
    names = ("Galéria-séta", "Reflektív napló", "Kör", "Nyitókör", "Zárókör")
    methods = {name: _method(world, name) for name in names}

    def near(text: str) -> list[str]:
        return [m.name for m in near_names(text, list(methods.values()))]

    assert near("GALÉRIASÉTA") == ["Galéria-séta"]
    assert near("galeria - seta") == ["Galéria-séta"]
    assert near("reflektív naplók") == ["Reflektív napló"]
    assert near("kör") == ["Kör"] and near("kőr") == ["Kör"] and near("kar") == []
    assert near("nyitókör") == ["Nyitókör"]
    assert near("világkávézó") == []
