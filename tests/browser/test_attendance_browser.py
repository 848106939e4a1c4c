"""A mentor records attendance for a demo workshop on a phone-width screen (Chromium)."""

import re

import pytest
from sqlalchemy import select

from journal.extensions import db
from journal.models import Attendance, AttendanceStatus, Guest, User, Workshop
from tests.browser.harness import PHONE, TATA_MENTOR, login, open_page

TOPIC = "Közös akcióterv az önkéntes napra"


def _workshop_id(live_server) -> int:
    """Return the id of the demo workshop this module uses."""
    with live_server.app.app_context():
        return db.session.scalar(select(Workshop.id).where(Workshop.topic == TOPIC))


def _status(live_server, workshop_id: int, family_name: str) -> AttendanceStatus | None:
    """Return a participant's stored attendance at the workshop."""
    with live_server.app.app_context():
        return db.session.scalar(
            select(Attendance.status)
            .join(User, User.id == Attendance.user_id)
            .where(Attendance.workshop_id == workshop_id, User.family_name == family_name)
        )


def _put_back(live_server, workshop_id: int, family_name: str, status) -> None:
    """Put a participant's attendance back as it was (None: not recorded)."""
    with live_server.app.app_context():
        attendance = db.session.scalar(
            select(Attendance)
            .join(User, User.id == Attendance.user_id)
            .where(Attendance.workshop_id == workshop_id, User.family_name == family_name)
        )
        if status is None:
            db.session.delete(attendance)
        else:
            attendance.status = status
        db.session.commit()


@pytest.fixture
def phone(browser, base_url, console):
    """A phone-sized page (390×844, touch) logged in as the tata group's mentor."""
    page, _ = open_page(browser, base_url, viewport=PHONE, console=console)
    login(page, TATA_MENTOR)
    yield page
    page.context.close()


def test_mentor_records_attendance_on_a_phone(phone, live_server, console):
    """From the group page to the workshop, each tap swaps only its row and is saved."""
    page = phone
    page.goto("/groups/tata")
    page.get_by_role("link", name=TOPIC).click()
    workshop_id = _workshop_id(live_server)
    page.wait_for_url(f"**/workshops/{workshop_id}")
    # caret="initial": hiding the caret leaves style="" on every input, which htmx then copies
    # onto the swapped-in radios (its settle step), and the CSP refuses an inline style.
    page.screenshot(path="/tmp/ws-attendance-phone.png", full_page=True, caret="initial")
    # Nothing on the page is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    rows = page.locator("tr.attendance-row")
    assert rows.count() == 6
    # Mark the page: a full reload or a larger swap would lose these markers.
    page.evaluate("document.getElementById('journal').dataset.marker = 'kept'")
    page.evaluate("document.querySelectorAll('tr.attendance-row')[2].dataset.marker = 'kept'")

    for family, label, status in (
        ("Dózsa", "hiányzott", AttendanceStatus.ABSENT),
        ("Gál", "késett", AttendanceStatus.LATE),
        ("Dózsa", "igazoltan hiányzott", AttendanceStatus.EXCUSED),
    ):
        row = page.locator("tr.attendance-row", has_text=family)
        choice = row.locator("label.choice", has_text=re.compile(f"^{label}$"))
        box = choice.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44  # a comfortable tap target
        choice.tap()
        checked = page.locator("tr.attendance-row", has_text=family).locator(
            "label.choice:has(input:checked)"
        )
        checked.filter(has_text=re.compile(f"^{label}$")).wait_for()
        assert checked.count() == 1
        page.wait_for_function("() => !document.querySelector('tr.attendance-row input:disabled')")
        assert _status(live_server, workshop_id, family) == status

    assert page.evaluate("document.getElementById('journal').dataset.marker") == "kept"
    assert (
        page.evaluate("document.querySelectorAll('tr.attendance-row')[2].dataset.marker") == "kept"
    )
    page.screenshot(path="/tmp/ws-attendance-phone-after.png", full_page=True)
    page.reload()
    row = page.locator("tr.attendance-row", has_text="Dózsa")
    assert row.locator("label.choice:has(input:checked)").inner_text() == "igazoltan hiányzott"
    assert console.errors == []


def test_guest_is_added_in_place(phone, live_server, console):
    """A guest added on the phone appears in the list without reloading the page."""
    page = phone
    workshop_id = _workshop_id(live_server)
    page.goto(f"/workshops/{workshop_id}")
    page.evaluate("document.getElementById('journal').dataset.marker = 'kept'")
    # A missing name comes back in place with a Hungarian message and the institution kept
    # (the browser's own check of the required field is switched off to reach the server).
    page.evaluate("document.querySelector('#guests input[name=name]').removeAttribute('required')")
    page.fill("#guests input[name=institution]", "Tatai Eötvös József Gimnázium")
    page.locator("#guests button[type=submit]", has_text="Vendég hozzáadása").tap()
    page.locator("#guests .errors", has_text="Adja meg a vendég nevét.").wait_for()
    assert page.input_value("#guests input[name=institution]") == "Tatai Eötvös József Gimnázium"
    page.fill("#guests input[name=name]", "Vendég Virág")
    page.fill("#guests input[name=institution]", "Tatai Eötvös József Gimnázium")
    page.locator("#guests button[type=submit]", has_text="Vendég hozzáadása").tap()
    page.locator("#guests li", has_text="Vendég Virág").wait_for()
    assert page.evaluate("document.getElementById('journal').dataset.marker") == "kept"
    assert page.input_value("#guests input[name=name]") == ""
    with live_server.app.app_context():
        assert db.session.scalar(
            select(Guest.institution).where(
                Guest.workshop_id == workshop_id, Guest.name == "Vendég Virág"
            )
        )
    # Removing asks first: declined, the guest stays; accepted, the guest goes.
    remove = page.locator("#guests li", has_text="Vendég Virág").get_by_role("button")
    asked = []
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    remove.tap()
    page.wait_for_timeout(300)
    assert asked == ["Törli Vendég Virág nevét a vendégek közül?"]
    assert page.locator("#guests li", has_text="Vendég Virág").count() == 1
    page.once("dialog", lambda d: d.accept())
    remove.tap()
    page.locator("#guests li", has_text="Vendég Virág").wait_for(state="detached")
    # Chromium logs the deliberate 422; nothing else may go wrong.
    assert [e for e in console.errors if "status of 422" not in e] == []


def test_attendance_works_without_javascript(browser, base_url, live_server):
    """With JavaScript off, a tap is a plain form POST that comes back to the same row."""
    context = browser.new_context(base_url=base_url, viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    login(page, TATA_MENTOR)
    workshop_id = _workshop_id(live_server)
    page.goto(f"/workshops/{workshop_id}")
    row = page.locator("tr.attendance-row", has_text="Szekeres")
    row.get_by_role("radio", name="hiányzott", exact=True).check()
    row.get_by_role("button", name="Rögzítés").click()
    page.wait_for_url(f"**/workshops/{workshop_id}#attendance-*")
    row = page.locator("tr.attendance-row", has_text="Szekeres")
    assert row.locator("label.choice:has(input:checked)").inner_text() == "hiányzott"
    assert _status(live_server, workshop_id, "Szekeres") == AttendanceStatus.ABSENT
    context.close()


def test_workshop_and_group_pages_pass_axe(phone, live_server):
    """No serious or critical accessibility violations on the workshop and group pages."""
    from tests.browser.harness import axe_violations, describe_violations

    page = phone
    for url in (f"/workshops/{_workshop_id(live_server)}", "/groups/tata"):
        page.goto(url)
        violations = axe_violations(page)
        assert not violations, f"{url}\n{describe_violations(violations)}"


def test_keyboard_focus_stays_through_a_tap_and_a_removal(phone, live_server, console):
    """Recording by keyboard: a row is one radio group (one Tab stop); an arrow key records
    the next choice and focus stays on it in the new row, so the next Tab goes on to the next
    row, not back to the top of the page; after removing a guest, focus is on the guests'
    heading."""
    page = phone
    workshop_id = _workshop_id(live_server)
    before = _status(live_server, workshop_id, "Gál")
    _put_back(live_server, workshop_id, "Gál", AttendanceStatus.PRESENT)
    page.goto(f"/workshops/{workshop_id}")
    row = page.locator("tr.attendance-row", has_text="Gál")
    present = row.get_by_role("radio", name="jelen", exact=True)
    late = row.get_by_role("radio", name="késett", exact=True)
    late_id = late.get_attribute("id")
    present.focus()
    page.keyboard.press("ArrowRight")
    row.locator("label.choice:has(input:checked)", has_text="késett").wait_for()
    page.wait_for_function(f"() => document.activeElement.id === '{late_id}'")
    assert _status(live_server, workshop_id, "Gál") == AttendanceStatus.LATE
    page.keyboard.press("Tab")  # one Tab leaves the row's group for the next row's
    assert page.evaluate(
        "document.activeElement.closest('tr').id !== document.getElementById("
        f"'{late_id}').closest('tr').id"
    )

    page.fill("#guests input[name=name]", "Billentyűs Vendég")
    page.locator("#guests button[type=submit]", has_text="Vendég hozzáadása").click()
    remove = page.locator("#guests li", has_text="Billentyűs Vendég").get_by_role("button")
    remove.focus()
    page.once("dialog", lambda d: d.accept())
    page.keyboard.press("Enter")
    page.locator("#guests li", has_text="Billentyűs Vendég").wait_for(state="detached")
    page.wait_for_function("() => document.activeElement.id === 'guests-title'")

    _put_back(live_server, workshop_id, "Gál", before)  # the live server is shared
    assert console.errors == []


def test_a_tap_goes_through_a_stale_token(phone, live_server, console):
    """The page's CSRF token has gone stale (the session renewed it): the tap proves its
    origin by its headers and is saved at once; no message, no refused request."""
    page = phone
    workshop_id = _workshop_id(live_server)
    before = _status(live_server, workshop_id, "Gál")
    page.goto(f"/workshops/{workshop_id}")
    page.evaluate(
        """() => { document.body.setAttribute("hx-headers:inherited",
            JSON.stringify({"X-CSRFToken": "elavult"}));
          for (const input of document.querySelectorAll("input[name=csrf_token]"))
            input.value = "elavult"; }"""
    )
    wanted = "hiányzott" if before != AttendanceStatus.ABSENT else "késett"
    row = page.locator("tr.attendance-row", has_text="Gál")
    row.locator("label.choice", has_text=re.compile(f"^{wanted}$")).click()
    row.locator("label.choice:has(input:checked)", has_text=wanted).wait_for()
    assert _status(live_server, workshop_id, "Gál") in (
        AttendanceStatus.ABSENT,
        AttendanceStatus.LATE,
    )
    page.wait_for_timeout(300)
    assert page.locator("#messages .message").count() == 0
    _put_back(live_server, workshop_id, "Gál", before)  # the live server is shared
    assert console.errors == []


def test_a_confirmed_removal_with_a_stale_token_asks_once(phone, live_server, console):
    """Removing a guest with a stale token: the user confirms once and the guest is gone (no
    refused first try that would ask again)."""
    page = phone
    workshop_id = _workshop_id(live_server)
    page.goto(f"/workshops/{workshop_id}")
    page.fill("#guests input[name=name]", "Egyszer Kérdezett")
    page.locator("#guests button[type=submit]", has_text="Vendég hozzáadása").click()
    page.locator("#guests li", has_text="Egyszer Kérdezett").wait_for()
    page.evaluate(
        """() => { document.body.setAttribute("hx-headers:inherited",
            JSON.stringify({"X-CSRFToken": "elavult"}));
          for (const input of document.querySelectorAll("input[name=csrf_token]"))
            input.value = "elavult"; }"""
    )
    asked = []
    page.on("dialog", lambda d: (asked.append(d.message), d.accept()))
    page.locator("#guests li", has_text="Egyszer Kérdezett").get_by_role("button").click()
    page.locator("#guests li", has_text="Egyszer Kérdezett").wait_for(state="detached")
    page.wait_for_timeout(300)
    assert asked == ["Törli Egyszer Kérdezett nevét a vendégek közül?"]
    with live_server.app.app_context():
        assert not db.session.scalar(
            select(Guest.id).where(
                Guest.workshop_id == workshop_id, Guest.name == "Egyszer Kérdezett"
            )
        )
    assert console.errors == []


def test_the_journal_is_a_few_tabs_from_the_top(phone, live_server):
    """Each attendance row is one Tab stop (a radio group), not four buttons: from the top of a
    workshop page with six participants the journal is reached in at most 20 Tabs (36 before),
    besides a link per method of the workshop's plan (content, before the attendance)."""
    page = phone
    page.goto(f"/workshops/{_workshop_id(live_server)}")
    methods = page.locator(".plan-list a").count()
    presses = 0
    while presses < 60 and not page.evaluate("!!document.activeElement.closest('#journal')"):
        page.keyboard.press("Tab")
        presses += 1
    assert presses <= 20 + methods, (presses, methods)


def test_a_choice_the_server_never_got_goes_back(phone, live_server, console):
    """The connection drops as the mentor taps "hiányzott": the row shows again what is
    recorded, not a status that was never saved."""
    page = phone
    workshop_id = _workshop_id(live_server)
    before = _status(live_server, workshop_id, "Lengyel")
    _put_back(live_server, workshop_id, "Lengyel", AttendanceStatus.PRESENT)
    page.goto(f"/workshops/{workshop_id}")
    page.route("**/attendance", lambda route: route.abort())
    row = page.locator("tr.attendance-row", has_text="Lengyel")
    row.locator("label.choice", has_text=re.compile("^hiányzott$")).tap()
    row.locator("label.choice:has(input:checked)", has_text=re.compile("^jelen$")).wait_for()
    assert row.get_by_role("radio", name="hiányzott", exact=True).is_checked() is False
    assert _status(live_server, workshop_id, "Lengyel") == AttendanceStatus.PRESENT
    _put_back(live_server, workshop_id, "Lengyel", before)
    assert [e for e in console.errors if not re.search("ERR_FAILED|Failed to fetch", e)] == []
