"""Faults while saving a 5,000-character section, in Chromium at phone width.

A database error on commit, a 500 in a template, an expired CSRF token and a gunicorn worker
killed in the middle of the save: each ends with the text still on screen and in the server
draft (or saved), and a message in Hungarian.

The in-process server runs the real app (not in testing mode, so the Hungarian 500 handler
is on) with switches in `FAULTS`; the killed-worker test starts gunicorn itself, with the app
built by `gunicorn_app()` below.
"""

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

pytest.importorskip("playwright")

from flask import request, session  # noqa: E402
from playwright.sync_api import expect  # noqa: E402
from sqlalchemy import event  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from tests.browser.harness import PASSWORD, serving  # noqa: E402
from tests.browser.test_autosave import (  # noqa: E402
    EDITING,
    PHONE_CONTEXT,
    draft_body,
    live_config,
    log_in,
    open_editor,
    section_body,
    wait_for,
)
from tests.demo_site import free_port, seed_tata_journal, wait_for_port  # noqa: E402

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
FAULTS: dict[str, int] = {}  # fault name → how many more times it strikes
HUNGARIAN_500 = "Váratlan hiba történt"
KEPT = "megőriztük"


def long_text(label: str) -> str:
    """Return a 5,000-character section text."""
    line = f"{label}: a műhely menete, tapasztalatok és kérdések. "
    return (line * (5000 // len(line) + 1))[:5000]


def _strike(name: str) -> bool:
    """Use up one strike of a fault; tell whether it strikes now."""
    if FAULTS.get(name, 0) > 0:
        FAULTS[name] -= 1
        return True
    return False


def _saving_a_section() -> bool:
    """Tell whether the current request is the real save of a section (or of the write mode)."""
    return request.endpoint in ("journals.save", "journals.write") and request.method == "POST"


def install_faults(app) -> None:
    """Wire the fault switches into the app."""
    from flask import before_render_template

    def drop_csrf_token() -> None:
        """Forget the session's CSRF token, as when the session was renewed meanwhile."""
        if _saving_a_section() and _strike("csrf"):
            session.pop("csrf_token", None)

    # Before Flask-WTF's own check, so the token of this very request is the stale one.
    app.before_request_funcs.setdefault(None, []).insert(0, drop_csrf_token)

    def broken_template(sender, template, context, **extra) -> None:
        """Fail while rendering the saved section."""
        if template.name == "journals/_section.html" and _strike("template"):
            raise RuntimeError("template fault (test)")

    before_render_template.connect(broken_template, app, weak=False)


def _failing_commit(session_) -> None:
    """Fail the commit of a section save."""
    from flask import has_request_context

    if has_request_context() and _saving_a_section() and _strike("commit"):
        raise RuntimeError("database fault on commit (test)")


@pytest.fixture(scope="module")
def faulty(tmp_path_factory):
    """A live server whose section saves can be made to fail."""
    from journal import create_app

    path = tmp_path_factory.mktemp("autosave-faults") / "live.sqlite"
    app = create_app(live_config(path))
    install_faults(app)
    event.listen(Session, "before_commit", _failing_commit)
    sections = seed_tata_journal(app, PASSWORD)
    try:
        with serving(app) as base:
            yield {"app": app, "base": base, "sections": sections}
    finally:
        event.remove(Session, "before_commit", _failing_commit)
        FAULTS.clear()


@pytest.fixture
def phone(browser, faulty):
    """A phone-sized context logged in as the mentor, recording the answers it gets."""
    context = browser.new_context(**PHONE_CONTEXT)
    page = context.new_page()
    statuses: list[tuple[str, int]] = []
    page.on("response", lambda r: statuses.append((r.request.method + " " + r.url, r.status)))
    log_in(page, faulty["base"])
    yield page, statuses
    context.close()
    FAULTS.clear()


def _write_and_save(page, base: str, section_id: int, text: str):
    """Open the editor, put the text in, press Save; return the textarea."""
    box = open_editor(page, base, section_id)
    box.fill(text)
    page.click(f"#section-{section_id} button[type=submit]")
    return box


@dataclass
class Attempt:
    """A save pressed while a fault was armed: the page, what it typed and where."""

    page: object
    statuses: list[tuple[str, int]]
    app: object
    section_id: int
    text: str
    box: object

    def locator(self, selector: str = ""):
        """Return the section's element, or the selector inside it."""
        return self.page.locator(f"#section-{self.section_id} {selector}".rstrip())

    def saved(self) -> str:
        """Return the section's stored text."""
        return section_body(self.app, self.section_id)

    def draft(self) -> str | None:
        """Return the section's server draft."""
        return draft_body(self.app, self.section_id)

    def assert_kept(self) -> None:
        """The text is on screen, and in the server draft or saved."""
        expect(self.box).to_have_value(self.text)
        assert wait_for(lambda: self.text in (self.draft(), self.saved())), (
            "the text is neither in the server draft nor saved"
        )


def _save_under_fault(phone, faulty, index: int, label: str, fault: str, strikes: int = 1):
    """Arm the fault for that many strikes, write a 5,000-character text into the section
    with that index and press Save; return the attempt."""
    page, statuses = phone
    section_id = faulty["sections"][index]
    text = long_text(label)
    FAULTS[fault] = strikes
    box = _write_and_save(page, faulty["base"], section_id, text)
    return Attempt(page, statuses, faulty["app"], section_id, text, box)


def test_database_error_on_commit(phone, faulty):
    attempt = _save_under_fault(phone, faulty, 0, "Adatbázishiba", "commit")
    expect(attempt.page.locator("#messages")).to_contain_text(HUNGARIAN_500)
    expect(attempt.locator("[data-autosave-alert]")).to_contain_text("hiba történt a szerveren")
    attempt.assert_kept()
    assert attempt.saved() != attempt.text  # the failed save wrote nothing
    assert wait_for(lambda: attempt.draft() == attempt.text)
    attempt.page.screenshot(path="/tmp/autosave-fault-commit-phone.png", full_page=True)
    # Saving again works and clears the draft.
    attempt.page.click(f"#section-{attempt.section_id} button[type=submit]")
    assert wait_for(lambda: attempt.saved() == attempt.text)
    assert wait_for(lambda: attempt.draft() is None)


def test_500_in_a_template(phone, faulty):
    attempt = _save_under_fault(phone, faulty, 1, "Sablonhiba", "template")
    expect(attempt.page.locator("#messages")).to_contain_text(HUNGARIAN_500)
    expect(attempt.locator("[data-autosave-alert]")).to_contain_text(KEPT)
    attempt.assert_kept()
    assert any(status == 500 for _, status in attempt.statuses)


def test_a_stale_csrf_token_never_refuses_a_save(phone, faulty):
    """The session's token is renewed before every save (as after a new login in another
    tab): the page's requests prove their origin by their headers, so the first save goes
    through, and no save is ever refused."""
    attempt = _save_under_fault(phone, faulty, 2, "Lejárt űrlap", "csrf", strikes=5)
    assert wait_for(lambda: attempt.saved() == attempt.text)
    expect(attempt.locator()).not_to_have_class(EDITING)
    saves = [
        status
        for what, status in attempt.statuses
        if what.startswith("POST") and "/sections/" in what
    ]
    assert saves == [200]
    assert not any(status == 400 for _, status in attempt.statuses)


def _save_in_write_mode(phone, faulty, index: int, label: str, fault: str) -> Attempt:
    """Open the journal's write mode, write a 5,000-character text into the section with that
    index, arm the fault once and press "Mentés"; return the attempt."""
    from journal.extensions import db
    from journal.models import JournalSection

    page, statuses = phone
    section_id = faulty["sections"][index]
    with faulty["app"].app_context():
        workshop_id = db.session.get(JournalSection, section_id).journal.workshop_id
    page.goto(f"{faulty['base']}/workshops/{workshop_id}/journal/write")
    box = page.locator(f"#write-{section_id} textarea[data-autosave-body]")
    text = long_text(label)
    box.fill(text)
    FAULTS[fault] = 1
    page.get_by_role("button", name="Mentés").click()
    return Attempt(page, statuses, faulty["app"], section_id, text, box)


def test_write_mode_saves_through_a_stale_csrf_token(phone, faulty):
    """The write mode's one form, sent with a token gone stale, is saved at the first try."""
    attempt = _save_in_write_mode(phone, faulty, 4, "Írásmód, lejárt űrlap", "csrf")
    expect(attempt.page.locator("#journal-write-status")).to_have_text(
        "A naplót elmentette.", timeout=15_000
    )
    assert attempt.saved() == attempt.text
    saves = [s for what, s in attempt.statuses if what.startswith("POST") and "/write" in what]
    assert saves == [200]
    expect(attempt.box).to_have_value(attempt.text)


def test_write_mode_server_error_keeps_the_text(phone, faulty):
    """A server error while the write mode saves leaves the page and its text, says so, keeps
    the text in the draft, and the next "Mentés" saves it."""
    attempt = _save_in_write_mode(phone, faulty, 5, "Írásmód, szerverhiba", "commit")
    expect(attempt.page.locator("#messages")).to_contain_text(HUNGARIAN_500)
    expect(attempt.box).to_have_value(attempt.text)
    assert attempt.saved() != attempt.text  # the failed save wrote nothing
    assert wait_for(lambda: attempt.draft() == attempt.text)
    attempt.page.get_by_role("button", name="Mentés").click()
    expect(attempt.page.locator("#journal-write-status")).to_have_text(
        "A naplót elmentette.", timeout=15_000
    )
    assert attempt.saved() == attempt.text
    assert wait_for(lambda: attempt.draft() is None)


# --- A gunicorn worker killed while saving ------------------------------------------------------


def gunicorn_app():
    """Build the app gunicorn serves in the killed-worker test: a save hangs while a flag
    file exists, after writing the worker's pid next to it."""
    from journal import create_app

    app = create_app(live_config(os.environ["AUTOSAVE_DB"]))
    flag = Path(os.environ["AUTOSAVE_FLAG"])

    @app.before_request
    def hang_while_flagged() -> None:
        """Keep the save in flight until the test kills this worker."""
        if _saving_a_section() and flag.exists():
            # Written aside and renamed, so the test never reads a half-written pid.
            aside = flag.with_suffix(f".{os.getpid()}")
            aside.write_text(str(os.getpid()))
            aside.replace(flag.with_suffix(".pid"))
            time.sleep(60)

    return app


@pytest.fixture
def gunicorn_site(tmp_path):
    """Gunicorn with two workers on 127.0.0.1, serving the demo program."""
    from journal import create_app
    from journal.extensions import db

    path = tmp_path / "gunicorn.sqlite"
    app = create_app(live_config(path))
    sections = seed_tata_journal(app, PASSWORD)
    with app.app_context():
        db.engine.dispose()
    port = free_port()
    flag = tmp_path / "hang.flag"
    env = os.environ | {"AUTOSAVE_DB": str(path), "AUTOSAVE_FLAG": str(flag)}
    env.pop("DATABASE_URL", None)
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--workers=2",
            f"--bind=127.0.0.1:{port}",
            "--timeout=120",
            "tests.browser.test_autosave_faults:gunicorn_app()",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        yield {"app": app, "base": f"http://127.0.0.1:{port}", "sections": sections, "flag": flag}
    finally:
        flag.unlink(missing_ok=True)
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        with app.app_context():
            db.engine.dispose()


def test_worker_killed_while_saving(browser, gunicorn_site):
    site = gunicorn_site
    section_id = site["sections"][4]
    context = browser.new_context(**PHONE_CONTEXT)
    try:
        page = context.new_page()
        log_in(page, site["base"])
        text = long_text("Leállt szerver")
        site["flag"].write_text("hang")
        box = _write_and_save(page, site["base"], section_id, text)
        pid_file = site["flag"].with_suffix(".pid")
        assert wait_for(pid_file.exists, timeout=15), "the save never reached a worker"
        site["flag"].unlink()  # the retries after the kill go through
        os.kill(int(pid_file.read_text()), signal.SIGKILL)
        alert = page.locator(f"#section-{section_id} [data-autosave-alert]")
        expect(alert).to_contain_text("megszakadt a kapcsolat", timeout=15_000)
        expect(box).to_have_value(text)
        assert section_body(site["app"], section_id) != text
        assert wait_for(lambda: draft_body(site["app"], section_id) == text, timeout=20)
        page.screenshot(path="/tmp/autosave-fault-killed-phone.png", full_page=True)
    finally:
        context.close()
