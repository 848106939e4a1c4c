"""Stored XSS in journal sections: payloads saved as section text run nothing in Chromium.

The payloads (tests/xss_payloads.py) are stored in all seven sections; the mentor then opens
the journal, every section's editor (swapped in by htmx), a 409 conflict view that shows the
payloads twice, the history, a comparison and the report preview. Nothing may open a dialog,
set window.__xss, break out of the sanitized wrapper, or request anything unexpected.
"""

import re
import threading
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from journal.extensions import db
from journal.journals.operations import save_section
from journal.models import JournalSection, Visibility
from tests.apps import build_app
from tests.browser.harness import CHROMIUM, CHROMIUM_ARGS
from tests.factories import PASSWORD, make_journal, make_workshop, make_world
from tests.xss_payloads import XSS_PAYLOADS

playwright_api = pytest.importorskip("playwright.sync_api")

FORBIDDEN_IN_PROSE = (
    "script, iframe, object, embed, svg, math, style, img, base, meta, link, form, input, "
    "button, template, video, audio, hx-partial"
)


def _chunks(items: list[str], parts: int) -> list[list[str]]:
    """Split a list into `parts` nearly equal slices."""
    size = -(-len(items) // parts)
    return [items[i : i + size] for i in range(0, len(items), size)]


@pytest.fixture(scope="module")
def xss_site(tmp_path_factory):
    """A live server whose demo journal holds every payload, and the ids to visit."""
    app = build_app(tmp_path_factory.mktemp("xss"), RATELIMIT_ENABLED=False)
    with app.app_context():
        world = make_world()
        mentor = world["mentor_a"]
        workshop = make_workshop(world["group_a"], topic="XSS-próba")
        journal = make_journal(workshop, mentor)
        sections = list(journal.sections)
        for section, payloads in zip(sections, _chunks(XSS_PAYLOADS, len(sections)), strict=True):
            # Two revisions each, so history and comparison have something to show.
            save_section(mentor, section, section.version, payloads[0], Visibility.GROUP, False)
            save_section(
                mentor, section, section.version, "\n\n".join(payloads), Visibility.GROUP, True
            )
        db.session.commit()
        site = {
            "email": mentor.email,
            "workshop_id": workshop.id,
            "section_ids": [s.id for s in sections],
        }
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    site["base"] = f"http://127.0.0.1:{server.server_port}"
    site["app"] = app
    yield site
    server.shutdown()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def xss_page(xss_site):
    """A logged-in Chromium page that records dialogs, requests and console errors."""
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        events = {"dialogs": [], "requests": [], "console": []}

        def on_dialog(dialog):
            events["dialogs"].append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.on("request", lambda request: events["requests"].append(request))
        page.on("console", lambda message: events["console"].append(message.text))
        page.goto(xss_site["base"] + "/login")
        page.fill("input[name=email]", xss_site["email"])
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(xss_site["base"] + "/")
        events["requests"].clear()
        yield page, events
        context.close()
        browser.close()


def _allowed(url: str, base: str) -> bool:
    """Tell whether a request goes to a page or file the journal legitimately loads."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != base:
        return False
    return bool(
        re.fullmatch(
            r"/static/.+|/workshops/\d+(/journal(/preview)?)?"
            r"|/sections/\d+(/edit|/history|/compare)?|/drafts/section(:|%3[Aa])\d+",
            parts.path,
        )
    )


def _assert_inert(page, events, base: str) -> None:
    """Nothing fired, nothing escaped the sanitizer, nothing unexpected was requested."""
    page.wait_for_timeout(300)  # let load/focus/animation handlers have their chance
    assert events["dialogs"] == []
    assert page.evaluate("window.__xss") is None
    bad_requests = [r.url for r in events["requests"] if not _allowed(r.url, base)]
    assert bad_requests == []
    assert not [m for m in events["console"] if "Content Security Policy" in m]
    escaped = page.evaluate(
        """(forbidden) => {
            const out = [];
            for (const prose of document.querySelectorAll('.prose')) {
                if (!prose.hasAttribute('hx-ignore')) out.push('wrapper without hx-ignore');
                for (const el of prose.querySelectorAll(forbidden)) out.push(el.outerHTML);
                for (const el of prose.querySelectorAll('*')) {
                    for (const a of el.attributes) {
                        const name = a.name;
                        if (/^(on|hx-|data-hx-|style|src|srcdoc|xlink)/i.test(name)) out.push(name);
                        const safeHref = /^(https?:|mailto:|#|\\/)/i.test(a.value);
                        if (name === 'href' && !safeHref) out.push(a.value);
                    }
                }
            }
            return out;
        }""",
        FORBIDDEN_IN_PROSE,
    )
    assert escaped == []
    # The mentor is still logged in: no stray hx-post="/logout" ran.
    assert page.locator("form[action='/logout']").count() == 1


def test_payloads_run_nothing_on_the_journal_and_in_editors(xss_site, xss_page):
    """The journal page and each section's inline editor stay inert."""
    page, events = xss_page
    base = xss_site["base"]
    page.goto(f"{base}/workshops/{xss_site['workshop_id']}/journal")
    _assert_inert(page, events, base)
    assert page.locator("section.journal-section").count() == 7
    assert "onerror=alert(6)" in page.inner_text("#journal")  # shown as text
    for section_id in xss_site["section_ids"]:
        page.click(f"#section-{section_id} a.button")
        page.wait_for_selector(f"form#section-{section_id} textarea[name=body]")
        value = page.input_value(f"#body-{section_id}")
        with xss_site["app"].app_context():
            stored = db.session.get(JournalSection, section_id).body
        assert value == stored  # the textarea holds the payload text exactly
        _assert_inert(page, events, base)
        page.click(f"form#section-{section_id} a[data-autosave-cancel]")
        page.wait_for_selector(f"section#section-{section_id}")
    _assert_inert(page, events, base)


def test_payloads_run_nothing_in_a_conflict_view(xss_site, xss_page):
    """A 409 shows the payloads in both textareas, still inert."""
    page, events = xss_page
    base = xss_site["base"]
    section_id = xss_site["section_ids"][0]
    page.goto(f"{base}/sections/{section_id}/edit")
    page.fill(f"#body-{section_id}", "</textarea><script>window.__xss=1</script>")
    page.evaluate(
        "(id) => { document.querySelector(`form#section-${id} input[name=version]`).value = '1'; }",
        section_id,
    )
    page.click(f"form#section-{section_id} button[type=submit]")
    page.wait_for_selector(f"#theirs-{section_id}")
    assert page.input_value(f"#body-{section_id}") == "</textarea><script>window.__xss=1</script>"
    _assert_inert(page, events, base)


def test_payloads_run_nothing_in_history_compare_and_preview(xss_site, xss_page):
    """History, line diff and report preview of every section stay inert."""
    page, events = xss_page
    base = xss_site["base"]
    for section_id in xss_site["section_ids"]:
        page.goto(f"{base}/sections/{section_id}/history")
        for details in page.locator("details").all():
            details.evaluate("el => el.open = true")
        _assert_inert(page, events, base)
        page.goto(f"{base}/sections/{section_id}/compare?from=2&to=3")
        assert page.locator(".diff-line").count() > 0
        _assert_inert(page, events, base)
    page.goto(f"{base}/workshops/{xss_site['workshop_id']}/journal/preview")
    assert page.locator(".report-section").count() == 7
    _assert_inert(page, events, base)


def test_there_are_enough_payloads():
    """The acceptance asks for at least 40 payloads of every kind."""
    assert len(XSS_PAYLOADS) >= 40
    text = "\n".join(XSS_PAYLOADS)
    for kind in ("<script", "onerror", "javascript:", "<svg", "hx-get", "data-hx-", '<img src="x'):
        assert kind in text
