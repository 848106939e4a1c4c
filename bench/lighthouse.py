"""What a phone on a slow line sees: Lighthouse 12 on the demo program, logged in.

    .venv/bin/python bench/lighthouse.py [--lighthouse PATH] [--no-write]

Serves the demo program with gunicorn (2 sync workers, as `.ci/start`), logs in as the
coordinator through the real form, and runs Lighthouse (mobile defaults: a mid-range phone on
a throttled 4G line, Debian's Chromium through CHROME_PATH) on the login page, home, a group, a
workshop and a board. Prints each page's performance score, LCP and the bytes of the first
load, then replaces its section of docs/benchmarks.md. Lighthouse comes from
npm (`npm install lighthouse@12` in a folder of your choice; pass its `node_modules/.bin/
lighthouse` with --lighthouse). Targets (issue 12): performance ≥ 98, LCP ≤ 1.2 s, first
load ≤ 60 KiB.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import datasets  # noqa: E402
from bench.run import OUTPUT, Server, replace_section  # noqa: E402

BEGIN = "<!-- bench/lighthouse.py: begin -->"
END = "<!-- bench/lighthouse.py: end -->"


def audit(lighthouse: str, url: str, cookie: str | None, workdir: Path) -> dict:
    """Run Lighthouse on one URL; return its JSON report."""
    out = workdir / "report.json"
    command = [lighthouse, url, "--output=json", f"--output-path={out}", "--quiet"]
    command += ["--chrome-flags=--headless=new --no-sandbox --disable-dev-shm-usage"]
    command += ["--only-categories=performance"]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": f"session={cookie}"}))
    env = os.environ | {"CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    subprocess.run(command, check=True, env=env, capture_output=True, timeout=300)
    return json.loads(out.read_text())


def main() -> None:
    """Serve the demo, audit each page, report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--lighthouse", default="lighthouse", help="the lighthouse command")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="muhelynaplo-lighthouse-"))
    demo = datasets.build("demo", workdir, large=False)
    subprocess.run([sys.executable, "-m", "journal.static_files"], cwd=ROOT, check=True)
    rows = []
    with Server("wsgi:app", workdir, demo) as server:
        cookie = server.login()
        headers = {"Cookie": f"session={cookie}"}
        _status, _headers, group = server.request("/groups/kecskemet", headers=headers)
        workshop = next(iter(re.findall(r'href="(/workshops/\d+)"', group)), None)
        pages = [("/login", None), ("/", cookie), ("/groups/kecskemet", cookie)]
        if workshop:
            pages.append((workshop, cookie))
        pages.append(("/groups/kecskemet/notes", cookie))
        for path, session in pages:
            print(f"Lighthouse {path} …", flush=True)
            report = audit(args.lighthouse, server.base + path, session, workdir)
            audits = report["audits"]
            rows.append(
                {
                    "path": path,
                    "score": round(report["categories"]["performance"]["score"] * 100),
                    "lcp": audits["largest-contentful-paint"]["numericValue"] / 1000,
                    "fcp": audits["first-contentful-paint"]["numericValue"] / 1000,
                    "kib": audits["total-byte-weight"]["numericValue"] / 1024,
                    "requests": len(audits["network-requests"]["details"]["items"]),
                }
            )
    lines = [
        "| page | performance | LCP s | FCP s | first load KiB | requests |",
        "|:--|--:|--:|--:|--:|--:|",
    ] + [
        f"| `{r['path']}` | {r['score']} | {r['lcp']:.2f} | {r['fcp']:.2f} | "
        f"{r['kib']:.1f} | {r['requests']} |"
        for r in rows
    ]
    met = all(r["score"] >= 98 and r["lcp"] <= 1.2 and r["kib"] <= 60 for r in rows)
    version = subprocess.run(
        [args.lighthouse, "--version"], capture_output=True, text=True
    ).stdout.strip()
    when = f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z}"
    text = f"""## What a phone sees: Lighthouse {version} ({when})

Written by `.venv/bin/python bench/lighthouse.py`: the demo program under gunicorn (2 sync
workers), logged in as the coordinator; Lighthouse's mobile defaults (a mid-range phone,
throttled 4G), performance only, Debian's Chromium. Targets: performance ≥ 98, LCP ≤ 1.2 s,
first load ≤ 60 KiB: {"**met** on every page" if met else "**not met** on every page"}.

{chr(10).join(lines)}

Static files have content-hashed addresses and `Cache-Control: max-age=31536000, public,
immutable` (journal/static_files.py), gzipped, so a second navigation fetches none of them
(tests/test_static.py checks the headers). Lighthouse's throttling is simulated,
so a busy machine changes its figures less than wall-clock ones, but it does change them.
"""
    print(text)
    if not args.no_write:
        replace_section(OUTPUT, text, BEGIN, END)


if __name__ == "__main__":
    main()
