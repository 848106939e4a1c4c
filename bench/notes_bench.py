"""Benchmark of shared notes: add and edit throughput against the hello app, board queries.

Starts gunicorn (2 sync workers) on 127.0.0.1 for the app and for bench/hello.py (a bare
Flask "hello"), drives both with wrk at the same concurrency in the same run, and prints:
requests a second for hello, for adding a note and for editing one, their ratio to hello,
the size of the fragments returned, and the SQL queries of a board page of 5 and 50 notes.

    .venv/bin/python bench/notes_bench.py [--seconds 10] [--record]
"""

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from notes_load import ROOT, Client, free_port, prepare_database  # noqa: E402

ADD_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "{cookie}"
wrk.headers["X-CSRFToken"] = "{csrf}"
wrk.headers["HX-Request"] = "true"
wrk.body = "kind=difficulty&title=M%C3%A9r%C3%A9s&body=Egy+r%C3%B6vid+jegyzet+**sz%C3%B6vege**."
wrk.path = "/groups/{slug}/notes/new"
"""

# One connection per thread, so each thread edits its own note and knows its version.
EDIT_LUA = """
local ids = {{{ids}}}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("note", ids[counter])
end
function init(args)
  version = 1
end
function request()
  local body = "kind=difficulty&title=Jav%C3%ADtott&body=Szerkesztett+sz%C3%B6veg&version="
    .. version
  return wrk.format("POST", "/notes/" .. note .. "/edit", {{
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "{cookie}", ["X-CSRFToken"] = "{csrf}", ["HX-Request"] = "true"}}, body)
end
function response(status, headers, body)
  if status == 200 then
    version = version + 1
  elseif status == 409 then
    local v = string.match(body, 'name="version" type="hidden" value="(%d+)"')
    if v then version = tonumber(v) end
  end
end
"""

HELLO_FALLBACK = '''"""A bare Flask hello app: the ceiling every page is compared with."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    """Say hello."""
    return "Hello, World!"
'''


def start(app: str, env: dict, cwd: Path) -> tuple[subprocess.Popen, int]:
    """Start gunicorn with 2 sync workers on a free local port."""
    port = free_port()
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "-w",
            "2",
            "-k",
            "sync",
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
            app,
        ],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server, port
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{app} did not start")


def _cpu_seconds(server: subprocess.Popen) -> float:
    """Return the CPU time (user + system) used so far by a gunicorn master and its workers."""
    ticks = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == server.pid or int(fields[1]) == server.pid:
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def measured(server: subprocess.Popen, port: int, seconds: int, script: str | None = None):
    """Run wrk; return requests/s, non-2xx count and the server's CPU ms per request."""
    before = _cpu_seconds(server)
    start_time = time.monotonic()
    rate, bad = wrk(port, seconds, script)
    cpu = _cpu_seconds(server) - before
    requests = max(rate * (time.monotonic() - start_time), 1)
    return rate, bad, cpu / requests * 1000


def wrk(port: int, seconds: int, script: str | None = None, path: str = "/") -> tuple[float, int]:
    """Run wrk with 4 threads and 4 connections; return requests/s and non-2xx count."""
    command = ["wrk", "-t4", "-c4", f"-d{seconds}s"]
    if script:
        lua = Path(tempfile.mkstemp(suffix=".lua")[1])
        lua.write_text(script)
        command += ["-s", str(lua)]
    out = subprocess.run(
        [*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rate, int(bad.group(1)) if bad else 0


def board_queries(url: str, email: str) -> dict[int, int]:
    """Count the SQL statements of a board page of 5 and of 50 notes (in process)."""
    from sqlalchemy import event

    from journal import create_app
    from journal.extensions import db
    from journal.notes import queries

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "PUBLIC_URL": "http://localhost",
            "SECRET_KEY": "x",
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "SERVER_NAME": "localhost",
        }
    )
    client = app.test_client()
    client.post("/login", data={"email": email, "password": "muhelynaplo"})
    counts = {}
    original = queries.PAGE_SIZE
    try:
        for size in (5, 50):
            queries.PAGE_SIZE = size
            with app.app_context():
                engine = db.engine
            statements = [0]

            def listener(*_args, tally=statements):
                """Count one statement."""
                tally[0] += 1

            event.listen(engine, "before_cursor_execute", listener)
            html = client.get("/groups/tata/notes").get_data(as_text=True)
            event.remove(engine, "before_cursor_execute", listener)
            assert html.count('class="note kind-') == size, size
            counts[size] = statements[0]
    finally:
        queries.PAGE_SIZE = original
    return counts


def main() -> int:
    """Run the benchmark and print (and optionally record) the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--record", action="store_true", help="append to docs/benchmarks.md")
    args = parser.parse_args()
    seconds = max(2, min(args.seconds, 60))
    env = os.environ | {
        "SECRET_KEY": "notes-bench-secret",
        "FLASK_DEBUG": "0",
        "MUHELYNAPLO_NOTE_RATE_LIMIT": "1000000 per minute",
    }
    url = prepare_database("sqlite", env)
    env["DATABASE_URL"] = url
    hello_dir = ROOT / "bench"
    if not (hello_dir / "hello.py").exists():
        hello_dir = Path(tempfile.mkdtemp(prefix="hello-"))
        (hello_dir / "hello.py").write_text(HELLO_FALLBACK)
    servers = []
    try:
        hello, hello_port = start("hello:app", env, hello_dir)
        servers.append(hello)
        app, port = start("wsgi:app", env, ROOT)
        servers.append(app)
        email, slug = "nyari.dora@example.org", "tata"
        client = Client(port)
        client.log_in(email)
        cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
        status, added, _ = client.request(
            "POST",
            f"/groups/{slug}/notes/new",
            {
                "kind": "difficulty",
                "title": "Mérés",
                "body": "Egy rövid jegyzet **szövege**.",
                "link": "",
            },
        )
        assert status == 200, status
        ids = []
        for i in range(5):
            status, html, _ = client.request(
                "POST",
                f"/groups/{slug}/notes/new",
                {"kind": "question", "title": f"Szerkesztendő {i}", "body": "x", "link": ""},
            )
            ids.append(re.search(r'id="note-(\d+)"', html).group(1))
        status, edited, _ = client.request(
            "POST",
            f"/notes/{ids.pop()}/edit",
            {
                "kind": "difficulty",
                "title": "Javított",
                "body": "Szerkesztett szöveg",
                "link": "",
                "version": "1",
            },
        )
        assert status == 200, status
        hello_rate, _, hello_cpu = measured(hello, hello_port, seconds)
        add_rate, add_bad, add_cpu = measured(
            app, port, seconds, ADD_LUA.format(cookie=cookie, csrf=client.csrf, slug=slug)
        )
        edit_rate, edit_bad, edit_cpu = measured(
            app,
            port,
            seconds,
            EDIT_LUA.format(ids=", ".join(ids), cookie=cookie, csrf=client.csrf),
        )
        hello_again, _, hello_cpu_again = measured(hello, hello_port, seconds)
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    hello_rate = max(hello_rate, hello_again)
    hello_cpu = min(hello_cpu, hello_cpu_again)
    counts = board_queries(url, email)
    rows = [
        ("hello (bench/hello.py)", hello_rate, "—", "—", 0, hello_cpu, "—"),
        (
            "add a note (htmx)",
            add_rate,
            f"{add_rate / hello_rate:.0%}",
            len(added.encode()),
            add_bad,
            add_cpu,
            f"{hello_cpu / add_cpu:.0%}",
        ),
        (
            "edit a note (htmx)",
            edit_rate,
            f"{edit_rate / hello_rate:.0%}",
            len(edited.encode()),
            edit_bad,
            edit_cpu,
            f"{hello_cpu / edit_cpu:.0%}",
        ),
    ]
    table = (
        "| request | req/s | of hello | fragment bytes | non-2xx | CPU ms/req | of hello by CPU |\n"
        "|---|---|---|---|---|---|---|\n"
        + "\n".join(
            f"| {a} | {b:.0f} | {c} | {d} | {e} | {f:.2f} | {g} |" for a, b, c, d, e, f, g in rows
        )
    )
    queries_line = (
        f"Board page SQL queries: {counts[5]} for 5 notes, {counts[50]} for 50 notes "
        "(with replies and „Nálam is” names)."
    )
    print(table)
    print(queries_line)
    if args.record:
        record(
            f"### Note add and edit against hello ({time.strftime('%Y-%m-%d %H:%M', time.gmtime())}"
            f" UTC)\n\n`bench/notes_bench.py --seconds {seconds} --record` replaces this section: "
            "gunicorn, 2 sync workers, SQLite, wrk -t4 -c4 on 127.0.0.1, hello measured in the "
            "same run (best of before and after); CPU ms/req is the gunicorn master's and "
            f"workers' CPU time over the requests served. Load average at the end: "
            f"{os.getloadavg()[0]:.1f}.\n\n" + table + "\n\n" + queries_line
        )
    ok = add_rate >= hello_rate / 2 and edit_rate >= hello_rate / 2
    small = len(added.encode()) <= 3072 and len(edited.encode()) <= 3072
    return 0 if ok and small and not (add_bad or edit_bad) else 1


BEGIN = "<!-- bench/notes_bench.py: begin -->"
END = "<!-- bench/notes_bench.py: end -->"


def record(text: str) -> None:
    """Replace this script's marked section of docs/benchmarks.md, under the bench lock."""
    import fcntl

    path = ROOT / "docs" / "benchmarks.md"
    section = f"{BEGIN}\n{text.strip()}\n{END}\n"
    with open("/tmp/muhely-bench.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        old = path.read_text(encoding="utf-8")
        if BEGIN in old and END in old:
            head, rest = old.split(BEGIN, 1)
            new = head + section + rest.split(END, 1)[1].lstrip("\n")
        else:
            new = old.rstrip("\n") + "\n\n" + section
        path.write_text(new, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
