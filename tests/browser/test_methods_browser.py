"""Issue 16's acceptance in Chromium: a mentor plans a workshop with three methods (one created
in place), the plan shows its running time; once held, the method's page lists it; a
participant of another group sees the method, but none of that group's non-report journal
text (nor the workshop's topic)."""

from datetime import date

from playwright.sync_api import expect
from sqlalchemy import delete, select

from journal.extensions import db
from tests.browser.harness import (
    COORDINATOR,
    DESKTOP,
    KOMLO_PARTICIPANT,
    TATA_MENTOR,
    axe_violations,
    describe_violations,
    login,
    logout,
    open_page,
)

TOPIC = "Módszerpróba a böngészőben 7731"
NEW_METHOD = "Tükörkérdések 7731"
NOT_FOR_REPORT = "CSAK-A-CSOPORTNAK-7731"


def _write_journal(app, workshop_id: int) -> None:
    """Write the workshop's journal as its mentor: the methods section for the group, not for
    the report (what a participant of another group must never see)."""
    from journal.journals.operations import save_section, start_journal
    from journal.models import User, Visibility, Workshop

    with app.app_context():
        mentor = db.session.scalar(select(User).where(User.email == TATA_MENTOR))
        journal = start_journal(mentor, db.session.get(Workshop, workshop_id))
        section = next(s for s in journal.sections if s.key == "methods")
        text = f"{NOT_FOR_REPORT}: a tükörkérdések megnyitották a csoportot."
        save_section(mentor, section, section.version, text, Visibility.GROUP, False)
        db.session.commit()


def _forget(app) -> None:
    """Remove what this test added to the shared live demo: the workshop, its plan and
    journal, and the method created in place."""
    from journal.models import (
        Journal,
        JournalSection,
        Method,
        MethodRevision,
        SearchDocument,
        SectionRevision,
        Workshop,
        WorkshopMethod,
    )

    with app.app_context():
        workshop = db.session.scalar(select(Workshop).where(Workshop.topic == TOPIC))
        if workshop is not None:
            journal_ids = select(Journal.id).where(Journal.workshop_id == workshop.id)
            section_ids = select(JournalSection.id).where(
                JournalSection.journal_id.in_(journal_ids)
            )
            db.session.execute(
                delete(SearchDocument).where(
                    SearchDocument.kind == "section", SearchDocument.source_id.in_(section_ids)
                )
            )
            db.session.execute(
                delete(SectionRevision).where(SectionRevision.section_id.in_(section_ids))
            )
            db.session.execute(delete(JournalSection).where(JournalSection.id.in_(section_ids)))
            db.session.execute(delete(Journal).where(Journal.workshop_id == workshop.id))
            db.session.execute(
                delete(WorkshopMethod).where(WorkshopMethod.workshop_id == workshop.id)
            )
            db.session.delete(workshop)
        method = db.session.scalar(select(Method).where(Method.name == NEW_METHOD))
        if method is not None:
            db.session.execute(delete(MethodRevision).where(MethodRevision.method_id == method.id))
            db.session.delete(method)
        db.session.commit()


def test_a_planned_method_lives_on_its_page_without_leaking_journal_text(
    browser, base_url, live_server
):
    """Plan three methods (one new), see 80 minutes; mark the workshop held; the new method's
    page lists it for the mentor with the topic and journal text; a Komló participant sees
    the method and that Tata used it, but neither the topic nor the journal's text."""
    page, console = open_page(browser, base_url, DESKTOP)
    try:
        login(page, TATA_MENTOR)
        page.goto("/groups/tata/workshops/new")
        page.locator("#date").fill(date.today().isoformat())
        page.locator("#topic").fill(TOPIC)
        page.locator("#plan-0-name").fill("Nyitókör")
        page.locator("#plan-0-minutes").fill("15")
        page.locator("#plan-1-name").fill("világkávézó")  # as typed: the library's is found
        page.locator("#plan-1-minutes").fill("45")
        page.get_by_role("button", name="Újabb sor").click()  # a third row, nothing saved yet
        page.locator("#plan-2-name").fill(NEW_METHOD)
        page.locator("#plan-2-minutes").fill("20")
        page.locator("main form .actions button.primary").click()
        expect(page.locator("h1")).to_contain_text(TOPIC)
        plan = page.locator(".plan-list li")
        expect(plan).to_have_count(3)
        expect(plan.nth(1)).to_contain_text("Világkávézó")
        expect(page.locator(".plan-total")).to_have_text("Összesen: 80 perc")
        page.get_by_role("button", name="Megtartottként jelölöm").click()
        workshop_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
        _write_journal(live_server.app, workshop_id)

        page.get_by_role("link", name=NEW_METHOD).click()
        expect(page.locator("h1")).to_have_text(NEW_METHOD)
        uses = page.locator(".method-uses")
        expect(uses).to_contain_text("1 alkalmon használták.")
        expect(uses.get_by_role("link", name=TOPIC)).to_be_visible()
        expect(uses).to_contain_text(NOT_FOR_REPORT)  # the mentor reads the group's section
        method_url = page.url

        logout(page)
        login(page, KOMLO_PARTICIPANT)
        page.goto(method_url)
        expect(page.locator("h1")).to_have_text(NEW_METHOD)
        expect(uses).to_contain_text("Ifjúsági közösségfejlesztés")
        body = page.locator("body").inner_text()
        assert NOT_FOR_REPORT not in body and TOPIC not in body
        assert NOT_FOR_REPORT not in page.content()
        assert console.errors == []
    finally:
        page.context.close()
        _forget(live_server.app)


def test_matching_used_too_and_the_compendium_in_chromium(browser, base_url, live_server):
    """The coordinator matches a free-text "galériaséta" to "Galéria-séta" in place (htmx),
    says and withdraws "Ezt én is használtam", and opens the compendium's preview: no serious
    axe violation, no console (CSP) error on any of them."""
    from journal.models import Method, MethodUsedToo, Workshop, WorkshopMethod, WorkshopStatus

    app = live_server.app
    with app.app_context():
        gallery = db.session.scalar(select(Method).where(Method.name == "Galéria-séta"))
        workshop = next(
            w
            for w in db.session.scalars(
                select(Workshop).where(Workshop.status == WorkshopStatus.HELD).order_by(Workshop.id)
            )
            if w.group.slug == "kecskemet" and all(s.method_id != gallery.id for s in w.plan)
        )
        workshop_id, gallery_id, methods = workshop.id, gallery.id, workshop.methods
        workshop.methods = "galériaséta"
        db.session.commit()
    page, console = open_page(browser, base_url, DESKTOP)
    try:
        login(page, COORDINATOR)
        page.goto("/methods/matching")
        item = page.locator(".match-item", has_text="galériaséta")
        expect(item).to_have_count(1)
        violations = axe_violations(page)
        assert not violations, describe_violations(violations)
        item.get_by_role("button", name="Galéria-séta").click()
        expect(page.locator("#matching .message-success")).to_contain_text("átkerült")
        expect(page.locator(".match-item", has_text="galériaséta")).to_have_count(0)
        with app.app_context():
            assert db.session.get(Workshop, workshop_id).methods == ""
            assert any(
                s.method_id == gallery_id for s in db.session.get(Workshop, workshop_id).plan
            )

        page.goto(f"/methods/{gallery_id}")
        button = page.get_by_role("button", name="Ezt én is használtam")
        expect(button).to_have_attribute("aria-pressed", "false")
        button.click()
        expect(button).to_have_attribute("aria-pressed", "true")
        expect(button.locator(".metoo-count")).to_have_text("1")
        violations = axe_violations(page)
        assert not violations, describe_violations(violations)
        button.click()
        expect(button).to_have_attribute("aria-pressed", "false")

        page.goto("/methods/compendium")
        expect(page.locator("h1").first).to_have_text("Módszertár")
        expect(page.get_by_role("link", name="PDF letöltése")).to_have_attribute(
            "href", "/methods/compendium.pdf"
        )
        violations = axe_violations(page)
        assert not violations, describe_violations(violations)
        assert console.errors == []
    finally:
        page.context.close()
        with app.app_context():
            db.session.execute(delete(MethodUsedToo))
            db.session.execute(
                delete(WorkshopMethod).where(
                    WorkshopMethod.workshop_id == workshop_id,
                    WorkshopMethod.method_id == gallery_id,
                )
            )
            db.session.get(Workshop, workshop_id).methods = methods
            db.session.commit()
