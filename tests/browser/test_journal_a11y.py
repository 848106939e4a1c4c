"""axe-core on the journal: the workshop page with a section editor open, a 409 conflict,
the history, a comparison and the report preview, for the mentor at desktop and phone widths.

Runs on the shared live demo server and writes nothing to it (a 409 changes nothing).
"""

import pytest
from sqlalchemy import select

from tests.browser.harness import (
    WIDTHS,
    axe_violations,
    describe_violations,
    login,
    open_page,
    screenshot,
)

KOMLO_MENTOR = "schaff.aniko@example.org"


@pytest.fixture(scope="module")
def demo_journal(live_server) -> dict:
    """Return the komlo-hegyhat demo journal's workshop id and its section ids."""
    from journal.extensions import db
    from journal.models import Group, Journal, Workshop

    with live_server.app.app_context():
        journal = db.session.scalar(
            select(Journal)
            .join(Workshop, Journal.workshop_id == Workshop.id)
            .join(Group, Workshop.group_id == Group.id)
            .where(Group.slug == "komlo-hegyhat")
        )
        return {"workshop": journal.workshop_id, "sections": [s.id for s in journal.sections]}


@pytest.mark.parametrize("width", list(WIDTHS))
def test_journal_pages_have_no_serious_violations(browser, base_url, demo_journal, width):
    """No serious or critical axe-core violation on any journal view."""
    page, console = open_page(browser, base_url, viewport=WIDTHS[width])
    found = {}
    workshop, sid = demo_journal["workshop"], demo_journal["sections"][1]
    try:
        login(page, KOMLO_MENTOR)
        page.goto(f"/workshops/{workshop}")
        page.click(f"#section-{sid} a.button")
        page.wait_for_selector(f"form#section-{sid}")
        found["editor"] = axe_violations(page)
        screenshot(page, "journal-editor-mentor", {width: WIDTHS[width]})

        page.evaluate(
            "(id) => document.querySelector(`form#section-${id} input[name=version]`).value = '1'",
            sid,
        )
        page.fill(f"#body-{sid}", "Egy régebbi változatra épülő szöveg")
        page.click(f"form#section-{sid} button[type=submit]")
        page.wait_for_selector(f"#theirs-{sid}")
        found["conflict"] = axe_violations(page)
        screenshot(page, "journal-conflict-mentor", {width: WIDTHS[width]})
        page.click(f"form#section-{sid} a[data-autosave-cancel]")

        for name, path in (
            ("history", f"/sections/{sid}/history"),
            ("compare", f"/sections/{demo_journal['sections'][6]}/compare?from=2&to=3"),
            ("preview", f"/workshops/{workshop}/journal/preview"),
        ):
            page.goto(path)
            found[name] = axe_violations(page)
            screenshot(page, f"journal-{name}-mentor", {width: WIDTHS[width]})
    finally:
        page.context.close()
    report = "\n".join(
        f"{name} ({width}):\n{describe_violations(v)}" for name, v in found.items() if v
    )
    assert not report, "axe-core found serious or critical violations:\n" + report
    # The 409 answer itself is logged by the browser as a failed resource; nothing else.
    assert [e for e in console.errors if "409" not in e] == []
