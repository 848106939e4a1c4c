"""Logging in and out, a participant shut out of other groups, and the language switch."""

from playwright.sync_api import expect

from tests.browser.harness import (
    KOMLO_PARTICIPANT,
    TATA_MENTOR,
    TATA_PARTICIPANT,
    axe_violations,
    describe_violations,
    login,
    logout,
    open_page,
    screenshot,
)

LANGUAGE_USER = "takacs.orsolya@example.org"  # sumeg participant; no other test logs her in


def test_log_in_and_out(page, console):
    """A mentor logs in, sees their name and group, logs out, and `/` asks for a login again."""
    page.goto("/")
    expect(page).to_have_url("/login?next=/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bejelentkezés")
    screenshot(page, "login-redirected")

    login(page, TATA_MENTOR)
    header = page.locator("header.site-header")
    expect(header.get_by_role("link", name="Szabó Csaba")).to_be_visible()
    expect(header.get_by_role("button", name="Kijelentkezés")).to_be_visible()
    expect(page.locator("nav.group-nav")).to_contain_text("Ifjúsági közösségfejlesztés")
    screenshot(page, "home-mentor")

    header.get_by_role("button", name="Kijelentkezés").click()
    page.wait_for_url("/login")
    expect(page.locator("#messages")).to_contain_text("Kijelentkezett")
    expect(page.locator("header")).not_to_contain_text("Kijelentkezés")
    screenshot(page, "logged-out")

    page.goto("/")
    expect(page).to_have_url("/login?next=/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bejelentkezés")
    page.goto("/groups/tata")
    expect(page).to_have_url("/login?next=/groups/tata")
    assert console.errors == []


def test_a_wrong_password_is_refused(page):
    """A wrong password keeps the visitor on the login page with a message, and no session."""
    login_page = page.goto("/login")
    assert login_page and login_page.ok
    page.fill("input[name=email]", TATA_MENTOR)
    page.fill("input[name=password]", "nem-ez-a-jelszo")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#login-error")).to_have_text("Hibás e-mail-cím vagy jelszó.")
    expect(page.locator("input[name=password]")).to_have_value("")
    page.goto("/")
    expect(page).to_have_url("/login?next=/")


def test_participant_cannot_reach_another_group(page, console):
    """Nyári Dóra (tata) gets the 404 page for komlo-hegyhat and sees only her group."""
    login(page, TATA_PARTICIPANT)
    nav = page.locator("nav.group-nav")
    expect(nav.get_by_role("link")).to_have_count(1)
    expect(nav.get_by_role("link")).to_have_text("Ifjúsági közösségfejlesztés")
    expect(page.locator(".group-card")).to_have_count(1)
    expect(page.get_by_role("link", name="Személyek")).to_have_count(0)

    response = page.goto("/groups/komlo-hegyhat")
    assert response and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Nem található")
    expect(page.locator("main")).not_to_contain_text("Helyi érték")
    expect(page.locator("nav.group-nav").get_by_role("link")).to_have_count(1)
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    screenshot(page, "not-found-participant")

    for path in ("/groups/komlo-hegyhat/notes", "/people"):
        response = page.goto(path)
        assert response and response.status in (403, 404), path

    response = page.goto("/groups/tata")
    assert response and response.ok
    expect(page.get_by_role("heading", level=1)).to_have_text("Ifjúsági közösségfejlesztés")
    expect(page.locator("nav.group-nav a[aria-current=page]")).to_have_count(1)
    screenshot(page, "group-participant")
    # Only the browser's own "Failed to load resource: 404/403" lines, nothing else.
    assert all("Failed to load resource" in e for e in console.errors), console.errors


def test_other_group_participant_sees_only_her_group(page):
    """Csizmadia Márta (komlo-hegyhat) is shut out of tata the same way."""
    login(page, KOMLO_PARTICIPANT)
    expect(page.locator("nav.group-nav").get_by_role("link")).to_have_text(
        ["Helyi érték – térségi kínálat"]
    )
    response = page.goto("/groups/tata")
    assert response and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Nem található")


def _switch(page, to: str) -> None:
    """Press the footer's language button that switches to `to` ("en" or "hu")."""
    page.locator(f"footer button[name=language][value={to}]").click()
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", to)


def test_language_switch_for_a_visitor(page):
    """On the login page, "English" makes the page English and "Magyar" switches back."""
    page.goto("/login")
    html, footer = page.locator("html"), page.locator("footer")
    expect(html).to_have_attribute("lang", "hu")
    expect(footer.get_by_role("button")).to_have_text("English")

    _switch(page, "en")
    expect(page).to_have_url("/login")
    expect(footer.get_by_role("button")).to_have_text("Magyar")
    expect(footer.get_by_role("button")).to_have_attribute("lang", "hu")
    page.goto("/login")  # the choice is kept in the session
    expect(html).to_have_attribute("lang", "en")
    screenshot(page, "login-english")

    _switch(page, "hu")
    expect(footer.get_by_role("button")).to_have_text("English")
    expect(footer.get_by_role("button")).to_have_attribute("lang", "en")


def test_language_choice_persists_across_logins(browser, base_url):
    """A logged-in user's choice of English is stored and comes back on a new login."""
    page, _ = open_page(browser, base_url)
    try:
        login(page, LANGUAGE_USER)
        expect(page.locator("html")).to_have_attribute("lang", "hu")
        page.goto("/groups/sumeg")
        _switch(page, "en")
        expect(page).to_have_url("/groups/sumeg")  # back on the same page
        expect(page.locator("footer").get_by_role("button")).to_have_text("Magyar")
        screenshot(page, "group-english")
        logout(page)
    finally:
        page.context.close()

    page, _ = open_page(browser, base_url)  # another device: no cookies at all
    try:
        page.goto("/login")
        expect(page.locator("html")).to_have_attribute("lang", "hu")
        login(page, LANGUAGE_USER)
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.locator("footer").get_by_role("button")).to_have_text("Magyar")
        _switch(page, "hu")  # restore, and check that this is stored too
        logout(page)
    finally:
        page.context.close()

    page, _ = open_page(browser, base_url)
    try:
        login(page, LANGUAGE_USER)
        expect(page.locator("html")).to_have_attribute("lang", "hu")
        expect(page.locator("footer").get_by_role("button")).to_have_text("English")
    finally:
        page.context.close()
