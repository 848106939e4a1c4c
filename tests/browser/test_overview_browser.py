"""The coordinator's overview in Chromium, on a laptop and on a phone: from a group's figure to
exactly what it counts, and an overdue workshop recorded as cancelled in one step."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.harness import (
    COORDINATOR,
    DESKTOP,
    PHONE,
    axe_violations,
    describe_violations,
    login,
    open_page,
    screenshot,
)


def _not_final(app, slug: str) -> list[tuple[str, int]]:
    """Return (topic, days since) of the group's held workshops without a final journal,
    oldest first, from the database."""
    from sqlalchemy import select

    from journal.extensions import db
    from journal.models import Group, Journal, JournalStatus, Workshop, WorkshopStatus, local_today

    with app.app_context():
        rows = db.session.execute(
            select(Workshop.topic, Workshop.date, Journal.status)
            .join(Group, Group.id == Workshop.group_id)
            .outerjoin(Journal, Journal.workshop_id == Workshop.id)
            .where(Group.slug == slug, Workshop.status == WorkshopStatus.HELD)
            .order_by(Workshop.date, Workshop.id)
        ).all()
        today = local_today()
        return [(t, (today - d).days) for t, d, s in rows if s != JournalStatus.FINAL]


def _reopen(app, workshop_ids: list[int]) -> None:
    """Put cancelled workshops back to planned (the live demo is shared by the tests)."""
    from journal.extensions import db
    from journal.models import Workshop, WorkshopStatus

    with app.app_context():
        for workshop_id in workshop_ids:
            workshop = db.session.get(Workshop, workshop_id)
            workshop.status, workshop.cancel_reason = WorkshopStatus.PLANNED, ""
            workshop.version += 1
        db.session.commit()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_from_a_figure_to_what_it_counts_and_an_overdue_workshop_closed(
    browser, base_url, live_server, viewport
):
    """The overview passes axe and fits the screen; the missing-journals figure of a group leads
    to exactly its held workshops without a final journal, each with its days of delay; an
    overdue planned workshop is recorded as cancelled from its list and leaves it."""
    page, console = open_page(browser, base_url, viewport)
    login(page, COORDINATOR)
    page.goto("/")
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, "overview", {"desktop" if viewport == DESKTOP else "phone": viewport})

    row = page.locator("table.overview tr", has=page.get_by_role("link", name="Kulturális Híd"))
    expected = _not_final(live_server.app, "sumeg")
    figure = row.locator("a[href$='/groups/sumeg/tasks/journal']")
    # The count, and for a screen reader whether one is past its due day.
    expect(figure).to_have_text(re.compile(rf"^{len(expected)}( \(lejárt\))?$"))
    figure.click()
    expect(page.locator("h1")).to_have_text("Megtartott alkalmak végleges napló nélkül")
    cards = page.locator(".task-cards .task")
    expect(cards).to_have_count(len(expected))
    for card, (topic, days) in zip(cards.all(), expected, strict=True):
        expect(card.locator("h2")).to_have_text(topic)
        expect(card).to_contain_text(f"{days} napja")

    page.goto("/")
    row.locator("a[href$='/groups/sumeg/tasks/unclosed']").click()
    card = page.locator(".task-cards .task").first
    topic = card.locator("h2").inner_text()
    workshop_id = int(re.search(r"\d+", card.get_attribute("id"))[0])
    try:
        card.get_by_label("Az elmaradás oka").fill("A mentor beteg volt.")
        card.get_by_role("button", name="Elmaradt").click()
        expect(page.locator("#messages")).to_contain_text("Az alkalom elmaradását rögzítettük.")
        expect(page).to_have_url(re.compile(r"/groups/sumeg/tasks/unclosed$"))
        expect(page.get_by_role("heading", name=topic)).to_have_count(0)
        page.goto("/")
        expect(row.locator("a[href$='/groups/sumeg/tasks/unclosed']")).to_have_count(0)
    finally:
        _reopen(live_server.app, [workshop_id])
    assert console.errors == []
    page.context.close()
