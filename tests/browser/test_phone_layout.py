"""At phone width nothing hides sideways: the people table stacks, every group of the
navigation (the current one too) is in sight."""

import pytest

from tests.browser.harness import COORDINATOR, PHONE, login, open_page

pytestmark = pytest.mark.browser


def test_people_table_stacks_and_group_navigation_wraps(browser, base_url):
    page, console = open_page(browser, base_url, viewport=PHONE)
    try:
        login(page, COORDINATOR)
        page.goto("/people")
        table_fits = page.eval_on_selector(
            "table.people",
            "t => t.scrollWidth <= t.parentElement.clientWidth && "
            "[...t.querySelectorAll('td')].every(td => td.scrollWidth <= td.clientWidth + 1)",
        )
        assert table_fits, "the people table needs sideways scrolling on a phone"
        page.goto("/groups/kecskemet")
        hidden = page.evaluate(
            """() => [...document.querySelectorAll('.group-nav a')]
                 .filter(a => { const r = a.getBoundingClientRect();
                                return r.left < 0 || r.right > window.innerWidth; })
                 .map(a => a.textContent.trim())"""
        )
        assert hidden == []
        assert page.locator(".group-nav a[aria-current=page]").is_visible()
        assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    finally:
        page.context.close()
    assert console.errors == []
