"""Helpers for the browser tests: demo logins, pages, screenshots and axe-core.

Import from here (`from tests.browser.harness import ...`), not from conftest.py; the
fixtures live in conftest.py.
"""

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Browser, ConsoleMessage, Page
from werkzeug.serving import make_server

HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE.parent / "artifacts"
AXE_SOURCE = HERE / "vendor" / "axe.min.js"

PASSWORD = "muhelynaplo"
# Debian's headless shell of Chromium (package chromium-headless-shell): the same engine as
# /usr/bin/chromium without the browser's own layers, as Playwright itself uses for headless
# runs. It used a quarter of the full browser's CPU for the same logins and pages here, and
# the browser tests are most of the suite's CPU.
CHROMIUM = "/usr/bin/chromium-headless-shell"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
WIDTHS = {"desktop": DESKTOP, "phone": PHONE}

# Demo people (journal/demo/program.toml); every demo account has the password above.
COORDINATOR = "jozsa.kata@example.org"  # coordinator of the program, mentor of kecskemet
TATA_MENTOR = "szabo.csaba@example.org"
TATA_PARTICIPANT = "nyari.dora@example.org"
KOMLO_PARTICIPANT = "csizmadia.marta@example.org"


def _closed_before_sending(app):
    """Wrap a WSGI app so that every response body is read whole and closed before the server
    writes it. Werkzeug's development server skips close() when the browser drops the
    connection (a tab closed while its icon loads): the static file stayed open, and Python's
    ResourceWarning at collection failed whichever test ran then. (gunicorn closes it.)"""

    def wrapped(environ, start_response):
        body = app(environ, start_response)
        if not hasattr(body, "close"):
            return body
        try:
            return [b"".join(body)]
        finally:
            body.close()

    return wrapped


@contextmanager
def serving(app) -> Iterator[str]:
    """Serve the app with Werkzeug (threaded) on a free port of 127.0.0.1 and yield its
    address; then stop the server and close the app's database connections."""
    from journal.extensions import db

    server = make_server("127.0.0.1", 0, _closed_before_sending(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
        with app.app_context():
            db.engine.dispose()


@dataclass
class Console:
    """What a page reported: console errors and uncaught exceptions."""

    errors: list[str] = field(default_factory=list)

    def csp(self) -> list[str]:
        """Return the messages about the Content-Security-Policy."""
        return [m for m in self.errors if re.search(r"Content.Security.Policy|Refused to", m)]


def open_page(
    browser: Browser, base_url: str, viewport: dict = DESKTOP, console: Console | None = None
) -> tuple[Page, Console]:
    """Open a page in a fresh context (relative URLs go to the live server); record errors."""
    options = {"is_mobile": True, "has_touch": True} if viewport == PHONE else {}
    context = browser.new_context(base_url=base_url, viewport=viewport, **options)
    page = context.new_page()
    console = console if console is not None else Console()

    def on_console(message: ConsoleMessage) -> None:
        # The app has no favicon; the browser's request for one is not the page's error.
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            console.errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: console.errors.append(f"pageerror: {error}"))
    return page, console


def login(page: Page, email: str, password: str = PASSWORD) -> None:
    """Log in through the login form and wait for the home page."""
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("/")


def logout(page: Page) -> None:
    """Press the header's logout button and wait for the login page."""
    page.locator("header form[action$='/logout'] button").click()
    page.wait_for_url("/login")


def screenshot(page: Page, name: str, widths: dict = WIDTHS) -> None:
    """Save full-page screenshots of the current page at each width into tests/artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    original = page.viewport_size
    for label, size in widths.items():
        if size != page.viewport_size:
            page.set_viewport_size(size)
        # caret="initial": hiding the caret leaves style="" on every input, which htmx's settle
        # step then copies onto swapped-in elements, a CSP (style-src-attr) violation.
        page.screenshot(
            path=str(ARTIFACTS / f"{name}-{label}.png"), full_page=True, caret="initial"
        )
    if original and original != page.viewport_size:
        page.set_viewport_size(original)


def axe_violations(page: Page, impacts: tuple[str, ...] = ("serious", "critical")) -> list:
    """Run axe-core on the current page; return its violations of the given impacts."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Through the DevTools protocol, so the page's CSP (no inline scripts) does not apply.
        page.evaluate(AXE_SOURCE.read_text(encoding="utf-8"))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in results["violations"] if v["impact"] in impacts]


def describe_violations(violations: list) -> str:
    """Format axe violations for an assertion message: id, impact, help and target nodes."""
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"][:10]:
            summary = [
                line.strip()
                for line in (node.get("failureSummary") or "").splitlines()
                if line.strip() and not line.startswith("Fix ")
            ]
            lines.append(f"    {node['target']}: {'; '.join(summary[:2])}")
        if len(v["nodes"]) > 10:
            lines.append(f"    … and {len(v['nodes']) - 10} more")
    return "\n".join(lines)
