"""Benchmark the autosave round trip: PUT /drafts/section:<id> with a 5,000-character text.

Target (issue 3): median server time at most 10 ms, response at most 2 KB.

1. In-process: the Flask test client sends many autosaves of the mentor of group `tata`
   (demo program, temporary SQLite) and times each request end to end inside the process
   (that is the server's own time: no network, no client parsing).
2. Under gunicorn (2 sync workers on 127.0.0.1) with a small load from wrk (2 threads,
   4 connections): requests a second and the latency distribution, CSRF on, a real session.

    .venv/bin/python bench/autosave.py [--iterations 1000] [--seconds 10] [--record]

With --record a section is appended to docs/benchmarks.md (under flock, since bench/run.py
writes that file too).
"""

import argparse
import fcntl
import http.client
import json
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.demo_site import (  # noqa: E402
    DEMO_PASSWORD,
    TATA_MENTOR,
    free_port,
    seed_tata_journal,
    wait_for_port,
)

GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
OUTPUT = ROOT / "docs" / "benchmarks.md"
LOCK = "/tmp/muhely-bench.lock"
PASSWORD = DEMO_PASSWORD
MENTOR = TATA_MENTOR
USER_AGENT = "muhelynaplo-bench"
TARGET_MS = 10.0
TARGET_BYTES = 2048
TEXT = ("A műhely menete: bemutatkozás, páros beszélgetés, közös összegzés. " * 80)[:5000]

PUT_LUA = """
wrk.method = "PUT"
wrk.path = "{path}"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Cookie"] = "{cookie}"
wrk.headers["X-CSRFToken"] = "{csrf}"
wrk.headers["HX-Request"] = "true"
wrk.headers["User-Agent"] = "{agent}"
wrk.body = {body}
"""


def config(path: Path, csrf: bool) -> dict:
    """Return the app configuration: production behaviour on a temporary SQLite file."""
    return {
        "PUBLIC_URL": "http://localhost",
        "SECRET_KEY": "autosave-bench-secret",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
        "RATELIMIT_ENABLED": False,
        "WTF_CSRF_ENABLED": csrf,
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 16,
        "ARGON2_PARALLELISM": 1,
    }


def prepare(path: Path) -> int:
    """Seed the demo program and return the id of a section of group tata's journal."""
    from journal import create_app
    from journal.extensions import db

    app = create_app(config(path, csrf=False))
    section_id = seed_tata_journal(app, PASSWORD)[0]
    with app.app_context():
        db.engine.dispose()
    return section_id


def in_process(path: Path, section_id: int, iterations: int) -> dict:
    """Time autosaves through the test client; return median, p95 and response size."""
    from journal import create_app
    from journal.extensions import db

    app = create_app(config(path, csrf=False))
    client = app.test_client()
    answer = client.post("/login", data={"email": MENTOR, "password": PASSWORD})
    assert answer.status_code == 303, answer.status_code
    url = f"/drafts/section:{section_id}"
    headers = {"HX-Request": "true"}
    payload = {"body": TEXT, "fields": {"visibility": "coordination"}, "base_version": 1}
    for _ in range(20):  # warm up caches and the connection pool
        # Each write names the draft it replaces, as the editor does (journal/drafts).
        payload["draft"] = client.put(url, json=payload, headers=headers).json["draft"]
    times, cpu = [], []
    size = header_size = 0
    load = os.getloadavg()[0]
    for i in range(iterations):
        payload["body"] = TEXT[:-6] + f"{i:06d}"
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.put(url, json=payload, headers=headers)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, response.status_code
        payload["draft"] = response.json["draft"]
        size = len(response.get_data())
        header_size = sum(len(k) + len(v) + 4 for k, v in response.headers.items())
    with app.app_context():
        db.engine.dispose()
    times.sort()
    return {
        "iterations": iterations,
        "median_ms": statistics.median(times),
        "cpu_median_ms": statistics.median(cpu),
        "load": max(load, os.getloadavg()[0]),
        "p95_ms": times[int(len(times) * 0.95) - 1],
        "body_bytes": size,
        "header_bytes": header_size,
    }


def _cookies(response: http.client.HTTPResponse, jar: dict) -> None:
    """Keep the cookies a response sets."""
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]


def _request(port: int, method: str, path: str, jar: dict, body=None, headers=None):
    """Send one request with the cookie jar; return status and text."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    sent = {"User-Agent": USER_AGENT, "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())}
    connection.request(method, path, body=body, headers=sent | (headers or {}))
    response = connection.getresponse()
    text = response.read().decode()
    _cookies(response, jar)
    connection.close()
    return response.status, text


def log_in(port: int) -> tuple[str, str]:
    """Log the mentor in over HTTP; return the cookie header and a CSRF token."""
    jar: dict = {}
    _, page = _request(port, "GET", "/login", jar)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = urlencode({"email": MENTOR, "password": PASSWORD, "csrf_token": token})
    status, _ = _request(
        port, "POST", "/login", jar, form, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert status == 303, status
    status, home = _request(port, "GET", "/", jar)
    assert status == 200, status
    token = re.search(r'"X-CSRFToken": "([^"]+)"', home).group(1)  # what htmx and autosave send
    return "; ".join(f"{k}={v}" for k, v in jar.items()), token


def _ms(value: str) -> float:
    """Convert a wrk duration ("812.00us", "1.20ms", "1.01s") to milliseconds."""
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def under_gunicorn(path: Path, section_id: int, seconds: int) -> dict:
    """Serve with gunicorn and load the autosave with wrk; return throughput and latency."""
    port = free_port()
    env = os.environ | {"SECRET_KEY": "autosave-bench-secret", "DATABASE_URL": f"sqlite:///{path}"}
    env["MUHELYNAPLO_RATELIMIT_ENABLED"] = "false"
    server = subprocess.Popen(
        [str(GUNICORN), "--workers=2", f"--bind=127.0.0.1:{port}", "journal:create_app()"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for_port(port)
        cookie, csrf = log_in(port)
        body = json.dumps({"body": TEXT, "fields": {}, "base_version": 1}, ensure_ascii=False)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(
                PUT_LUA.format(
                    path=f"/drafts/section:{section_id}",
                    cookie=cookie,
                    csrf=csrf,
                    agent=USER_AGENT,
                    body=json.dumps(body),
                )
            )
        result = subprocess.run(
            [
                "wrk",
                "-t2",
                "-c4",
                f"-d{seconds}s",
                "--latency",
                "-s",
                script.name,
                f"http://127.0.0.1:{port}/",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        os.unlink(script.name)
        latency = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)$", result, re.M))
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", result).group(1))
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", result)
        return {
            "rps": rps,
            "p50_ms": _ms(latency["50"]),
            "p90_ms": _ms(latency["90"]),
            "p99_ms": _ms(latency["99"]),
            "non_2xx": int(errors.group(1)) if errors else 0,
            "seconds": seconds,
        }
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)


def report(inproc: dict, loaded: dict | None) -> str:
    """Return the Markdown section with the figures."""
    ok = inproc["median_ms"] <= TARGET_MS and inproc["body_bytes"] <= TARGET_BYTES
    lines = [
        "",
        f"## Autosave round trip ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)",
        "",
        f"`bench/autosave.py`: PUT /drafts/section:<id> with a 5,000-character text as the "
        f"mentor of group tata (demo program, SQLite), on {platform.python_implementation()} "
        f"{platform.python_version()}, {os.cpu_count()} CPUs. Target: median server time "
        f"≤ {TARGET_MS:.0f} ms and a response ≤ {TARGET_BYTES} bytes — "
        f"**{'met' if ok else 'NOT met'}**.",
        "",
        "| Measure | Value |",
        "| --- | --- |",
        f"| In-process median (test client, {inproc['iterations']} saves) "
        f"| {inproc['median_ms']:.2f} ms |",
        f"| In-process p95 | {inproc['p95_ms']:.2f} ms |",
        f"| In-process median CPU time of the request | {inproc['cpu_median_ms']:.2f} ms |",
        f"| Machine load average during the run | {inproc['load']:.1f} |",
        f"| Response body | {inproc['body_bytes']} bytes "
        f"(headers {inproc['header_bytes']} bytes) |",
    ]
    if loaded:
        lines += [
            f"| gunicorn (2 sync workers), wrk 2 threads × 4 connections, {loaded['seconds']} s "
            f"| {loaded['rps']:.0f} requests/s |",
            f"| Latency under that load p50 / p90 / p99 | {loaded['p50_ms']:.2f} / "
            f"{loaded['p90_ms']:.2f} / {loaded['p99_ms']:.2f} ms |",
            f"| Non-2xx answers under load | {loaded['non_2xx']} |",
        ]
    return "\n".join(lines) + "\n"


def record(text: str) -> None:
    """Append the section to docs/benchmarks.md, holding the shared bench lock."""
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    with open(LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with open(OUTPUT, "a", encoding="utf-8") as out:
            if out.tell() == 0:
                out.write("# Benchmarks\n")
            out.write(text)


def main() -> int:
    """Run both measurements, print them, and optionally record them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--no-gunicorn", action="store_true")
    parser.add_argument("--record", action="store_true", help="append to docs/benchmarks.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="autosave-bench-") as tmp:
        path = Path(tmp) / "bench.sqlite"
        section_id = prepare(path)
        inproc = in_process(path, section_id, args.iterations)
        loaded = None if args.no_gunicorn else under_gunicorn(path, section_id, args.seconds)
    text = report(inproc, loaded)
    print(text)
    if args.record:
        record(text)
    met = inproc["median_ms"] <= TARGET_MS and inproc["body_bytes"] <= TARGET_BYTES
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
