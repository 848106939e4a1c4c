"""Benchmark search over 100,000 notes and 20,000 journal sections, on SQLite and PostgreSQL.

Run from the repository root: `.venv/bin/python bench/search.py [--quick] [--sqlite-only]`.
For each engine it builds the demo program plus generated texts (words drawn from the demo's
own Hungarian text with a Zipf-like frequency, so some words are in most texts and most
words are rare), fills the index with `flask reindex`'s rebuild, then, in-process with the
Flask test client:

- times `GET /search?q=…` (the whole request: login check, query, highlighting, page) for
  one- and two-word queries typed without accents and cut to a prefix, as the coordinator
  (who may read everything: the most rows to rank) and as a participant, beside the empty
  layout page `/_bench/layout` (targets: median under 50 ms, p99 under 150 ms);
- on PostgreSQL runs VACUUM ANALYZE after loading, as autovacuum would shortly after;
- times adding a note (the write that also writes its index entry) beside the logged-in
  request that does nothing, `/_bench/user` (the write target: at most 3×), and the same
  write with the index listener taken away, to show what the index costs.

It prints the figures and writes them to their section of docs/benchmarks.md.
"""

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
import tomllib
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.run import OUTPUT, machine, markdown_table, posted_token, replace_section  # noqa: E402

NOTES = 100_000
SECTIONS = 20_000
PASSWORD = "muhelynaplo"
COORDINATOR = "jozsa.kata@example.org"
PARTICIPANT = "nyari.dora@example.org"
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
TARGET_MEDIAN_MS, TARGET_P99_MS, TARGET_WRITE_RATIO = 50.0, 150.0, 3.0
BEGIN = "<!-- bench/search.py: begin -->"
END = "<!-- bench/search.py: end -->"


def vocabulary() -> list[str]:
    """Return the Hungarian words of the demo program and of the app's own texts (the
    message catalogue), most frequent first (the Zipf ranks)."""
    data = tomllib.loads((ROOT / "journal/demo/program.toml").read_text(encoding="utf-8"))
    catalogue = (ROOT / "journal/translations/messages.pot").read_text(encoding="utf-8")
    messages = re.findall(r'^msgid "(.*)"$', catalogue, re.MULTILINE)
    text = " ".join(_strings(data) + messages)
    counts: dict[str, int] = {}
    for word in re.findall(r"[^\W\d_]{3,}", text.lower()):
        counts[word] = counts.get(word, 0) + 1
    return sorted(counts, key=lambda w: -counts[w])


def _strings(value) -> list[str]:
    """Return every string inside a TOML value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


class Writer:
    """Draws Hungarian-looking text from the vocabulary, frequent words more often."""

    def __init__(self, words: list[str], seed: int = 7):
        """Weigh each word by 1/rank."""
        self.words = words
        self.weights = [1 / (rank + 1) for rank in range(len(words))]
        self.rng = random.Random(seed)

    def text(self, low: int, high: int) -> str:
        """Return a sentence-ish text of low to high words."""
        count = self.rng.randint(low, high)
        picked = self.rng.choices(self.words, self.weights, k=count)
        return " ".join(picked).capitalize() + "."


def build(url: str, writer: Writer) -> dict:
    """Create the schema, the demo program and the generated texts at url; index them."""
    from sqlalchemy import insert, select

    from journal import create_app
    from journal.demo import seed_demo
    from journal.extensions import db
    from journal.models import (
        Group,
        Journal,
        JournalSection,
        Membership,
        Note,
        NoteKind,
        Visibility,
        Workshop,
        WorkshopStatus,
    )
    from journal.search import index

    app = create_app(
        {"PUBLIC_URL": "http://localhost", "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url}
    )
    figures = {}
    with app.app_context():
        db.create_all()
        seed_demo(PASSWORD)
        db.session.commit()
        rng = writer.rng
        groups = db.session.scalars(select(Group)).all()
        members = {
            g.id: db.session.scalars(
                select(Membership.user_id).where(Membership.group_id == g.id)
            ).all()
            for g in groups
        }
        mentors = {
            g.id: db.session.scalar(
                select(Membership.user_id).where(
                    Membership.group_id == g.id, Membership.role == "mentor"
                )
            )
            for g in groups
        }
        start = time.perf_counter()
        kinds = list(NoteKind)
        now = datetime.now(UTC)
        rows = []
        for n in range(NOTES):
            group = groups[n % len(groups)]
            moment = now - timedelta(minutes=rng.randint(0, 600 * 24 * 60))
            rows.append(
                dict(
                    group_id=group.id, author_id=rng.choice(members[group.id]),
                    kind=rng.choice(kinds), title=writer.text(3, 8), body=writer.text(20, 120),
                    link="", mentor_only=rng.random() < 0.05, created_at=moment,
                    updated_at=moment, version=1, hide_reactors=False, hidden_reason="",
                    in_report=False, report_consent_withdrawn=False,
                )
            )  # fmt: skip
        db.session.execute(insert(Note), rows)
        journals = SECTIONS // 7
        visibilities = list(Visibility)
        first = date(2025, 1, 1)
        for n in range(journals):
            group = groups[n % len(groups)]
            workshop = Workshop(
                group_id=group.id, date=first + timedelta(days=n % 700), topic=writer.text(3, 7),
                place="Művelődési Ház", agenda=writer.text(10, 30), methods="",
                status=WorkshopStatus.HELD,
            )  # fmt: skip
            db.session.add(workshop)
            db.session.flush()
            journal = Journal(workshop_id=workshop.id, author_id=mentors[group.id])
            db.session.add(journal)
            db.session.flush()
            db.session.execute(
                insert(JournalSection),
                [
                    dict(journal_id=journal.id, key=f"k{k}", position=k,
                         body=writer.text(60, 300), visibility=rng.choice(visibilities),
                         in_report=False, version=1, updated_at=now)
                    for k in range(7)
                ],
            )  # fmt: skip
            if n % 200 == 0:
                db.session.commit()
        db.session.commit()
        figures["generate_s"] = time.perf_counter() - start
        start = time.perf_counter()
        figures["indexed"] = index.rebuild()
        db.session.commit()
        figures["reindex_s"] = time.perf_counter() - start
        if db.engine.dialect.name == "postgresql":
            # What autovacuum does a minute after a bulk load: the planner's statistics.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        db.engine.dispose()
    return figures


def queries(words: list[str], rng: random.Random, count: int) -> dict[str, list[str]]:
    """Return one- and two-word queries as people type them: no accents, the end cut off."""
    from journal.search.index import fold

    def typed(word: str) -> str:
        folded = fold(word)
        return folded[: max(4, len(folded) - rng.randint(0, 2))]

    common, middle, rare = words[:50], words[50:400], words[400:]
    pool = [common, middle, rare]
    one = [typed(rng.choice(rng.choice(pool))) for _ in range(count)]
    two = [
        f"{typed(rng.choice(rng.choice(pool)))} {typed(rng.choice(rng.choice(pool)))}"
        for _ in range(count)
    ]
    return {"one word": one, "two words": two}


def _percentile(values: list[float], q: float) -> float:
    """Return the q-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def measure(url: str, asked: dict[str, list[str]], writes: int) -> dict:
    """Time searches and note adds in-process; return the figures."""
    from sqlalchemy import event, select
    from sqlalchemy.orm import Session

    from bench.floor import add_floor
    from journal import create_app
    from journal.extensions import db
    from journal.models import Group
    from journal.search import index

    app = add_floor(
        create_app(
            {"PUBLIC_URL": "http://localhost", "SECRET_KEY": "bench",
             "SQLALCHEMY_DATABASE_URI": url,
             "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False}
        )
    )  # fmt: skip
    figures: dict = {}
    for who, email in (("coordinator", COORDINATOR), ("participant", PARTICIPANT)):
        client = app.test_client()
        if client.post("/login", data={"email": email, "password": PASSWORD}).status_code != 303:
            raise SystemExit(f"login of {email} failed")

        def timed(path: str, params=None, client=client) -> float:
            start = time.perf_counter()
            response = client.get(path, query_string=params)
            elapsed = (time.perf_counter() - start) * 1000
            if response.status_code != 200:
                raise SystemExit(f"{path} {params} answered {response.status_code}")
            return elapsed

        for _ in range(5):
            timed("/_bench/layout")
            timed("/search", {"q": "kozosseg"})
        figures[who, "floor"] = [timed("/_bench/layout") for _ in range(100)]
        for kind, typed in asked.items():
            figures[who, kind] = [timed("/search", {"q": q}) for q in typed]
    client = app.test_client()
    client.post("/login", data={"email": PARTICIPANT, "password": PASSWORD})
    with app.app_context():
        slug = db.session.scalar(select(Group.slug).where(Group.slug == "tata"))
    form = {"kind": "good_practice", "title": "Mérés önkéntesekkel", "body": "Rövid **jegyzet**."}
    hx = {"HX-Request": "true"}

    def cpu(call) -> float:
        start = time.process_time()
        response = call()
        elapsed = (time.process_time() - start) * 1000
        if response.status_code not in (200, 303):
            raise SystemExit(f"a write answered {response.status_code}")
        return elapsed

    shown = {"since": posted_token(client.get(f"/groups/{slug}/notes", headers=hx).text)}

    def add():
        # As the board sends it: with the token its list (or the last answer) gave the form.
        response = client.post(f"/groups/{slug}/notes/new", data=form | shown, headers=hx)
        shown["since"] = posted_token(response.text)
        return response

    for _ in range(3):
        cpu(lambda: client.get("/_bench/user"))
        cpu(add)
    figures["write floor"] = [cpu(lambda: client.get("/_bench/user")) for _ in range(writes)]
    figures["add a note"] = [cpu(add) for _ in range(writes)]
    event.remove(Session, "after_flush", index._index_flushed)
    try:
        figures["add a note, no index"] = [cpu(add) for _ in range(writes)]
    finally:
        event.listen(Session, "after_flush", index._index_flushed)
    with app.app_context():
        db.engine.dispose()
    return figures


def report(results: dict[str, tuple[dict, dict]], runs: int) -> str:
    """Return the Markdown section."""
    info = machine()
    lines = [
        f"## Search over {NOTES:,} notes and {SECTIONS:,} journal sections "
        f"(bench/search.py, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC)",
        "",
        f"Machine: {info['CPU model']}, {info['CPUs (nproc)']} CPUs, SQLite {info['SQLite']}; "
        f"commit {info['Commit']}. In-process "
        f"(Flask test client, one request at a time), {runs} queries of each kind, typed "
        "without accents and cut to a prefix, words drawn from all frequencies. Targets: "
        f"median under {TARGET_MEDIAN_MS:.0f} ms, p99 under {TARGET_P99_MS:.0f} ms; adding a "
        f"note at most {TARGET_WRITE_RATIO:.0f}× the logged-in request that does nothing.",
        "",
    ]
    rows = [["engine · who · query", "median ms", "p99 ms", "max ms", "× layout", "target"]]
    for engine, (_built, figures) in results.items():
        for who in ("coordinator", "participant"):
            floor = statistics.median(figures[who, "floor"])
            rows.append([f"{engine} · {who} · empty layout page", f"{floor:.1f}",
                         f"{_percentile(figures[who, 'floor'], 99):.1f}",
                         f"{max(figures[who, 'floor']):.1f}", "1.0", ""])  # fmt: skip
            for kind in ("one word", "two words"):
                times = figures[who, kind]
                median, p99 = statistics.median(times), _percentile(times, 99)
                met = median < TARGET_MEDIAN_MS and p99 < TARGET_P99_MS
                rows.append([f"{engine} · {who} · {kind}", f"{median:.1f}", f"{p99:.1f}",
                             f"{max(times):.1f}", f"{median / floor:.1f}",
                             "met" if met else "missed"])  # fmt: skip
    lines += [markdown_table(rows), ""]
    rows = [["engine · write", "median CPU ms", "× floor", "target"]]
    for engine, (_built, figures) in results.items():
        floor = statistics.median(figures["write floor"])
        for name in ("write floor", "add a note", "add a note, no index"):
            value = statistics.median(figures[name])
            ratio = value / floor
            target = "" if name != "add a note" else (
                "met" if ratio <= TARGET_WRITE_RATIO else "missed")  # fmt: skip
            rows.append([f"{engine} · {name}", f"{value:.2f}", f"{ratio:.1f}", target])
    lines += [markdown_table(rows), ""]
    for engine, (built, _figures) in results.items():
        lines.append(
            f"- {engine}: generated in {built['generate_s']:.0f} s; `flask reindex` wrote "
            f"{built['indexed']:,} entries in {built['reindex_s']:.1f} s."
        )
    return "\n".join(lines)


def main() -> None:
    """Build each engine's data, measure, report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: fewer queries")
    parser.add_argument("--sqlite-only", action="store_true", help="skip PostgreSQL")
    args = parser.parse_args()
    runs, writes = (30, 10) if args.quick else (300, 60)
    words = vocabulary()
    asked = queries(words, random.Random(11), runs)
    results = {}
    workdir = Path(tempfile.mkdtemp(prefix="muhelynaplo-search-"))
    engines = [("SQLite", f"sqlite:///{workdir / 'search.sqlite'}")]
    pg_name = f"bench_search_{uuid.uuid4().hex[:8]}"
    if not args.sqlite_only:
        engines.append(("PostgreSQL", PG_ADMIN.rsplit("/", 1)[0] + f"/{pg_name}"))
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    try:
        for engine, url in engines:
            if engine == "PostgreSQL":
                with admin.connect() as conn:
                    conn.execute(text(f"CREATE DATABASE {pg_name}"))
            print(f"{engine}: building {NOTES:,} notes and {SECTIONS:,} sections…", flush=True)
            built = build(url, Writer(words))
            print(f"{engine}: measuring…", flush=True)
            results[engine] = (built, measure(url, asked, writes))
    finally:
        if not args.sqlite_only:
            with admin.connect() as conn:
                conn.execute(text(f"DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)"))
        admin.dispose()
    section = report(results, runs)
    print(section)
    replace_section(OUTPUT, section, BEGIN, END)


if __name__ == "__main__":
    main()
