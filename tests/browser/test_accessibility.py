"""axe-core on the main pages, at desktop and phone widths, for the coordinator and a participant.

Violations of impact "serious" or "critical" fail; the full-page screenshots land in
tests/artifacts/ as <page>-<who>-<width>.png.
"""

import pytest

from tests.browser.harness import (
    COORDINATOR,
    TATA_PARTICIPANT,
    WIDTHS,
    axe_violations,
    describe_violations,
    login,
    open_page,
    screenshot,
)

PEOPLE = {
    "coordinator": (COORDINATOR, "/groups/kecskemet"),
    "participant": (TATA_PARTICIPANT, "/groups/tata"),
}


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("who", list(PEOPLE))
def test_no_serious_accessibility_violations(browser, base_url, who, width):
    """Login, home and group pages have no serious or critical axe-core violation."""
    email, group_path = PEOPLE[who]
    page, console = open_page(browser, base_url, viewport=WIDTHS[width])
    found = {}
    try:
        page.goto("/login")
        found["login"] = axe_violations(page)
        if who == "coordinator":  # the same page for everyone
            screenshot(page, "login", {width: WIDTHS[width]})

        login(page, email)
        found["home"] = axe_violations(page)
        screenshot(page, f"home-{who}", {width: WIDTHS[width]})

        page.goto(group_path)
        found["group"] = axe_violations(page)
        screenshot(page, f"group-{who}", {width: WIDTHS[width]})
    finally:
        page.context.close()
    report = "\n".join(
        f"{name} ({who}, {width}):\n{describe_violations(v)}" for name, v in found.items() if v
    )
    assert not report, "axe-core found serious or critical violations:\n" + report
    assert console.errors == []


def test_axe_reports_a_planted_violation(page):
    """The harness really runs axe: an unlabelled input and an image without alt are caught."""
    page.goto("/login")
    page.evaluate(
        """document.querySelector("main").insertAdjacentHTML(
            "beforeend", '<img src="/static/none.png"><input type="text" class="planted">')"""
    )
    found = {v["id"] for v in axe_violations(page)}
    assert {"image-alt", "label"} <= found, found
