"""Browser-test fixtures: a live demo server and Debian's Chromium (helpers in harness.py).

The live server always runs on a temporary SQLite file (also when DATABASE_URL points the rest
of the suite at PostgreSQL), seeded with the demo program (password `muhelynaplo`). CSRF stays
on: the browser submits the app's real forms with their real tokens.

Chromium is launched once per test module, not once per session: Playwright's sync API
refuses to start while another sync Playwright runs in the same thread, and some modules in
this folder still start their own.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytest.importorskip("playwright")

from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402

from tests.browser.harness import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    HERE,
    PASSWORD,
    Console,
    open_page,
    serving,
)

BROWSER_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "browser-test-secret",
    # A cheap hash keeps logins fast; the production cost is tested elsewhere.
    "ARGON2_TIME_COST": 1,
    "ARGON2_MEMORY_COST": 16,
    "ARGON2_PARALLELISM": 1,
}


def pytest_collection_modifyitems(config, items):
    """Mark every test in this folder as a browser test."""
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


@dataclass
class LiveServer:
    """A running app and the address it answers on."""

    app: object
    base_url: str


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    """The demo program served by Werkzeug on a free port, on a temporary SQLite file."""
    from journal import create_app
    from journal.demo import seed_demo
    from journal.extensions import db

    path = tmp_path_factory.mktemp("browser-live") / "live.sqlite"
    app = create_app(BROWSER_CONFIG | {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        db.create_all()
        seed_demo(PASSWORD)
        db.session.commit()
    with serving(app) as base:
        yield LiveServer(app, base)


@pytest.fixture(autouse=True)
def _no_draft_outlives_its_test(request) -> Iterator[None]:
    """Remove every draft from the shared live server after each test that used it, even a
    failed one: a draft left behind would be put back into the next test's editor (and unfold
    a folded new-note form)."""
    yield
    if "live_server" not in request.fixturenames:
        return
    from journal.extensions import db
    from journal.models import Draft

    with request.getfixturevalue("live_server").app.app_context():
        db.session.execute(db.delete(Draft))
        db.session.commit()


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    """The live server's address, without a trailing slash."""
    return live_server.base_url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, driven by Playwright (never a downloaded browser)."""
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def console() -> Console:
    """The console errors and uncaught exceptions of the test's `page`."""
    return Console()


@pytest.fixture
def page(browser, base_url, console) -> Iterator[Page]:
    """A desktop-sized page (1280×900) in its own fresh context: no cookies, no storage."""
    new_page, _ = open_page(browser, base_url, console=console)
    yield new_page
    new_page.context.close()
