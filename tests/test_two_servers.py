"""Stateless app servers: two gunicorn instances on different ports share one database (and
Redis for the login limits) and nothing else. A login limit reached on one holds on the other;
a session, a draft, a conflict and a PDF behave the same whichever serves them.

On PostgreSQL (CI's second run) the servers share the suite's database; on SQLite, one file.
Each server has its own instance folder and its own PDF cache folder."""

import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

from journal.extensions import db
from journal.journals.operations import start_journal
from tests.factories import PASSWORD, make_workshop
from tests.pdfs import pdf_text

REDIS = "redis://127.0.0.1:6379"
SECRET = "two-servers-share-this-key"


def _free_port() -> int:
    """Return a TCP port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start(name: str, database: str, tmp_path: Path, prefix: str) -> tuple[subprocess.Popen, str]:
    """Start one gunicorn instance with its own instance and PDF cache folders."""
    port = _free_port()
    own = tmp_path / name
    env = {k: v for k, v in os.environ.items() if not k.startswith("MUHELYNAPLO_")}
    env.update(
        DATABASE_URL=database,
        SECRET_KEY=SECRET,
        MUHELYNAPLO_INSTANCE=str(own / "instance"),
        MUHELYNAPLO_REPORT_CACHE_DIR=str(own / "pdf-cache"),
        MUHELYNAPLO_RATELIMIT_STORAGE_URI=REDIS,
        MUHELYNAPLO_RATELIMIT_KEY_PREFIX=prefix,
        MUHELYNAPLO_ARGON2_TIME_COST="1",
        MUHELYNAPLO_ARGON2_MEMORY_COST="16",
        MUHELYNAPLO_ARGON2_PARALLELISM="1",
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}"]
        + ["--log-level", "warning", "wsgi:app"],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, server.communicate()[0]
        try:
            urllib.request.urlopen(base + "/login", timeout=2)
            return server, base
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{name} did not start")


class Browser:
    """A cookie jar that may talk to either server (the cookies belong to 127.0.0.1)."""

    def __init__(self):
        """Start with no cookies; never follow redirects (the tests look at them)."""
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def send(self, method: str, url: str, data=None, headers=None) -> tuple[int, dict, bytes]:
        """Send a request; return the status, headers and body (errors included)."""
        if isinstance(data, dict):
            data = urllib.parse.urlencode(data).encode()
            headers = {"Content-Type": "application/x-www-form-urlencoded"} | (headers or {})
        request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def token(self, url: str) -> str:
        """Return the CSRF token of a page."""
        status, _headers, body = self.send("GET", url)
        assert status == 200, status
        return re.search(rb'name="csrf_token" value="([^"]+)"', body).group(1).decode()

    def log_in(self, base: str, email: str, password: str = PASSWORD) -> int:
        """Post the login form; return the status (303 when logged in)."""
        data = {"csrf_token": self.token(base + "/login"), "email": email, "password": password}
        return self.send("POST", base + "/login", data)[0]


@pytest.fixture
def servers(app, world, tmp_path):
    """Two servers over the test's database, with a held workshop whose journal is started."""
    import redis

    try:
        redis.Redis.from_url(REDIS).ping()
    except redis.ConnectionError:
        pytest.fail(f"Redis is needed at {REDIS} (README: PostgreSQL and Redis)")
    workshop = make_workshop(world["group_a"], topic="Két szerver, egy program")
    journal = start_journal(world["mentor_a"], workshop)
    db.session.flush()
    ids = {
        "workshop": workshop.id,
        "section": journal.sections[0].id,
        "mentor": world["mentor_a"].email,
        "participant": world["participant_b"].email,
    }
    db.session.commit()
    db.session.close()  # the servers write now: this process holds no transaction
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    prefix = f"two-servers-{uuid.uuid4().hex}"
    started = []
    try:
        for name in ("a", "b"):
            started.append(_start(name, database, tmp_path, prefix))
        yield {
            "a": started[0][1],
            "b": started[1][1],
            "tmp": tmp_path,
            **ids,
        }
    finally:
        for server, base in started:
            os.killpg(server.pid, signal.SIGTERM)
            print(base, server.communicate(timeout=30)[0])  # shown when a test fails


def test_a_login_limit_reached_on_one_server_holds_on_the_other(servers):
    """Five wrong passwords for one account, spread over both servers, lock it on both."""
    email = servers["participant"]
    browser = Browser()
    for base in (servers["a"], servers["b"], servers["a"], servers["b"], servers["a"]):
        assert browser.log_in(base, email, "rossz jelszó") == 422
    for base in (servers["b"], servers["a"]):
        assert browser.log_in(base, email, PASSWORD) == 429


def test_session_draft_conflict_and_pdf_whichever_server_answers(servers):
    """Logged in on A, the same browser is logged in on B; a draft written on A is read on
    B; two saves from one version on A and B give B the conflict with both texts; a PDF is
    rendered by either, each into its own cache."""
    a, b = servers["a"], servers["b"]
    browser = Browser()
    assert browser.log_in(a, servers["mentor"]) == 303
    workshop_page = f"/workshops/{servers['workshop']}"
    assert browser.send("GET", b + workshop_page)[0] == 200

    section = servers["section"]
    token = browser.token(b + workshop_page)
    draft = json.dumps({"body": "Piszkozat az A szerveren", "fields": {}, "base_version": 1})
    status, _h, body = browser.send(
        "PUT",
        f"{a}/drafts/section:{section}",
        draft.encode(),
        {"Content-Type": "application/json", "X-CSRFToken": token, "HX-Request": "true"},
    )
    assert status == 200
    stamp = json.loads(body)["draft"]  # what this editor knows it wrote
    status, _h, body = browser.send("GET", f"{b}/sections/{section}/edit")
    assert status == 200 and "Piszkozat az A szerveren" in body.decode()

    def save(base: str, text: str) -> tuple[int, bytes]:
        form = {"csrf_token": token, "body": text, "visibility": "group", "version": "1"}
        form["draft"] = stamp
        status, _h, body = browser.send("POST", f"{base}/sections/{section}", form)
        return status, body

    assert save(a, "Az A szerver szövege")[0] == 303
    status, body = save(b, "A B szerver szövege")
    assert status == 409
    page = body.decode()
    assert "Az A szerver szövege" in page and "A B szerver szövege" in page

    texts = []
    for base in (a, b):
        status, headers, pdf = browser.send(
            "GET", f"{base}/workshops/{servers['workshop']}/record.pdf"
        )
        assert status == 200 and headers["Content-Type"] == "application/pdf"
        texts.append(pdf_text(pdf))
    assert "Két szerver, egy program" in texts[0] and texts[0] == texts[1]
    for name in ("a", "b"):
        assert len(list((servers["tmp"] / name / "pdf-cache").glob("*.pdf"))) == 1
