"""Load test of shared notes: N clients add, edit and say "Nálam is" against gunicorn.

Strictly local and bounded: the server listens on 127.0.0.1 only, the run lasts
--seconds (default 60) with --clients (default 30) demo users, then stops everything it
started. Every write the server acknowledged goes into a client-side ledger that is checked
against the database at the end: no 5xx and no lost acknowledged write, or the run fails.

    .venv/bin/python bench/notes_load.py --db sqlite
    .venv/bin/python bench/notes_load.py --db postgres   # uses muh_notes_load on 127.0.0.1
"""

import argparse
import http.client
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/muh_notes_load"
PASSWORD = "muhelynaplo"


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """A tiny keep-alive HTTP client with cookies, for one simulated person."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.csrf = ""
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method: str, path: str, data: dict | None = None, htmx: bool = True):
        """Send a request; return (status, body text, elapsed seconds)."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if htmx:
            headers["HX-Request"] = "true"
        if self.csrf:
            headers["X-CSRFToken"] = self.csrf
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        start = time.perf_counter()
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                text = response.read().decode()
                break
            except (http.client.HTTPException, ConnectionError, TimeoutError):
                # A worker closed the kept-alive connection: reconnect once. A POST is retried
                # only if the connection failed before any answer, so it was never processed.
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt:
                    raise
        elapsed = time.perf_counter() - start
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        return response.status, text, elapsed

    def log_in(self, email: str) -> None:
        """Log in through the login form, with its CSRF token."""
        status, html, _ = self.request("GET", "/login", htmx=False)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
            r'name="csrf_token" value="([^"]+)"', html
        )
        data = {"email": email, "password": PASSWORD, "csrf_token": token.group(1)}
        status, html, _ = self.request("POST", "/login", data, htmx=False)
        if status != 303:
            raise RuntimeError(f"login of {email} failed: {status}")
        status, html, _ = self.request("GET", "/", htmx=False)
        self.csrf = re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)


class Ledger:
    """What the server acknowledged, to be found in the database afterwards."""

    def __init__(self):
        self.lock = threading.Lock()
        self.notes: dict[int, tuple[str, str, int]] = {}  # id -> title, body, version
        self.reactions: dict[tuple[int, int], bool] = {}  # (note, user) -> on
        self.statuses: Counter = Counter()
        self.latencies: dict[str, list[float]] = {"add": [], "edit": [], "metoo": []}


def run_client(port, email, user_id, slug, deadline, ledger: Ledger, seed: int) -> None:
    """Add, edit and react until the deadline, recording every acknowledged write."""
    rng = random.Random(seed)
    client = Client(port)
    client.log_in(email)
    mine: dict[int, int] = {}  # note id -> version
    others: list[int] = []
    offers: dict[int, str] = {}  # note id -> the "Nálam is" state its button asks for
    n = 0
    while time.monotonic() < deadline:
        n += 1
        action = rng.random()
        if n % 15 == 1:
            status, html, _ = client.request("GET", f"/groups/{slug}/notes?kind=difficulty")
            with ledger.lock:
                ledger.statuses[("board", status)] += 1
            # Each "Nálam is" button and the state it offers, as the page's form sends it.
            offers = {
                int(i): on
                for i, on in re.findall(
                    r'action="/notes/(\d+)/metoo".*?name="on" value="([01])"', html, re.S
                )
            }
            others = list(offers)
        if action < 0.35 or not mine:
            title = f"Terhelés {email.split('@')[0]} {n}"
            body = f"Szöveg {n} " + "x" * rng.randint(0, 400)
            data = {
                "kind": rng.choice(["difficulty", "question", "good_practice"]),
                "title": title,
                "body": body,
                "link": "",
            }
            status, html, elapsed = client.request("POST", f"/groups/{slug}/notes/new", data)
            with ledger.lock:
                ledger.statuses[("add", status)] += 1
                ledger.latencies["add"].append(elapsed)
                if status == 200:
                    note_id = int(re.search(r'id="note-(\d+)"', html).group(1))
                    ledger.notes[note_id] = (title, body, 1)
                    mine[note_id] = 1
        elif action < 0.65:
            note_id = rng.choice(list(mine))
            version = mine[note_id]
            title = f"Javított {note_id} v{version + 1}"
            body = f"Javított szöveg {n}"
            data = {
                "kind": "difficulty",
                "title": title,
                "body": body,
                "link": "",
                "version": str(version),
            }
            status, html, elapsed = client.request("POST", f"/notes/{note_id}/edit", data)
            with ledger.lock:
                ledger.statuses[("edit", status)] += 1
                ledger.latencies["edit"].append(elapsed)
                if status == 200:
                    ledger.notes[note_id] = (title, body, version + 1)
                    mine[note_id] = version + 1
                elif status == 409:
                    mine[note_id] = int(
                        re.search(r'name="version" type="hidden" value="(\d+)"', html).group(1)
                    )
        elif others:
            note_id = rng.choice(others)
            status, html, elapsed = client.request(
                "POST", f"/notes/{note_id}/metoo", {"on": offers[note_id]}
            )
            with ledger.lock:
                ledger.statuses[("metoo", status)] += 1
                ledger.latencies["metoo"].append(elapsed)
                if status == 200:
                    on = 'aria-pressed="true"' in html
                    ledger.reactions[(note_id, user_id)] = on
                    offers[note_id] = "0" if on else "1"


def prepare_database(kind: str, env: dict) -> str:
    """Create a fresh database with the schema and the demo program; return its URL."""
    if kind == "sqlite":
        path = Path(tempfile.mkdtemp(prefix="notes-load-")) / "load.sqlite"
        url = f"sqlite:///{path}"
    else:
        from sqlalchemy import create_engine, text

        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("DROP DATABASE IF EXISTS muh_notes_load WITH (FORCE)"))
            conn.execute(text("CREATE DATABASE muh_notes_load"))
        admin.dispose()
        url = PG_URL
    flask = [str(ROOT / ".venv/bin/flask"), "--app", "journal"]
    env = env | {"DATABASE_URL": url}
    subprocess.run(
        [*flask, "db", "upgrade"],
        env=env,
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    subprocess.run([*flask, "seed-demo"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return url


def people(url: str, count: int) -> list[tuple[str, int, str]]:
    """Return (email, user id, group slug) of `count` demo members."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT u.email, u.id, g.slug FROM app_user u "
                "JOIN membership m ON m.user_id = u.id "
                "JOIN mentor_group g ON g.id = m.group_id ORDER BY u.id"
            )
        ).all()
    engine.dispose()
    return [tuple(r) for r in rows[:count]]


def verify(url: str, ledger: Ledger) -> list[str]:
    """Compare the ledger with the database; return the differences."""
    from sqlalchemy import create_engine, text

    problems = []
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = {
            r[0]: (r[1], r[2], r[3])
            for r in conn.execute(text("SELECT id, title, body, version FROM note"))
        }
        reactions = set(map(tuple, conn.execute(text("SELECT note_id, user_id FROM reaction"))))
    engine.dispose()
    for note_id, expected in ledger.notes.items():
        if rows.get(note_id) != expected:
            problems.append(
                f"note {note_id}: expected {expected[0]!r} v{expected[2]}, "
                f"found {rows.get(note_id)!r}"
            )
    for key, on in ledger.reactions.items():
        if (key in reactions) != on:
            problems.append(f"reaction {key}: expected {'on' if on else 'off'}")
    return problems


def percentile(values: list[float], q: float) -> float:
    """Return the q-th percentile in milliseconds."""
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(q / 100 * len(values)))] * 1000


def main() -> int:
    """Run the load test and print (and optionally record) the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--clients", type=int, default=30)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--record", action="store_true", help="append to docs/benchmarks.md")
    args = parser.parse_args()
    args.clients = max(1, min(args.clients, 40))
    args.seconds = max(1, min(args.seconds, 300))

    env = os.environ | {
        "SECRET_KEY": "notes-load-secret",
        "MUHELYNAPLO_NOTE_RATE_LIMIT": "100000 per minute",
        "FLASK_DEBUG": "0",
    }
    url = prepare_database(args.db, env)
    port = free_port()
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "-w",
            str(args.workers),
            "-k",
            "sync",
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
            "wsgi:app",
        ],
        env=env | {"DATABASE_URL": url},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        ledger = Ledger()
        members = people(url, args.clients)
        start = time.monotonic()
        deadline = start + args.seconds
        errors: list[str] = []

        def guarded(*a):
            """Run one client, keeping its exception."""
            try:
                run_client(*a)
            except Exception as error:  # reported, and fails the run
                errors.append(repr(error))

        threads = [
            threading.Thread(target=guarded, args=(port, email, uid, slug, deadline, ledger, i))
            for i, (email, uid, slug) in enumerate(members)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - start
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    problems = verify(url, ledger)
    writes = sum(c for (kind, status), c in ledger.statuses.items() if kind != "board")
    server_errors = sum(c for (kind, status), c in ledger.statuses.items() if status >= 500)
    lat = ledger.latencies
    add, edit, metoo = (
        f"{percentile(lat[k], 50):.0f} / {percentile(lat[k], 99):.0f}"
        for k in ("add", "edit", "metoo")
    )
    summary = (
        f"| {args.db} | {len(members)} | {elapsed:.0f} s | {writes} ({writes / elapsed:.0f}/s) | "
        f"{len(ledger.notes)} | {add} | {edit} | {metoo} | "
        f"{server_errors} | {len(problems)} |"
    )
    print("statuses:", dict(sorted(ledger.statuses.items())))
    print(
        "| database | clients | time | writes | notes | add p50/p99 ms | edit p50/p99 ms | "
        "Nálam is p50/p99 ms | 5xx | lost writes |"
    )
    print(summary)
    for line in (errors + problems)[:20]:
        print("PROBLEM:", line)
    if args.record:
        record(summary, ledger, args)
    return 1 if server_errors or problems or errors else 0


def record(summary: str, ledger: Ledger, args) -> None:
    """Append the figures to docs/benchmarks.md."""
    path = ROOT / "docs" / "benchmarks.md"
    with open(path, "a", encoding="utf-8") as f:
        f.write(
            f"\n### Shared notes load test ({args.db}, {time.strftime('%Y-%m-%d %H:%M')} UTC)\n\n"
            f"`bench/notes_load.py --db {args.db}`: {args.clients} clients (demo users) add, "
            f"edit and toggle „Nálam is” against gunicorn ({args.workers} sync workers) on "
            f"127.0.0.1; every acknowledged write is checked against the database.\n\n"
            "| database | clients | time | writes | notes | add p50/p99 ms | edit p50/p99 ms | "
            "Nálam is p50/p99 ms | 5xx | lost writes |\n|---|---|---|---|---|---|---|---|---|---|\n"
            f"{summary}\n\nStatuses: `{dict(sorted(ledger.statuses.items()))}`\n"
        )


if __name__ == "__main__":
    sys.exit(main())
