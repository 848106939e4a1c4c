"""Print previews and the PDF progress page in Chromium: axe, CSP, polling, download."""

import pytest
from sqlalchemy import select

from journal.extensions import db
from journal.models import Group, Workshop, WorkshopStatus
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

# A held demo workshop of Kecskemét with report sections (journal/demo/program.toml).
TOPIC = "Partnerségi térkép: kikkel dolgozunk együtt?"


def _workshop_id(live_server) -> int:
    """Return the id of the demo workshop this module uses."""
    with live_server.app.app_context():
        return db.session.scalar(select(Workshop.id).where(Workshop.topic == TOPIC))


@pytest.fixture
def report_config(live_server, tmp_path):
    """Cache PDFs in a temporary folder; restore the live server's settings afterwards."""
    config = live_server.app.config
    saved = {"REPORT_CACHE_DIR": config.get("REPORT_CACHE_DIR")}
    config["REPORT_CACHE_DIR"] = str(tmp_path / "pdf-cache")
    yield config
    config.update(saved)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_previews_pass_axe_without_console_errors(browser, base_url, live_server, viewport):
    """Each print preview: no serious accessibility violation, no CSP or console error."""
    page, console = open_page(browser, base_url, viewport)
    login(page, COORDINATOR)
    workshop_id = _workshop_id(live_server)
    for name, path in (
        ("attendance-sheet", "attendance-sheet"),
        ("attendance-sheet-filled", "attendance-sheet/filled"),
        ("workshop-record", "record"),
    ):
        page.goto(f"/workshops/{workshop_id}/{path}")
        assert page.locator("h1").first.inner_text() in ("Jelenléti ív", "Foglalkozási napló")
        download = page.get_by_role("link", name="PDF letöltése")
        assert download.get_attribute("href") == f"/workshops/{workshop_id}/{path}.pdf"
        violations = axe_violations(page)
        assert not violations, f"{path}\n{describe_violations(violations)}"
        if viewport == DESKTOP:
            screenshot(page, f"report-{name}")
    assert console.errors == []
    page.context.close()


def test_a_pdf_link_downloads_the_pdf(browser, base_url, live_server, report_config):
    """The document link of a workshop answers the PDF itself, rendered in the request."""
    page, console = open_page(browser, base_url, PHONE)
    login(page, TATA_MENTOR)
    with live_server.app.app_context():  # a held one: a cancelled workshop has no sheet
        held = db.session.scalar(
            select(Workshop.id)
            .join(Group)
            .where(Group.slug == "tata", Workshop.status == WorkshopStatus.HELD)
        )
    page.goto(f"/workshops/{held}")
    with page.expect_download() as info:
        page.get_by_role("link", name="Jelenléti ív nyomtatáshoz (PDF)").click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert console.errors == []
    page.context.close()


def test_a_render_stopped_at_its_limit_answers_the_hungarian_page(
    browser, base_url, live_server, report_config
):
    """A download whose render passes PDF_RENDER_SECONDS (here 0.05 s, so an ordinary record
    passes it) answers the Hungarian page in the browser, with a way back to the preview: no
    accessibility violation, no console error; from a threaded server, as under `flask run`."""
    saved = report_config["PDF_RENDER_SECONDS"]
    report_config["PDF_RENDER_SECONDS"] = 0.05
    try:
        page, console = open_page(browser, base_url, DESKTOP)
        login(page, COORDINATOR)
        workshop_id = _workshop_id(live_server)
        response = page.goto(f"/workshops/{workshop_id}/record.pdf")
        assert response.status == 422
        assert page.locator("h1").inner_text() == "A PDF nem készült el"
        assert "Foglalkozási napló › Jelenlét" in page.locator("ul.refused-parts").inner_text()
        violations = axe_violations(page)
        assert not violations, describe_violations(violations)
        screenshot(page, "report-refused")
        page.get_by_role("link", name="Vissza az előnézethez").click()
        page.wait_for_url(f"/workshops/{workshop_id}/record")
        # Chromium reports the page's own 422 as a failed resource; nothing else may fail.
        assert [e for e in console.errors if "status of 422" not in e] == []
        page.context.close()
    finally:
        report_config["PDF_RENDER_SECONDS"] = saved
