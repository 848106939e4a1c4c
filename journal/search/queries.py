"""Search: one query over the index, limited in SQL to what the searcher may read, ranked by
relevance and then by date, with the matching words marked in context."""

import re
from dataclasses import dataclass, field
from datetime import date

from markupsafe import Markup, escape
from sqlalchemy import (
    Float,
    Integer,
    and_,
    bindparam,
    case,
    column,
    exists,
    false,
    func,
    literal_column,
    or_,
    select,
    table,
    true,
)
from sqlalchemy.orm import selectinload

from journal.extensions import db
from journal.forms import positive_int
from journal.groups.queries import in_groups, visible_groups
from journal.journals.queries import readable_condition
from journal.markdown import plain_text, render_markdown, rendered_html
from journal.models import (
    Journal,
    JournalSection,
    Membership,
    Method,
    Note,
    NoteKind,
    Reply,
    ReportText,
    SearchDocument,
    User,
    Workshop,
    WorkshopMethod,
)
from journal.notes.queries import visible_in_groups
from journal.permissions import can_view_methods, is_coordinator, mentored_group_ids
from journal.reports.summary import PeriodError, parse_day
from journal.search.index import word_spans, words

PAGE_SIZE = 20
MAX_TERMS = 8
MAX_WORDS = 8
SNIPPET = 240  # characters of context around the first match

# --- The query as typed ------------------------------------------------------------------------

_PART = re.compile(r'"([^"]*)"?|(\S+)')


def parse(typed: str) -> list[tuple[str, ...]]:
    """Return the terms of a query: each a tuple of folded words that must follow each other
    (a phrase in quotes, or a word a hyphen splits), the last of them matched as a prefix.
    Whatever the engines would read as syntax (quotes, *, :, -, NEAR) is only a separator."""
    terms = []
    for phrase, word in _PART.findall(typed):
        found = tuple(words(phrase or word))[:MAX_WORDS]
        if found and found not in terms:
            terms.append(found)
    return terms[:MAX_TERMS]


def _prefix(word: str) -> bool:
    """Tell whether a word is matched as a prefix: one letter alone would match everything."""
    return len(word) > 1


def _fts5(terms: list[tuple[str, ...]]) -> str:
    """Return the FTS5 expression: every phrase, its last word a prefix."""
    return " AND ".join(
        '"' + " ".join(term) + '"' + ("*" if _prefix(term[-1]) else "") for term in terms
    )


def _tsquery(terms: list[tuple[str, ...]]) -> str:
    """Return the PostgreSQL tsquery: the same phrases, words followed by <->."""
    return " & ".join(
        " <-> ".join(
            f"'{word}'" + (":*" if last and _prefix(word) else "")
            for last, word in ((i == len(term) - 1, w) for i, w in enumerate(term))
        )
        for term in terms
    )


# A word found in more texts than this is ranked among its newest matches: ranking every one
# of a hundred thousand texts costs a tenth of a second, and nobody reads past the first pages.
CANDIDATES = 1000
_FTS = table("search_fts", column("rowid", Integer), column("search_fts"))
_RANKED = table("search_document", column("id", Integer), column("vector")).alias("ranked")


def _candidates(terms: list[tuple[str, ...]], conditions: list):
    """Return the engine's newest CANDIDATES matches that meet the conditions on their
    entries, as a subquery of (doc_id, rank), a higher rank a better match."""
    doc = SearchDocument
    if db.engine.dialect.name == "postgresql":
        query = func.to_tsquery(literal_column("'simple'::regconfig"), _tsquery(terms))
        matched = select(doc.id).where(
            literal_column("search_document.vector").op("@@")(query), *conditions
        )
        # Words in many texts: walking the newest texts back finds enough at once. Rarer
        # words: the GIN index finds them all, then the newest are kept ("id + 0" keeps
        # PostgreSQL from walking the primary key, which its costs choose too often: 41 ms
        # instead of 5 for a word in 3,000 of 120,000 texts). Only those are ranked.
        newest = doc.id.desc() if _dense(matched) else (doc.id + 0).desc()
        kept = matched.order_by(newest).limit(CANDIDATES).subquery("newest")
        return (
            select(kept.c.id.label("doc_id"), func.ts_rank(_RANKED.c.vector, query).label("rank"))
            .join(_RANKED, _RANKED.c.id == kept.c.id)
            .subquery("hits")
        )
    # bm25 is lower for better matches; the title weighs four times the body.
    rank = -literal_column("bm25(search_fts, 4.0, 1.0)", Float)
    return (
        select(_FTS.c.rowid.label("doc_id"), rank.label("rank"))
        .select_from(_FTS.join(doc, doc.id == _FTS.c.rowid))
        .where(_FTS.c.search_fts.op("MATCH")(bindparam("match", _fts5(terms))), *conditions)
        .order_by(_FTS.c.rowid.desc())
        .limit(CANDIDATES)
        .subquery("hits")
    )


# Walking the primary key back pays for itself above this share of matching texts.
DENSE = 0.08


def _dense(matched) -> bool:
    """Tell whether PostgreSQL's planner expects more than DENSE of the texts to match."""
    connection = db.session.connection()
    compiled = matched.compile(connection, compile_kwargs={"render_postcompile": True})
    plan = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {compiled}", compiled.params)
    total = connection.exec_driver_sql(
        "SELECT reltuples FROM pg_class WHERE relname = 'search_document'"
    ).scalar()
    return plan.scalar()[0]["Plan"]["Plan Rows"] > DENSE * max(total or 0, 1)


# --- Who may read what -------------------------------------------------------------------------


def _readable(user: User):
    """Return the SQL condition on an index entry that the user may read its row: the rules of
    the pages (permissions.py, and the queries that mirror it), applied to the row itself.
    A section's rule reads its row joined in (`_with_sections`): a subquery per section made
    PostgreSQL hash every readable section of the program for each search."""
    if not user.is_authenticated:
        return false()
    doc = SearchDocument
    coordinator = is_coordinator(user)
    member_of = select(Membership.group_id).where(
        Membership.user_id == user.id, Membership.current()
    )
    note = select(Note.id).where(Note.id == doc.source_id, visible_in_groups(user, None))
    reply = (
        select(Reply.id)
        .join(Note, Reply.note_id == Note.id)
        .where(Reply.id == doc.source_id, Reply.deleted_at.is_(None), visible_in_groups(user, None))
    )
    return or_(
        and_(doc.kind == "workshop", true() if coordinator else doc.group_id.in_(member_of)),
        and_(doc.kind == "section", JournalSection.id.is_not(None), readable_condition(user)),
        and_(doc.kind == "note", exists(note)),
        and_(doc.kind == "reply", exists(reply)),
        and_(
            doc.kind == "report_text",
            true() if coordinator else doc.group_id.in_(sorted(mentored_group_ids(user))),
        ),
        and_(doc.kind == "method", true() if can_view_methods(user) else false()),
    )


# --- Filters -------------------------------------------------------------------------------------

KINDS = ("workshop", "journal", "note", "reply", "report", "method")


def kind_condition(kind: str):
    """Return the SQL condition of a kind filter ("journal", "note", "note:question", …)."""
    doc = SearchDocument
    name, _sep, subkind = kind.partition(":")
    if name == "note" and subkind:
        return and_(doc.kind == "note", doc.subkind == subkind)
    return doc.kind == {"journal": "section", "report": "report_text"}.get(name, name)


def valid_kind(kind: str) -> bool:
    """Tell whether a kind filter is one the page offers."""
    name, sep, subkind = kind.partition(":")
    if sep:
        return name == "note" and subkind in {k.value for k in NoteKind}
    return name in KINDS


@dataclass
class SearchFilters:
    """The query and filters of a search, as the URL holds them; errors say in the user's
    language which filter could not be read (it is then left out, what was typed kept)."""

    q: str = ""
    group: str = ""
    kind: str = ""
    since: str = ""
    until: str = ""
    author: int | None = None
    page: int = 1
    first_day: date | None = None
    last_day: date | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_args(cls, args) -> "SearchFilters":
        """Read the query string; an unknown group or kind is ignored, a bad date is said."""
        kind = args.get("kind", "").strip()
        filters = cls(
            q=args.get("q", "").strip()[:500],
            group=args.get("group", "").strip()[:60],
            kind=kind if valid_kind(kind) else "",
            since=args.get("from", "").strip()[:40],
            until=args.get("to", "").strip()[:40],
            author=positive_int(args.get("author")),
            page=positive_int(args.get("page")) or 1,
        )
        for name, typed, end in (("from", filters.since, False), ("to", filters.until, True)):
            if typed:
                try:
                    day = parse_day(typed, name, end_of_month=end)
                except PeriodError as error:
                    filters.errors[name] = error.message
                    continue
                setattr(filters, "last_day" if end else "first_day", day)
        return filters

    def query_args(self, **changes) -> dict:
        """Return the non-empty query and filters as URL arguments, with some changed."""
        values = {
            "q": self.q, "group": self.group, "kind": self.kind, "from": self.since,
            "to": self.until, "author": self.author, "page": self.page if self.page > 1 else None,
        } | changes  # fmt: skip
        return {k: v for k, v in values.items() if v}

    def conditions(self, group_ids: dict[str, int]) -> list:
        """Return the SQL conditions of the filters on the index entries."""
        doc = SearchDocument
        found = []
        placed = []  # where and when a text was written
        if self.group in group_ids:
            placed.append(doc.group_id == group_ids[self.group])
        if self.first_day:
            placed.append(doc.day >= self.first_day)
        if self.last_day:
            placed.append(doc.day <= self.last_day)
        if placed:
            # The methods library is every group's, of no period: its methods stay in.
            found.append(or_(doc.kind == "method", and_(*placed)))
        if self.kind:
            found.append(kind_condition(self.kind))
        if self.author:
            found.append(doc.author_id == self.author)
        return found


# --- Results -----------------------------------------------------------------------------------


@dataclass
class Result:
    """One thing found: what and where it is, its day, its title and the context of the match
    (both escaped, the matching words marked)."""

    kind: str
    url: str
    title: Markup
    snippet: Markup
    row: object
    day: date


@dataclass
class SearchPage:
    """One page of results."""

    results: list[Result]
    total: int
    page: int
    pages: int
    terms: list[tuple[str, ...]]
    capped: bool = False  # as many texts matched as are ranked (CANDIDATES): maybe more

    @property
    def candidates(self) -> int:
        """Return how many of the newest matches are ranked."""
        return CANDIDATES


def search(user: User, filters: SearchFilters, url_of) -> SearchPage:
    """Return the page of results the filters ask for, only from rows the user may read."""
    terms = parse(filters.q)
    if not terms:
        return SearchPage([], 0, 1, 1, terms)
    groups = {group.slug: group.id for group in visible_groups(user)}
    doc = SearchDocument
    # What the entry alone decides (the groups, the filters) narrows the engine's matches;
    # the rules that need the row itself are checked on those candidates.
    # The methods library belongs to no group.
    near = or_(
        in_groups(doc.group_id, None if is_coordinator(user) else list(groups.values())),
        doc.kind == "method",
    )
    hits = _candidates(terms, [near, *filters.conditions(groups)])
    checked = (
        select(hits.c.doc_id, hits.c.rank, doc.kind, doc.source_id, doc.day,
               case((_readable(user), 1), else_=0).label("ok"))
        .join(doc, doc.id == hits.c.doc_id)
        .outerjoin(JournalSection, and_(doc.kind == "section", JournalSection.id == doc.source_id))
        .outerjoin(Journal, Journal.id == JournalSection.journal_id)
        .outerjoin(Workshop, Workshop.id == Journal.workshop_id)
        .cte("checked")
        .prefix_with("MATERIALIZED")  # the reading rules are checked once per candidate
    )  # fmt: skip
    counted = select(
        checked, func.sum(checked.c.ok).over().label("total"), func.count().over().label("seen")
    ).subquery("counted")
    found = db.session.execute(
        select(counted)
        .where(counted.c.ok == 1)
        .order_by(counted.c.rank.desc(), counted.c.day.desc(), counted.c.doc_id.desc())
        .limit(PAGE_SIZE)
        .offset((filters.page - 1) * PAGE_SIZE)
    ).all()
    total = found[0].total if found else 0
    capped = bool(found) and found[0].seen >= CANDIDATES
    rows = _load(found)
    wanted = [
        (word, i == len(term) - 1 and _prefix(word))
        for term in terms
        for i, word in enumerate(term)
    ]
    results = []
    for entry in found:
        row = rows.get((entry.kind, entry.source_id))
        if row is not None:
            title, body = _texts(entry.kind, row)
            results.append(
                Result(
                    kind=entry.kind,
                    url=url_of(entry.kind, row),
                    title=mark(title, wanted),
                    snippet=snippet(body, wanted),
                    row=row,
                    day=entry.day,
                )
            )
    pages = max(1, -(-total // PAGE_SIZE))
    return SearchPage(results, total, filters.page, pages, terms, capped)


def _load(found) -> dict[tuple[str, int], object]:
    """Load the rows of a page of results with what their results show, a query per kind."""
    options = {
        "workshop": (
            Workshop,
            (
                selectinload(Workshop.group),
                selectinload(Workshop.plan).selectinload(WorkshopMethod.method),
            ),
        ),
        "section": (
            JournalSection,
            (
                selectinload(JournalSection.journal)
                .selectinload(Journal.workshop)
                .selectinload(Workshop.group),
            ),
        ),  # fmt: skip
        "note": (Note, (selectinload(Note.group), selectinload(Note.workshop))),
        "reply": (Reply, (selectinload(Reply.note).selectinload(Note.group),)),
        "report_text": (ReportText, ()),
        "method": (Method, ()),
    }
    rows = {}
    for kind, (model, loads) in options.items():
        ids = [entry.source_id for entry in found if entry.kind == kind]
        if ids:
            for row in db.session.scalars(select(model).where(model.id.in_(ids)).options(*loads)):
                rows[kind, row.id] = row
    return rows


def _plain(row) -> str:
    """Return a Markdown body as the plain text a reader sees."""
    return plain_text(rendered_html(row))


def _texts(kind: str, row) -> tuple[str, str]:
    """Return the title and the body text of a result's row."""
    if kind == "workshop":
        return row.topic, " · ".join(p for p in (row.place, row.agenda, *row.method_list) if p)
    if kind == "note":
        return row.title, _plain(row)
    if kind == "method":
        # Its steps, materials, variations and source are Markdown, as its page shows them.
        marked = [plain_text(render_markdown(text)) for text in (row.materials, row.variations,
                                                                 row.source)]  # fmt: skip
        parts = (row.aim, row.group_size, _plain(row), *marked, row.tags)
        return row.name, " · ".join(part for part in parts if part)
    return "", _plain(row)


def _hit(word: str, wanted: list[tuple[str, bool]]) -> bool:
    """Tell whether a folded word of the text is one the query asks for."""
    return any(word.startswith(w) if prefix else word == w for w, prefix in wanted)


def mark(text_: str, wanted: list[tuple[str, bool]], start: int = 0, end: int | None = None):
    """Return text[start:end] escaped, with every word the query asks for in <mark>."""
    end = len(text_) if end is None else end
    pieces, at = [], start
    for first, last, word in word_spans(text_[start:end]):
        if _hit(word, wanted):
            pieces += [escape(text_[at : start + first]), Markup("<mark>"),
                       escape(text_[start + first : start + last]), Markup("</mark>")]  # fmt: skip
            at = start + last
    pieces.append(escape(text_[at:end]))
    return Markup("").join(pieces)


def snippet(text_: str, wanted: list[tuple[str, bool]]) -> Markup:
    """Return about SNIPPET characters of the text around its first match, marked, with "…"
    where it was cut (between words)."""
    first = next((s for s, _e, word in word_spans(text_) if _hit(word, wanted)), 0)
    start = 0 if first < SNIPPET // 3 else text_.rfind(" ", 0, first - SNIPPET // 3) + 1
    end = len(text_) if len(text_) - start <= SNIPPET else text_.rfind(" ", start, start + SNIPPET)
    if end <= start:
        end = min(len(text_), start + SNIPPET)
    before = Markup("…") if start > 0 else Markup("")
    after = Markup("…") if end < len(text_) else Markup("")
    return before + mark(text_, wanted, start, end) + after
