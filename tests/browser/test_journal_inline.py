"""Inline journal editing in Chromium: htmx swaps, in-flight disabling, conflicts, no-JS pages."""

import pytest
from sqlalchemy import func, select

from journal.extensions import db
from journal.journals.sections import SECTIONS
from journal.models import Journal, JournalSection, JournalStatus, SectionRevision
from tests.apps import build_app
from tests.browser.harness import CHROMIUM, CHROMIUM_ARGS, serving
from tests.factories import PASSWORD, make_journal, make_workshop, make_world

playwright_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A live server with one journal of group alfa, written by its mentor."""
    app = build_app(tmp_path_factory.mktemp("inline"), RATELIMIT_ENABLED=False)
    with app.app_context():
        world = make_world()
        workshop = make_workshop(world["group_a"], topic="Helyi értékek")
        journal = make_journal(workshop, world["mentor_a"], {"topic": "Kezdő szöveg"})
        db.session.commit()
        info = {
            "email": world["mentor_a"].email,
            "journal_url": f"/workshops/{workshop.id}/journal",
            "sections": {s.key: s.id for s in journal.sections},
        }
    with serving(app) as base:
        info["base"] = base
        info["app"] = app
        yield info


@pytest.fixture
def browser():
    """Debian's Chromium."""
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _logged_in(browser, site, **context_options):
    """Return a new page of a fresh browser context, logged in as the mentor."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, **context_options)
    page = context.new_page()
    page.goto(site["base"] + "/login")
    page.fill("input[name=email]", site["email"])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(site["base"] + "/")
    return page


def _stored(site, section_id: int) -> tuple[str, int]:
    """Return a section's stored text and its number of revisions."""
    with site["app"].app_context():
        body = db.session.get(JournalSection, section_id).body
        count = db.session.scalar(
            select(func.count())
            .select_from(SectionRevision)
            .where(SectionRevision.section_id == section_id)
        )
    return body, count


def test_edit_in_place_with_the_save_button_disabled_in_flight(browser, site):
    """The editor swaps in; while saving, the button is disabled; a second click adds nothing."""
    page = _logged_in(browser, site)
    sid = site["sections"]["process"]
    page.goto(site["base"] + site["journal_url"])
    page.click(f"#section-{sid} a.button")
    page.wait_for_selector(f"form#section-{sid}")
    assert page.evaluate("document.activeElement.id") == f"body-{sid}"
    page.fill(f"#body-{sid}", "Ráhangolódás, majd **kiscsoportos** munka.")

    # Watch the button, then click twice in one go, as an impatient thumb would.
    page.evaluate(
        """(id) => {
            const button = document.querySelector(`form#section-${id} button[type=submit]`);
            window.__disabledSeen = false;
            new MutationObserver(() => { if (button.disabled) window.__disabledSeen = true; })
                .observe(button, {attributes: true});
            button.click();
            button.click();
        }""",
        sid,
    )
    page.wait_for_selector(f"section#section-{sid} strong")
    assert page.inner_text(f"section#section-{sid} strong") == "kiscsoportos"
    assert page.evaluate("document.activeElement.textContent").startswith("Szerkesztés")
    assert page.evaluate("window.__disabledSeen") is True
    assert _stored(site, sid) == ("Ráhangolódás, majd **kiscsoportos** munka.", 1)
    page.context.close()


def _conflict(browser, site, key: str):
    """Open one section on two devices; the phone saves first, the laptop then gets a 409."""
    sid = site["sections"][key]
    phone = _logged_in(browser, site)
    laptop = _logged_in(browser, site)
    for page in (phone, laptop):
        page.goto(site["base"] + site["journal_url"])
        page.click(f"#section-{sid} a.button")
        page.wait_for_selector(f"form#section-{sid}")
    phone.fill(f"#body-{sid}", "Telefonon írt szöveg")
    phone.click(f"form#section-{sid} button[type=submit]")
    phone.wait_for_selector(f"section#section-{sid}")
    laptop.fill(f"#body-{sid}", "Laptopon írt szöveg")
    laptop.click(f"form#section-{sid} button[type=submit]")
    laptop.wait_for_selector(f"#theirs-{sid}")
    return sid, phone, laptop


def test_two_devices_get_a_conflict_with_both_texts(browser, site):
    """The second save from an old version shows both texts; nothing is overwritten."""
    sid, phone, laptop = _conflict(browser, site, "methods")
    assert laptop.input_value(f"#body-{sid}") == "Laptopon írt szöveg"
    assert laptop.input_value(f"#theirs-{sid}") == "Telefonon írt szöveg"
    assert laptop.locator("#messages .message").count() == 0  # the editor itself explains
    assert _stored(site, sid) == ("Telefonon írt szöveg", 1)
    phone.context.close()
    laptop.context.close()


def test_merging_after_a_conflict_saves(browser, site):
    """After the 409, the merged text saves on the first try."""
    sid, phone, laptop = _conflict(browser, site, "raised")
    laptop.wait_for_timeout(500)  # let autosave look at the new editor
    laptop.fill(f"#body-{sid}", "Telefonon írt szöveg\nLaptopon írt szöveg")
    laptop.click(f"form#section-{sid} button[type=submit]")
    laptop.wait_for_selector(f"section#section-{sid}")
    assert _stored(site, sid) == ("Telefonon írt szöveg\nLaptopon írt szöveg", 2)
    phone.context.close()
    laptop.context.close()


def test_a_conflict_answered_after_its_own_draft_still_saves_the_merge(browser, site):
    """Pressing "Mentés" sends the text's draft (leaving the field) and the save at once. When
    the server answers the save first (a conflict, its editor made before the draft) and the
    draft after, but the browser gets the draft's answer first, the conflict's editor still
    knows that draft as its own: the merged text saves on the first try."""
    sid = site["sections"]["reflection"]
    phone, laptop = _logged_in(browser, site), _logged_in(browser, site)
    for page in (phone, laptop):
        page.goto(site["base"] + site["journal_url"])
        page.click(f"#section-{sid} a.button")
        page.wait_for_selector(f"form#section-{sid}")
    phone.fill(f"#body-{sid}", "Telefonon írt szöveg")
    phone.click(f"form#section-{sid} button[type=submit]")
    phone.wait_for_selector(f"section#section-{sid}")
    held = {}

    def hold_draft(route):
        """Hold the first draft until the save is answered by the server."""
        if route.request.method == "PUT" and "draft" not in held:
            held["draft"] = route
        else:
            route.continue_()

    def hold_save(route):
        """Let the server answer the first save now; deliver the answer later."""
        if "save" in held:
            return route.continue_()
        held["save"] = (route, route.fetch())

    laptop.route("**/drafts/**", hold_draft)
    laptop.route(f"**/sections/{sid}", hold_save)
    laptop.fill(f"#body-{sid}", "Laptopon írt szöveg")
    laptop.click(f"form#section-{sid} button[type=submit]")
    for _ in range(100):
        if len(held) == 2:
            break
        laptop.wait_for_timeout(50)
    assert set(held) == {"draft", "save"} and held["save"][1].status == 409
    with laptop.expect_response(lambda r: "/drafts/" in r.url and r.request.method == "PUT"):
        held["draft"].continue_()
    route, conflict = held["save"]
    route.fulfill(response=conflict)
    laptop.wait_for_selector(f"#theirs-{sid}")
    laptop.wait_for_timeout(500)  # let autosave look at the new editor
    laptop.fill(f"#body-{sid}", "Telefonon írt szöveg\nLaptopon írt szöveg")
    laptop.click(f"form#section-{sid} button[type=submit]")
    laptop.wait_for_selector(f"section#section-{sid}")
    assert _stored(site, sid) == ("Telefonon írt szöveg\nLaptopon írt szöveg", 2)
    phone.context.close()
    laptop.context.close()


def test_private_unticks_and_disables_the_report_flag(browser, site):
    """Choosing "private" clears and disables "in the report"; another choice enables it."""
    page = _logged_in(browser, site)
    sid = site["sections"]["outcomes"]
    page.goto(site["base"] + site["journal_url"])
    page.click(f"#section-{sid} a.button")
    page.wait_for_selector(f"form#section-{sid}")
    page.check(f"#in-report-{sid}")
    page.check(f"form#section-{sid} input[value=private]")
    assert page.is_disabled(f"#in-report-{sid}") and not page.is_checked(f"#in-report-{sid}")
    page.check(f"form#section-{sid} input[value=group]")
    assert page.is_enabled(f"#in-report-{sid}")
    page.context.close()


def test_without_javascript_pages_and_redirects_do_the_same(browser, site):
    """With JavaScript off, the edit link opens a page and saving returns to the journal."""
    page = _logged_in(browser, site, java_script_enabled=False)
    sid = site["sections"]["next_steps"]
    page.goto(site["base"] + site["journal_url"])
    page.click(f"#section-{sid} a.button")
    page.wait_for_url(f"**/sections/{sid}/edit")
    page.fill(f"#body-{sid}", "Mindenki hoz egy jó gyakorlatot.")
    page.click(f"form#section-{sid} button[type=submit]")
    page.wait_for_url(f"**/workshops/**#section-{sid}")  # the workshop (or journal) page
    assert "Mindenki hoz egy jó gyakorlatot." in page.inner_text(f"#section-{sid}")
    page.context.close()


def _focused_within(page, selector: str) -> bool:
    """Tell whether the focused element is (inside) the element the selector finds."""
    return page.evaluate(
        "(s) => !!document.querySelector(s)?.contains(document.activeElement)", selector
    )


def test_finalising_asks_about_empty_sections_and_answers_in_view(browser, site):
    """On a phone, far down the workshop page: "Napló véglegesítése" names the two empty
    sections and asks, in view and focused; "Mégse" puts the button back (focused); "Véglegesítem
    így is" answers where the button was, focused, in a live region, and the badge changes."""
    expect = playwright_api.expect
    app = site["app"]
    with app.app_context():
        section = db.session.get(JournalSection, site["sections"]["topic"])
        workshop = make_workshop(section.journal.workshop.group, topic="Véglegesítendő alkalom")
        empty = ("methods", "next_steps")
        bodies = {spec.key: "Kész." for spec in SECTIONS if spec.key not in empty}
        journal = make_journal(workshop, section.journal.author, bodies)
        db.session.commit()
        url, journal_id = f"/workshops/{workshop.id}", journal.id
    page = _logged_in(browser, site)
    page.goto(site["base"] + url)
    finalise = page.get_by_role("button", name="Napló véglegesítése")
    finalise.click()  # scrolled to it: the badge at the top of the journal is out of sight
    question = page.locator("#journal-finalise .finalise-confirm")
    expect(question).to_contain_text("2 rész még üres:")
    expect(question).to_contain_text("Alkalmazott módszerek")
    expect(question).to_contain_text("Következő lépések")
    expect(question).not_to_contain_text("Téma és célok")
    expect(question).to_be_in_viewport()
    assert _focused_within(page, "#journal-finalise .finalise-confirm")
    question.get_by_role("link", name="Mégse").click()
    expect(finalise).to_be_focused()
    finalise.click()
    page.get_by_role("button", name="Véglegesítem így is").click()
    done = page.locator("#journal-finalise .message-success")
    expect(done).to_contain_text("A naplót véglegesítette.")
    expect(done).to_be_in_viewport()
    expect(done).to_be_focused()
    expect(page.locator("#journal-finalise")).to_have_attribute("aria-live", "polite")
    expect(page.locator("#journal-status")).to_contain_text("véglegesítve")
    with app.app_context():
        assert db.session.get(Journal, journal_id).status == JournalStatus.FINAL
    page.context.close()
