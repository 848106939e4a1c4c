"""Benchmark the coordinator's overview (the home page) at 100 times the real program.

Run from the repository root: `.venv/bin/python bench/overview.py [--duration 10] [--quick]`.
It builds the demo program, and the demo plus 495 generated groups (500 in all, each with
its mentor, participants, six held workshops without journals, a cancelled and a planned
one), then for the coordinator's home page:

- counts its SQL queries on both (issue 13: a constant number, whatever the number of groups);
- loads it under gunicorn (2 sync workers, wrk with 8 connections) beside the empty logged-in
  layout page `/_bench/layout` of the same data set: p99 (target: under 100 ms at 500 groups)
  and CPU per request against that floor (target for the demo: at most 3×);

then prints the results and writes them to their own section of docs/benchmarks.md.
"""

import argparse
import shutil
import sys
import tempfile
from dataclasses import replace
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import datasets  # noqa: E402
from bench.run import (  # noqa: E402
    OUTPUT,
    Page,
    count_queries,
    load_pages,
    machine,
    markdown_table,
    print_table,
    replace_section,
)

GROUPS = 500  # 100 × the real program's five
TARGET_P99_MS = 100.0
TARGET_RATIO = 3.0
BEGIN = "<!-- bench/overview.py: begin -->"
END = "<!-- bench/overview.py: end -->"


def measure(dataset: datasets.Dataset, workdir: Path, args) -> list[Page]:
    """Return the layout floor and the overview of one data set, counted and loaded with 8
    connections (requests queue behind each other), and the overview with 2 (one per worker:
    the page's own latency)."""
    floor = Page(dataset.name, "/_bench/layout", floor=True)
    overview = Page(dataset.name, "/")
    count_queries(dataset, [overview, floor], args.repeats)
    [floor_loaded] = load_pages("bench.floor:floor_app()", dataset, [floor], workdir, args)
    pages = [overview, replace(overview, connections=2)]
    loaded = load_pages("wsgi:app", dataset, pages, workdir, args)
    return [
        replace(floor_loaded, queries=floor.queries, inprocess_ms=floor.inprocess_ms),
        *(replace(p, queries=overview.queries, inprocess_ms=overview.inprocess_ms) for p in loaded),
    ]


def main() -> None:
    """Build both data sets, measure the overview on each, report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per URL")
    parser.add_argument("--quick", action="store_true", help="smoke run: 2 s per URL")
    args = parser.parse_args()
    if args.quick:
        args.duration = 2
    args.warmup, args.attempts = (1, 1) if args.quick else (2, 3)
    args.patience, args.max_other_load = (0, 0.10) if args.quick else (30, 0.10)
    args.repeats = 5 if args.quick else 30
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian package wrk)")
    workdir = Path(tempfile.mkdtemp(prefix="muhelynaplo-overview-"))
    try:
        print("Building the demo and the 500-group program…", flush=True)
        data = [
            datasets.build("demo", workdir, large=False),
            datasets.build("program×100", workdir, large=True, groups=GROUPS - 6),
        ]
        results = {dataset.name: (dataset, measure(dataset, workdir, args)) for dataset in data}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    rows = [["data set", "groups", "page", "wrk connections", "queries", "in-process CPU ms",
             "CPU ms/req", "× layout", "p50 ms", "p99 ms", "req/s"]]  # fmt: skip
    for dataset, (floor, *pages) in results.values():
        for p in (floor, *pages):
            ratio = p.cpu_ms / floor.cpu_ms if floor.cpu_ms and p.rps else None
            rows.append([
                dataset.name, str(dataset.groups), p.path, str(p.connections or 8),
                str(p.queries), f"{p.inprocess_ms:.1f}", f"{p.cpu_ms:.2f}",
                f"{ratio:.1f}×" if ratio else "–", f"{p.p50:.1f}", f"{p.p99:.1f}", f"{p.rps:.0f}",
            ])  # fmt: skip
    print_table(rows)
    (demo, (demo_floor, demo_page, _)), (big, (_, big_queued, big_alone)) = results.values()
    demo_ratio = demo_page.inprocess_ms / demo_floor.inprocess_ms
    constant = demo_page.queries == big_queued.queries
    failed = [p for _, (_, *pages) in results.values() for p in pages if not p.rps or p.errors]

    def p99_verdict(page: Page) -> str:
        """Say whether a load's p99 meets the target (never for a load that failed)."""
        if page in failed:
            return f"**failed** ({page.errors or 'no answers'})"
        gap = page.p99 - TARGET_P99_MS
        return "**met**" if gap < 0 else f"**missed** by {gap:.1f} ms"

    lines = [
        f"- Queries: {demo_page.queries} on the demo ({demo.groups} groups), "
        f"{big_queued.queries} at {big.groups} groups: "
        + ("**constant** (met)." if constant else "**not constant**."),
        f"- p99 at {big.groups} groups on 2 sync workers (target under {TARGET_P99_MS:.0f} ms): "
        f"{big_alone.p99:.1f} ms with 2 connections, one per worker ({p99_verdict(big_alone)}); "
        f"{big_queued.p99:.1f} ms with 8, each request queueing behind about three others "
        f"({p99_verdict(big_queued)}).",
        f"- Demo: the overview costs {demo_ratio:.1f}× the empty layout page's CPU in-process "
        f"(target at most {TARGET_RATIO:.0f}×: "
        + ("**met**)." if demo_ratio <= TARGET_RATIO else "**missed**)."),
    ]  # fmt: skip
    for line in lines:
        print(line.replace("**", ""))
    info = machine()
    text = "\n".join([
        "## The coordinator's overview at 100 × the program (bench/overview.py)",
        "",
        f"Measured {datetime.now():%Y-%m-%d %H:%M} on {info['CPU model']} "
        f"({info['CPUs (nproc)']} CPUs), commit {info['Commit']}, {args.duration} s of wrk per URL"
        + (" (quick run)" if args.quick else "") + ".",
        "",
        markdown_table(rows),
        "",
        *lines,
    ])  # fmt: skip
    if not args.quick:
        replace_section(OUTPUT, text, BEGIN, END)
        print(f"\nWrote {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
