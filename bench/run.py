"""Benchmark pages and writes against the app's own floor, in one run.

Run from the repository root: `.venv/bin/python bench/run.py [--duration 10] [--quick]`.
It builds two temporary SQLite databases (the demo program, and the demo plus 46 generated
groups), then:

- pages (home, group, workshop with journal and 30 attendance rows, board of 50 notes): CPU
  per request against the empty logged-in layout page `/_bench/layout` (bench/floor.py), under
  gunicorn (2 sync workers on 127.0.0.1, wrk with 8 connections: CPU from /proc, p99) and
  in-process (Flask test client); targets: at most 3× the floor, p99 at most 50 ms;
- writes (note add and edit, section save, autosave, "Nálam is"): CPU per request in-process
  against the logged-in request that does nothing, `/_bench/user`; target: at most 3×;

then prints the results and writes them to their own section of docs/benchmarks.md.
"""

import argparse
import fcntl
import http.client
import os
import platform
import re
import resource
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import datasets  # noqa: E402
from bench.datasets import COORDINATOR_EMAIL, PASSWORD, Dataset  # noqa: E402

GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
WORKERS = 2
WRK_THREADS = 2
WRK_CONNECTIONS = 8
USER_AGENT = "muhelynaplo-bench"  # the same on login and under load: Flask-Login checks it
TARGET_RATIO = 3.0  # CPU per request at most 3× the app's floor (issue 12)
TARGET_P99_MS = 50.0
DEMO_GROUP = "kecskemet"  # the demo's largest group: 8 participants, the coordinator mentors
OUTPUT = ROOT / "docs" / "benchmarks.md"
QUICK_OUTPUT = ROOT / "bench" / "out" / "benchmarks-quick.md"
LOCK = "/tmp/muhely-bench.lock"  # shared with bench/autosave.py and the others
BEGIN = "<!-- bench/run.py: begin -->"
END = "<!-- bench/run.py: end -->"


@dataclass
class Page:
    """One URL of one data set, with what was measured about it."""

    dataset: str
    path: str
    members: int | None = None
    queries: int | None = None
    size: int | None = None
    inprocess_ms: float | None = None
    rps: float | None = None
    p50: float | None = None
    p99: float | None = None
    cpu_ms: float | None = None
    other_load: float | None = None
    errors: str = ""
    attempts: int = 0
    floor: bool = False  # one of bench/floor.py's empty pages, served beside the real app
    who: str = COORDINATOR_EMAIL  # the account the page is seen by
    connections: int | None = None  # wrk's connections (default WRK_CONNECTIONS)

    @property
    def is_workshop_page(self) -> bool:
        """Tell whether this is the workshop page (issue 3's target)."""
        return self.path.startswith("/workshops/")

    @property
    def viewer(self) -> str:
        """Name the viewer briefly."""
        return "coordinator" if self.who == COORDINATOR_EMAIL else "mentor"

    @property
    def is_group_page(self) -> bool:
        """Tell whether this is a group page (the acceptance target is about those)."""
        return self.path.startswith("/groups/") and not self.path.endswith("/notes")


# --- SQL queries per page, in-process ---------------------------------------------------------


def count_queries(dataset: Dataset, pages: list[Page], repeats: int) -> dict[str, int]:
    """Fill in queries, bytes and in-process time of each page; return queries of every group."""
    from flask import Flask
    from sqlalchemy import event

    from bench.floor import add_floor
    from journal import create_app
    from journal.extensions import db

    app: Flask = add_floor(
        create_app(
            {
                "SECRET_KEY": "bench",
                "PUBLIC_URL": "http://localhost",  # the test client's host
                "SQLALCHEMY_DATABASE_URI": dataset.url,
                "WTF_CSRF_ENABLED": False,
            }
        )
    )
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _many):
        """Remember each statement sent to the database."""
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    clients = {}

    def client_of(email: str):
        """Return a test client logged in as email."""
        if email not in clients:
            client = app.test_client()
            client.environ_base["HTTP_USER_AGENT"] = USER_AGENT
            response = client.post("/login", data={"email": email, "password": PASSWORD})
            if response.status_code != 303:
                raise SystemExit(
                    f"In-process login failed on {dataset.name}: {response.status_code}"
                )
            clients[email] = client
        return clients[email]

    client = client_of(COORDINATOR_EMAIL)

    def measure(path: str) -> tuple[int, int]:
        """Return the number of queries and the bytes of one GET of path."""
        client.get(path)  # warm: templates compiled, caches filled
        statements.clear()
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path} on {dataset.name} answered {response.status_code}")
        return sum(_is_query(s) for s in statements), len(response.data)

    for page in pages:
        client = client_of(page.who)
        page.queries, page.size = measure(page.path)
        times = []
        for _ in range(repeats):
            start = time.process_time()
            client.get(page.path)
            times.append((time.process_time() - start) * 1000)
        page.inprocess_ms = statistics.median(times)
    client = client_of(COORDINATOR_EMAIL)
    by_group = {slug: measure(f"/groups/{slug}")[0] for slug in dataset.group_sizes}
    event.remove(engine, "before_cursor_execute", record)
    with app.app_context():
        db.engine.dispose()
    return by_group


@dataclass
class Write:
    """One kind of write, measured in-process: median CPU ms of a request, and of the floor's
    requests sent alternately with it."""

    name: str
    path: str
    cpu_ms: float
    status: int
    floor_ms: float

    @property
    def ratio(self) -> float:
        """Return the write's CPU over that of the floor measured beside it."""
        return self.cpu_ms / self.floor_ms


def measure_writes(dataset: Dataset, repeats: int) -> list[Write]:
    """Time each write as the journal group's mentor, in-process (CSRF off, limits off),
    beside `/_bench/user`: the median CPU time of `repeats` requests each, after three
    warm-up requests, each sent after a request to `/_bench/user`, so that every write has a
    floor measured in the same seconds (the machine's pace drifts; the first row is all the
    floor's requests). Each request is one the browser sends (htmx headers)."""
    from sqlalchemy import select

    from bench.floor import add_floor
    from journal import create_app
    from journal.extensions import db
    from journal.models import Journal, Note, NoteKind, User

    app = add_floor(
        create_app(
            {
                "SECRET_KEY": "bench",
                "PUBLIC_URL": "http://localhost",  # the test client's host
                "SQLALCHEMY_DATABASE_URI": dataset.url,
                "WTF_CSRF_ENABLED": False,
                "RATELIMIT_ENABLED": False,
            }
        )
    )
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = USER_AGENT
    hx = {"HX-Request": "true"}
    if (
        client.post(
            "/login", data={"email": dataset.journal_mentor, "password": PASSWORD}
        ).status_code
        != 303
    ):
        raise SystemExit("In-process login of the journal mentor failed")
    slug = datasets.JOURNAL_GROUP
    with app.app_context():
        mentor = db.session.scalar(select(User).where(User.email == dataset.journal_mentor))
        journal = db.session.scalar(
            select(Journal).where(Journal.workshop_id == dataset.journal_workshop)
        )
        section = journal.sections[1]
        section_id, state = section.id, {"section": section.version, "note": 1, "draft": ""}
        others = select(Note.id).where(
            Note.author_id != mentor.id,
            Note.group.has(slug=slug),
            Note.kind.in_((NoteKind.DIFFICULTY, NoteKind.QUESTION)),
        )
        other_note = db.session.scalar(others.limit(1))
    note_form = {
        "kind": "good_practice",
        "title": "Mérés",
        "body": "Egy rövid jegyzet **szövege**.",
    }
    added = client.post(f"/groups/{slug}/notes/new", data=note_form, headers=hx)
    with app.app_context():
        own_note = db.session.scalar(
            select(Note.id).where(Note.author_id == mentor.id).order_by(Note.id.desc()).limit(1)
        )
    if added.status_code != 200 or own_note is None:
        raise SystemExit(f"Adding a note answered {added.status_code}")
    text = " ".join(["Ez egy ötezer karakteres szakasz szövege, ahogy a mentor írja."] * 80)
    state["since"] = posted_token(client.get(f"/groups/{slug}/notes", headers=hx).text)

    def add_note():
        # As the board sends it: with the token its list (or the last answer) gave the form.
        response = client.post(
            f"/groups/{slug}/notes/new", data=note_form | {"since": state["since"]}, headers=hx
        )
        state["since"] = posted_token(response.get_data(as_text=True))
        return response

    def edit_note():
        state["note"] += 1
        form = note_form | {"version": str(state["note"] - 1), "title": f"Mérés {state['note']}"}
        return client.post(f"/notes/{own_note}/edit", data=form, headers=hx)

    def save_section():
        state["section"] += 1
        form = {"body": f"{text} {state['section']}", "visibility": "group"}
        form["version"] = str(state["section"] - 1)
        return client.post(f"/sections/{section_id}", data=form, headers=hx)

    def autosave():
        body = {"body": f"{text} {time.monotonic()}", "fields": {}, "base_version": None}
        response = client.put(
            f"/drafts/section:{section_id}", json=body | {"draft": state["draft"]}, headers=hx
        )
        return response

    def metoo():
        # The state the button offers, as the page sends it: said, withdrawn, said…
        state["metoo"] = not state.get("metoo")
        data = {"on": "1" if state["metoo"] else "0"}
        return client.post(f"/notes/{other_note}/metoo", data=data, headers=hx)

    floor = ("floor: GET /_bench/user", "/_bench/user", lambda: client.get("/_bench/user"))
    writes = [
        ("add a note", f"/groups/{slug}/notes/new", add_note),
        ("edit a note", f"/notes/{own_note}/edit", edit_note),
        ("save a journal section (5,000 characters)", f"/sections/{section_id}", save_section),
        ("autosave a section (5,000 characters)", f"/drafts/section:{section_id}", autosave),
        ("„Nálam is” on a note (said, then withdrawn)", f"/notes/{other_note}/metoo", metoo),
    ]  # fmt: skip

    def timed(path: str, send) -> tuple[float, int]:
        start = time.process_time()
        response = send()
        spent = (time.process_time() - start) * 1000
        if path.startswith("/drafts/") and response.status_code == 200:
            state["draft"] = response.get_json().get("draft", "")
        return spent, response.status_code

    results, all_floors = [], []
    for name, path, send in writes:
        times, floors, statuses = [], [], set()
        for i in range(repeats + 3):
            floor_spent, floor_status = timed(floor[1], floor[2])
            spent, status = timed(path, send)
            statuses |= {status, floor_status}
            if i >= 3:
                times.append(spent)
                floors.append(floor_spent)
        if statuses - {200, 303}:
            raise SystemExit(f"{name} answered {sorted(statuses)}")
        floor_ms = statistics.median(floors)
        results.append(Write(name, path, statistics.median(times), max(statuses), floor_ms))
        all_floors += floors
    floor_ms = statistics.median(all_floors)
    with app.app_context():
        db.engine.dispose()
    return [Write(floor[0], floor[1], floor_ms, 200, floor_ms), *results]


def posted_token(html: str) -> str:
    """Return the board's token a list (or a posted note's answer) gives the new-note form."""
    found = re.search(r'id="note-since" name="since" value="([0-9a-f]+)"', html)
    if not found:
        raise SystemExit("The board's list gave the new-note form no token")
    return found.group(1)


def _is_query(statement: str) -> bool:
    """Tell whether a statement is a query (not BEGIN, COMMIT or a PRAGMA)."""
    return statement.lstrip().split(None, 1)[0].upper() in {
        "SELECT",
        "INSERT",
        "UPDATE",
        "DELETE",
        "WITH",
    }


# --- gunicorn ---------------------------------------------------------------------------------


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A gunicorn serving an app on 127.0.0.1, stopped when the block ends."""

    def __init__(self, app_spec: str, workdir: Path, database: Dataset | None = None):
        """Remember what to serve."""
        self.app_spec = app_spec
        self.workdir = workdir
        self.database = database
        self.port = free_port()

    def __enter__(self) -> "Server":
        """Start gunicorn and wait until it answers."""
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("MUHELYNAPLO_") and k not in {"FLASK_DEBUG", "DATABASE_URL"}
        }
        env |= {"SECRET_KEY": "bench-secret-key", "MUHELYNAPLO_INSTANCE": str(self.workdir)}
        if self.database:
            env["DATABASE_URL"] = self.database.url  # sqlite:////abs/path
        self.log = open(self.workdir / f"gunicorn-{self.port}.log", "wb")  # noqa: SIM115
        command = [
            str(GUNICORN),
            "--workers",
            str(WORKERS),
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--log-level",
            "warning",
            self.app_spec,
        ]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_ready(self) -> None:
        """Wait until gunicorn answers and both workers run; stop if it exits."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.flush()
                log = Path(self.log.name).read_text(errors="replace")
                raise SystemExit(f"gunicorn {self.app_spec} exited:\n{log}")
            try:
                if self.request("/")[0] and len(self.worker_pids()) == WORKERS:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise SystemExit(f"gunicorn {self.app_spec} did not answer within 30 s")

    def __exit__(self, *_exc) -> None:
        """Stop gunicorn."""
        self.stop()

    def stop(self) -> None:
        """Ask the gunicorn master to stop, then kill it if it does not."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if not self.log.closed:
            self.log.close()

    @property
    def base(self) -> str:
        """Return the base URL."""
        return f"http://127.0.0.1:{self.port}"

    def request(
        self, path: str, method: str = "GET", body: str | None = None, headers: dict | None = None
    ) -> tuple[int, dict[str, list[str]], str]:
        """Send one request without following redirects; return status, headers and body."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(
                method, path, body=body, headers={"User-Agent": USER_AGENT} | (headers or {})
            )
            response = conn.getresponse()
            found: dict[str, list[str]] = {}
            for name, value in response.getheaders():
                found.setdefault(name.lower(), []).append(value)
            return response.status, found, response.read().decode("utf-8", "replace")
        finally:
            conn.close()

    def worker_pids(self) -> list[int]:
        """Return the pids of the gunicorn workers (children of the master)."""
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                    pids.append(int(entry.name))
        return pids

    def login(self, email: str = COORDINATOR_EMAIL) -> str:
        """Log in through the real form (with CSRF); return the cookie."""
        status, headers, body = self.request("/login")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body) or re.search(
            r'value="([^"]+)"[^>]*name="csrf_token"', body
        )
        if status != 200 or not token:
            raise SystemExit(f"GET /login answered {status} without a CSRF token")
        cookie = _session_cookie(headers)
        form = {"email": email, "password": PASSWORD, "csrf_token": token.group(1)}
        status, headers, _body = self.request(
            "/login",
            "POST",
            urlencode(form),
            {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"session={cookie}"},
        )
        if status != 303:
            raise SystemExit(f"POST /login answered {status}, not 303")
        return _session_cookie(headers)


def _session_cookie(headers: dict[str, list[str]]) -> str:
    """Return the value of the session cookie a response sets."""
    for value in headers.get("set-cookie", []):
        if value.startswith("session="):
            return value.split(";", 1)[0].split("=", 1)[1]
    raise SystemExit("The response set no session cookie")


# --- Load and CPU accounting ------------------------------------------------------------------


def _ticks(pid: int) -> int:
    """Return the CPU time (user + system) of a process in clock ticks."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def _busy_ticks() -> int:
    """Return the CPU time all processes of the machine have used, in clock ticks."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(fields) - fields[3] - fields[4]  # without idle and iowait


def _milliseconds(value: str) -> float:
    """Convert a wrk duration such as 1.97ms or 850.00us to milliseconds."""
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def _wrk_command(server: Server, page: Page, cookie: str | None, seconds: int) -> list[str]:
    """Return the wrk command line for one URL."""
    connections = page.connections or WRK_CONNECTIONS
    threads = min(WRK_THREADS, connections)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    command += ["-H", f"User-Agent: {USER_AGENT}"]
    if cookie:
        command += ["-H", f"Cookie: session={cookie}"]
    return [*command, server.base + page.path]


def _load_once(server: Server, page: Page, cookie: str | None, seconds: int) -> Page:
    """Load one URL once with wrk; return a copy of page with the figures filled in."""
    workers = server.worker_pids()
    ours_before = sum(_ticks(pid) for pid in [server.process.pid, *workers])
    busy_before, wrk_before = _busy_ticks(), resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    out = subprocess.run(
        _wrk_command(server, page, cookie, seconds),
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 30,
    ).stdout
    elapsed = time.monotonic() - start
    wrk_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    hz = os.sysconf("SC_CLK_TCK")
    busy = (_busy_ticks() - busy_before) / hz
    ours = (sum(_ticks(pid) for pid in [server.process.pid, *workers]) - ours_before) / hz
    wrk_cpu = sum(getattr(wrk_after, f) - getattr(wrk_before, f) for f in ("ru_utime", "ru_stime"))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return replace(
        page,
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        p50=_milliseconds(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)),
        p99=_milliseconds(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)),
        cpu_ms=ours / max(requests, 1) * 1000,
        other_load=max(0.0, (busy - ours - wrk_cpu) / (elapsed * (os.cpu_count() or 1))),
        errors="; ".join(re.findall(r"(Non-2xx or 3xx responses: \d+|Socket errors: .*)", out)),
    )


def wait_for_quiet(threshold: float, patience: float) -> None:
    """Wait (at most patience seconds) until the machine's CPUs are nearly idle."""
    hz, cpus = os.sysconf("SC_CLK_TCK"), os.cpu_count() or 1
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        before = _busy_ticks()
        time.sleep(1)
        if (_busy_ticks() - before) / hz / cpus <= threshold:
            return


def load(server: Server, page: Page, cookie: str | None, args: argparse.Namespace) -> Page:
    """Warm up, then load one URL; wait and retry while other work takes the machine."""
    subprocess.run(
        _wrk_command(server, page, cookie, args.warmup),
        capture_output=True,
        check=True,
        timeout=args.warmup + 30,
    )
    best = None
    for attempt in range(1, args.attempts + 1):
        wait_for_quiet(args.max_other_load, args.patience)
        result = _load_once(server, page, cookie, args.duration)
        result.attempts = attempt
        if best is None or result.other_load < best.other_load:
            best = result
        if result.other_load <= args.max_other_load:
            break
        if attempt < args.attempts:
            print(f"  other processes used {result.other_load:.0%} of the CPUs; again", flush=True)
    return best


def check_page(server: Server, page: Page, cookie: str | None) -> None:
    """Refuse to load a page that does not answer 200 or that sets a cookie on every hit."""
    headers = {"Cookie": f"session={cookie}"} if cookie else {}
    status, found, _body = server.request(page.path, headers=headers)
    if status != 200:
        raise SystemExit(f"{page.path} answered {status} before the load: not logged in?")
    if "set-cookie" in found:
        print(f"warning: {page.path} sets a cookie on every request", file=sys.stderr)


# --- Report -----------------------------------------------------------------------------------


def _fmt(value: float | None, digits: int = 1) -> str:
    """Format a number or a dash."""
    return "–" if value is None else f"{value:,.{digits}f}"


def _layout(pages: list[Page], dataset: str) -> Page:
    """Return the empty-layout floor loaded on the same data set."""
    return next(p for p in pages if p.floor and p.dataset == dataset and "layout" in p.path)


def table(pages: list[Page]) -> list[list[str]]:
    """Return the result rows: header first."""
    rows = [
        [
            "URL",
            "as",
            "dataset",
            "members",
            "req/s",
            "p50 ms",
            "p99 ms",
            "queries",
            "KiB",
            "CPU ms/req",
            "in-process CPU ms",
            "÷ layout",
            "in-process ÷ layout",
            "other load",
        ]
    ]
    for page in pages:
        floor = _layout(pages, page.dataset)
        rows.append(
            [
                page.path,
                "" if page.floor else page.viewer,
                page.dataset,
                "" if page.members is None else str(page.members),
                _fmt(page.rps, 0),
                _fmt(page.p50, 2),
                _fmt(page.p99, 2),
                "–" if page.queries is None else str(page.queries),
                "–" if page.size is None else _fmt(page.size / 1024),
                _fmt(page.cpu_ms, 2),
                _fmt(page.inprocess_ms, 2),
                f"{page.cpu_ms / floor.cpu_ms:.1f}×" if page.cpu_ms else "–",
                f"{page.inprocess_ms / floor.inprocess_ms:.1f}×" if page.inprocess_ms else "–",
                f"{page.other_load:.0%}" if page.other_load is not None else "–",
            ]
        )
    return rows


def print_table(rows: list[list[str]]) -> None:
    """Print rows as an aligned text table."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for index, row in enumerate(rows):
        print(
            "  ".join(
                cell.ljust(w) if i < 2 else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if index == 0:
            print("  ".join("-" * w for w in widths))


def markdown_table(rows: list[list[str]]) -> str:
    """Return rows as a Markdown table (text columns left, numbers right)."""
    lines = ["| " + " | ".join(rows[0]) + " |"]
    lines.append("|" + "|".join(":--" if i < 2 else "--:" for i in range(len(rows[0]))) + "|")
    lines += ["| " + " | ".join([f"`{r[0]}`", *r[1:]]) + " |" for r in rows[1:]]
    return "\n".join(lines)


def machine() -> dict[str, str]:
    """Return what the results depend on: CPUs, versions, commit."""
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    # bench/search.py and bench/overview.py report the machine without needing wrk.
    wrk = "not installed"
    if shutil.which("wrk"):
        wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()[1]
    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    packages = ["Flask", "Werkzeug", "Jinja2", "SQLAlchemy", "Flask-SQLAlchemy", "gunicorn"]
    changed = subprocess.run(
        ["git", "status", "--porcelain", "--", "journal", "templates", "wsgi.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    if changed:
        commit += f" ({len(changed)} files under journal/ and templates/ not committed)"
    return {
        "CPUs (nproc)": str(os.cpu_count()),
        "CPU model": cpu,
        "Kernel": platform.release(),
        "Python": platform.python_version(),
        "Packages": ", ".join(f"{p} {version(p)}" for p in packages),
        "SQLite": sqlite3.sqlite_version,
        "wrk": wrk,
        "Commit": commit,
    }


def verdict(
    pages: list[Page], writes: list[Write], by_group: dict[tuple[str, str], tuple[int, int]]
) -> list[str]:
    """Return the acceptance lines: each kind of page and each write against its floor, p99,
    and group-page queries against members."""
    lines = []
    for kind, test in (
        ("home page", lambda p: p.path == "/"),
        ("group page", lambda p: p.is_group_page),
        ("workshop page (journal, 30 attendance rows)", lambda p: p.is_workshop_page),
        ("board of 50 notes", lambda p: p.path.endswith("/notes")),
    ):
        chosen = [p for p in pages if test(p) and not p.floor]
        if not chosen:
            continue
        worst = max(chosen, key=lambda p: p.cpu_ms / _layout(pages, p.dataset).cpu_ms)
        floor = _layout(pages, worst.dataset)
        ratio = worst.cpu_ms / floor.cpu_ms
        slowest = max(p.p99 for p in chosen)
        met = "**met**" if ratio <= TARGET_RATIO else "**missed**"
        p99_met = "**met**" if slowest <= TARGET_P99_MS else "**missed**"
        lines.append(
            f"- {kind[0].upper() + kind[1:]}: CPU ≤ {TARGET_RATIO:g}× the layout floor {met}: "
            f"worst `{worst.path}` ({worst.dataset}, as {worst.viewer}) {worst.cpu_ms:.2f} ms "
            f"against {floor.cpu_ms:.2f} ms, {ratio:.1f}× (in-process "
            f"{worst.inprocess_ms / floor.inprocess_ms:.1f}×); p99 ≤ {TARGET_P99_MS:g} ms "
            f"{p99_met}: at most {slowest:.1f} ms."
        )
    for write in writes[1:]:
        met = "**met**" if write.ratio <= TARGET_RATIO else "**missed**"
        lines.append(
            f"- Write, {write.name}: CPU ≤ {TARGET_RATIO:g}× `/_bench/user` {met}: "
            f"{write.cpu_ms:.2f} ms against {write.floor_ms:.2f} ms, {write.ratio:.1f}×."
        )
    counts = sorted({queries for _members, queries in by_group.values()})
    sizes = [members for members, _queries in by_group.values()]
    if len(counts) == 1:
        queries = f"do not grow with the number of members: {counts[0]} on every one"
    else:
        queries = f"**vary** with the group: {counts[0]} to {counts[-1]} across each"
    lines.append(
        f"- SQL queries on the group page {queries} of the {len(by_group)} group pages of both "
        f"data sets, which have {min(sizes)} to {max(sizes)} current members."
    )
    return lines


def write_table(writes: list[Write]) -> list[list[str]]:
    """Return the rows of the writes table: header first."""
    rows = [["write", "URL", "status", "in-process CPU ms", "/_bench/user beside it", "÷"]]
    for w in writes:
        cells = [f"{w.cpu_ms:.2f}", f"{w.floor_ms:.2f}", f"{w.ratio:.1f}×"]
        rows.append([w.name, w.path, str(w.status), *cells])
    return rows


def write_markdown(
    path: Path,
    pages: list[Page],
    writes: list[Write],
    by_group: dict[tuple[str, str], tuple[int, int]],
    data: list[Dataset],
    args: argparse.Namespace,
) -> None:
    """Write the results, the machine and the method as Markdown."""
    info = machine()
    sizes: dict[tuple[str, int], list[int]] = {}
    for (name, _slug), (members, queries) in by_group.items():
        sizes.setdefault((name, queries), []).append(members)
    query_lines = [
        f"| {name} | {queries} | {len(members)} | {min(members)}–{max(members)} |"
        for (name, queries), members in sorted(sizes.items())
    ]
    data_lines = [
        f"- **{d.name}**: {d.groups} groups, {d.participants} current participants, "
        f"{d.users} accounts, {d.workshops} workshops, {d.attendance} attendance records; "
        "group sizes (current members, mentors included) "
        f"{min(d.group_sizes.values())}–{max(d.group_sizes.values())}."
        for d in data
    ]
    problems = "".join(
        f"**wrk reported errors** on `{p.path}` ({p.dataset}): {p.errors}.\n\n"
        for p in pages
        if p.errors
    )
    when = f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z}"
    write_rows = write_table(writes)
    writes_md = "\n".join(
        ["| " + " | ".join(write_rows[0]) + " |", "|:--|:--|--:|--:|--:|"]
        + [f"| {r[0]} | `{r[1]}` | {' | '.join(r[2:])} |" for r in write_rows[1:]]
    )
    text = f"""## Pages and writes against the app's own floor ({when})

Written by `.venv/bin/python bench/run.py`, which replaces this section (between its markers)
and leaves the rest of the file alone. Run it again after a change that touches these pages;
the figures below are from one run.

### Result

{chr(10).join(verdict(pages, writes, by_group))}

### Pages (cold: every request renders from the database)

{markdown_table(table(pages))}

{problems}Every request renders the page from the database (there is no page cache): what
wrk measures is what a user sees after any write. Queries, KiB and in-process CPU ms are from
the Flask test client, in the same run.

`/_bench/user` and `/_bench/layout` are not pages of the app: `bench/floor.py` adds
them to it, served by a gunicorn of their own beside the real app. The first answers a name
after the login check (session, user query, request hooks), the second renders an empty page in
the base layout (the navigation lists every group the coordinator sees): what every logged-in
page pays before its own content.

`÷ layout` is the page's CPU per request under gunicorn over that of `/_bench/layout` on the
same data set; `in-process ÷ layout` the same from the Flask test client.

### Writes (in-process, as the mentor of "{datasets.JOURNAL_GROUP}", large data set)

{writes_md}

Each write is the request the browser sends (htmx headers, the fragment answered), CSRF off;
the median CPU time of {args.repeats * 4} requests after three warm-up ones, against the
logged-in request that does nothing (`/_bench/user`), sent before each of them: every write
has its own floor, measured in the same seconds (the first row is all of the floor's requests).

### SQL queries per group page

Every group page of both data sets, fetched in-process as the coordinator:

| dataset | queries | group pages | their current members |
|:--|--:|--:|:--|
{chr(10).join(query_lines)}

### Data

{chr(10).join(data_lines)}

The large set is the demo plus 45 generated groups: one ("{datasets.BIG_GROUP}") with
{datasets.BIG_GROUP_SIZE} participants, two mentors, and eight former members or deactivated
accounts that the page must leave out; the others with {datasets.SMALL_GROUP_SIZES[0]}–\
{datasets.SMALL_GROUP_SIZES[1]} participants. Each generated group has
{datasets.HELD_WORKSHOPS} held workshops with every participant's attendance, a cancelled one
and a planned one. A 46th generated group ("{datasets.JOURNAL_GROUP}") has a mentor and
{datasets.JOURNAL_GROUP_SIZE} participants; its latest held workshop carries every participant's
attendance and a journal with all seven sections filled: its workshop page is loaded as the
group's mentor and as the coordinator (who reads every section but the private reflection);
its board holds {datasets.BOARD_NOTES} notes by its participants.
Every other page is requested as the coordinator (Józsa Kata), who sees all groups on the
home page and in the navigation.

### Machine

{chr(10).join(f"- {k}: {v}" for k, v in info.items())}

### Method

- Each data set is a fresh SQLite file (migrations, then `seed_demo`, then the generated
  groups), served by `gunicorn --workers {WORKERS} --worker-class sync wsgi:app` on
  127.0.0.1 with `SECRET_KEY` and `DATABASE_URL` in the environment, as in the README. The
  floor pages are served the same way by `bench.floor:floor_app()` (the app plus them).
- The script logs in once through the real login form (CSRF token from `GET /login`) and
  sends that session cookie with every request.
- Each URL: {args.warmup:g} s of warm-up, then
  `wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS} -d{args.duration:g}s --latency`; req/s, p50 and
  p99 are wrk's. wrk runs on the same {info["CPUs (nproc)"]} CPUs as gunicorn.
- `CPU ms/req` is the CPU time of the gunicorn processes (from `/proc`) over the requests
  served. `other load` is the share of the machine's CPU used by processes other than
  gunicorn and wrk during the run (other work on a shared machine); above a few percent the
  throughput of that row is understated. A load during which they used more than
  {args.max_other_load:.0%} is repeated, up to {args.attempts} times, and the quietest kept;
  before each load the script waits up to {args.patience:g} s for the CPUs to be idle.
- `queries`, `KiB` and `in-process CPU ms` come from the Flask test client in the benchmark's own
  process: statements counted with a SQLAlchemy `before_cursor_execute` listener (SELECT,
  INSERT, UPDATE, DELETE; not BEGIN or PRAGMA), the second request of each page counted; the
  CPU time is the median of {args.repeats} requests (test client included, gunicorn not).
"""
    replace_section(path, text)


def replace_section(path: Path, text: str, begin: str = BEGIN, end: str = END) -> None:
    """Put text between a script's markers in path, keeping the other sections."""
    path.parent.mkdir(parents=True, exist_ok=True)
    section = f"{begin}\n{text.strip()}\n{end}\n"
    with open(LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the other bench scripts append under this lock
        old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
        if begin in old and end in old:
            head, rest = old.split(begin, 1)
            after = rest.split(end, 1)[1].lstrip("\n")
            new = head + section + ("\n" + after if after else "")
        else:
            new = old.rstrip("\n") + "\n\n" + section
        path.write_text(new, encoding="utf-8")


def plan(dataset: Dataset) -> list[Page]:
    """Return the pages to load: home, a typical group (and the largest one if large), and
    on the large set the workshop page of the 30-member group seen by its mentor and by the
    coordinator."""
    slugs = [DEMO_GROUP]
    if dataset.name == "large":
        median = sorted(dataset.group_sizes.values())[len(dataset.group_sizes) // 2]
        typical = next(slug for slug, n in dataset.group_sizes.items() if n == median)
        slugs = [typical, datasets.BIG_GROUP]
    pages = [Page(dataset.name, "/")] + [
        Page(dataset.name, f"/groups/{slug}", dataset.group_sizes[slug]) for slug in slugs
    ]
    if dataset.journal_workshop:
        members = dataset.group_sizes[datasets.JOURNAL_GROUP]
        path = f"/workshops/{dataset.journal_workshop}"
        board = f"/groups/{datasets.JOURNAL_GROUP}/notes"
        pages += [
            Page(dataset.name, path, members, who=dataset.journal_mentor),
            Page(dataset.name, path, members),
            Page(dataset.name, board, members, who=dataset.journal_mentor),
        ]
    return pages


def floors(dataset: Dataset) -> list[Page]:
    """Return bench/floor.py's empty pages to load on this data set."""
    return [Page(dataset.name, path, floor=True) for path in ("/_bench/user", "/_bench/layout")]


def load_pages(
    app_spec: str,
    dataset: Dataset,
    pages: list[Page],
    workdir: Path,
    args: argparse.Namespace,
) -> list[Page]:
    """Serve one data set with gunicorn, log in, and load each page."""
    with Server(app_spec, workdir, dataset) as server:
        cookies: dict[str, str] = {}
        results = []
        for page in pages:
            if page.who not in cookies:
                cookies[page.who] = server.login(page.who)
            cookie = cookies[page.who]
            check_page(server, page, cookie)
            print(f"Loading {dataset.name} {server.base}{page.path} …", flush=True)
            results.append(load(server, page, cookie, args))
        return results


# --- Main -------------------------------------------------------------------------------------


def main() -> None:
    """Build the data sets, count queries, load every page and report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per URL")
    parser.add_argument("--quick", action="store_true", help="smoke run: 2 s per URL")
    parser.add_argument("--output", type=Path, help="Markdown file to write")
    parser.add_argument(
        "--attempts", type=int, help="loads of a URL at most, while the machine is busy (3)"
    )
    parser.add_argument(
        "--max-other-load",
        type=float,
        default=0.10,
        help="share of the CPUs other processes may use before a load is repeated",
    )
    parser.add_argument(
        "--patience",
        type=float,
        help="seconds to wait for a quiet machine before each load (30; --quick: 0)",
    )
    args = parser.parse_args()
    if args.quick:
        args.duration = min(args.duration, 2)
    args.warmup = 1 if args.quick else 2
    if args.attempts is None:
        args.attempts = 1 if args.quick else 3
    if args.patience is None:
        args.patience = 0 if args.quick else 30
    args.repeats = 5 if args.quick else 30
    output = args.output or (QUICK_OUTPUT if args.quick else OUTPUT)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian package wrk)")

    workdir = Path(tempfile.mkdtemp(prefix="muhelynaplo-bench-"))
    try:
        print("Building the data sets…", flush=True)
        data = [
            datasets.build("demo", workdir, large=False),
            datasets.build("large", workdir, large=True),
        ]
        plans: dict[str, list[Page]] = {}
        by_group: dict[tuple[str, str], tuple[int, int]] = {}
        for dataset in data:
            plans[dataset.name] = floors(dataset) + plan(dataset)
            print(f"Counting queries on {dataset.name}…", flush=True)
            counts = count_queries(dataset, plans[dataset.name], args.repeats)
            for slug, queries in counts.items():
                by_group[dataset.name, slug] = (dataset.group_sizes[slug], queries)
        print("Timing the writes in-process…", flush=True)
        writes = measure_writes(data[1], args.repeats * 4)
        pages: list[Page] = []
        for dataset in data:
            floor_pages = [p for p in plans[dataset.name] if p.floor]
            app_pages = [p for p in plans[dataset.name] if not p.floor]
            pages += load_pages("bench.floor:floor_app()", dataset, floor_pages, workdir, args)
            pages += load_pages("wsgi:app", dataset, app_pages, workdir, args)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    print()
    print_table(table(pages))
    print()
    print_table(write_table(writes))
    print()
    for line in verdict(pages, writes, by_group):
        print(line.replace("**", ""))
    for page in pages:
        if page.errors:
            print(f"warning: {page.path} ({page.dataset}): {page.errors}", file=sys.stderr)
    write_markdown(output, pages, writes, by_group, data, args)
    print(f"\nWrote {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")


if __name__ == "__main__":
    main()
