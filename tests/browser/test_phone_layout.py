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
        assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    finally:
        page.context.close()
    assert console.errors == []


def test_a_very_long_name_wraps_instead_of_widening_the_page(browser, base_url, live_server):
    """A 96-character name without a space (typed by someone) breaks in the header and on the
    pages that show it; nothing scrolls sideways."""
    from journal.extensions import db
    from journal.models import Group
    from tests.factories import PASSWORD as FACTORY_PASSWORD
    from tests.factories import make_membership, make_user

    long = "Nagyonhosszú" * 8
    with live_server.app.app_context():
        group = db.session.scalar(db.select(Group).where(Group.slug == "tata"))
        user = make_user(email="hosszu.nev@example.org", family_name=long, given_name=long)
        make_membership(user, group)
        db.session.commit()
    page, console = open_page(browser, base_url, viewport=PHONE)
    try:
        login(page, "hosszu.nev@example.org", FACTORY_PASSWORD)
        for url in ("/", "/profile", "/groups/tata", "/groups/tata/notes"):
            page.goto(url)
            # Against the phone's width itself: an overflowing page widens the layout
            # viewport of a mobile browser (window.innerWidth grows with it).
            width = page.evaluate("document.scrollingElement.scrollWidth")
            assert width <= PHONE["width"], (url, width)
    finally:
        page.context.close()
        with live_server.app.app_context():
            from journal.models import Membership, User

            user = db.session.scalar(db.select(User).where(User.email == "hosszu.nev@example.org"))
            for membership in db.session.scalars(
                db.select(Membership).where(Membership.user_id == user.id)
            ):
                db.session.delete(membership)
            db.session.delete(user)
            db.session.commit()
    assert console.errors == []
