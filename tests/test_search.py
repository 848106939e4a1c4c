"""Search: Hungarian as people type it, the index kept current in the writing transaction,
filters in the URL, hostile queries answered, results escaped and marked."""

from datetime import date

import pytest
from sqlalchemy import delete, func, select

from journal.extensions import db
from journal.journals.operations import save_section
from journal.methods.operations import create_method, plan_step, save_method
from journal.models import NoteKind, SearchDocument, Visibility
from journal.notes.operations import add_reply, edit_note
from journal.search import index
from journal.search.queries import parse
from journal.workshops.operations import WorkshopData, update_workshop
from tests.apps import login
from tests.factories import make_journal, make_user, make_workshop
from tests.test_notes import make_note

HX = {"HX-Request": "true"}


def found(client, q, **args) -> str:
    """Return the results page of a query."""
    response = client.get("/search", query_string={"q": q} | args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def titles(client, q, **args) -> int:
    """Return how many results a query has."""
    page = found(client, q, **args)
    return page.count('class="result"')


def test_a_query_is_read_as_folded_words_phrases_and_separators():
    """Accents, case and the engines' syntax characters fold away; quotes make a phrase."""
    assert parse('"Önkéntes  munka" Tűzoltó-egyesület * NEAR : - AND') == [
        ("onkentes", "munka"),
        ("tuzolto", "egyesulet"),
        ("near",),
        ("and",),
    ]
    assert parse('<script>alert("x")</script>') == [("script", "alert", "x", "script")]
    assert parse('" * : -') == []
    assert parse("ŐSZI ÚT ŐSZI") == [("oszi",), ("ut",)]


@pytest.fixture
def notes(world):
    """Notes of group alfa with Hungarian words, accents and all."""
    make_note(world["participant_a"], world["group_a"], title="Tűzoltó-egyesület a falunapon",
              body="Az **önkénteseink** vitték a sátrat.")  # fmt: skip
    make_note(world["participant_a2"], world["group_a"], title="Könyvtári estek",
              body="Kevés az önkéntesség, sok a munka.", kind=NoteKind.RESOURCE)  # fmt: skip
    db.session.commit()
    return world


@pytest.mark.parametrize(
    "query, count",
    [
        ("tuzolto", 1),  # without accents
        ("TŰZOLTÓ", 1),  # case
        ("tűzoltó-egyesület", 1),  # as written
        ("egyes", 1),  # a prefix
        ("onkentes", 2),  # önkénteseink, önkéntesség
        ("önkéntes", 2),
        ("önkéntes sátrat", 1),  # every word must be there
        ('"a falunapon"', 1),  # a phrase
        ('"falunapon a"', 0),  # its words in another order are not the phrase
        ("tűzoltóság", 0),  # longer than any word
        ("könyvtár munka", 1),
    ],
)
def test_hungarian_as_people_type_it(client, notes, log_in, query, count):
    """Accent- and case-insensitive prefix matching, phrases in quotes, words all required."""
    log_in(notes["coordinator"])
    assert titles(client, query) == count


def test_the_matching_words_are_marked_in_escaped_context(client, world, log_in):
    """The title and the context show the matches in <mark>; the text's HTML stays text."""
    body = "Előtte " + "szó " * 200 + "<script>alert(1)</script> a tűzoltók bálja."
    make_note(world["participant_a"], world["group_a"], title="Tűzoltó <b>bál</b>", body=body)
    db.session.commit()
    log_in(world["coordinator"])
    page = found(client, "tuzolto")
    assert "<mark>Tűzoltó</mark> &lt;b&gt;bál&lt;/b&gt;" in page
    assert "<mark>tűzoltók</mark> bálja." in page
    assert "<script>alert(1)" not in page
    # The context begins near the match, cut between words, and says it was cut.
    assert "…szó szó" in page


def test_the_index_follows_every_write_in_its_transaction(client, world, log_in):
    """New, edited (a versioned bulk UPDATE) and replied notes, saved sections and moved
    workshops are found as they are now, without a rebuild."""
    mentor, group = world["mentor_a"], world["group_a"]
    note = make_note(world["participant_a"], group, title="Régi cím kemence")
    add_reply(mentor, note, "Válaszban a cserépkályha.")
    workshop = make_workshop(group, date=date(2025, 11, 14), topic="Alkalom")
    journal = make_journal(workshop, mentor)
    section = next(s for s in journal.sections if s.visibility != Visibility.PRIVATE)
    save_section(mentor, section, section.version, "A vályogház története.", section.visibility,
                 False)  # fmt: skip
    edit_note(world["participant_a"], note, note.version, title="Új cím búbos", body="")
    db.session.commit()
    log_in(world["coordinator"])
    assert titles(client, "kemence") == 0
    assert titles(client, "bubos") == 1
    assert titles(client, "cserepkalyha") == 1
    assert titles(client, "valyoghaz", **{"from": "2025-11", "to": "2025-11"}) == 1
    update_workshop(
        mentor, workshop, workshop.version,
        WorkshopData(date=date(2026, 2, 6), start_time=None, end_time=None, place="",
                     topic="Alkalom", agenda="", methods=""),
        widen=True,
    )  # fmt: skip
    db.session.commit()
    assert titles(client, "valyoghaz", **{"from": "2025-11", "to": "2025-11"}) == 0
    assert titles(client, "valyoghaz", **{"from": "2026-02", "to": "2026-02"}) == 1


def test_an_emptied_text_leaves_the_index(world):
    """A section saved empty has nothing left to find."""
    mentor = world["mentor_a"]
    journal = make_journal(make_workshop(world["group_a"]), mentor)
    section = journal.sections[0]
    save_section(mentor, section, section.version, "Valami", section.visibility, False)
    count = select(func.count()).select_from(SearchDocument).where(SearchDocument.kind == "section")
    assert db.session.scalar(count) == 1
    save_section(mentor, section, section.version, "", section.visibility, False)
    assert db.session.scalar(count) == 0


def test_a_notes_and_a_replys_entry_follows_their_day(world):
    """A note or reply dated after it was written (the demo loads notes of past days) is found
    under that day, not under the day it was indexed."""
    from datetime import UTC, datetime

    note = make_note(world["participant_a"], world["group_a"], title="Nyári tábor")
    reply = add_reply(world["participant_a2"], note, "Mi is megyünk a táborba")
    db.session.flush()
    note.created_at = reply.created_at = datetime(2026, 1, 5, 9, tzinfo=UTC)
    db.session.flush()
    days = db.session.execute(select(SearchDocument.kind, SearchDocument.day)).all()
    assert sorted(days) == [("note", date(2026, 1, 5)), ("reply", date(2026, 1, 5))]


@pytest.mark.parametrize(
    "query",
    ["<script>alert(1)</script>", '"', '""', '"nyitott', "*", "tűz*", "NEAR", "NEAR(a b)",
     "a:b", "-tűz", "title:tűz", "'", "\\", "%", "(", "AND OR NOT", "ő" * 500, "🔥"],
)  # fmt: skip
def test_hostile_queries_answer_results_or_a_message(client, notes, log_in, query):
    """FTS syntax, quotes and markup are never a 500, and what was typed is shown back escaped."""
    log_in(notes["coordinator"])
    for headers in ({}, HX):
        response = client.get("/search", query_string={"q": query}, headers=headers)
        assert response.status_code == 200
        assert "<script>alert" not in response.get_data(as_text=True)


def test_a_query_without_words_says_so(client, notes, log_in):
    """Only punctuation: the page says what to type."""
    log_in(notes["coordinator"])
    assert "Írjon be betűket vagy számokat" in found(client, '" * :')


def test_filters_by_group_kind_period_and_author(client, world, log_in):
    """Each filter narrows the results, and the URL holds them all."""
    a, b = world["group_a"], world["group_b"]
    make_note(world["participant_a"], a, title="Szüret alfa", kind=NoteKind.QUESTION)
    make_note(world["participant_b"], b, title="Szüret béta")
    make_workshop(a, topic="Szüreti mulatság", date=date(2025, 9, 20))
    db.session.commit()
    log_in(world["coordinator"])
    assert titles(client, "szuret") == 3
    assert titles(client, "szuret", group="beta") == 1
    assert titles(client, "szuret", kind="workshop") == 1
    assert titles(client, "szuret", kind="note") == 2
    assert titles(client, "szuret", kind="note:question") == 1
    assert titles(client, "szuret", author=world["participant_b"].id) == 1
    assert titles(client, "szuret", **{"from": "2025-09", "to": "2025. szeptember"}) == 1
    page = found(client, "szuret", group="beta", kind="note")
    assert 'value="beta" selected' in page and 'value="note" selected' in page


def test_a_bad_date_is_said_and_kept(client, notes, log_in):
    """An unreadable date is named in Hungarian, kept in its field, and left out."""
    log_in(notes["coordinator"])
    page = found(client, "tuzolto", **{"from": "tegnapelőtt"})
    assert "tegnapelőtt" in page and 'aria-invalid="true"' in page
    assert "Adjon meg dátumot" in page
    assert page.count('class="result"') == 1


def test_typing_gets_the_results_fragment(client, notes, log_in):
    """An htmx request answers only the list of results; the page answers everything."""
    log_in(notes["participant_a"])
    fragment = client.get("/search?q=tuzolto", headers=HX)
    text = fragment.get_data(as_text=True)
    assert text.lstrip().startswith("{#") is False and 'id="search-results"' in text
    assert "<html" not in text and "HX-Request" in fragment.headers["Vary"]
    assert "<html" in found(client, "tuzolto")


def test_results_are_ranked_and_paged(client, world, log_in):
    """A title match ranks above a body match; twenty results a page, the rest on the next."""
    group, author = world["group_a"], world["participant_a"]
    make_note(author, group, title="Semmi", body="Benne a gólya szó.")
    make_note(author, group, title="Gólya a kéményen", body="Semmi más.")
    for n in range(22):
        make_note(author, group, title=f"Jegyzet {n}", body=f"Fecske {n}")
    db.session.commit()
    log_in(world["coordinator"])
    page = found(client, "golya")
    assert page.index("Gólya</mark> a kéményen") < page.index("Benne a <mark>gólya")
    first, second = found(client, "fecske"), found(client, "fecske", page=2)
    assert "24 találat" not in first and "22 találat" in first
    assert first.count('class="result"') == 20 and second.count('class="result"') == 2
    assert "Következő oldal" in first and "Előző oldal" in second


def test_the_header_has_a_search_box_for_everyone_logged_in(client, world, log_in):
    """Every page's header holds the box; the search page itself holds the big one."""
    log_in(world["participant_b"])
    assert 'role="search"' in client.get("/").get_data(as_text=True)
    assert client.get("/").get_data(as_text=True).count('name="q"') == 1
    assert found(client, "").count('name="q"') == 1


def test_reindex_and_init_db_fill_the_index(app, runner, notes, client, log_in):
    """`flask reindex` writes the index again; `flask init-db` fills an empty one."""
    db.session.execute(delete(SearchDocument))
    db.session.commit()
    log_in(notes["coordinator"])
    assert titles(client, "tuzolto") == 0
    result = runner.invoke(args=["reindex"])
    assert result.exit_code == 0 and "Search index rebuilt: 2 texts." in result.output
    assert titles(client, "tuzolto") == 1
    assert index.rebuild() == 2
    db.session.commit()
    assert titles(client, "tuzolto") == 1


def test_a_word_in_very_many_texts_is_ranked_among_its_newest(client, world, log_in, monkeypatch):
    """Past CANDIDATES matches the newest are ranked and the page says so; the filters apply
    before that limit, so a period still finds its older texts."""
    from datetime import UTC, datetime

    from journal.search import queries

    monkeypatch.setattr(queries, "CANDIDATES", 3)
    old = datetime(2025, 3, 10, 12, tzinfo=UTC)
    for n in range(3):
        make_note(world["participant_a"], world["group_a"], title=f"Régi fecske {n}",
                  created_at=old, updated_at=old)  # fmt: skip
    for n in range(3):
        make_note(world["participant_a"], world["group_a"], title=f"Új fecske {n}")
    make_note(world["participant_a"], world["group_a"], title="Csak egy rigó")
    db.session.commit()
    log_in(world["coordinator"])
    page = found(client, "fecske")
    assert page.count('class="result"') == 3
    assert "Új <mark>fecske" in page and "Régi <mark>" not in page
    assert "3 találat a legújabb 3 egyező szöveg közül" in page
    older = found(client, "fecske", **{"from": "2025-03", "to": "2025-03"})
    assert older.count('class="result"') == 3 and "Új <mark>" not in older
    assert "egyező szöveg közül" not in found(client, "rigó")


@pytest.mark.parametrize("dense", [0.0, 10.0**9], ids=["walk-newest", "index-first"])
def test_both_ways_to_the_newest_matches_find_the_same(client, notes, log_in, monkeypatch, dense):
    """PostgreSQL walks the newest texts back for a common word and asks the GIN index first
    for a rarer one (journal/search/queries.py DENSE): either way the same texts are found."""
    from journal.search import queries

    monkeypatch.setattr(queries, "DENSE", dense)
    log_in(notes["coordinator"])
    assert titles(client, "onkentes") == 2
    assert titles(client, '"a falunapon"') == 1


def test_the_methods_library_is_found_by_everyone_in_the_program(app, runner, world, monkeypatch):
    """A method of the library is found by its name and by the words of any of its fields,
    by every member of any group and by the coordinator, marked, linked to its page, under
    the kind "method" and in no group; an edit is found at once, and `init-db` indexes the
    methods of an index written before they were searchable. Someone in no group (who may
    not read the library) finds nothing."""
    values = {"name": "Gyöngyfűzés", "aim": "Bizalomépítés a csoportban",
              "group_size": "6–12 fő, két asztalnál", "minutes": 30,
              "materials": "- zsinór\n- **színes** gyöngyök",
              "body": "1. **Fűzzük** fel.", "variations": "", "source": "",
              "tags": "nyitás"}  # fmt: skip
    method = create_method(world["coordinator"], values)
    db.session.commit()
    for who in ("participant_a", "participant_b", "mentor_a", "coordinator"):
        client = app.test_client()
        login(client, world[who])
        page = found(client, "bizalomepites")
        assert page.count('class="result"') == 1, who
        assert f'href="/methods/{method.id}"' in page and "Gyöngyfűzés" in page
        assert "Módszer · Módszertár" in page and "<mark>Bizalomépítés</mark>" in page
        assert titles(client, "gyongyfuzes zsinor") == 1, who
        assert titles(client, "bizalomepites", kind="method") == 1
        assert titles(client, "bizalomepites", kind="note") == 0
    # The library is every group's and of no period: group and period filters leave it in.
    assert titles(client, "bizalomepites", group="alfa") == 1
    assert titles(client, "bizalomepites", **{"from": "2020-01", "to": "2020-02"}) == 1
    assert "<mark>asztalnál</mark>" in found(client, "asztalnal")  # its group size
    # A workshop whose plan holds the method is found by its name, marked in its result.
    workshop = make_workshop(world["group_a"], topic="Nyitó alkalom")
    workshop.plan.append(plan_step(method, None, 1))
    db.session.commit()
    assert "<mark>Gyöngyfűzés</mark>" in found(client, "gyongyfuzes", kind="workshop")
    # Renamed in the library, it is found under its new name in the plan, not the old one.
    values["name"] = "Gyöngysor"
    save_method(world["coordinator"], method, method.version, values)
    db.session.commit()
    assert "<mark>Gyöngysor</mark>" in found(client, "gyongysor", kind="workshop")
    assert titles(client, "gyongyfuzes") == 0
    # The Markdown of its materials reads as its page shows it, the items of a list apart.
    page = found(client, "szines")
    assert "zsinór · <mark>színes</mark> gyöngyök" in " ".join(page.split()) and "**" not in page
    save_method(world["coordinator"], method, method.version, values | {"aim": "Ráhangolódás"})
    db.session.commit()
    assert titles(client, "bizalomepites") == 0 and titles(client, "rahangolodas") == 1
    # An index from before methods were searched, where the new code saved one method (which
    # indexed it) before init-db ran; and a method without a word to find.
    other = create_method(
        world["coordinator"], values | {"name": "Hógolyó", "aim": "Hógolyózás"}
    ).id
    create_method(
        world["coordinator"], {name: "" for name in values} | {"name": "🙂", "minutes": None}
    )
    db.session.execute(delete(SearchDocument).where(SearchDocument.kind == "method"))
    save_method(world["coordinator"], method, method.version, values | {"aim": "Ráhangolás"})
    db.session.commit()
    assert titles(client, "hogolyozas") == 0
    # The test's schema is not made by Alembic: only the index is init-db's to fill here.
    monkeypatch.setattr("journal.cli.upgrade", lambda: None)
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0 and "0 texts rendered again, 1 texts indexed" in result.output
    assert f'href="/methods/{other}"' in found(client, "hogolyozas")
    assert titles(client, "rahangolas") == 1
    again = runner.invoke(args=["init-db"])
    assert again.exit_code == 0 and ", 0 texts indexed" in again.output
    nobody = make_user(family_name="Senki", given_name="Sem")
    db.session.commit()
    login(client := app.test_client(), nobody)
    assert titles(client, "rahangolas") == 0
