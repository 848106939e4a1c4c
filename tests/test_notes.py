"""Shared notes: board, inline editing, replies, "Nálam is", moderation, report picks."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from journal.extensions import db
from journal.models import Note, NoteKind, Reaction, Reply, utcnow
from tests.apps import DATABASE_URL
from tests.factories import make_workshop
from tests.test_attendance import count_queries

HX = {"HX-Request": "true"}


def make_note(author, group, **kw) -> Note:
    """Create a note with defaults."""
    now = utcnow()
    values = {
        "kind": NoteKind.DIFFICULTY,
        "title": "Nehéz bevonni a fiatalokat",
        "body": "A **közösségi szolgálat** után eltűnnek.",
        "created_at": now,
        "updated_at": now,
    } | kw
    note = Note(group_id=group.id, author_id=author.id, **values)
    db.session.add(note)
    db.session.flush()
    return note


def relogin(client, user):
    """Log out whoever is logged in, then log the user in."""
    from tests.apps import login

    client.post("/logout")
    return login(client, user)


@pytest.fixture
def log_in(client):
    """Log a user in, logging out whoever was logged in before."""
    return lambda user: relogin(client, user)


def _count(model) -> int:
    """Count rows of a model."""
    return db.session.scalar(select(func.count()).select_from(model))


def _new(client, slug="alfa", headers=None, **data):
    """Post the new-note form."""
    values = {"kind": "difficulty", "title": "Cím", "body": "Szöveg", "link": ""} | data
    return client.post(f"/groups/{slug}/notes/new", data=values, headers=headers or {})


def test_board_lists_group_notes_newest_first(client, world, log_in):
    """The board shows the group's notes, newest first, with Markdown rendered."""
    a = make_note(world["participant_a"], world["group_a"], title="Régebbi")
    a.created_at = utcnow() - timedelta(hours=1)
    make_note(world["participant_a2"], world["group_a"], title="Újabb")
    make_note(world["participant_b"], world["group_b"], title="Más csoporté")
    log_in(world["participant_a"])
    html = client.get("/groups/alfa/notes").get_data(as_text=True)
    assert html.index("Újabb") < html.index("Régebbi")
    assert "Más csoporté" not in html
    assert "<strong>közösségi szolgálat</strong>" in html


def test_add_note_plain_and_htmx(client, world, log_in):
    """A plain post redirects with 303; an htmx post answers the refreshed list (one request
    where there were two), the new note at its top, marked to be said, lit and focused."""
    log_in(world["participant_a"])
    response = _new(client, title="Első")
    assert response.status_code == 303
    response = _new(client, headers=HX, title="Második", link="https://example.org/a?b=1")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="note-list"') and "<html" not in html
    assert html.index("Második") < html.index("Első")
    second = db.session.scalar(select(Note.id).where(Note.title == "Második"))
    fresh = re.search(r'<article id="note-(\d+)" class="[^"]*note-fresh"[^>]*>', html)
    assert fresh and int(fresh.group(1)) == second
    assert "autofocus" in fresh.group(0) and 'tabindex="-1"' in fresh.group(0)
    assert "A jegyzetet közzétettük." in html and html.count("note-fresh") == 1
    assert _count(Note) == 2


def test_a_new_note_comes_back_in_the_boards_filters_unless_they_hide_it(client, world, log_in):
    """Posted from a filtered board, the list keeps the filter when the note fits it, and
    drops it when the note would be hidden."""
    log_in(world["participant_a"])
    make_note(
        world["participant_a2"], world["group_a"], title="Régi kérdés", kind=NoteKind.QUESTION
    )
    url = "/groups/alfa/notes/new?kind=question"
    data = {"kind": "question", "title": "Új kérdés", "body": ""}
    html = client.post(url, data=data, headers=HX).text
    assert "Új kérdés" in html and "Régi kérdés" in html and "kind=question" in html
    html = client.post(url, data=data | {"kind": "difficulty"}, headers=HX).text
    assert "note-fresh" in html and "kind=question" not in html


def _posted_token(html: str) -> dict:
    """Return the board's token the list (or an answer beside it) gives the new-note form."""
    found = re.search(
        r'<input type="hidden" id="note-since" name="since" value="([0-9a-f]+)"', html
    )
    return {"since": found.group(1)} if found else {}


def test_a_note_posted_on_the_board_as_it_is_goes_on_top_of_it(client, world, log_in):
    """The unfiltered first page gives the form its token. Posted with it, and the board still
    as shown, the answer is the new note alone for the top of the list, with the count, the
    page links, the poll's and the form's new token beside it; a full page's last note goes
    to the next page. A board changed meanwhile answers the whole list, as before."""
    from journal.notes import queries

    for i in range(queries.PAGE_SIZE):
        make_note(world["participant_a2"], world["group_a"], title=f"Régi {i:02d}")
    log_in(world["participant_a"])
    page = client.get("/groups/alfa/notes").text
    oldest = db.session.scalar(select(func.min(Note.id)))
    assert f'id="note-{oldest}"' in page and "Régebbiek" not in page
    response = _new(client, headers=HX, title="Friss", **_posted_token(page))
    html = response.text
    assert response.headers["HX-Retarget"] == "#note-items"
    assert response.headers["HX-Reswap"] == "afterbegin"
    assert "Friss" in html and "Régi" not in html and "<section" not in html
    assert "A jegyzetet közzétettük." in html and html.count("note-fresh") == 1
    assert f'<div id="note-{oldest}" hx-swap-oob="delete"></div>' in html
    assert "21 jegyzet" in html and "Régebbiek" in html and 'id="note-pages"' in html
    token = queries.board_token(world["participant_a"], world["group_a"])
    assert f"since={token}" in html and _posted_token(html) == {"since": token}
    assert client.get(f"/groups/alfa/notes/poll?since={token}", headers=HX).status_code == 204
    # The next one goes on top too, with the token the answer gave.
    response = _new(client, headers=HX, title="Második", since=token)
    assert response.headers["HX-Retarget"] == "#note-items"
    assert f'<div id="note-{oldest + 1}" hx-swap-oob="delete"></div>' in response.text
    # Someone else posted meanwhile: the list shown is not the board, so it comes whole.
    make_note(world["participant_a2"], world["group_a"], title="Közben")
    response = _new(client, headers=HX, title="Még egy", **_posted_token(response.text))
    assert "HX-Retarget" not in response.headers
    assert response.text.lstrip().startswith('<section id="note-list"')
    assert "Közben" in response.text and "Még egy" in response.text
    # Nor is a filtered or later page the board's first: it gives no token to send. Nor is a
    # page with a deletion notice, which would stay behind as its notes move on.
    assert _posted_token(client.get("/groups/alfa/notes?kind=question").text) == {}
    assert _posted_token(client.get("/groups/alfa/notes?page=2").text) == {}
    own = db.session.scalar(select(Note.id).where(Note.title == "Még egy"))
    assert client.post(f"/notes/{own}/delete", headers=HX).status_code == 200
    page = client.get("/groups/alfa/notes").text
    assert "Visszaállítás" in page and _posted_token(page) == {}
    assert client.post(f"/notes/{own}/restore", headers=HX).status_code == 200
    # Someone types in the list (an open reply): no note of it leaves, and its poll brings the
    # whole list once nobody types.
    page = client.get("/groups/alfa/notes").text
    typed = _new(client, headers=HX, title="Gépelés közben", typing="1", **_posted_token(page))
    assert typed.headers["HX-Retarget"] == "#note-items"
    assert 'hx-swap-oob="delete"' not in typed.text and 'id="note-since"' not in typed.text
    # Its poll stays as it was: its token is no longer the board's, so it brings the list.
    assert 'id="note-news"' not in typed.text


@pytest.mark.skipif(
    not (DATABASE_URL or "").startswith("postgresql"),
    reason="needs the PostgreSQL server (SQLite lets one writer in at a time)",
)
def test_a_note_committed_while_another_is_posted_is_never_hidden(
    app, client, world, log_in, monkeypatch
):
    """On PostgreSQL another writer may commit between the statements of a post. Its note is
    then in the answer (the whole list, since the board is no longer as shown), never left out
    behind a token that says the list had it."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session
    from sqlalchemy.pool import NullPool

    from journal.notes import operations

    log_in(world["participant_a"])
    page = client.get("/groups/alfa/notes").text
    url = db.engine.url.render_as_string(hide_password=False)
    group_id, author_id = world["group_a"].id, world["participant_a2"].id
    add_note = operations.add_note

    def add_while_someone_else_commits(*args, **kwargs):
        note = add_note(*args, **kwargs)
        engine = create_engine(url, poolclass=NullPool)
        with Session(engine) as other:
            now = utcnow()
            other.add(Note(group_id=group_id, author_id=author_id, kind=NoteKind.QUESTION,
                           title="Közben", created_at=now, updated_at=now))  # fmt: skip
            other.commit()
        engine.dispose()
        return note

    monkeypatch.setattr(operations, "add_note", add_while_someone_else_commits)
    response = _new(client, headers=HX, title="Friss", **_posted_token(page))
    assert "HX-Retarget" not in response.headers
    assert "Közben" in response.text and "Friss" in response.text


def test_a_new_note_comes_back_in_the_filters_the_list_shows(client, world, log_in):
    """The list gives the new-note form its own filters (`list`): filtered after the page
    was loaded, a post answers in the list's filters, not the page's first ones, and the
    address says what the list then shows (its first page, in the filters kept); filters
    that would hide the note are dropped, from the filter form too."""
    log_in(world["participant_a"])
    make_note(
        world["participant_a2"], world["group_a"], title="Régi kérdés", kind=NoteKind.QUESTION
    )
    make_note(world["participant_a2"], world["group_a"], title="Régi nehézség")
    listed = client.get("/groups/alfa/notes?kind=question&page=1", headers=HX).text
    shown = re.search(r'id="note-filters" name="list" value="([^"]*)"', listed).group(1)
    assert shown == "kind=question"
    data = {"kind": "question", "title": "Új kérdés", "body": "", "list": shown}
    posted = client.post("/groups/alfa/notes/new", data=data, headers=HX)  # the page's first URL
    assert "Új kérdés" in posted.text and "Régi kérdés" in posted.text
    assert "Régi nehézség" not in posted.text
    assert posted.headers["HX-Replace-Url"] == "/groups/alfa/notes?kind=question"
    hidden = client.post(
        "/groups/alfa/notes/new", data=data | {"kind": "good_practice"}, headers=HX
    )  # the filter would hide it: the list comes unfiltered, and so does the address
    assert (
        "Régi nehézség" in hidden.text and hidden.headers["HX-Replace-Url"] == "/groups/alfa/notes"
    )
    form = hidden.text.split('<form id="note-filter-form"', 1)[1].split("</form>", 1)[0]
    assert 'hx-swap-oob="true"' in form and "selected" not in form  # the form says "mind" too
    assert 'id="note-filter-form"' not in posted.text  # kept filters: the form is right as it is
    second = client.get("/groups/alfa/notes?page=2", headers=HX).text
    assert 'id="note-filters" name="list" value=""' in second  # a page is no filter


def test_a_refused_note_focuses_its_first_error(client, world, log_in):
    """A refused form focuses the first field in error (and only that one)."""
    log_in(world["participant_a"])
    html = _new(client, headers=HX, title="", link="javascript:x").text
    assert re.search(
        r'<input[^>]*autofocus[^>]*id="title"|<input[^>]*id="title"[^>]*autofocus', html
    )
    assert html.count("autofocus") == 1


@pytest.mark.parametrize(
    "data, message",
    [
        ({"title": ""}, "Adjon címet a jegyzetnek."),
        ({"title": "x" * 201}, "Legfeljebb 200 karakter lehet; ez 201 karakter."),
        ({"body": "y" * 50_001}, "Legfeljebb 50\xa0000 karakter lehet; ez 50\xa0001 karakter."),
        ({"link": "javascript:alert(1)"}, "A link http:// vagy https:// kezdetű webcím legyen."),
        # A bracket Python cannot read as an address (a 500 before).
        ({"link": "http://["}, "A link http:// vagy https:// kezdetű webcím legyen."),
        ({"link": "https://a]b"}, "A link http:// vagy https:// kezdetű webcím legyen."),
        ({"link": "https://e.org/" + "z" * 500}, "Legfeljebb 500 karakter lehet; ez 514 karakter."),
    ],
)
def test_add_note_bad_input_keeps_text(client, world, log_in, data, message):
    """Bad input answers 422 in Hungarian, keeps the text, and adds nothing."""
    log_in(world["participant_a"])
    response = _new(client, **({"body": "Megtartandó szöveg"} | data))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert "Megtartandó szöveg" in html or "y" * 100 in html
    assert _count(Note) == 0


def test_add_note_rate_limit_keeps_text(tmp_path):
    """More notes a minute than allowed answers a Hungarian 429 that keeps the text."""
    from tests.apps import build_app, login
    from tests.factories import make_world

    app = build_app(tmp_path, NOTE_RATE_LIMIT="2 per minute")
    with app.app_context():
        world = make_world()
        client = app.test_client()
        login(client, world["participant_a"])
        assert _new(client).status_code == 303
        assert _new(client).status_code == 303
        response = _new(client, body="Ez nem veszhet el")
        html = response.get_data(as_text=True)
        assert response.status_code == 429
        assert "túl sok jegyzetet" in html and "Ez nem veszhet el" in html
        response = _new(client, headers=HX)
        assert response.status_code == 429 and response.headers["HX-Retarget"] == "#messages"
        assert _count(Note) == 2
        db.session.remove()
        db.engine.dispose()


def test_outsider_cannot_add_to_other_group(client, world, log_in):
    """A participant of another group gets 404 for the group's board and form."""
    log_in(world["participant_b"])
    assert client.get("/groups/alfa/notes").status_code == 404
    assert _new(client).status_code == 404
    assert _count(Note) == 0


def test_edit_inline_and_stale_version(client, world, log_in):
    """The author edits in place; a save from a stale version answers 409 with both texts."""
    note = make_note(world["participant_a"], world["group_a"])
    log_in(world["participant_a"])
    form = client.get(f"/notes/{note.id}/edit", headers=HX).get_data(as_text=True)
    assert form.lstrip().startswith("<form") and f'id="note-{note.id}"' in form
    data = {"kind": "difficulty", "title": "Új cím", "body": "Első mentés", "version": "1"}
    response = client.post(f"/notes/{note.id}/edit", data=data, headers=HX)
    assert response.status_code == 200 and "Új cím" in response.get_data(as_text=True)
    assert len(response.get_data()) <= 3072
    stale = data | {"body": "Második ablak szövege"}
    response = client.post(f"/notes/{note.id}/edit", data=stale, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Második ablak szövege" in html and "Első mentés" in html
    assert 'value="2"' in html
    db.session.refresh(note)
    assert note.body == "Első mentés" and note.version == 2


def test_an_edit_without_its_version_keeps_the_text_and_says_so(client, world, log_in):
    """A save that lost its version field (a page from before, a hand-made request) answers 422
    with the text as typed and a Hungarian message, and changes nothing."""
    note = make_note(world["participant_a"], world["group_a"])
    log_in(world["participant_a"])
    data = {"kind": "difficulty", "title": "Új cím", "body": "Gépelt szöveg"}
    response = client.post(f"/notes/{note.id}/edit", data=data, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Hiányzik a szerkesztett változat száma" in html and "Gépelt szöveg" in html
    db.session.refresh(note)
    assert note.version == 1 and note.body != "Gépelt szöveg"


def test_an_edit_that_moves_the_note_answers_with_its_new_workshop(client, world, log_in):
    """Moving a note to another workshop (or to none) answers with the note as saved: its new
    workshop's topic, not the one it had."""
    first = make_workshop(world["group_a"], topic="Első alkalom témája")
    second = make_workshop(world["group_a"], topic="Második alkalom témája")
    note = make_note(world["participant_a"], world["group_a"], workshop_id=first.id)
    db.session.commit()
    log_in(world["participant_a"])
    assert "Első alkalom témája" in client.get(f"/notes/{note.id}").get_data(as_text=True)
    data = {"kind": "difficulty", "title": "Cím", "body": "Szöveg", "version": "1"}
    moved = client.post(
        f"/notes/{note.id}/edit", data=data | {"workshop": str(second.id)}, headers=HX
    ).get_data(as_text=True)
    assert "Második alkalom témája" in moved and "Első alkalom témája" not in moved
    unmoved = client.post(
        f"/notes/{note.id}/edit", data=data | {"workshop": "", "version": "2"}, headers=HX
    ).get_data(as_text=True)
    assert "alkalom témája" not in unmoved.split('class="note-meta"')[1].split("</p>")[0]


def test_only_author_edits_and_deletes(client, world, log_in):
    """Others in the group get 403; outsiders 404."""
    note = make_note(world["participant_a"], world["group_a"])
    log_in(world["participant_a2"])
    assert client.get(f"/notes/{note.id}/edit").status_code == 403
    assert client.post(f"/notes/{note.id}/delete").status_code == 403
    log_in(world["participant_b"])
    assert client.get(f"/notes/{note.id}").status_code == 404
    assert client.post(f"/notes/{note.id}/edit", data={"version": "1"}).status_code == 404
    assert client.post(f"/notes/{note.id}/metoo").status_code == 404
    assert client.post(f"/notes/{note.id}/replies", data={"body": "x"}).status_code == 404
    assert client.get("/groups/alfa/notes/poll", headers=HX).status_code == 404


def test_delete_is_soft_and_restorable(client, world, log_in):
    """A deleted note disappears for others and its author can restore it for 30 days."""
    note = make_note(world["participant_a"], world["group_a"], title="Törlendő")
    log_in(world["participant_a"])
    response = client.post(f"/notes/{note.id}/delete", headers=HX)
    assert response.status_code == 200 and "30 napig" in response.get_data(as_text=True)
    assert "Törlendő" in client.get("/groups/alfa/notes/deleted").get_data(as_text=True)
    log_in(world["participant_a2"])
    assert "Törlendő" not in client.get("/groups/alfa/notes").get_data(as_text=True)
    assert client.get(f"/notes/{note.id}").status_code == 404
    log_in(world["participant_a"])
    response = client.post(f"/notes/{note.id}/restore")
    assert response.status_code == 303
    db.session.refresh(note)
    assert note.deleted_at is None
    note.deleted_at = utcnow() - timedelta(days=31)
    assert client.post(f"/notes/{note.id}/restore").status_code == 404


def test_deleting_or_restoring_on_the_board_updates_its_count(client, world, log_in):
    """Deleted or restored from the board, the note's answer carries the board's count for
    that board's filters; from the note's own page, none."""
    author = world["participant_a"]
    note = make_note(author, world["group_a"], title="Törlendő")
    make_note(author, world["group_a"], kind=NoteKind.QUESTION, title="Marad")
    log_in(author)
    board = "http://localhost/groups/alfa/notes"

    def count(html: str) -> str | None:
        """Return the out-of-band count an answer carries."""
        found = re.search(r'<p id="note-count" class="hint" hx-swap-oob="true">([^<]*)', html)
        return found and found[1]

    asked = HX | {"HX-Current-URL": board}
    deleted = client.post(f"/notes/{note.id}/delete", headers=asked).get_data(as_text=True)
    assert count(deleted) == "1 jegyzet"
    restored = client.post(f"/notes/{note.id}/restore", headers=asked).get_data(as_text=True)
    assert count(restored) == "2 jegyzet" and 'id="note-' in restored
    filtered = HX | {"HX-Current-URL": board + "?kind=difficulty"}
    deleted = client.post(f"/notes/{note.id}/delete", headers=filtered).get_data(as_text=True)
    assert count(deleted) == "0 jegyzet"
    client.post(f"/notes/{note.id}/restore", headers=HX)
    for garbage in ("http://[", "nem cím", "http://localhost/groups/beta/notes"):
        answer = client.post(f"/notes/{note.id}/delete", headers=HX | {"HX-Current-URL": garbage})
        assert answer.status_code == 200 and count(answer.get_data(as_text=True)) is None
        client.post(f"/notes/{note.id}/restore", headers=HX)
    page = HX | {"HX-Current-URL": f"http://localhost/notes/{note.id}"}
    alone = client.post(f"/notes/{note.id}/delete", headers=page).get_data(as_text=True)
    assert count(alone) is None


def test_a_note_deleted_a_moment_ago_stays_on_its_author_s_board_as_a_notice(client, world, log_in):
    """Whatever refreshes the board (its poll, a note posted, a reload), the author's note
    deleted a moment ago is in its place as a notice with "Visszaállítás"; nobody else sees
    it, and after ten minutes it is only under "Törölt jegyzeteim"."""
    older = make_note(world["participant_a"], world["group_a"], title="Régebbi")
    note = make_note(world["participant_a"], world["group_a"], title="Épp törölt")
    newer = make_note(world["participant_a"], world["group_a"], title="Újabb")
    log_in(world["participant_a"])
    client.post(f"/notes/{note.id}/delete", headers=HX)
    board = client.get("/groups/alfa/notes", headers=HX).get_data(as_text=True)
    notice = f'<div id="note-{note.id}" class="card note-deleted"'
    assert notice in board and f'id="restore-{note.id}"' in board
    assert board.index(f'id="note-{newer.id}"') < board.index(notice)
    assert board.index(notice) < board.index(f'id="note-{older.id}"')
    log_in(world["participant_a2"])
    assert "Épp törölt" not in client.get("/groups/alfa/notes").get_data(as_text=True)
    log_in(world["participant_a"])
    db.session.refresh(note)
    note.deleted_at = utcnow() - timedelta(minutes=11)
    db.session.commit()
    assert "Épp törölt" not in client.get("/groups/alfa/notes").get_data(as_text=True)
    assert "Épp törölt" in client.get("/groups/alfa/notes/deleted").get_data(as_text=True)


def test_deletion_notices_take_no_note_s_place_on_a_page(client, world, log_in):
    """A page holds 20 notes whatever notices are among them: with 21 notes, deleting the
    newest leaves one page of the 20 others and the notice, down to the oldest; a notice of
    page 2 is on page 2."""
    author, group = world["participant_a"], world["group_a"]
    notes = [make_note(author, group, title=f"Sorszám {n:02d}") for n in range(26)]
    for n, note in enumerate(notes):
        note.created_at = utcnow() - timedelta(minutes=100 - n)
    for note in notes[:5]:
        note.deleted_at = utcnow() - timedelta(days=1)  # long deleted: not on the board
    db.session.commit()
    log_in(author)
    client.post(f"/notes/{notes[25].id}/delete", headers=HX)
    board = client.get("/groups/alfa/notes").get_data(as_text=True)
    assert all(note.title in board for note in notes[5:])
    assert board.count('class="card note-deleted"') == 1 and "Régebbiek" not in board
    for note in notes[:5]:
        note.deleted_at = None
    db.session.commit()
    client.post(f"/notes/{notes[2].id}/delete", headers=HX)  # the 24th newest: page 2
    first = client.get("/groups/alfa/notes").get_data(as_text=True)
    second = client.get("/groups/alfa/notes?page=2").get_data(as_text=True)
    assert f'id="note-{notes[2].id}" class="card note-deleted"' in second
    assert all((note.title in first) != (note.title in second) for note in notes)


def test_restoring_from_the_deleted_list_says_so(client, world, log_in):
    """In the list of deleted notes a restore answers a message with a link to the note on the
    board (not the note itself under "Törölt jegyzeteim"), and the list no longer has it."""
    note = make_note(world["participant_a"], world["group_a"], title="Visszahozandó")
    log_in(world["participant_a"])
    client.post(f"/notes/{note.id}/delete", headers=HX)
    listing = client.get("/groups/alfa/notes/deleted").get_data(as_text=True)
    assert 'name="from" value="deleted"' in listing
    response = client.post(f"/notes/{note.id}/restore", data={"from": "deleted"}, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "visszaállítottuk" in html
    assert f'href="/groups/alfa/notes#note-{note.id}"' in html and "Szerkesztés" not in html
    assert "Visszahozandó" not in client.get("/groups/alfa/notes/deleted").get_data(as_text=True)
    assert "Visszahozandó" in client.get("/groups/alfa/notes").get_data(as_text=True)


def test_a_small_action_loads_its_note_once(client, world, log_in):
    """ "Nálam is" and a reply answer from the note they loaded (rendered before the commit):
    the note's own row is read once, not again after the commit."""
    from tests.test_attendance import count_queries

    note = make_note(world["participant_a"], world["group_a"])
    log_in(world["participant_a2"])
    for path, data in (
        (f"/notes/{note.id}/metoo", {"on": "1"}),
        (f"/notes/{note.id}/replies", {"body": "Nálam is így volt."}),
    ):
        with count_queries() as statements:
            response = client.post(path, data=data, headers=HX)
        assert response.status_code == 200
        reads = [s for s in statements if s.lstrip().startswith("SELECT note.")]
        assert len(reads) == 1, [s[:60] for s in statements]
    html = client.get(f"/notes/{note.id}").get_data(as_text=True)
    assert "Nálam is így volt." in html and 'class="metoo-count">1<' in html


def test_metoo_toggles_and_names(client, world, log_in):
    """ "Nálam is" toggles in place; names show unless the author hides them."""
    note = make_note(world["participant_a"], world["group_a"])
    log_in(world["participant_a2"])
    response = client.post(f"/notes/{note.id}/metoo", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith(f'<div id="metoo-{note.id}"')
    assert 'class="metoo-count">1<' in html and "Társ Ágota" in html
    html = client.post(f"/notes/{note.id}/metoo", headers=HX).get_data(as_text=True)
    assert 'class="metoo-count">0<' in html
    client.post(f"/notes/{note.id}/metoo")
    log_in(world["mentor_a"])
    assert "Társ Ágota" in client.get(f"/notes/{note.id}").get_data(as_text=True)
    note.hide_reactors = True
    assert "Társ Ágota" not in client.get(f"/notes/{note.id}").get_data(as_text=True)
    # The author may not say "me too" to their own note, nor anyone to a good practice.
    log_in(world["participant_a"])
    assert client.post(f"/notes/{note.id}/metoo").status_code == 403
    practice = make_note(world["participant_a2"], world["group_a"], kind=NoteKind.GOOD_PRACTICE)
    assert client.post(f"/notes/{practice.id}/metoo").status_code == 403
    assert _count(Reaction) == 1


def test_metoo_button_asks_for_a_state_so_a_double_tap_cannot_undo_itself(client, world, log_in):
    """The button sends the state it shows the user will get; the same request twice leaves
    that state (a double tap on a slow network), and the page offers the opposite next."""
    note = make_note(world["participant_a"], world["group_a"])
    log_in(world["participant_a2"])
    board = client.get(f"/notes/{note.id}").get_data(as_text=True)
    assert 'name="on" value="1"' in board
    for _ in range(2):
        html = client.post(f"/notes/{note.id}/metoo", data={"on": "1"}, headers=HX).get_data(
            as_text=True
        )
        assert 'class="metoo-count">1<' in html and 'aria-pressed="true"' in html
        assert 'name="on" value="0"' in html
    assert _count(Reaction) == 1
    for _ in range(2):
        html = client.post(f"/notes/{note.id}/metoo", data={"on": "0"}, headers=HX).get_data(
            as_text=True
        )
        assert 'class="metoo-count">0<' in html and 'aria-pressed="false"' in html
    assert _count(Reaction) == 0


def test_a_double_tap_on_metoo_inserts_once_and_fails_nothing(client, world, log_in):
    """The second tap's insert does nothing instead of failing inside a savepoint (which on
    PostgreSQL writes an error to the server's log at every double tap)."""
    note = make_note(world["participant_a"], world["group_a"])
    for user in ("participant_a2", "participant_a2", "mentor_a"):
        log_in(world[user])
        with count_queries() as statements:
            response = client.post(f"/notes/{note.id}/metoo", data={"on": "1"}, headers=HX)
        assert response.status_code == 200
        assert not [s for s in statements if "SAVEPOINT" in s.upper()], statements
        inserts = [s for s in statements if s.startswith("INSERT INTO reaction")]
        assert len(inserts) == 1 and "ON CONFLICT DO NOTHING" in inserts[0], statements
    assert _count(Reaction) == 2


def test_saying_metoo_reads_only_what_its_answer_shows(client, world, log_in):
    """ "Nálam is" is tapped many times in a workshop: the state the button asks for is
    written without reading the reaction first, and neither the note's replies nor its
    reactions before the write are read (only the reactions after it, with their people)."""
    note = make_note(world["participant_a"], world["group_a"])
    db.session.add(Reply(note_id=note.id, author_id=world["mentor_a"].id, body="Válasz"))
    db.session.add(Reaction(note_id=note.id, user_id=world["mentor_a"].id))
    log_in(world["participant_a2"])
    for on, count in (("1", 2), ("0", 1)):
        with count_queries() as statements:
            html = client.post(f"/notes/{note.id}/metoo", data={"on": on}, headers=HX).get_data(
                as_text=True
            )
        assert f'class="metoo-count">{count}<' in html
        assert ("Társ Ágota" in html) == (on == "1")  # the names, read with the reactions
        assert world["mentor_a"].full_name in html
        people = [s for s in statements if s.startswith("SELECT app_user.")]
        assert len(people) == 1, people  # the logged-in user's; the reactors come joined
        assert not [s for s in statements if re.search(r"\breply\b", s)], statements
        reaction = [s.split()[0] for s in statements if re.search(r"\breaction\b", s)]
        assert reaction == ["INSERT" if on == "1" else "DELETE", "SELECT"], statements
    assert _count(Reaction) == 1


def test_shared_difficulties_ordered_by_metoo(client, world, log_in):
    """The shared difficulties view lists difficulties by me-too count."""
    few = make_note(world["participant_a"], world["group_a"], title="Kevesen")
    many = make_note(world["participant_a"], world["group_a"], title="Sokan")
    make_note(world["participant_a"], world["group_a"], title="Kérdés", kind=NoteKind.QUESTION)
    db.session.add_all(
        [
            Reaction(note_id=many.id, user_id=world["participant_a2"].id),
            Reaction(note_id=many.id, user_id=world["mentor_a"].id),
            Reaction(note_id=few.id, user_id=world["participant_a2"].id),
        ]
    )
    log_in(world["participant_a2"])
    html = client.get("/groups/alfa/notes/shared-difficulties").get_data(as_text=True)
    assert html.index("Sokan") < html.index("Kevesen") and "Kérdés" not in html


def test_replies_mark_the_mentor(client, world, log_in):
    """Replies are added in place; the mentor's reply is marked."""
    note = make_note(world["participant_a"], world["group_a"])
    log_in(world["mentor_a"])
    response = client.post(f"/notes/{note.id}/replies", data={"body": "Próbáld *így*"}, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "reply-mentor" in html and "<em>így</em>" in html
    response = client.post(f"/notes/{note.id}/replies", data={"body": "  "}, headers=HX)
    assert response.status_code == 422 and "Írja be a választ." in response.get_data(as_text=True)
    log_in(world["participant_a2"])
    html = client.post(f"/notes/{note.id}/replies", data={"body": "Köszi"}).headers["Location"]
    assert _count(Reply) == 2


def test_an_empty_board_asks_to_share_only_who_may_post(client, world, log_in):
    """„Ossza meg elsőként” is said to a member, who may post; the coordinator, who follows a
    group she is not in, reads only that there is no note yet."""
    log_in(world["participant_b"])
    assert "Ossza meg elsőként" in client.get("/groups/beta/notes").get_data(as_text=True)
    client.post("/logout")
    log_in(world["coordinator"])
    page = client.get("/groups/beta/notes").get_data(as_text=True)
    assert "Még nincs jegyzet." in page and "Ossza meg elsőként" not in page


def test_an_unsaved_reply_comes_back_on_every_device_until_sent(client, world, log_in):
    """A reply being typed is autosaved like every text: the board and the note's page put
    the user's draft back, open, with "Elvetés"; sending it forgets the draft. Nobody else
    sees it."""
    note = make_note(world["participant_a"], world["group_a"])
    log_in(world["participant_a2"])
    key = f"reply:{note.id}"
    saved = client.put(f"/drafts/{key}", json={"body": "Nálunk a <b>könyvtár</b>"}, headers=HX)
    assert saved.status_code == 200
    for url in ("/groups/alfa/notes", f"/notes/{note.id}"):
        html = client.get(url).get_data(as_text=True)
        replies = html[html.index(f'id="replies-{note.id}"') :]
        assert "<details open>" in replies and "data-autosave-discard" in replies
        assert "Nálunk a &lt;b&gt;könyvtár&lt;/b&gt;</textarea>" in replies
        assert f'name="draft" value="{saved.json["draft"]}"' in replies
        assert f'data-autosave-key="{key}"' in replies
    log_in(world["participant_a"])  # the note's author sees no draft of another's
    assert "könyvtár" not in client.get("/groups/alfa/notes").get_data(as_text=True)
    # A reply typed and wiped again is nothing to put back: the form stays folded.
    wiped = client.put(f"/drafts/{key}", json={"body": "  "}, headers=HX)
    assert wiped.status_code == 200
    board = client.get("/groups/alfa/notes").get_data(as_text=True)
    assert "<details open>" not in board and "data-autosave-discard" not in board
    log_in(world["participant_a2"])
    sent = client.post(
        f"/notes/{note.id}/replies",
        data={"body": "Nálunk a könyvtár", "draft": saved.json["draft"]},
        headers=HX,
    )
    assert sent.status_code == 200 and "data-autosave-discard" not in sent.get_data(as_text=True)
    assert _count(Reply) == 1
    from journal.models import Draft

    mine = (
        select(func.count()).select_from(Draft).where(Draft.user_id == world["participant_a2"].id)
    )
    assert db.session.scalar(mine) == 0
    assert "<details open>" not in client.get("/groups/alfa/notes").get_data(as_text=True)


def test_mentor_hides_with_reason_author_sees_it(client, world, log_in):
    """The mentor hides a note with a reason; the group no longer sees it; it can come back."""
    note = make_note(world["participant_a"], world["group_a"], title="Vitatott")
    log_in(world["participant_a2"])
    assert client.post(f"/notes/{note.id}/hide", data={"reason": "x"}).status_code == 403
    log_in(world["mentor_a"])
    response = client.post(f"/notes/{note.id}/hide", data={"reason": ""}, headers=HX)
    assert response.status_code == 422
    response = client.post(f"/notes/{note.id}/hide", data={"reason": "Személyes adat"}, headers=HX)
    assert response.status_code == 200
    log_in(world["participant_a2"])
    assert "Vitatott" not in client.get("/groups/alfa/notes").get_data(as_text=True)
    assert client.get(f"/notes/{note.id}").status_code == 404
    log_in(world["participant_a"])
    assert "Személyes adat" in client.get(f"/notes/{note.id}").get_data(as_text=True)
    log_in(world["coordinator"])
    assert "Vitatott" in client.get("/groups/alfa/notes").get_data(as_text=True)
    assert client.post(f"/notes/{note.id}/unhide").status_code == 303
    log_in(world["participant_a2"])
    assert "Vitatott" in client.get("/groups/alfa/notes").get_data(as_text=True)


def test_report_pick_and_consent(client, world, log_in):
    """The mentor picks a note for the report; the author is told and can withdraw."""
    from journal.notes.queries import report_notes

    note = make_note(world["participant_a"], world["group_a"])
    private = make_note(world["participant_a"], world["group_a"], mentor_only=True)
    log_in(world["participant_a2"])
    assert client.post(f"/notes/{note.id}/report", data={"picked": "1"}).status_code == 403
    log_in(world["mentor_a"])
    assert client.post(f"/notes/{note.id}/report", data={"picked": "1"}).status_code == 303
    assert client.post(f"/notes/{private.id}/report", data={"picked": "1"}).status_code == 403
    # A value no button sends is no choice (400), not a silent "off".
    for junk in ({"picked": "abc"}, {}):
        assert client.post(f"/notes/{note.id}/report", data=junk).status_code == 400
    assert report_notes(world["group_a"]) == [note]
    log_in(world["participant_a"])
    html = client.get(f"/notes/{note.id}").get_data(as_text=True)
    assert "beválogatta" in html
    assert client.post(f"/notes/{note.id}/consent", data={"consent": "nem"}).status_code == 400
    assert report_notes(world["group_a"]) == [note]
    client.post(f"/notes/{note.id}/consent", data={"consent": "0"})
    assert report_notes(world["group_a"]) == []


def test_poll_answers_204_or_304_until_something_changes(client, world, log_in):
    """Polling is cheap while nothing changed, and returns the list once something did."""
    log_in(world["participant_a"])
    page = client.get("/groups/alfa/notes").get_data(as_text=True)
    since = re.search(r"since=([0-9a-f]+)", page).group(1)
    response = client.get(f"/groups/alfa/notes/poll?since={since}", headers=HX)
    assert response.status_code == 204 and response.get_data() == b""
    etag = response.headers["ETag"]
    response = client.get("/groups/alfa/notes/poll", headers=HX | {"If-None-Match": etag})
    assert response.status_code == 304
    make_note(world["participant_a2"], world["group_a"], title="Friss")
    response = client.get(f"/groups/alfa/notes/poll?since={since}", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Friss" in html
    assert html.lstrip().startswith('<section id="note-list"')
    # A mentor-only note of someone else changes nothing a participant can see.
    new_since = re.search(r"since=([0-9a-f]+)", html).group(1)
    make_note(world["participant_a2"], world["group_a"], title="Titok", mentor_only=True)
    response = client.get(f"/groups/alfa/notes/poll?since={new_since}", headers=HX)
    assert response.status_code == 204


def test_the_list_alone_does_not_read_the_filter_choices(client, world, log_in, monkeypatch):
    """The group's workshops and the notes' authors are the whole page's filter and form
    choices: a poll's refreshed list, a filter change and a posted note (htmx answers, the
    list alone) read neither; the whole page still offers both."""
    from journal.notes import queries

    workshop = make_workshop(world["group_a"], topic="Szűrhető alkalom")
    make_note(world["participant_a2"], world["group_a"], title="Régi", workshop=workshop)
    read = []
    for name in ("group_workshops", "note_authors"):
        original = getattr(queries, name)
        monkeypatch.setattr(
            queries, name, lambda *a, _name=name, _f=original: read.append(_name) or _f(*a)
        )
    log_in(world["participant_a"])
    assert client.get("/groups/alfa/notes/poll", headers=HX).status_code == 200
    assert client.get("/groups/alfa/notes?kind=difficulty", headers=HX).status_code == 200
    posted = client.post(
        "/groups/alfa/notes/new", data={"kind": "question", "title": "Új kérdés"}, headers=HX
    )
    assert posted.status_code == 200 and "Új kérdés" in posted.get_data(as_text=True)
    assert read == []
    page = client.get("/groups/alfa/notes").get_data(as_text=True)
    assert sorted(set(read)) == ["group_workshops", "note_authors"]
    filters = page.split('class="filters"')[1].split("</form>")[0]
    assert "Szűrhető alkalom" in filters and world["participant_a2"].full_name in filters


def test_poll_while_typing_says_how_many_notes_are_new(client, world, log_in):
    """While the user types in the list, a changed board answers only "N új jegyzet" (into
    #note-news, once per number), never the list; "newer" shows those notes at the top."""
    make_note(world["participant_a2"], world["group_a"], title="Régi")
    log_in(world["participant_a"])
    page = client.get("/groups/alfa/notes").get_data(as_text=True)
    since = re.search(r"since=([0-9a-f]+)", page).group(1)
    newest = int(re.search(r"newest=(\d+)", page).group(1))
    poll = f"/groups/alfa/notes/poll?since={since}&newest={newest}&typing=1"
    assert client.get(poll, headers=HX).status_code == 204  # nothing changed
    first = make_note(world["participant_a2"], world["group_a"], title="Első új")
    make_note(world["participant_a2"], world["group_a"], title="Második új")
    response = client.get(poll, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == "#note-news"
    assert response.headers["HX-Reswap"] == "innerHTML"
    assert "2 új jegyzet" in html and "Első új" not in html and "<section" not in html
    assert "announced=2" in html and f"since={since}" in html  # the list is still as it was
    assert client.get(poll + "&announced=2", headers=HX).status_code == 204  # said once
    # Without typing (or without htmx, as from the address bar) the list comes as before.
    plain = client.get(f"/groups/alfa/notes/poll?since={since}", headers=HX).text
    assert plain.lstrip().startswith('<section id="note-list"') and "Első új" in plain
    assert "<html" in client.get(poll).text
    # The button's request: the new notes only, lit, the newest focused; the count and an
    # emptied #note-news beside them.
    shown = client.get(f"/groups/alfa/notes/newer?after={newest}&since={since}", headers=HX).text
    assert "Második új" in shown and "Első új" in shown and "Régi" not in shown
    assert shown.index("Második új") < shown.index("Első új")
    assert shown.count("note-fresh") == 2 and shown.count("autofocus") == 1
    assert "3 jegyzet" in shown and 'id="note-count"' in shown
    assert f"newest={first.id + 1}" in shown and f"since={since}" in shown
    assert "új jegyzet" not in shown and "announced" not in shown
    assert "<html" in client.get(f"/groups/alfa/notes/newer?after={newest}").text


def test_a_note_posted_while_typing_keeps_the_news_of_others(client, world, log_in):
    """Someone else's note announced while the user types in the list stays announced after
    the user posts a note of their own (which goes on top at once and never counts as new),
    and "newer" then shows the other's note, not the own one again."""
    make_note(world["participant_a2"], world["group_a"], title="Régi")
    log_in(world["participant_a"])
    page = client.get("/groups/alfa/notes").text
    since = re.search(r"since=([0-9a-f]+)", page).group(1)
    newest = int(re.search(r"newest=(\d+)", page).group(1))
    poll = f"/groups/alfa/notes/poll?since={since}&newest={newest}&typing=1"
    make_note(world["participant_a2"], world["group_a"], title="Másé")
    assert "1 új jegyzet" in client.get(poll, headers=HX).text
    typed = _new(client, headers=HX, title="Sajátom", typing="1", **_posted_token(page))
    assert typed.headers["HX-Retarget"] == "#note-items" and "Sajátom" in typed.text
    assert 'id="note-news"' not in typed.text  # the announcement and its poll stay
    assert client.get(poll + "&announced=1", headers=HX).status_code == 204
    assert "1 új jegyzet" in client.get(poll, headers=HX).text
    shown = client.get(f"/groups/alfa/notes/newer?after={newest}&since={since}", headers=HX).text
    assert "Másé" in shown and "Sajátom" not in shown and "Régi" not in shown


def test_board_filters_and_pagination(client, world, log_in):
    """Filters by kind and author; pages of 20, full-page URLs, the list for htmx."""
    for i in range(25):
        make_note(
            world["participant_a"],
            world["group_a"],
            title=f"Jegyzet {i:02d}",
            kind=NoteKind.RESOURCE,
        )
    make_note(world["participant_a2"], world["group_a"], title="Kérdésem", kind=NoteKind.QUESTION)
    log_in(world["mentor_a"])
    html = client.get("/groups/alfa/notes?kind=question").get_data(as_text=True)
    assert "Kérdésem" in html and "Jegyzet 01" not in html
    html = client.get(
        f"/groups/alfa/notes?author={world['participant_a'].id}&page=2", headers=HX
    ).get_data(as_text=True)
    assert html.lstrip().startswith('<section id="note-list"')
    assert html.count('class="note kind-') == 5 and "Kérdésem" not in html
    assert client.get("/groups/alfa/notes?page=abc&kind=zzz").status_code == 200


def test_a_link_typed_with_www_is_stored_as_https(client, world, log_in):
    """A note's link typed as "www.…" is accepted and kept as https://www.…"""
    log_in(world["participant_a"])
    assert _new(client, link="www.kozmuvelodes.hu/modszertar").status_code == 303
    stored = db.session.scalar(select(Note.link))
    assert stored == "https://www.kozmuvelodes.hu/modszertar"
    assert _new(client, link="kozmuvelodes.hu").status_code == 422


def test_a_long_note_shows_its_beginning_and_the_rest_behind_tovabb(client, world, log_in):
    """On the board a long note shows its beginning as text and the whole of it in a
    <details> ("tovább", works without JavaScript); a short one, and the note's own page,
    show it whole."""
    long = "Első bekezdés **fontos** gondolattal. " + "Hosszú folytatás, sok szóval. " * 60
    note = make_note(world["participant_a"], world["group_a"], title="Hosszú", body=long)
    make_note(world["participant_a"], world["group_a"], title="Rövid", body="Rövid szöveg.")
    log_in(world["participant_a2"])
    html = client.get("/groups/alfa/notes").get_data(as_text=True)
    assert html.count('<details class="note-more">') == 1
    excerpt = re.search(r'<p class="note-excerpt">([^<]*)</p>', html).group(1)
    assert excerpt.startswith("Első bekezdés fontos gondolattal.") and excerpt.endswith("…")
    assert len(excerpt) <= 281 and not excerpt.endswith(" …")
    assert ">tovább<" in html and "<strong>fontos</strong>" in html  # the whole, rendered
    assert "Rövid szöveg." in html
    page = client.get(f"/notes/{note.id}").get_data(as_text=True)
    assert "note-more" not in page and "<strong>fontos</strong>" in page


def test_a_note_written_on_a_workshops_day_is_about_that_workshop(client, world, log_in):
    """The new-note form chooses the workshop held today (else the board); an edit keeps the
    note's own choice."""
    from datetime import timedelta

    from journal.models import local_today
    from tests.factories import make_workshop

    earlier = make_workshop(world["group_a"], date=local_today() - timedelta(days=7))
    today = make_workshop(world["group_a"], date=local_today(), topic="Mai alkalom")
    note = make_note(world["participant_a"], world["group_a"], title="Faliújságra")
    log_in(world["participant_a"])
    selected = re.compile(r'<option selected value="(\d*)"|<option value="(\d*)" selected')
    for url in ("/groups/alfa/notes", "/groups/alfa/notes/new"):
        chosen = selected.search(client.get(url).text.split('name="workshop"')[1])
        assert chosen and str(today.id) in chosen.groups(), url
    earlier_form = client.get(f"/groups/alfa/notes/new?workshop={earlier.id}").text
    assert str(earlier.id) in selected.search(earlier_form.split('name="workshop"')[1]).groups()
    edit = client.get(f"/notes/{note.id}/edit").text.split('name="workshop"')[1]
    chosen = selected.search(edit)
    assert chosen is None or str(today.id) not in chosen.groups()


def test_note_on_a_workshop_of_the_group_only(client, world, log_in):
    """A note can belong to a workshop of its group, never to another group's."""
    from datetime import date

    from journal.models import Workshop

    own = Workshop(group_id=world["group_a"].id, date=date(2025, 11, 12), topic="Nyitó alkalom")
    other = Workshop(group_id=world["group_b"].id, date=date(2025, 11, 13), topic="Másik")
    db.session.add_all([own, other])
    db.session.flush()
    log_in(world["participant_a"])
    assert "Nyitó alkalom" in client.get("/groups/alfa/notes/new").get_data(as_text=True)
    response = _new(client, workshop=str(other.id))
    assert response.status_code == 422
    assert "Válasszon a csoport alkalmai közül." in response.get_data(as_text=True)
    assert _new(client, workshop=str(own.id), title="Alkalomhoz").status_code == 303
    html = client.get(f"/groups/alfa/notes?workshop={own.id}").get_data(as_text=True)
    assert "Alkalomhoz" in html and "Nyitó alkalom" in html


def test_workshop_page_leads_to_its_notes(client, world, log_in):
    """The workshop page links to the board filtered to it; members also get a new note already
    tied to the workshop, the coordinator (not a member) only the board."""
    from datetime import date

    from journal.models import Workshop

    workshop = Workshop(group_id=world["group_a"].id, date=date(2025, 11, 12), topic="Nyitó")
    db.session.add(workshop)
    db.session.commit()
    board = f"/groups/alfa/notes?workshop={workshop.id}"
    new = f"/groups/alfa/notes/new?workshop={workshop.id}"
    for who, offers_new in (("participant_a", True), ("mentor_a", True), ("coordinator", False)):
        log_in(world[who])
        html = client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
        assert f'href="{board}"' in html, who
        assert (f'href="{new}"' in html) is offers_new, who
    log_in(world["participant_a"])
    form = client.get(new).get_data(as_text=True)
    assert f'<option selected value="{workshop.id}">' in form or (
        f'value="{workshop.id}" selected' in form
    )


def test_writes_need_the_csrf_token(tmp_path):
    """With CSRF on, a note write without the token is refused and changes nothing."""
    from tests.apps import build_app, login
    from tests.factories import make_world

    app = build_app(tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        world = make_world()
        note = make_note(world["participant_a"], world["group_a"])
        db.session.commit()
        client = app.test_client()
        app.config["WTF_CSRF_ENABLED"] = False
        login(client, world["participant_a2"])
        app.config["WTF_CSRF_ENABLED"] = True
        assert _new(client).status_code == 400
        assert client.post(f"/notes/{note.id}/metoo", headers=HX).status_code == 400
        assert client.post(f"/notes/{note.id}/replies", data={"body": "x"}).status_code == 400
        assert _count(Note) == 1 and _count(Reaction) == 0 and _count(Reply) == 0
        db.session.remove()
        db.engine.dispose()


def test_an_action_on_a_note_deleted_meanwhile_says_so(client, world, log_in):
    """Replying to (or saying "Nálam is" on) a note its author deleted since the page was
    loaded answers 404 in the message area, saying it is gone and nothing was done."""
    note = make_note(world["participant_a"], world["group_a"])
    note.deleted_at = utcnow()
    db.session.commit()
    log_in(world["participant_a2"])
    for url, data in (
        (f"/notes/{note.id}/replies", {"body": "Válaszom"}),
        (f"/notes/{note.id}/metoo", {"on": "1"}),
    ):
        response = client.post(url, data=data, headers=HX)
        assert response.status_code == 404
        assert response.headers["HX-Retarget"] == "#messages"
        assert "Ez már nem érhető el: közben törölték" in response.get_data(as_text=True)
    assert _count(Reply) == 0 and _count(Reaction) == 0
    # A read of something missing keeps the plain message.
    response = client.get("/notes/999999", headers=HX)
    assert "A keresett oldal nem létezik" in response.get_data(as_text=True)


def test_metoo_with_an_unknown_state_is_refused(client, world, log_in):
    """An `on` that is neither 1 nor 0 answers 400 in Hungarian and changes nothing."""
    note = make_note(world["participant_a"], world["group_a"])
    log_in(world["participant_a2"])
    response = client.post(f"/notes/{note.id}/metoo", data={"on": "yes"}, headers=HX)
    assert response.status_code == 400
    assert "A kérés nem értelmezhető." in response.get_data(as_text=True)
    assert _count(Reaction) == 0


def test_a_www_link_is_measured_with_the_https_it_gets(client, world, log_in):
    """A 496-character "www." link would be 504 once https:// is added: refused whole (422),
    never stored over its column's 500 characters."""
    log_in(world["participant_a"])
    link = "www.pelda.hu/" + "a" * 483
    response = _new(client, link=link)
    assert response.status_code == 422
    assert "Legfeljebb 500 karakter lehet; ez 504 karakter." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Note)) == 0


def test_the_board_token_changes_with_what_the_user_sees_and_reads_one_index(world):
    """The poll's token follows every visible change (a note, an edit, a reply, a "Nálam is"
    and its withdrawal, a note hidden from participants) and none the user cannot see; on
    SQLite it counts the group's visible notes from ix_note_board alone (at 20,000 notes a
    group it read every row: 300 ms a poll)."""
    from journal.notes import operations, queries

    participant, other, group = world["participant_a"], world["participant_a2"], world["group_a"]
    seen = [queries.board_token(participant, group)]

    def changed() -> bool:
        seen.append(queries.board_token(participant, group))
        return seen[-1] != seen[-2]

    note = make_note(other, group, title="Látható")
    assert changed()
    operations.edit_note(other, note, note.version, title="Javított", body=note.body)
    db.session.flush()
    assert changed()
    operations.add_reply(other, note, "Válasz")
    assert changed()
    operations.set_reaction(other, note, True)
    assert changed()
    operations.set_reaction(other, note, False)
    assert changed()
    make_note(other, group, title="Titok", mentor_only=True)
    assert not changed()
    operations.hide_note(world["mentor_a"], note, "Nem ide tartozik")
    db.session.flush()
    assert changed()
    if db.engine.dialect.name == "sqlite":
        statement, parameters = _token_statement(participant, group)
        plan = db.session.connection().exec_driver_sql(
            "EXPLAIN QUERY PLAN " + statement, parameters
        )
        note_steps = [row[3] for row in plan if " note " in f" {row[3]} "]
        # The notes' part reads the index alone; a join may also come to a note by its key.
        assert "COVERING INDEX ix_note_board" in note_steps[0]
        assert all("COVERING INDEX ix_note_board" in s or "PRIMARY KEY" in s for s in note_steps)


def _token_statement(user, group) -> tuple[str, tuple]:
    """The board token's statement and parameters, as the database gets them."""
    from sqlalchemy import event

    from journal.notes import queries

    sent = []

    def record(_conn, _cursor, statement, parameters, _context, _many):
        sent.append((statement, tuple(parameters)))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        queries.board_token(user, group)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return sent[-1]
