"""The journal's write mode in Chromium on a phone: one document, one status line, each
section saved on its own version check."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from journal.drafts.kinds import draft_key
from journal.drafts.operations import save_draft
from journal.extensions import db
from journal.models import Journal, JournalSection, SectionRevision, User
from tests.apps import build_app
from tests.browser.harness import PHONE, Console, open_page, serving
from tests.factories import PASSWORD, make_workshop, make_world

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A live server with a held workshop of group alfa whose journal is not started yet."""
    app = build_app(tmp_path_factory.mktemp("write"), RATELIMIT_ENABLED=False)
    with app.app_context():
        world = make_world()
        workshop = make_workshop(world["group_a"], topic="Önkéntesek a közművelődésben")
        db.session.commit()
        info = {"email": world["mentor_a"].email, "workshop_id": workshop.id}
    with serving(app) as base:
        yield info | {"base": base, "app": app}


def _phone(browser, site):
    """Return a phone-sized page logged in as the group's mentor, and its console."""
    page, console = open_page(browser, site["base"], viewport=PHONE, console=Console())
    page.goto("/login")
    page.fill("input[name=email]", site["email"])
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(site["base"] + "/")
    return page, console


@pytest.fixture
def own(site):
    """The site with a workshop of its own for one test (no drafts of other tests around)."""
    with site["app"].app_context():
        from journal.models import Group

        group = db.session.scalar(select(Group).where(Group.slug == "alfa"))
        workshop = make_workshop(group, topic="Egy teszt saját alkalma")
        db.session.commit()
        return site | {"workshop_id": workshop.id}


def _open_write(page, site) -> None:
    """Open the write mode of the site's workshop, starting its journal if need be."""
    page.goto(f"/workshops/{site['workshop_id']}")
    name = "Az egész napló írása egy oldalon"
    start = page.get_by_role("button", name=name)
    (start if start.count() else page.get_by_role("link", name=name)).click()
    page.wait_for_url(f"**/workshops/{site['workshop_id']}/journal/write")


def _sections(site) -> list[tuple[int, str, int, int]]:
    """Return (id, text, version, revisions) of each section of the workshop's journal."""
    with site["app"].app_context():
        journal = db.session.scalar(
            select(Journal).where(Journal.workshop_id == site["workshop_id"])
        )
        return [
            (
                s.id,
                s.body,
                s.version,
                db.session.scalar(select(func.count()).where(SectionRevision.section_id == s.id)),
            )
            for s in journal.sections
        ]


def _leave_draft(site, index: int, body: str) -> None:
    """Store the mentor's server draft of the journal's index-th section, as the phone's own
    late draft write would (its settings as the page sends them)."""
    with site["app"].app_context():
        section = db.session.get(JournalSection, _sections(site)[index][0])
        mentor = db.session.scalar(select(User).where(User.email == site["email"]))
        fields = {"visibility": section.visibility.value, "in_report": section.in_report}
        save_draft(mentor, draft_key("section", section.id), body, fields, section.version - 1)
        db.session.commit()


def test_a_mentor_writes_the_whole_journal_on_a_phone(browser, site):
    """Started from the workshop page, all seven sections are written on one page with one
    status line that tells the drafts are kept; one save gives each section its revision."""
    page, console = _phone(browser, site)
    try:
        page.goto(f"/workshops/{site['workshop_id']}")
        page.get_by_role("button", name="Az egész napló írása egy oldalon").click()
        page.wait_for_url(f"**/workshops/{site['workshop_id']}/journal/write")
        boxes = page.locator("textarea[data-autosave-body]")
        expect(boxes).to_have_count(7)
        status = page.locator("#journal-write-status")
        for number in range(7):
            boxes.nth(number).fill(f"A(z) {number + 1}. rész, telefonon írva.")
            if number == 0:
                expect(status).to_contain_text("Piszkozat mentve", timeout=10_000)
            if number < 6:
                page.locator(".write-section").nth(number).get_by_role(
                    "link", name="Következő rész"
                ).click()
        assert page.locator("[data-autosave-status]").count() == 1  # one line for all
        page.get_by_role("button", name="Mentés").click()
        expect(status).to_have_text("A naplót elmentette.", timeout=10_000)
        sections = _sections(site)
        assert [s[1] for s in sections] == [f"A(z) {n}. rész, telefonon írva." for n in range(1, 8)]
        assert all(version == 2 and revisions == 1 for _, _, version, revisions in sections)
        page.screenshot(path="/tmp/journal-write-phone.png", full_page=True, caret="initial")
    finally:
        page.context.close()
    assert console.errors == []


def test_two_devices_on_one_journal(browser, site):
    """Two devices on the write page: different sections both save; the same section gives
    the later one the conflict with both texts, and its other sections are saved."""
    phone, phone_console = _phone(browser, site)
    laptop, laptop_console = _phone(browser, site)
    url = f"/workshops/{site['workshop_id']}/journal/write"
    try:
        phone.goto(url)
        laptop.goto(url)
        phone.locator("textarea[data-autosave-body]").nth(2).fill("Módszerek a telefonról")
        phone.get_by_role("button", name="Mentés").click()
        expect(phone.locator("#journal-write-status")).to_have_text("A naplót elmentette.")
        # The phone's draft write sent on leaving the field can land after its save: a draft
        # of the saved text stays behind (what CI once met). It must not replace the laptop's
        # text in the conflict answer.
        _leave_draft(site, 2, "Módszerek a telefonról")
        laptop.locator("textarea[data-autosave-body]").nth(4).fill("Eredmények a laptopról")
        laptop.locator("textarea[data-autosave-body]").nth(2).fill("Módszerek a laptopról")
        laptop.get_by_role("button", name="Mentés").click()
        conflict = laptop.locator(".write-section.has-conflict")
        expect(conflict).to_have_count(1)
        expect(conflict.locator("textarea[readonly]")).to_have_value("Módszerek a telefonról")
        expect(conflict.locator("textarea[data-autosave-body]")).to_have_value(
            "Módszerek a laptopról"
        )
        sections = _sections(site)
        assert sections[2][1] == "Módszerek a telefonról"
        assert sections[4][1] == "Eredmények a laptopról"
        laptop.screenshot(path="/tmp/journal-write-conflict.png", full_page=True, caret="initial")
    finally:
        phone.context.close()
        laptop.context.close()
    assert phone_console.errors == []
    assert [e for e in laptop_console.errors if "status of 409" not in e] == []


def test_the_text_of_a_conflict_survives_a_reload(browser, own):
    """Phone and laptop write the same section; the laptop saves first, so the phone's
    "Mentés" answers the conflict with both texts. The phone's text must outlive that page:
    reloaded, the page puts it back from the browser's copy (it was nowhere else: the phone's
    draft lost to the laptop's newer one, which the laptop's save then cleared)."""
    phone, phone_console = _phone(browser, own)
    laptop, laptop_console = _phone(browser, own)
    url = f"/workshops/{own['workshop_id']}/journal/write"
    try:
        _open_write(phone, own)
        box = phone.locator("textarea[data-autosave-body]").nth(3)
        with phone.expect_response(lambda r: "/drafts/" in r.url and r.status == 200):
            box.fill("A telefon első mondata.")
            box.blur()
        laptop.goto(url)
        other = laptop.locator("textarea[data-autosave-body]").nth(3)
        expect(other).to_have_value("A telefon első mondata.")  # the phone's draft, put back
        with laptop.expect_response(lambda r: "/drafts/" in r.url and r.status == 200):
            other.fill("A laptop szövege.")
            other.blur()
        phone_text = "A telefon első mondata. A telefon folytatása, amely sehol máshol nincs."
        with phone.expect_response(lambda r: "/drafts/" in r.url and r.status == 409):
            box.fill(phone_text)
            box.blur()
        expect(phone.locator("#journal-write-status")).not_to_contain_text("Piszkozat mentve")
        laptop.get_by_role("button", name="Mentés").click()
        expect(laptop.locator("#journal-write-status")).to_have_text("A naplót elmentette.")
        phone.get_by_role("button", name="Mentés").click()
        conflict = phone.locator(".write-section.has-conflict")
        expect(conflict.locator("textarea[readonly]")).to_have_value("A laptop szövege.")
        expect(conflict.locator("textarea[data-autosave-body]")).to_have_value(phone_text)
        assert phone.evaluate("Object.keys(localStorage).some((k) => k.startsWith('muhely:'))")
        phone.reload()
        expect(phone.locator("textarea[data-autosave-body]").nth(3)).to_have_value(phone_text)
        assert _sections(own)[3][1] == "A laptop szövege."
    finally:
        phone.context.close()
        laptop.context.close()
    assert [e for e in phone_console.errors if "status of 409" not in e] == []
    assert laptop_console.errors == []


def test_write_mode_keeps_the_text_when_the_connection_drops(browser, own):
    """The connection drops as the mentor presses "Mentés": the page and its text stay, the
    status line says so, and the next "Mentés" saves it."""
    page, console = _phone(browser, own)
    try:
        _open_write(page, own)
        box = page.locator("textarea[data-autosave-body]").nth(1)
        box.fill("Kapcsolat nélkül írt menet")
        page.route("**/journal/write", lambda route: route.abort())
        page.get_by_role("button", name="Mentés").click()
        expect(page.locator("[data-write-alert]")).to_contain_text("megszakadt a kapcsolat")
        expect(box).to_have_value("Kapcsolat nélkül írt menet")
        page.unroute("**/journal/write")
        page.get_by_role("button", name="Mentés").click()
        expect(page.locator("#journal-write-status")).to_have_text(
            "A naplót elmentette.", timeout=10_000
        )
        assert _sections(own)[1][1] == "Kapcsolat nélkül írt menet"
    finally:
        page.context.close()
    assert [e for e in console.errors if not re.search("Failed to fetch|ERR_FAILED", e)] == []


def test_write_mode_after_the_login_expired(browser, own):
    """The login expired while the mentor wrote: "Mentés" is refused with the text on the
    page; after logging in again in another tab, that "Mentés" is sent again and saves it."""
    page, console = _phone(browser, own)
    try:
        _open_write(page, own)
        box = page.locator("textarea[data-autosave-body]").nth(3)
        box.fill("Lejárt bejelentkezés alatt írt szöveg")
        page.context.clear_cookies()
        page.get_by_role("button", name="Mentés").click()
        expect(page.locator("#messages")).to_contain_text("Lejárt a bejelentkezése")
        expect(box).to_have_value("Lejárt bejelentkezés alatt írt szöveg")
        other = page.context.new_page()
        other.goto(own["base"] + "/login")
        other.fill("input[name=email]", own["email"])
        other.fill("input[name=password]", PASSWORD)
        other.click("main button[type=submit]")
        other.wait_for_url(own["base"] + "/")
        # The "Mentés" pressed while logged out goes by itself once the login is back, as the
        # section's message promises: nothing to press again.
        expect(page.locator("#journal-write-status")).to_have_text(
            "A naplót elmentette.", timeout=15_000
        )
        assert _sections(own)[3][1] == "Lejárt bejelentkezés alatt írt szöveg"
    finally:
        page.context.close()
    assert [e for e in console.errors if not re.search("status of 40[01]", e)] == []


def test_words_typed_while_the_save_travels_are_kept(browser, own):
    """The mentor goes on typing while "Mentés" is on its way: the words typed meanwhile are
    on the page after the answer, not lost."""
    page, console = _phone(browser, own)
    held = []
    try:
        _open_write(page, own)
        box = page.locator("textarea[data-autosave-body]").nth(6)
        box.fill("Elküldött szöveg.")
        page.route("**/journal/write", lambda route: held.append(route))
        page.get_by_role("button", name="Mentés").click()
        while not held:
            page.wait_for_timeout(50)
        box.press("End")
        box.press_sequentially(" Közben írt folytatás.")
        held[0].continue_()
        expect(page.locator("textarea[data-autosave-body]").nth(6)).to_have_value(
            "Elküldött szöveg. Közben írt folytatás.", timeout=10_000
        )
        # Whether the held save is stored or answered as a conflict depends on the race with
        # the draft written on leaving the field (seen once on PostgreSQL): the words are kept
        # on screen either way, which is what this test guards.
    finally:
        page.unroute("**/journal/write")
        page.context.close()
    assert console.errors == []


def test_write_mode_text_typed_then_tab_closed_is_there_on_reopening(browser, own):
    """The mentor types in the write mode and closes the tab before any autosave or button:
    on reopening, the text is back in its section (from this browser's copy or the draft sent
    as the tab closed), with the notice, and "Mentés" saves it."""
    page, console = _phone(browser, own)
    context = page.context
    try:
        _open_write(page, own)
        text = "Bezárt fül előtt írt gondolat, gombnyomás nélkül."
        page.locator("textarea[data-autosave-body]").nth(2).fill(text)
        page.close(run_before_unload=True)
        page = context.new_page()
        page.goto(f"/workshops/{own['workshop_id']}/journal/write")
        expect(page.locator("textarea[data-autosave-body]").nth(2)).to_have_value(text)
        expect(
            page.locator(".write-section").nth(2).locator("[data-autosave-notice]")
        ).to_be_visible()
        page.get_by_role("button", name="Mentés").click()
        expect(page.locator("#journal-write-status")).to_have_text(
            "A naplót elmentette.", timeout=10_000
        )
        assert _sections(own)[2][1] == text
    finally:
        context.close()
    assert console.errors == []
