"""The coordinator's person page keeps keyboard focus across htmx swaps of the person section.

The whole section is swapped (outerHTML) after each action; without care the pressed button
is removed from the page and focus falls back to <body>, so a keyboard or screen-reader user
has to find their place again.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.harness import (
    COORDINATOR,
    axe_violations,
    describe_violations,
    login,
    screenshot,
)

PERSON = "Pásztor Máté"  # a demo participant of the Eger group no other browser test uses


@pytest.fixture
def person_page(page, console):
    """The coordinator on the person's page; returns (page, the person's id)."""
    login(page, COORDINATOR)
    page.goto("/people")
    page.get_by_role("link", name=PERSON).click()
    page.wait_for_url(re.compile(r"/people/\d+$"))
    person_id = int(page.url.rsplit("/", 1)[1])
    yield page, person_id
    assert console.errors == []


def _focused(page) -> dict:
    """Return the id, tag and text of the focused element."""
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return {id: e.id, tag: e.tagName, text: e.textContent.trim()}; }"
    )


def _press(page, selector: str, wait_for: str) -> None:
    """Focus a control, press Enter on it, and wait until the swapped section shows the text."""
    page.locator(selector).focus()
    page.keyboard.press("Enter")
    expect(page.locator("section.person")).to_contain_text(wait_for)


def test_toggle_buttons_keep_focus(person_page):
    """Deactivate/re-enable and the role toggle: focus stays on the (new) same button."""
    page, pid = person_page
    section = f"#person-{pid}"
    _press(page, f"{section} button:has-text('Letiltás')", "letiltva")
    assert _focused(page) == {"id": f"person-{pid}-status", "tag": "BUTTON",
                              "text": "Újra engedélyezés"}  # fmt: skip
    _press(page, f"{section} button:has-text('Újra engedélyezés')", "aktív")
    assert _focused(page)["text"] == "Letiltás"

    _press(page, f"{section} button:has-text('Legyen mentor')", "Legyen résztvevő")
    focused = _focused(page)
    assert focused["tag"] == "BUTTON" and focused["text"] == "Legyen résztvevő"
    assert re.fullmatch(r"membership-\d+-role", focused["id"])
    _press(page, f"{section} button:has-text('Legyen résztvevő')", "Legyen mentor")
    assert _focused(page)["text"] == "Legyen mentor"


def test_removed_membership_moves_focus_to_the_groups_heading(person_page):
    """The pressed button leaves with its membership: focus goes to the "Csoportok" heading;
    adding the person back keeps focus on the add button."""
    page, pid = person_page
    section = f"#person-{pid}"
    group = page.locator(f"{section} .memberships strong").first.inner_text()
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    _press(page, f"{section} button:has-text('Eltávolítás a csoportból')", "Nem tagja")
    assert asked == [f"Eltávolítja ebből a csoportból: {group}? A korábbi részvétele megmarad."]
    expect(page.locator("#messages")).to_contain_text("kikerült ebből a csoportból")
    assert _focused(page) == {"id": f"person-{pid}-groups", "tag": "H2", "text": "Csoportok"}
    screenshot(page, "people-focus-removed", widths={"desktop": page.viewport_size})
    violations = axe_violations(page)  # the focusable heading and swapped section pass axe
    assert not violations, describe_violations(violations)

    select = page.locator(f"{section} select[name=group]")
    select.select_option(select.locator("option", has_text=group).get_attribute("value"))
    page.locator(f"{section} input[name=institution]").fill("Művelődési Ház")
    page.locator(f"{section} input[name=settlement]").fill("Pétervására")
    _press(page, f"{section} button:has-text('Hozzáadás')", "Eltávolítás a csoportból")
    assert _focused(page)["id"] == f"person-{pid}-add"
    # A full page load does not steal focus for the heading.
    page.reload()
    assert _focused(page)["tag"] == "BODY"


def test_a_one_time_link_stays_until_the_account_is_disabled(person_page, console):
    """A new password link stays on screen through other actions (it cannot be shown again);
    disabling the account replaces it with a message saying the link is dead. A refused
    joining day comes back in its own form, leaving what is typed elsewhere alone."""
    page, pid = person_page
    section = f"#person-{pid}"
    page.locator(f"{section} button:has-text('Új jelszóbeállító link')").click()
    link = page.locator("#one-time-link")
    expect(link).to_be_visible()
    page.fill(f"{section} input[name=institution]", "Félig beírt intézmény")
    joined = page.locator(f"{section} form.joined-on").first
    joined.locator("input[type=date]").fill("2030-01-01")
    joined.get_by_role("button").click()
    expect(page.locator(f"{section} form.joined-on").first).to_contain_text("nem lehet későbbi")
    expect(page.locator(f"{section} input[name=institution]")).to_have_value(
        "Félig beírt intézmény"
    )
    expect(link).to_be_visible()
    _press(page, f"{section} button:has-text('Letiltás')", "letiltva")
    expect(link).to_have_count(0)
    expect(page.locator("#messages")).to_contain_text("linkjei érvénytelenek")
    _press(page, f"{section} button:has-text('Újra engedélyezés')", "aktív")
    # Chromium logs the deliberate 422; nothing else may go wrong.
    console.errors[:] = [e for e in console.errors if "status of 422" not in e]
