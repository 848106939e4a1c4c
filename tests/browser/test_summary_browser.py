"""Group summary and program report previews in Chromium: axe, CSP, width, the period form."""

from datetime import date, timedelta

import pytest

from tests.browser.harness import (
    COORDINATOR,
    DESKTOP,
    PHONE,
    TATA_MENTOR,
    axe_violations,
    describe_violations,
    login,
    open_page,
    screenshot,
)


def _errors(console) -> list[str]:
    """Return the console errors, but the browser's note of the expected 422 answer."""
    return [e for e in console.errors if "status of 422" not in e]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_summary_previews_pass_axe_and_fit_the_screen(browser, base_url, viewport):
    """Both previews (and the form with an error): no serious violation, no CSP error, no
    sideways scrolling of the page (wide tables scroll inside their own box)."""
    page, console = open_page(browser, base_url, viewport)
    login(page, COORDINATOR)
    for name, path, heading in (
        ("summary", "/groups/kecskemet/summary", "Közkincs műhely (2.0)"),
        ("summary-error", "/groups/kecskemet/summary?from=2026-02&to=tavasz", None),
        ("program", "/program/report", "Kapcsolódások – Csoportos Mentorálás 2.0"),
    ):
        page.goto(path)
        if heading:
            assert page.locator("h1").first.inner_text() == heading
        # No download link while the period is wrong: it would not be the period typed.
        assert page.get_by_role("link", name="PDF letöltése").count() == (1 if heading else 0)
        violations = axe_violations(page)
        assert not violations, f"{path}\n{describe_violations(violations)}"
        # Against the screen's width: on a phone an overflowing page widens the layout
        # viewport (clientWidth, innerWidth) along with it.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{path} scrolls sideways ({width} px)"
        label = "desktop" if viewport == DESKTOP else "phone"
        screenshot(page, f"report-{name}", {label: viewport})
    assert _errors(console) == []
    page.context.close()


HU_MONTHS = ("január", "február", "március", "április", "május", "június", "július")
HU_MONTHS += ("augusztus", "szeptember", "október", "november", "december")


def _three_months(live_server) -> tuple[date, date]:
    """Return the first day of the month after the demo program's start and the last day of
    the month two after it: a period inside the program on whatever day the demo was loaded."""
    from journal.extensions import db
    from journal.models import Program

    with live_server.app.app_context():
        start = db.session.scalar(db.select(Program.period_start))
    first = (start.replace(day=1) + timedelta(days=32)).replace(day=1)
    after = (first + timedelta(days=3 * 31)).replace(day=1)
    return first, after - timedelta(days=1)


def _long(day: date) -> str:
    """Write a date as the Hungarian pages do: 2026. szeptember 1."""
    return f"{day.year}. {HU_MONTHS[day.month - 1]} {day.day}."


def test_period_form_keeps_input_and_chooses_the_period(browser, base_url, live_server):
    """A bad date comes back with a message and the typed text; a good one updates the link."""
    first, last = _three_months(live_server)
    page, console = open_page(browser, base_url)
    login(page, TATA_MENTOR)
    page.goto("/groups/tata")
    page.get_by_role("link", name="előnézet és időszak választása").click()
    page.wait_for_url("**/groups/tata/summary")
    page.fill("input[name=from]", f"{first:%Y-%m}")
    page.fill("input[name=to]", "jövő tavasz")
    page.get_by_role("button", name="Megjelenítés").click()
    assert page.locator("#period-to-error").inner_text().startswith("Adjon meg dátumot")
    assert page.input_value("input[name=to]") == "jövő tavasz"
    assert page.input_value("input[name=from]") == f"{first:%Y-%m}"
    page.fill("input[name=to]", f"{last:%Y-%m}")
    page.get_by_role("button", name="Megjelenítés").click()
    link = page.get_by_role("link", name="PDF letöltése")
    assert link.get_attribute("href") == f"/groups/tata/summary.pdf?from={first}&to={last}"
    assert f"{_long(first)} – {_long(last)}" in page.locator(".cover").inner_text()
    assert _errors(console) == []
    page.context.close()


def test_a_very_long_word_does_not_widen_the_previews(browser, base_url, live_server):
    """A report section holding a 600-letter word (a pasted address, a stuck key): the record,
    summary and program previews still fit a phone, and carry the app's icon."""
    from journal.extensions import db
    from journal.models import Journal, JournalSection, Workshop

    app = live_server.app
    word = "hosszú" + "a" * 600
    with app.app_context():
        section = db.session.scalar(
            db.select(JournalSection)
            .join(Journal)
            .join(Workshop)
            .where(JournalSection.in_report, Workshop.group.has(slug="kecskemet"))
        )
        section_id, body, workshop_id = section.id, section.body, section.journal.workshop_id
        section.body = f"{body}\n\n{word}"
        db.session.commit()
    try:
        page, console = open_page(browser, base_url, PHONE)
        login(page, COORDINATOR)
        # Kecskemét's journal is a draft: shown with "drafts too" (issue 14).
        for path in (
            f"/workshops/{workshop_id}/record?drafts=1",
            "/groups/kecskemet/summary?drafts=1",
        ):
            page.goto(path)
            assert word[:40] in page.content()
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{path} scrolls sideways ({width} px)"
            assert page.locator("link[rel=icon]").count() == 1
        assert _errors(console) == []
        page.context.close()
    finally:
        with app.app_context():
            db.session.get(JournalSection, section_id).body = body
            db.session.commit()
