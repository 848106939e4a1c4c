"""Form states the eye must see: an invalid date or time field is marked like any other, and
a checkbox shows its hint."""

import pytest

from tests.browser.harness import PHONE, TATA_MENTOR, TATA_PARTICIPANT, login, open_page

pytestmark = pytest.mark.browser


def _unexpected(errors: list[str]) -> list[str]:
    """Leave out the browser's note of the 422 answer the refused form is meant to get."""
    return [e for e in errors if "status of 422" not in e]


def _border(page, selector: str) -> str:
    """Return the computed top border (width, style and colour) of an element."""
    return page.eval_on_selector(
        selector,
        "el => { const s = getComputedStyle(el); "
        "return s.borderTopWidth + ' ' + s.borderTopStyle + ' ' + s.borderTopColor; }",
    )


def test_an_invalid_time_is_marked_like_an_invalid_text_field(browser, base_url):
    """End before start and no topic: both fields get the same error border, a valid one not;
    nothing the user typed is lost and no new workshop is made."""
    page, console = open_page(browser, base_url, viewport=PHONE)
    try:
        login(page, TATA_MENTOR)
        page.goto("/groups/tata/workshops/new")
        page.fill("#date", "2026-12-10")
        page.fill("#start_time", "15:00")
        page.fill("#end_time", "13:00")
        page.fill("#place", "Közösségi Ház")
        page.get_by_role("button", name="Mentés").click()
        page.wait_for_selector("#end_time-errors")
        assert _border(page, "#end_time") == _border(page, "#topic")
        assert _border(page, "#end_time") != _border(page, "#place")
        assert page.input_value("#end_time") == "13:00"
        assert page.input_value("#place") == "Közösségi Ház"
    finally:
        page.context.close()
    assert _unexpected(console.errors) == []


def test_the_mentor_only_checkbox_explains_itself(browser, base_url):
    """The "csak a mentornak" box says who will see the note, also after a failed submit."""
    page, console = open_page(browser, base_url, viewport=PHONE)
    try:
        login(page, TATA_PARTICIPANT)
        page.goto("/groups/tata/notes/new")
        hint = page.locator("#mentor_only-hint")
        assert hint.is_visible() and "mentora látja" in hint.inner_text()
        assert "mentor_only-hint" in page.get_attribute("#mentor_only", "aria-describedby")
        page.locator("main form button[type=submit]").click()  # no title: refused
        page.wait_for_selector("#title-errors")
        assert page.locator("#mentor_only-hint").is_visible()
        page.goto("/groups/tata/notes")  # the board's own form, sent by htmx
        page.locator("details.new-note summary").click()
        page.locator("#note-form button[type=submit]").click()
        page.wait_for_selector("#title-errors")
        assert page.locator("#mentor_only-hint").is_visible()
    finally:
        page.context.close()
    assert _unexpected(console.errors) == []


def test_a_pasted_long_topic_is_never_cut(browser, base_url):
    """On a phone, a 20,400-character topic stays whole in the field, the limit is said while
    typing, and the refused form gives the whole text back with the count."""
    page, console = open_page(browser, base_url, viewport=PHONE)
    topic = ("Ünnepek kultúrája és digitális kompetenciák " * 500)[:20_400]
    try:
        login(page, TATA_MENTOR)
        page.goto("/groups/tata/workshops/new")
        assert page.locator("#topic-limit").inner_text() == "Legfeljebb 200 karakter."
        page.fill("#date", "2026-12-10")
        page.fill("#topic", topic)
        assert len(page.input_value("#topic")) == 20_400
        limit = page.locator("#topic-limit")
        assert "ez 20\xa0400 karakter" in limit.inner_text()
        page.get_by_role("button", name="Mentés").click()
        page.wait_for_selector("#topic-errors")
        assert page.input_value("#topic") == topic
        assert "ez 20\xa0400 karakter" in page.locator("#topic-errors").inner_text()
        page.fill("#topic", topic[:190])
        assert page.locator("#topic-limit").inner_text() == "190 / 200 karakter"
    finally:
        page.context.close()
    assert _unexpected(console.errors) == []


def test_enter_in_a_workshop_field_saves_it(browser, base_url, live_server):
    """The workshop form has a second submit button ("Újabb sor", one more plan row); Enter
    in a field still saves the workshop, with the plan's method, not asks for a row."""
    from journal.extensions import db
    from journal.models import Workshop

    page, console = open_page(browser, base_url, viewport=PHONE)
    try:
        login(page, TATA_MENTOR)
        page.goto("/groups/tata/workshops/new")
        page.fill("#date", "2026-12-11")
        page.fill("#plan-0-name", "Nyitókör")
        page.fill("#topic", "Enterrel mentett alkalom")
        page.press("#topic", "Enter")
        page.wait_for_url("**/workshops/*")
        assert "Nyitókör" in page.locator(".workshop-details").inner_text()
    finally:
        page.context.close()
        with live_server.app.app_context():
            for workshop in db.session.scalars(
                db.select(Workshop).where(Workshop.topic == "Enterrel mentett alkalom")
            ):
                db.session.delete(workshop)
            db.session.commit()
    assert _unexpected(console.errors) == []
