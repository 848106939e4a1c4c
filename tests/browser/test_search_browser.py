"""Search in a real browser: a participant's new note is found by the coordinator typing
without accents, the word marked, the address following the query; a participant of another
group does not find it. The page passes axe at phone and desktop width."""

from playwright.sync_api import expect

from tests.browser.harness import (
    COORDINATOR,
    KOMLO_PARTICIPANT,
    PHONE,
    TATA_PARTICIPANT,
    axe_violations,
    describe_violations,
    login,
    open_page,
    screenshot,
)

TITLE = "Tűzoltó-egyesület a falunapon"


def _as(browser, base: str, email: str, viewport=None):
    """Open a page in a fresh context, logged in as the person."""
    page, console = open_page(browser, base, **({"viewport": viewport} if viewport else {}))
    login(page, email)
    return page, console


def test_a_new_note_is_found_by_those_who_may_read_it(live_server, browser):
    """Dóra posts the note; Kata types "tuzolto" into the box and sees it marked; Márta of
    another group searches the same and finds nothing."""
    from journal.extensions import db
    from journal.models import Note

    base = live_server.base_url
    dora, _ = _as(browser, base, TATA_PARTICIPANT, PHONE)
    dora.goto("/groups/tata/notes")
    dora.get_by_text("Új jegyzet", exact=True).first.click()
    dora.fill("#title", TITLE)
    dora.fill("#body", "A helyi önkéntes tűzoltók is jönnek.")
    dora.get_by_role("button", name="Közzététel").click()
    expect(dora.locator("article.note", has_text=TITLE)).to_be_visible()
    try:
        kata, console = _as(browser, base, COORDINATOR)
        kata.locator("#site-search").fill("Tűzoltó")
        kata.locator("#site-search").press("Enter")
        expect(kata.locator("#search-q")).to_have_value("Tűzoltó")
        kata.locator("#search-q").fill("tuzolto")  # typed: the list follows without a submit
        result = kata.locator(".result", has_text="falunapon")
        expect(result).to_have_count(1)
        expect(result.locator(".result-title mark")).to_have_text("Tűzoltó")
        expect(result.locator(".result-snippet mark")).to_have_text("tűzoltók")
        expect(kata).to_have_url(f"{base}/search?q=tuzolto")
        assert describe_violations(axe_violations(kata)) == ""
        screenshot(kata, "search")
        result.get_by_role("link").click()
        expect(kata.locator("article.note")).to_contain_text(TITLE)
        assert console.errors == []

        marta, _ = _as(browser, base, KOMLO_PARTICIPANT, PHONE)
        marta.goto("/search?q=tuzolto")
        expect(marta.locator(".search-results")).to_contain_text("Nincs találat")
        assert describe_violations(axe_violations(marta)) == ""
    finally:
        with live_server.app.app_context():
            for note in db.session.scalars(db.select(Note).where(Note.title == TITLE)):
                db.session.delete(note)
            db.session.commit()
