"""htmx under the Content-Security-Policy: the coordinator deactivates and re-enables a person."""

from playwright.sync_api import expect

from tests.browser.harness import (
    COORDINATOR,
    axe_violations,
    describe_violations,
    login,
    screenshot,
)

PERSON = "Pásztor Máté"  # heves participant; no other browser test logs him in


def test_deactivate_and_reactivate_swap_in_place(page, console):
    """The "Letiltás" and "Újra engedélyezés" buttons swap the section without a page load."""
    login(page, COORDINATOR)
    page.goto("/people")
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    screenshot(page, "people-coordinator")
    page.locator("table.people").get_by_role("link", name=PERSON, exact=True).click()
    page.wait_for_url("**/people/*")
    section = page.locator("section.person")
    expect(section.get_by_role("heading", level=1)).to_have_text(PERSON)
    expect(section).to_contain_text("aktív")
    section_id = section.get_attribute("id")
    assert section_id and section_id.startswith("person-")
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    screenshot(page, "person-coordinator")

    page.evaluate("window.__marker = 1")  # gone if the page reloads
    # What a user resizes (a text field's corner) carries an inline style; htmx's settle copied
    # it onto the element swapped in by setAttribute, which the CSP refuses (a console error).
    page.evaluate(f"document.getElementById('{section_id}-groups').style.minHeight = '1px'")
    loads = []  # full document loads (htmx's own replaceState is not one)
    page.on("domcontentloaded", lambda _: loads.append(page.url))
    with page.expect_response(lambda r: r.url.endswith("/deactivate")) as posted:
        section.get_by_role("button", name="Letiltás").click()
    assert posted.value.status == 200
    assert posted.value.request.headers.get("hx-request") == "true"
    swapped = page.locator(f"#{section_id}")
    expect(swapped.locator("strong").first).to_have_text("letiltva")
    expect(swapped.get_by_role("button", name="Újra engedélyezés")).to_be_visible()
    expect(swapped.get_by_role("button", name="Letiltás")).to_have_count(0)
    expect(page.locator("section.person")).to_have_count(1)  # swapped, not nested
    assert page.evaluate("window.__marker") == 1
    violations = axe_violations(page)  # the swapped-in fragment too
    assert not violations, describe_violations(violations)
    screenshot(page, "person-deactivated")

    with page.expect_response(lambda r: r.url.endswith("/activate")) as posted:
        swapped.get_by_role("button", name="Újra engedélyezés").click()
    assert posted.value.status == 200
    expect(swapped.locator("strong").first).to_have_text("aktív")
    expect(swapped.get_by_role("button", name="Letiltás")).to_be_visible()
    assert page.evaluate("window.__marker") == 1
    assert loads == []

    assert console.csp() == [], console.csp()
    assert console.errors == []
    page.reload()  # what the server stored, not just what was swapped in
    expect(page.locator(f"#{section_id} strong").first).to_have_text("aktív")


def test_console_catches_a_csp_violation(page, console):
    """The harness notices the CSP at work: an inline style set from the page is reported."""
    page.goto("/login")
    page.evaluate(
        """document.body.insertAdjacentHTML("beforeend", '<p style="color: red">x</p>')"""
    )
    expect(page.locator("p[style]")).to_have_count(1)
    for _ in range(40):  # console messages arrive asynchronously
        if console.csp():
            break
        page.wait_for_timeout(50)
    assert console.csp(), console.errors
