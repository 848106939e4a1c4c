"""A report's narrative text in Chromium on a phone: typed, autosaved, the tab closed, opened
again on another device with the text put back, then saved."""

import pytest
from playwright.sync_api import expect

from tests.browser.harness import COORDINATOR, PHONE, login, open_page


def _forget_texts(app) -> None:
    """Remove the report texts this test wrote (the live demo is shared; conftest removes the
    drafts)."""
    from sqlalchemy import delete

    from journal.extensions import db
    from journal.models import ReportText, ReportTextRevision

    with app.app_context():
        db.session.execute(delete(ReportTextRevision))
        db.session.execute(delete(ReportText))
        db.session.commit()


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_the_program_summary_survives_a_closed_tab_and_is_saved(
    browser, base_url, live_server, viewport
):
    """The coordinator types the program's summary; once "Piszkozat mentve" shows she closes
    the tab; on another device the editor opens with her text put back; saving it goes back
    to the report's preview, and opening the editor again shows the saved text."""
    text = "A program félévében a csoportok **közös** témája az önkéntesség volt."
    try:
        page, console = open_page(browser, base_url, viewport)
        login(page, COORDINATOR)
        page.goto("/program/report/text")
        page.locator("#narrative-body").fill(text)
        expect(page.locator("[data-autosave-status]")).to_contain_text("Piszkozat mentve")
        page.context.close()

        other, console = open_page(browser, base_url, viewport)
        login(other, COORDINATOR)
        other.goto("/program/report/text")
        expect(other.locator("#narrative-body")).to_have_value(text)
        expect(other.get_by_text("Visszaállítottuk a nem mentett szövegét")).to_be_visible()
        other.get_by_role("button", name="Mentés").click()
        expect(other).to_have_url(f"{base_url}/program/report")
        other.goto("/program/report/text")
        expect(other.locator("#narrative-body")).to_have_value(text)
        expect(other.get_by_text("Visszaállítottuk")).to_have_count(0)
        assert console.errors == []
        other.context.close()
    finally:
        _forget_texts(live_server.app)
