"""Mentor-only notes reach the author and the group's mentors and nobody else, anywhere.

Every GET route of the app is fetched as each other person, as a page and as an htmx
fragment, and must not contain the note's marker. A board page costs a fixed number of
SQL queries whatever the number of notes on it.
"""

import re

import pytest
from sqlalchemy import event

from journal.extensions import db
from journal.models import NoteKind, Reaction, Reply
from tests.test_access_matrix import response_text
from tests.test_notes import make_note, relogin

MARKER = "TITOKJEL7731"
HX = {"HX-Request": "true"}


@pytest.fixture
def log_in(client):
    """Log a user in, logging out whoever was logged in before."""
    return lambda user: relogin(client, user)


def _get_routes(app, values: dict) -> list[str]:
    """Return a URL for every GET route, with its arguments filled in from `values`."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        args = {}
        for name in rule.arguments:
            if name in values:
                args[name] = values[name]
            elif rule._converters[name].__class__.__name__ == "IntegerConverter":
                args[name] = values.get("id", 1)
            else:
                args[name] = values.get("slug", "alfa")
        try:
            urls.append(rule.build(args, append_unknown=False)[1])
        except Exception:  # a converter we cannot fill in: skip, the matrix test covers it
            continue
    return urls


@pytest.fixture
def secret(world):
    """A mentor-only note of a participant of group alfa, with a mentor's reply."""
    note = make_note(
        world["participant_a"],
        world["group_a"],
        title=f"Magánügy {MARKER}",
        body=f"Szöveg {MARKER}",
        link=f"https://example.org/{MARKER}",
        mentor_only=True,
        kind=NoteKind.QUESTION,
    )
    db.session.add(Reply(note_id=note.id, author_id=world["mentor_a"].id, body=f"Válasz {MARKER}"))
    db.session.commit()
    return note


@pytest.mark.parametrize(
    "who", ["participant_a2", "participant_b", "mentor_b", "coordinator", None]
)
def test_mentor_only_note_reaches_nobody_else(app, client, world, log_in, secret, who):
    """No page, fragment or poll answer shows a mentor-only note to anyone else."""
    if who:
        log_in(world[who])
    urls = _get_routes(app, {"slug": "alfa", "note_id": secret.id, "id": secret.id})
    urls += ["/groups/alfa/notes/poll?since=x", f"/groups/alfa/notes?author={secret.author_id}"]
    assert any("/notes" in u for u in urls)
    for url in urls:
        for headers in ({}, HX):
            response = client.get(url, headers=headers)
            assert MARKER not in response_text(response), (who, url, headers)
            assert MARKER.encode() not in response.get_data(), (who, url)


@pytest.mark.parametrize("who", ["participant_a", "mentor_a"])
def test_mentor_only_note_reaches_author_and_mentor(client, world, log_in, secret, who):
    """The author and the group's mentor see it on the board, the note page and the poll."""
    log_in(world[who])
    for url in ("/groups/alfa/notes", f"/notes/{secret.id}", "/groups/alfa/notes/poll"):
        for headers in ({}, HX):
            assert MARKER in client.get(url, headers=headers).get_data(as_text=True), url


def test_mentor_only_note_never_in_report(world, secret):
    """A mentor-only note cannot be picked for, nor appear in, a report."""
    from journal.notes.queries import report_notes
    from journal.permissions import can_pick_note_for_report

    secret.in_report = True
    assert report_notes(world["group_a"]) == []
    assert not can_pick_note_for_report(world["mentor_a"], secret)


def _board_queries(client, slug: str) -> tuple[int, str]:
    """Fetch the board and count the SQL statements it ran."""
    statements = []

    def count(*_args):
        """Count one statement."""
        statements.append(1)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        html = client.get(f"/groups/{slug}/notes").get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements), html


def _fill(world, n: int) -> None:
    """Add notes with a reply and two me-toos each."""
    people = [world["participant_a"], world["participant_a2"], world["mentor_a"]]
    for i in range(n):
        note = make_note(people[i % 3], world["group_a"], title=f"Jegyzet {i}")
        db.session.add(Reply(note_id=note.id, author_id=people[(i + 1) % 3].id, body="Válasz"))
        for other in (people[(i + 1) % 3], people[(i + 2) % 3]):
            db.session.add(Reaction(note_id=note.id, user_id=other.id))
    db.session.commit()


def test_board_query_count_does_not_grow_with_notes(app, client, world, log_in):
    """A board page of 50 notes with replies and me-toos runs as many queries as one of 5."""
    from journal.notes import queries

    log_in(world["mentor_a"])
    _fill(world, 5)
    few, html = _board_queries(client, "alfa")
    assert html.count('class="note kind-') == 5
    original = queries.PAGE_SIZE
    queries.PAGE_SIZE = 50
    try:
        _fill(world, 45)
        many, html = _board_queries(client, "alfa")
    finally:
        queries.PAGE_SIZE = original
    assert html.count('class="note kind-') == 50
    assert len(re.findall(r"reply-mentor|class=\"reply\"", html)) == 50
    assert many == few, (few, many)
    print(f"board queries: {few} for 5 notes, {many} for 50 notes")
