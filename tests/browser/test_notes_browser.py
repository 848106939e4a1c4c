"""Shared notes in a real browser, at phone width: live updates, "Nálam is", inline editing,
other groups shut out, and XSS payloads that run nothing."""

import contextlib
import re

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.browser.harness import (
    KOMLO_PARTICIPANT,
    PHONE,
    TATA_PARTICIPANT,
    axe_violations,
    describe_violations,
    login,
    open_page,
    screenshot,
)
from tests.xss_payloads import EVIL_HOST, XSS_PAYLOADS

DORA, ADAM, MARTA = TATA_PARTICIPANT, "lengyel.adam@example.org", KOMLO_PARTICIPANT
CSABA = "szabo.csaba@example.org"  # the Tata mentor: his posts count against no other test's limit


@pytest.fixture
def notes_live(live_server):
    """The shared live server, polling the board every 2 s for these tests."""
    app = live_server.app
    before = app.config.get("NOTES_POLL_SECONDS")
    app.config["NOTES_POLL_SECONDS"] = 2
    yield app, live_server.base_url
    app.config["NOTES_POLL_SECONDS"] = before if before is not None else 10


@pytest.fixture
def chromium(browser):
    """The harness's Chromium."""
    return browser


@pytest.fixture
def dora_note(notes_live):
    """Plant notes of Nyári Dóra on the Tata board (plant(kind, title) -> id); they are removed
    afterwards, since the live server is shared."""
    from journal.extensions import db
    from journal.models import Group, Note, User, utcnow

    app, _base = notes_live
    planted = []

    def plant(kind, title: str) -> int:
        with app.app_context():
            group = db.session.scalar(db.select(Group).where(Group.slug == "tata"))
            dora = db.session.scalar(db.select(User).where(User.email == DORA))
            now = utcnow()
            note = Note(group_id=group.id, author_id=dora.id, kind=kind, title=title, body="",
                        created_at=now, updated_at=now)  # fmt: skip
            db.session.add(note)
            db.session.commit()
            planted.append(note.id)
            return note.id

    yield plant
    with app.app_context():
        for note_id in planted:
            db.session.delete(db.session.get(Note, note_id))
        db.session.commit()


def _log_in(browser, base: str, email: str):
    """Open a phone-sized page in a fresh context and log the person in."""
    page, console = open_page(browser, base, viewport=PHONE)
    page.console = console
    login(page, email)
    return page


def _post(page, url: str, data: dict | None = None) -> int:
    """POST from inside the page with its CSRF token, as the app's own forms would."""
    return page.evaluate(
        """async ([url, data]) => {
            const token = JSON.parse(document.body.getAttribute("hx-headers:inherited"))
                ["X-CSRFToken"];
            const r = await fetch(url, {method: "POST", headers: {"X-CSRFToken": token,
                "Content-Type": "application/x-www-form-urlencoded"},
                body: new URLSearchParams(data || {}), redirect: "manual"});
            return r.status;
        }""",
        [url, data or {}],
    )


def _status(page, url: str) -> int:
    """GET a URL from inside the page and return the status."""
    return page.evaluate("async (url) => (await fetch(url)).status", url)


def test_two_participants_share_a_difficulty_live(notes_live, chromium):
    """One adds a difficulty; the other sees it appear and says "Nálam is"; the first sees
    the count change; the author edits and deletes inline; another group sees nothing."""
    _app, base = notes_live
    dora, adam = _log_in(chromium, base, DORA), _log_in(chromium, base, ADAM)
    board = base + "/groups/tata/notes"
    dora.goto(board)
    adam.goto(board)
    for page in (dora, adam):
        page.evaluate("window.__sameDocument = true")  # survives only without a reload

    title = "Nem jönnek el a szülők a fórumra"
    dora.get_by_text("Új jegyzet", exact=True).first.click()
    dora.select_option("#kind", "difficulty")
    dora.fill("#body", "Ez a szöveg nem veszhet el.")
    dora.get_by_role("button", name="Közzététel").click()  # no title yet: 422, text kept
    expect(dora.locator("#note-form")).to_contain_text("Adjon címet a jegyzetnek.")
    expect(dora.locator("#body")).to_have_value("Ez a szöveg nem veszhet el.")
    dora.fill("#title", title)
    dora.fill("#body", "Hiába hívjuk őket, *senki* sem jön.")
    dora.get_by_role("button", name="Közzététel").click()
    mine = dora.locator("article.note", has_text=title)
    expect(mine).to_be_visible()
    expect(dora.locator("#title")).to_have_value("")
    note_id = int(re.search(r"\d+", mine.get_attribute("id")).group())

    theirs = adam.locator("article.note", has_text=title)
    expect(theirs).to_be_visible(timeout=15_000)
    theirs.get_by_role("button", name=re.compile("Nálam is")).tap()
    expect(theirs.locator(".metoo-count")).to_have_text("1")
    expect(theirs.get_by_role("button", name=re.compile("Nálam is"))).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(mine.locator(".metoo-count")).to_have_text("1", timeout=15_000)
    expect(mine.locator(".metoo-names")).to_contain_text("Lengyel Ádám")
    screenshot(dora, "notes-board", {"phone": PHONE})
    violations = axe_violations(dora)
    assert violations == [], describe_violations(violations)

    # Another group's participant: not by any URL.
    marta = _log_in(chromium, base, MARTA)
    assert _status(marta, f"/notes/{note_id}") == 404
    assert _status(marta, f"/notes/{note_id}/edit") == 404
    assert _status(marta, "/groups/tata/notes") == 404
    assert _status(marta, "/groups/tata/notes/poll") == 404
    assert _status(marta, "/groups/tata/notes/shared-difficulties") == 404
    assert _post(marta, f"/notes/{note_id}/metoo") == 404
    assert _post(marta, f"/notes/{note_id}/replies", {"body": "Betolakodó"}) == 404
    edit = {"kind": "difficulty", "title": "Feltört", "body": "", "version": "1"}
    assert _post(marta, f"/notes/{note_id}/edit", edit) == 404
    assert _post(marta, f"/notes/{note_id}/delete") == 404
    marta.goto(base + "/groups/komlo-hegyhat/notes")
    expect(marta.locator("body")).not_to_contain_text(title)

    # The author edits in place: only the note's fragment travels, no reload.
    mine.get_by_role("link", name="Szerkesztés").click()
    editor = dora.locator(f"form#note-{note_id}")
    expect(editor).to_be_visible()
    editor.locator("input[name=title]").fill(title + " (javítva)")
    editor.get_by_role("button", name="Mentés").click()
    edited = dora.locator(f"article#note-{note_id}")
    expect(edited).to_contain_text("(javítva)")
    expect(edited.locator(".metoo-count")).to_have_text("1")
    assert dora.url == board
    expect(adam.locator(f"article#note-{note_id}")).to_contain_text("(javítva)", timeout=15_000)

    # And deletes it; it can be restored for a while.
    dora.once("dialog", lambda dialog: dialog.accept())
    edited.get_by_role("button", name="Törlés").click()
    expect(dora.locator(f"#note-{note_id}.note-deleted")).to_contain_text("30 napig")
    expect(adam.locator(f"article#note-{note_id}")).to_have_count(0, timeout=15_000)
    assert _status(marta, f"/notes/{note_id}") == 404
    for page in (dora, adam):
        assert page.evaluate("window.__sameDocument") is True
    for page in (dora, adam, marta):
        # The refused requests above (422, 404) are logged by the browser; nothing else may be.
        errors = [e for e in page.console.errors if not e.startswith("Failed to load resource")]
        assert errors == [], errors
        page.context.close()


def test_xss_payloads_run_nothing(notes_live, chromium):
    """Payloads in a note's title, text, link and reply show as text and run nothing."""
    from journal.extensions import db
    from journal.models import Group, Note, NoteKind, Reply, User, utcnow

    app, base = notes_live
    assert len(XSS_PAYLOADS) >= 40
    with app.app_context():
        group = db.session.scalar(db.select(Group).where(Group.slug == "tata"))
        dora = db.session.scalar(db.select(User).where(User.email == DORA))
        adam = db.session.scalar(db.select(User).where(User.email == ADAM))
        for i, payload in enumerate(XSS_PAYLOADS):
            now = utcnow()
            note = Note(
                group_id=group.id,
                author_id=dora.id,
                kind=NoteKind.QUESTION,
                title=f"XSS {i} {payload}"[:200],
                body=payload,
                link=payload if payload.lower().startswith(("http://", "https://")) else "",
                created_at=now,
                updated_at=now,
            )
            db.session.add(note)
            db.session.flush()
            db.session.add(Reply(note_id=note.id, author_id=adam.id, body=payload))
        db.session.commit()

    page = _log_in(chromium, base, DORA)
    dialogs, evil, posts = [], [], []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on(
        "request",
        lambda r: (
            evil.append(r.url) if EVIL_HOST in r.url else None,
            posts.append(r.url) if r.method != "GET" else None,
        ),
    )
    # The links typed into the form are checked too: only http(s) addresses are accepted.
    page.goto(base + "/groups/tata/notes")
    for payload in XSS_PAYLOADS:
        status = _post(
            page,
            "/groups/tata/notes/new",
            {"kind": "resource", "title": "Link-próba", "body": "", "link": payload},
        )
        assert status == 422 or payload.lower().startswith(("http://", "https://")), payload
    posts.clear()
    pages = [f"/groups/tata/notes?page={n}" for n in range(1, 8)]
    pages += ["/groups/tata/notes?kind=question", "/groups/tata/notes/shared-difficulties"]
    for url in pages:
        page.goto(base + url)
        page.wait_for_timeout(300)
        # Open every reply thread and editor so that hidden content is parsed and shown too.
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        page.wait_for_timeout(200)
        assert page.evaluate("window.__xss") is None, url
    page.goto(base + "/groups/tata/notes")
    ids = page.evaluate(
        "[...document.querySelectorAll('article.note')].map(a => a.id.split('-')[1])"
    )
    for note_id in ids[:10]:
        # The inline editor shows the raw text in form fields: still inert.
        page.locator(f"article#note-{note_id} >> text=Szerkesztés").click()
        expect(page.locator(f"form#note-{note_id}")).to_be_visible()
    page.wait_for_timeout(500)
    assert page.evaluate("window.__xss") is None
    assert dialogs == [] and evil == [], (dialogs, evil)
    assert posts == [], posts  # nothing sent a request of its own (e.g. hx-post to /logout)
    shown = []
    for n in range(1, 8):
        page.goto(base + f"/groups/tata/notes?page={n}")
        shown += page.locator("h2.note-title").all_inner_texts()
    assert "XSS 0 <script>window.__xss=1</script>" in shown  # shown as text
    page.context.close()
    with app.app_context():  # the live server is shared: leave the demo board as it was
        for note in db.session.scalars(db.select(Note).where(Note.title.like("XSS %"))):
            db.session.delete(note)
        for note in db.session.scalars(db.select(Note).where(Note.title == "Link-próba")):
            db.session.delete(note)
        db.session.commit()


def test_unfinished_note_survives_a_reload(notes_live, chromium):
    """A new note and an inline edit being typed come back after the tab is reloaded."""
    _app, base = notes_live
    page = _log_in(chromium, base, ADAM)
    page.goto(base + "/groups/tata/notes")
    page.get_by_text("Új jegyzet", exact=True).first.click()
    page.fill("#title", "Félkész gondolat")
    page.fill("#body", "Ezt még nem küldtem el, de nem veszhet el.")
    expect(page.locator("#note-form [data-autosave-status]")).to_contain_text(
        "Piszkozat mentve", timeout=10_000
    )
    page.reload()
    expect(page.locator("#body")).to_have_value("Ezt még nem küldtem el, de nem veszhet el.")
    expect(page.locator("#title")).to_have_value("Félkész gondolat")
    expect(page.locator("#note-form")).to_be_visible()  # the folded form was opened
    restored = page.locator("#note-form [data-autosave-notice]")
    expect(restored).to_contain_text("Visszaállítottuk")
    page.get_by_role("button", name="Közzététel").click()
    note = page.locator("article.note", has_text="Félkész gondolat")
    expect(note).to_be_visible()
    # Published: the notice about the restored text is gone (also when the form opens again).
    expect(restored).to_have_js_property("hidden", True)
    page.reload()
    expect(page.locator("#body")).to_have_value("")  # published: the draft is gone

    note = page.locator("article.note", has_text="Félkész gondolat")
    note.get_by_role("link", name="Szerkesztés").click()
    editor = page.locator("form.note-editor")
    editor.locator("textarea[name=body]").fill("Javítás közben bezárt lap")
    expect(editor.locator("[data-autosave-status]")).to_contain_text(
        "Piszkozat mentve", timeout=10_000
    )
    page.reload()
    page.locator("article.note", has_text="Félkész gondolat").get_by_role(
        "link", name="Szerkesztés"
    ).click()
    expect(page.locator("form.note-editor textarea[name=body]")).to_have_value(
        "Javítás közben bezárt lap"
    )
    page.context.close()


def test_inline_add_refreshes_the_count_at_once(notes_live, chromium):
    """After adding a note inline, the list's count says so at once, not at the next poll."""
    app, base = notes_live
    app.config["NOTES_POLL_SECONDS"] = 3600  # no poll during the test: only the add refreshes
    page = _log_in(chromium, base, ADAM)
    page.goto(base + "/groups/tata/notes")
    count = page.locator("#note-count")
    before = int(re.match(r"\d+", count.inner_text()).group())
    page.get_by_text("Új jegyzet", exact=True).first.click()
    page.fill("#title", "Számoljon velem is")
    page.get_by_role("button", name="Közzététel").click()
    expect(page.locator("article.note", has_text="Számoljon velem is")).to_have_count(1)
    expect(count).to_have_text(re.compile(rf"^{before + 1} jegyzet"))
    # The draft the title's leaving wrote, on its way as the note went, is removed too.
    for _ in range(50):
        if _new_note_draft(app, ADAM) is None:
            break
        page.wait_for_timeout(100)
    assert _new_note_draft(app, ADAM) is None
    page.context.close()
    from journal.extensions import db
    from journal.models import Note

    with app.app_context():  # the live server is shared: leave the demo board as it was
        for note in db.session.scalars(db.select(Note).where(Note.title == "Számoljon velem is")):
            db.session.delete(note)
        db.session.commit()


def test_double_tap_on_metoo_keeps_what_the_screen_shows(notes_live, chromium, dora_note):
    """A double tap on "Nálam is" ends in the state shown, also after a reload."""
    from journal.models import NoteKind

    _app, base = notes_live
    note_id = dora_note(NoteKind.DIFFICULTY, "Dupla koppintás")
    page = _log_in(chromium, base, ADAM)
    page.goto(base + f"/notes/{note_id}")
    button = page.locator(f"#metoo-{note_id} button")
    button.dblclick()
    page.wait_for_timeout(1000)
    shown = button.get_attribute("aria-pressed")
    page.reload()
    expect(page.locator(f"#metoo-{note_id} button")).to_have_attribute("aria-pressed", shown)
    expect(page.locator(f"#metoo-{note_id} .metoo-count")).to_have_text(
        "1" if shown == "true" else "0"
    )
    page.context.close()


def _reply_to_a_vanishing_note(notes_live, chromium, dora_note, text: str):
    """Ádám opens the reply form of a note of Dóra's, types `text`, scrolls the message area
    out of sight; meanwhile the note is deleted. Return (page, note id, replies locator)."""
    from journal.extensions import db
    from journal.models import Note, NoteKind, utcnow

    app, base = notes_live
    note_id = dora_note(NoteKind.QUESTION, "Eltűnő kérdés")
    page = _log_in(chromium, base, ADAM)
    page.goto(base + f"/groups/tata/notes#note-{note_id}")
    replies = page.locator(f"#replies-{note_id}")
    replies.get_by_text("Válaszolok").click()
    replies.locator("textarea").fill(text)
    page.evaluate(f"window.scrollTo(0, document.getElementById('replies-{note_id}').offsetTop)")
    with app.app_context():
        db.session.get(Note, note_id).deleted_at = utcnow()
        db.session.commit()
    return page, note_id, replies


def test_a_refused_reply_far_down_the_page_is_seen(notes_live, chromium, dora_note):
    """A reply to a note deleted meanwhile: the message floats into sight (the message area
    at the top is scrolled away), the typed reply stays, and the next action clears it."""
    page, note_id, replies = _reply_to_a_vanishing_note(
        notes_live, chromium, dora_note, "Ezt a választ nem veszíthetem el."
    )
    replies.get_by_role("button", name="Küldés").click()
    message = page.locator("#messages .message-error")
    expect(message).to_contain_text("közben törölték")
    expect(message).to_be_in_viewport()
    expect(page.locator("#messages")).to_have_class(re.compile("messages-floating"))
    expect(replies.locator("textarea")).to_have_value("Ezt a választ nem veszíthetem el.")
    screenshot(page, "notes-refused-reply", {"phone": PHONE})
    # The next action (here: "Nálam is" on another note) clears the old message.
    page.evaluate("window.scrollTo(0, 0)")
    other = page.locator(f"article.note:not(#note-{note_id}) .metoo-button").first
    before = other.get_attribute("aria-pressed")
    other.click()
    expect(page.locator("#messages .message")).to_have_count(0)
    other.click()  # and back: the live server is shared
    expect(other).to_have_attribute("aria-pressed", before)
    page.context.close()


def test_deletion_notice_outlives_a_refresh_of_the_list(notes_live, chromium, dora_note):
    """The author deletes a note on the board; when the list refreshes itself because someone
    added a note, the notice with its "Visszaállítás" button stays where it was, and works."""
    from journal.models import NoteKind

    _app, base = notes_live
    gone = dora_note(NoteKind.QUESTION, "Törlendő kérdés")
    page = _log_in(chromium, base, DORA)
    page.goto(base + "/groups/tata/notes")
    page.evaluate("window.__sameDocument = true")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"article#note-{gone}").get_by_role("button", name="Törlés").click()
    notice = page.locator(f"#note-{gone}.note-deleted")
    expect(notice).to_contain_text("30 napig")
    notice.get_by_role("button", name="Visszaállítás").focus()
    newer = dora_note(NoteKind.QUESTION, "Közben érkezett kérdés")
    expect(page.locator(f"article#note-{newer}")).to_be_visible(timeout=15_000)  # a poll swapped
    assert page.evaluate("document.activeElement.closest('.note-deleted')?.id") == f"note-{gone}"
    page.wait_for_timeout(2500)  # and the next one, with nothing new, changes nothing
    expect(notice).to_contain_text("30 napig")
    assert page.evaluate(
        f"document.getElementById('note-{newer}').nextElementSibling.id"
    ) == f"note-{gone}"  # fmt: skip
    notice.get_by_role("button", name="Visszaállítás").click()
    expect(page.locator(f"article#note-{gone}")).to_contain_text("Törlendő kérdés")
    assert page.evaluate("window.__sameDocument") is True
    errors = [e for e in page.console.errors if not e.startswith("Failed to load resource")]
    assert errors == [], errors
    page.context.close()


def test_a_refresh_answered_while_a_delete_travels_does_not_swallow_its_notice(
    notes_live, chromium, dora_note
):
    """The delete is slow to answer; meanwhile the list refreshes itself with a new note. The
    refresh waits for the delete (it would replace the note the delete's answer goes to, and
    the notice with its way back would land in a detached element): the notice appears."""
    import time

    from journal.models import NoteKind

    app, base = notes_live
    gone = dora_note(NoteKind.QUESTION, "Lassan törlődő kérdés")
    page = _log_in(chromium, base, DORA)
    page.goto(base + "/groups/tata/notes")
    original = app.view_functions["notes.delete"]

    def slow_delete(**kwargs):
        time.sleep(3.5)  # longer than the 2 s poll of these tests
        return original(**kwargs)

    app.view_functions["notes.delete"] = slow_delete
    try:
        page.once("dialog", lambda dialog: dialog.accept())
        page.locator(f"article#note-{gone}").get_by_role("button", name="Törlés").click()
        newer = dora_note(NoteKind.QUESTION, "Törlés közben érkezett")
        expect(page.locator(f"#note-{gone}.note-deleted")).to_contain_text(
            "30 napig", timeout=10_000
        )
        expect(page.locator(f"article#note-{newer}")).to_be_visible(timeout=15_000)
        expect(page.locator(f"#note-{gone}.note-deleted")).to_contain_text("30 napig")
    finally:
        app.view_functions["notes.delete"] = original
    page.context.close()


def test_a_floating_message_closes_by_button_or_escape(notes_live, chromium, dora_note):
    """A message floating at the bottom has a labelled close button, and Escape closes it too;
    what the user typed stays."""
    page, _note_id, replies = _reply_to_a_vanishing_note(
        notes_live, chromium, dora_note, "Megmarad."
    )
    close = page.get_by_role("button", name="Üzenet bezárása")
    for dismiss in (close.click, lambda: page.keyboard.press("Escape")):
        replies.get_by_role("button", name="Küldés").click()
        expect(page.locator("#messages .message-error")).to_be_in_viewport()
        expect(close).to_be_in_viewport()
        dismiss()
        expect(page.locator("#messages .message")).to_have_count(0)
        expect(close).to_have_count(0)
        expect(page.locator("#messages")).not_to_have_class(re.compile("messages-floating"))
    expect(replies.locator("textarea")).to_have_value("Megmarad.")
    # Focus goes back to where it was; a one-time link (which stays) floats no more once closed.
    replies.get_by_role("button", name="Küldés").click()
    expect(close).to_be_visible()
    replies.locator("textarea").focus()
    close.focus()
    close.press("Enter")
    assert page.evaluate("document.activeElement.tagName") == "TEXTAREA"
    page.evaluate(
        """() => { const link = document.createElement("div");
        link.className = "message message-link"; link.textContent = "egyszeri link";
        document.getElementById("messages").append(link); }"""
    )
    expect(close).to_be_visible()
    close.click()
    expect(close).to_have_count(0)
    page.wait_for_timeout(300)
    expect(page.locator("#messages")).not_to_have_class(re.compile("messages-floating"))
    expect(page.locator("#messages .message-link")).to_have_count(1)
    page.context.close()


def test_a_refresh_asked_before_a_delete_does_not_bring_the_note_back(
    notes_live, chromium, dora_note
):
    """A poll answered by the server before the delete, arriving after it, would show the
    deleted note again and drop its notice: it is ignored, and the next poll is fresh."""
    from journal.models import NoteKind

    _app, base = notes_live
    gone = dora_note(NoteKind.QUESTION, "Lassú törlés")
    page = _log_in(chromium, base, DORA)
    page.goto(base + "/groups/tata/notes")
    held = []

    def hold(route):
        """Hold the first poll that brings a new list (answered now, delivered later)."""
        if held:
            route.continue_()
            return
        answer = route.fetch()
        if answer.status == 200:
            held.append((route, answer))
        else:
            route.fulfill(response=answer)

    page.route("**/notes/poll**", hold)
    newer = dora_note(NoteKind.QUESTION, "Közben írt kérdés")  # so the held answer is a new list
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(100)
    route, stale = held[0]
    assert f'id="note-{gone}"' in stale.text()
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"article#note-{gone}").get_by_role("button", name="Törlés").click()
    notice = page.locator(f"#note-{gone}.note-deleted")
    expect(notice).to_contain_text("30 napig")
    route.fulfill(response=stale)
    page.wait_for_timeout(500)
    expect(page.locator(f"article#note-{gone}")).to_have_count(0)
    expect(notice).to_have_count(1)
    expect(page.locator(f"article#note-{newer}")).to_be_visible(timeout=15_000)  # a fresh poll
    expect(notice).to_have_count(1)
    expect(page.locator(f"article#note-{gone}")).to_have_count(0)
    page.context.close()


def _new_note_draft(app, email: str) -> str | None:
    """Return the title of the user's draft of a new note on the tata board, if any."""
    import json

    from journal.extensions import db
    from journal.models import Draft, Group, User

    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == email))
        group = db.session.scalar(db.select(Group).where(Group.slug == "tata"))
        key = f"note:new:group:{group.id}"
        draft = db.session.scalar(
            db.select(Draft).where(Draft.user_id == user.id, Draft.key == key)
        )
        return None if draft is None else json.loads(draft.fields).get("title", "")


def _reply_draft_count(app, email: str, note_id: int) -> int:
    """Return how many reply drafts the user keeps on the server for the note."""
    from sqlalchemy import func, select

    from journal.extensions import db
    from journal.models import Draft, User

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        mine = (Draft.user_id == user.id, Draft.key == f"reply:{note_id}")
        return db.session.scalar(select(func.count()).select_from(Draft).where(*mine))


def _remove_notes(app, *titles: str) -> None:
    """Delete the notes with these titles (the live server is shared)."""
    from journal.extensions import db
    from journal.models import Note

    with app.app_context():
        for note in db.session.scalars(db.select(Note).where(Note.title.in_(titles))):
            db.session.delete(note)
        db.session.commit()


def test_a_posted_note_is_in_view_focused_and_said(notes_live, chromium):
    """On a phone, a refused post puts the focus on the first field in error (announced); a
    posted note comes at the top of the list, in view, focused, lit, and says it was posted;
    the form is empty and folded again."""
    app, base = notes_live
    app.config["NOTES_POLL_SECONDS"] = 3600  # no poll during the test
    page = _log_in(chromium, base, ADAM)
    page.goto(base + "/groups/tata/notes")
    page.get_by_text("Új jegyzet", exact=True).first.click()
    page.fill("#body", "Cím nélkül küldöm el.")
    page.get_by_role("button", name="Közzététel").click()
    title = page.locator("#title")
    expect(title).to_be_focused()
    expect(title).to_be_in_viewport()
    expect(title).to_have_attribute("aria-invalid", "true")
    expect(title).to_have_attribute("aria-describedby", re.compile("title-errors"))
    expect(page.locator("#title-errors")).to_contain_text("Adjon címet a jegyzetnek.")
    expect(page.locator("#note-form [role=alert]")).to_contain_text("a beírt szöveget megőriztük")
    expect(page.locator("#body")).to_have_value("Cím nélkül küldöm el.")

    title.fill("Friss jegyzet a tetején")
    page.get_by_role("button", name="Közzététel").click()
    note = page.locator("article.note", has_text="Friss jegyzet a tetején")
    expect(note).to_be_focused()
    expect(note).to_be_in_viewport()
    expect(note).to_have_class(re.compile("note-fresh"))
    expect(note.locator(".note-posted")).to_have_text("A jegyzetet közzétettük.")
    assert page.evaluate("document.querySelector('#note-items > article.note') === "
                         "document.activeElement")  # fmt: skip
    expect(page.locator("#note-form")).not_to_be_visible()
    expect(page.locator("#title")).to_have_value("")
    # Empty, not back to the text of the refused post (which the form's defaults now hold).
    expect(page.locator("#body")).to_have_value("")
    errors = [e for e in page.console.errors if not e.startswith("Failed to load resource")]
    assert errors == [], errors
    page.context.close()
    _remove_notes(app, "Friss jegyzet a tetején")


def test_a_note_posted_on_a_full_first_page_keeps_the_page_whole(notes_live, chromium, dora_note):
    """Posted on the board's first page as it is, the note alone comes on top (the list is not
    sent again); the page keeps its 20 notes, its last one moving to the next page, whose link
    appears; the poll then finds the list current, and so does the next note posted."""
    from journal.models import NoteKind
    from journal.notes.queries import PAGE_SIZE

    app, base = notes_live
    for i in range(PAGE_SIZE):
        dora_note(NoteKind.RESOURCE, f"Forrás {i:02d}")
    page = _log_in(chromium, base, CSABA)
    page.goto(base + "/groups/tata/notes")
    items = page.locator("#note-items > article.note")
    expect(items).to_have_count(PAGE_SIZE)
    last = items.last.get_attribute("id")
    page.get_by_text("Új jegyzet", exact=True).first.click()
    page.fill("#title", "A lap tetejére")
    with page.expect_response(lambda r: "/notes/new" in r.url) as posted:
        page.get_by_role("button", name="Közzététel").click()
    assert posted.value.headers.get("hx-retarget") == "#note-items"
    expect(items.first).to_contain_text("A lap tetejére")
    expect(items).to_have_count(PAGE_SIZE)
    expect(page.locator(f"#{last}")).to_have_count(0)
    expect(page.locator("#note-pages")).to_contain_text("Régebbiek")
    with page.expect_response(lambda r: "/notes/poll" in r.url, timeout=10_000) as polled:
        pass
    assert polled.value.status == 204
    expect(items.first).to_have_class(re.compile("note-fresh"))  # the same list, not a new one
    second_last = items.last.get_attribute("id")
    page.get_by_text("Új jegyzet", exact=True).first.click()
    page.fill("#title", "Még egy a tetejére")
    with page.expect_response(lambda r: "/notes/new" in r.url) as posted:
        page.get_by_role("button", name="Közzététel").click()
    assert posted.value.headers.get("hx-retarget") == "#note-items"  # the form had the new token
    expect(items.first).to_contain_text("Még egy a tetejére")
    expect(items).to_have_count(PAGE_SIZE)
    expect(page.locator(".note-posted")).to_have_count(1)  # said of the last one alone
    expect(items.nth(1)).not_to_have_class(re.compile("note-fresh"))
    expect(page.locator(f"#{second_last}")).to_have_count(0)
    errors = [e for e in page.console.errors if not e.startswith("Failed to load resource")]
    assert errors == [], errors
    page.context.close()
    _remove_notes(app, "A lap tetejére", "Még egy a tetejére")


def test_a_poll_asked_before_a_post_does_not_count_the_posted_note_as_news(
    notes_live, chromium, dora_note
):
    """While a reply is being typed, a poll asked before the user's own note was posted and
    answered after it would say "1 új jegyzet" of that very note: posting gives it up."""
    from journal.models import NoteKind

    app, base = notes_live
    asked = dora_note(NoteKind.QUESTION, "Ki hoz kávét?")
    page = _log_in(chromium, base, CSABA)
    page.goto(base + "/groups/tata/notes")
    page.locator(f"#replies-{asked}").get_by_text("Válaszolok", exact=True).click()
    page.fill(f"#reply-{asked}", "Én hozok")  # someone types in the list: polls only count
    held = []
    page.route(
        "**/notes/poll**", lambda route: held.append(route) if not held else route.continue_()
    )
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "no poll was asked"
    page.get_by_text("Új jegyzet", exact=True).first.click()
    page.fill("#title", "Saját friss jegyzet")
    with page.expect_response(lambda r: "/notes/new" in r.url):
        page.get_by_role("button", name="Közzététel").click()
    expect(page.locator("#note-items > article.note").first).to_contain_text("Saját friss")
    with contextlib.suppress(PlaywrightError):  # the page may have given up on it already
        held[0].continue_()
    with page.expect_response(lambda r: "/notes/poll" in r.url, timeout=10_000):
        pass  # the next poll, asked after the post
    page.wait_for_timeout(300)
    expect(page.locator("#note-news")).not_to_contain_text("új jegyzet")
    expect(page.locator(f"#reply-{asked}")).to_have_value("Én hozok")
    errors = [e for e in page.console.errors if not e.startswith("Failed to load resource")]
    assert errors == [], errors
    page.context.close()
    _remove_notes(app, "Saját friss jegyzet")


def test_opening_the_inline_editor_moves_focus_into_it(notes_live, chromium, dora_note):
    """ "Szerkesztés" on one's own note puts the focus in the editor's title field."""
    from journal.models import NoteKind

    _app, base = notes_live
    note_id = dora_note(NoteKind.QUESTION, "Szerkesztendő kérdés")
    page = _log_in(chromium, base, DORA)
    page.goto(base + "/groups/tata/notes")
    page.locator(f"article#note-{note_id}").get_by_role("link", name="Szerkesztés").click()
    expect(page.locator(f"form#note-{note_id} input[name=title]")).to_be_focused()
    page.context.close()


def test_the_board_announces_new_notes_while_a_reply_is_typed(notes_live, chromium, dora_note):
    """While Ádám types a reply, Dóra's new notes are announced as "N új jegyzet" (in sight, in
    a live region) instead of the list being replaced or the polling stopping; the button shows
    them at the top, the newest focused; his reply is still there, and sends."""
    from journal.models import NoteKind

    _app, base = notes_live
    asked = dora_note(NoteKind.QUESTION, "Erre válaszolok")
    page = _log_in(chromium, base, ADAM)
    page.goto(base + "/groups/tata/notes")
    replies = page.locator(f"#replies-{asked}")
    replies.get_by_text("Válaszolok").click()
    box = replies.locator("textarea")
    box.fill("Félig megírt válasz")
    polls = []
    page.on("request", lambda r: polls.append(r.url) if "/notes/poll" in r.url else None)
    first = dora_note(NoteKind.GOOD_PRACTICE, "Közben érkezett jó gyakorlat")
    news = page.locator("#note-news")
    expect(news).to_have_attribute("aria-live", "polite")
    expect(news.get_by_role("link", name=re.compile("^1 új jegyzet"))).to_be_visible(timeout=15_000)
    second = dora_note(NoteKind.RESOURCE, "Még egy forrás")
    button = news.get_by_role("link", name=re.compile("^2 új jegyzet"))
    expect(button).to_be_visible(timeout=15_000)
    expect(button).to_be_in_viewport()
    expect(page.locator(f"article#note-{first}")).to_have_count(0)  # not swapped in meanwhile
    expect(box).to_have_value("Félig megírt válasz")
    assert polls and all("typing=1" in url for url in polls)
    polls.clear()
    page.wait_for_timeout(4_100)
    assert 1 <= len(polls) <= 3, polls  # one poll every 2 s: the answers did not add more
    screenshot(page, "notes-new-announced", {"phone": PHONE})
    button.click()
    newest = page.locator(f"article#note-{second}")
    expect(newest).to_be_focused()
    expect(newest).to_be_in_viewport()
    expect(newest).to_have_class(re.compile("note-fresh"))
    expect(page.locator(f"article#note-{first}")).to_have_class(re.compile("note-fresh"))
    expect(news.get_by_role("link")).to_have_count(0)
    expect(box).to_have_value("Félig megírt válasz")
    replies.get_by_role("button", name="Küldés").click()
    expect(page.locator(f"#replies-{asked} .reply-list")).to_contain_text("Félig megírt válasz")
    errors = [e for e in page.console.errors if not e.startswith("Failed to load resource")]
    assert errors == [], errors
    page.context.close()


def test_focus_stays_on_a_button_when_a_poll_refreshes_the_list(notes_live, chromium, dora_note):
    """A keyboard user on a "Nálam is" button keeps the focus there when a new note of someone
    else refreshes the list."""
    from journal.models import NoteKind

    _app, base = notes_live
    hard = dora_note(NoteKind.DIFFICULTY, "Fókuszban maradó nehézség")
    page = _log_in(chromium, base, ADAM)
    page.goto(base + "/groups/tata/notes")
    page.locator(f"#metoo-button-{hard}").focus()
    newer = dora_note(NoteKind.QUESTION, "Frissítést hozó kérdés")
    expect(page.locator(f"article#note-{newer}")).to_be_visible(timeout=15_000)
    expect(page.locator(f"#metoo-button-{hard}")).to_be_focused()
    page.context.close()


def test_a_deletion_notice_outlives_posting_a_note(notes_live, chromium, dora_note):
    """The list that answers a new note keeps the notice of a note deleted just before."""
    from journal.models import NoteKind

    app, base = notes_live
    app.config["NOTES_POLL_SECONDS"] = 3600  # no poll during the test: only the post refreshes
    gone = dora_note(NoteKind.QUESTION, "Épp törölt kérdés")
    page = _log_in(chromium, base, DORA)
    page.goto(base + "/groups/tata/notes")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"article#note-{gone}").get_by_role("button", name="Törlés").click()
    notice = page.locator(f"#note-{gone}.note-deleted")
    expect(notice).to_contain_text("30 napig")
    page.get_by_text("Új jegyzet", exact=True).first.click()
    page.fill("#title", "Törlés után írt jegyzet")
    page.get_by_role("button", name="Közzététel").click()
    expect(page.locator("article.note-fresh")).to_contain_text("Törlés után írt jegyzet")
    expect(notice).to_contain_text("30 napig")
    page.context.close()
    _remove_notes(app, "Törlés után írt jegyzet")


def test_a_draft_stored_after_the_note_is_removed_once_the_note_is_in(notes_live, chromium):
    """Leaving the title sends its draft while "Közzététel" sends the note. When the draft
    reaches the server after the note (which removed the draft) and its answer comes first, the
    page removes that draft once the note is in: the published text is not offered again as
    unsaved on the next visit."""
    from sqlalchemy import func, select

    from journal.extensions import db
    from journal.models import Draft, Group, User

    app, base = notes_live
    app.config["NOTES_POLL_SECONDS"] = 3600  # no poll during the test
    title = "Egyszer közzétett jegyzet"
    page = _log_in(chromium, base, ADAM)
    page.goto(base + "/groups/tata/notes")
    held = {}

    def hold_draft(route):
        """Hold the first draft until the note is published."""
        if route.request.method == "PUT" and "draft" not in held:
            held["draft"] = route
        else:
            route.continue_()

    def hold_answer(route):
        """Publish the note now; deliver its answer later."""
        held["note"] = (route, route.fetch())

    def drafts() -> int:
        with app.app_context():
            user = db.session.scalar(select(User).where(User.email == ADAM))
            group = db.session.scalar(select(Group).where(Group.slug == "tata"))
            key = f"note:new:group:{group.id}"
            mine = (Draft.user_id == user.id, Draft.key == key)
            return db.session.scalar(select(func.count()).select_from(Draft).where(*mine))

    page.route("**/drafts/**", hold_draft)
    page.route("**/notes/new**", hold_answer)
    page.get_by_text("Új jegyzet", exact=True).first.click()
    page.fill("#title", title)
    page.get_by_role("button", name="Közzététel").click()  # the title's draft leaves first
    for _ in range(100):
        if len(held) == 2:
            break
        page.wait_for_timeout(50)
    assert set(held) == {"draft", "note"}
    with page.expect_response(lambda r: "/drafts/" in r.url and r.request.method == "PUT"):
        held["draft"].continue_()  # stored after the note was published, answered first
    assert drafts() == 1
    route, answer = held["note"]
    route.fulfill(response=answer)
    expect(page.locator("article.note-fresh")).to_contain_text(title)
    for _ in range(50):
        if drafts() == 0:
            break
        page.wait_for_timeout(100)
    assert drafts() == 0
    page.reload()
    expect(page.locator("#title")).to_have_value("")
    expect(page.locator("details.new-note")).not_to_have_attribute("open", "")
    page.context.close()
    _remove_notes(app, title)


@pytest.mark.parametrize("field, saved_first", [("body", True), ("title", True), ("title", False)])
def test_words_typed_after_pressing_publish_stay_in_the_draft(
    notes_live, chromium, field, saved_first
):
    """Words typed into the form while its note travels, in its text or in its title, reach
    the server as a draft after the note (`saved_first`: before the note's answer); the note's
    answer neither removes nor empties that draft: they are offered on the next visit."""
    import json

    from sqlalchemy import select

    from journal.extensions import db
    from journal.models import Draft, Group, User

    app, base = notes_live
    app.config["NOTES_POLL_SECONDS"] = 3600  # no poll during the test
    title = "Lassan közzétett jegyzet"
    typed = "Még egy gondolat, a küldés után."
    page = _log_in(chromium, base, ADAM)
    page.goto(base + "/groups/tata/notes")
    held = []
    page.route("**/notes/new**", lambda route: held.append((route, route.fetch())))
    page.on("console", lambda m: print("CONSOLE", m.text))

    def mine() -> tuple:
        user = db.session.scalar(select(User).where(User.email == ADAM))
        group = db.session.scalar(select(Group).where(Group.slug == "tata"))
        return Draft.user_id == user.id, Draft.key == f"note:new:group:{group.id}"

    def drafted() -> str | None:
        with app.app_context():
            draft = db.session.scalar(select(Draft).where(*mine()))
            if draft is None:
                return None
            return draft.body if field == "body" else json.loads(draft.fields).get("title")

    page.get_by_text("Új jegyzet", exact=True).first.click()
    page.fill("#title", title)
    page.get_by_role("button", name="Közzététel").click()
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    if saved_first:
        # The title's own draft, sent when the press took the focus, may answer later:
        # wait for the draft with the typed words.
        with page.expect_response(
            lambda r: "/drafts/" in r.url and typed in (r.request.post_data or "")
        ):
            page.fill(f"#{field}", typed)  # saved as a draft in 3 s
        assert drafted() == typed
    else:
        page.fill(f"#{field}", typed)
    route, answer = held[0]
    route.fulfill(response=answer)
    expect(page.locator("article.note-fresh")).to_contain_text(title)
    page.locator("#title").blur()
    page.wait_for_timeout(1500)  # a removal of the draft, or an empty one, would be sent by now
    assert drafted() == typed
    page.reload()
    expect(page.locator(f"#{field}")).to_have_value(typed)
    page.context.close()
    _remove_notes(app, title)


def test_posting_a_note_keeps_a_reply_being_typed(notes_live, chromium, dora_note):
    """Ádám has half a reply typed in the list when he posts a new note: his note comes on top,
    focused and said, and the reply box keeps its text (the list is not replaced)."""
    from journal.models import NoteKind

    app, base = notes_live
    app.config["NOTES_POLL_SECONDS"] = 3600  # no poll during the test
    asked = dora_note(NoteKind.QUESTION, "Erre is válaszolok")
    page = _log_in(chromium, base, ADAM)
    page.goto(base + "/groups/tata/notes")
    replies = page.locator(f"#replies-{asked}")
    replies.get_by_text("Válaszolok").click()
    box = replies.locator("textarea")
    box.fill("Félig megírt válasz, el ne vesszen")
    page.get_by_text("Új jegyzet", exact=True).first.click()
    page.fill("#title", "Közben írt jegyzet")
    page.get_by_role("button", name="Közzététel").click()
    note = page.locator("article.note", has_text="Közben írt jegyzet")
    expect(note).to_be_focused()
    expect(note.locator(".note-posted")).to_have_text("A jegyzetet közzétettük.")
    expect(page.locator(f"#replies-{asked} textarea")).to_have_value(
        "Félig megírt válasz, el ne vesszen"
    )
    assert page.locator("article.note", has_text="Közben írt jegyzet").count() == 1
    errors = [e for e in page.console.errors if not e.startswith("Failed to load resource")]
    assert errors == [], errors
    page.context.close()
    _remove_notes(app, "Közben írt jegyzet")


def test_a_reply_being_typed_survives_a_reload_and_reaches_the_other_device(
    notes_live, chromium, dora_note
):
    """A reply is autosaved like a note: typed on the phone, it is back after a reload (this
    browser's copy), and on another device from the server's draft; sent, it is gone from both."""
    from journal.models import NoteKind

    app, base = notes_live
    note_id = dora_note(NoteKind.QUESTION, "Hol találok önkénteseket?")
    phone = _log_in(chromium, base, ADAM)
    phone.goto(base + f"/notes/{note_id}")
    phone.get_by_text("Válaszolok", exact=True).click()
    reply = phone.locator(f"#reply-{note_id}")
    reply.fill("Nálunk a könyvtár hirdetőtáblája bevált, és a helyi újság is.")
    expect(phone.locator(f"#replies-{note_id} [data-autosave-status]")).to_contain_text(
        "Piszkozat mentve", timeout=10_000
    )
    phone.reload()
    expect(reply).to_be_visible()  # the folded form came back open
    expect(reply).to_have_value("Nálunk a könyvtár hirdetőtáblája bevált, és a helyi újság is.")
    laptop = _log_in(chromium, base, ADAM)
    laptop.goto(base + "/groups/tata/notes")
    other = laptop.locator(f"#reply-{note_id}")
    expect(other).to_have_value("Nálunk a könyvtár hirdetőtáblája bevált, és a helyi újság is.")
    expect(laptop.locator(f"#replies-{note_id} [data-autosave-notice]")).to_contain_text(
        "Visszaállítottuk"
    )
    other.fill("Nálunk a könyvtár hirdetőtáblája bevált.")
    # Sent once its draft is stored (one still on its way is the note-publishing test's case).
    expect(laptop.locator(f"#replies-{note_id} [data-autosave-status]")).to_contain_text(
        "Piszkozat mentve", timeout=10_000
    )
    # Leaving the text for "Küldés" stores no draft: one arriving after the reply would outlive it.
    drafts = []
    laptop.on("request", lambda r: r.method == "PUT" and "/drafts/" in r.url and drafts.append(r))
    laptop.locator(f"#replies-{note_id}").get_by_role("button", name="Küldés").click()
    expect(laptop.locator(f"#replies-{note_id} .reply-list")).to_contain_text("hirdetőtáblája")
    assert _reply_draft_count(app, ADAM, note_id) == 0  # gone with the reply's own save
    assert drafts == []
    phone.reload()
    expect(phone.locator(f"#replies-{note_id} .reply-list")).to_contain_text("hirdetőtáblája")
    expect(reply).to_be_hidden()  # nothing left to put back: the form is folded again
    expect(reply).to_have_value("")
    for page in (phone, laptop):
        assert not page.console.errors, page.console.errors
        page.context.close()
