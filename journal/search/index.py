"""The search index: the folded words of every searchable row (workshops, journal sections,
notes, replies, report texts and the methods library), written in the same transaction as the
row, for SQLite's FTS5 or PostgreSQL's full-text search.

Folding (lower case, accents removed, words only) happens here in Python, on the indexed text
and on the query alike, so both engines see the same plain words and behave the same way:
"tuzolto" finds "Tűzoltó" on either, without a database extension.
"""

import functools
import re
import unicodedata

from sqlalchemy import DDL, delete, event, insert, select, update
from sqlalchemy.orm import Session, selectinload

from journal.extensions import db
from journal.models import (
    Journal,
    JournalSection,
    Method,
    Note,
    Reply,
    ReportText,
    SearchDocument,
    Workshop,
    WorkshopMethod,
    local_date,
)

_WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Return the text lower-cased and without accents ("Tűzoltó" → "tuzolto")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(letter for letter in decomposed if not unicodedata.combining(letter))


def words(text: str) -> list[str]:
    """Return the folded words of a text, in order (punctuation and hyphens separate them)."""
    return _WORD.findall(fold(text))


@functools.lru_cache(maxsize=50_000)
def _folded_word(word: str) -> str:
    """Return one word folded (words repeat: marking a page of results folds each once)."""
    return fold(word)


def word_spans(text: str):
    """Yield (start, end, folded word) for each word of the text as written."""
    for match in _WORD.finditer(text):
        yield match.start(), match.end(), _folded_word(match.group())


def _folded(*parts: str) -> str:
    """Return the folded words of the parts as one line, as the engines index them."""
    return " ".join(word for part in parts if part for word in words(part))


def _group_of_scope(scope: str) -> int | None:
    """Return the group id of a report text's scope ("group:3"), None for the program's."""
    kind, _, ident = scope.partition(":")
    return int(ident) if kind == "group" and ident.isdigit() else None


def _loaded(row, relation: str, model, key: str):
    """Return a row's parent: a row just inserted knows only its parent's id."""
    return getattr(row, relation) or db.session.get(model, getattr(row, key))


def document_of(row) -> dict | None:
    """Return the index entry of a row (what is searched and what the filters use), or None
    when it has no text to find."""
    if isinstance(row, Workshop):
        values = dict(
            kind="workshop", subkind="", group_id=row.group_id,
            author_id=row.created_by_id, day=row.date, title=_folded(row.topic),
            body=_folded(row.place, row.agenda, *row.method_list),
        )  # fmt: skip
    elif isinstance(row, JournalSection):
        journal = _loaded(row, "journal", Journal, "journal_id")
        workshop = _loaded(journal, "workshop", Workshop, "workshop_id")
        values = dict(
            kind="section", subkind=row.key, group_id=workshop.group_id,
            author_id=journal.author_id, day=workshop.date, title="", body=_folded(row.body),
        )  # fmt: skip
    elif isinstance(row, Note):
        values = dict(
            kind="note", subkind=row.kind.value, group_id=row.group_id, author_id=row.author_id,
            day=local_date(row.created_at), title=_folded(row.title),
            body=_folded(row.body, row.link),
        )  # fmt: skip
    elif isinstance(row, Reply):
        values = dict(
            kind="reply", subkind="", author_id=row.author_id,
            group_id=_loaded(row, "note", Note, "note_id").group_id,
            day=local_date(row.created_at), title="", body=_folded(row.body),
        )  # fmt: skip
    elif isinstance(row, ReportText):
        values = dict(
            kind="report_text", subkind=row.scope.partition(":")[0],
            group_id=_group_of_scope(row.scope), author_id=row.updated_by_id,
            day=local_date(row.updated_at), title="", body=_folded(row.body),
        )  # fmt: skip
    elif isinstance(row, Method):
        values = dict(
            kind="method", subkind="", group_id=None, author_id=row.created_by_id,
            day=local_date(row.updated_at), title=_folded(row.name),
            body=_folded(row.aim, row.group_size, row.materials, row.body, row.variations,
                         row.source, row.tags),
        )  # fmt: skip
    else:
        return None
    if not (values["title"] or values["body"]):
        return None
    return values | {"source_id": row.id}


# Each indexed model and its kind in the index.
_KINDS = {
    Workshop: "workshop", JournalSection: "section", Note: "note", Reply: "reply",
    ReportText: "report_text", Method: "method",
}  # fmt: skip
INDEXED = tuple(_KINDS)
# The attributes whose change changes a row's entry (flags such as hidden or deleted do not:
# who may read a row is decided when searching, from the row itself).
_TEXT = {
    Workshop: ("topic", "place", "agenda", "methods", "date"),  # and its plan: _index_flushed
    JournalSection: ("body",),
    Note: ("title", "body", "link", "created_at"),  # its day (the demo back-dates notes)
    Reply: ("body", "created_at"),
    ReportText: ("body", "updated_by_id"),
    Method: ("name", "aim", "group_size", "materials", "body", "variations", "source", "tags",
             "updated_at"),
}  # fmt: skip


def _kind(row) -> str:
    """Return the index kind of an indexed row."""
    return _KINDS[type(row)]


def write(connection, row) -> None:
    """Write the row's entry (or remove it when the row has no text) on this connection."""
    values = document_of(row)
    where = (SearchDocument.kind == _kind(row), SearchDocument.source_id == row.id)
    title = (values or {}).get("title")
    renamed = (
        isinstance(row, Method)
        and connection.scalar(select(SearchDocument.title).where(*where)) != title
    )
    if values is None:
        connection.execute(delete(SearchDocument).where(*where))
    elif connection.execute(update(SearchDocument).where(*where).values(**values)).rowcount == 0:
        connection.execute(insert(SearchDocument).values(**values))
    if isinstance(row, Workshop):
        # A workshop's sections are found under its day: a moved workshop moves them.
        sections = (
            select(JournalSection.id)
            .join(Journal, JournalSection.journal_id == Journal.id)
            .where(Journal.workshop_id == row.id)
        )
        connection.execute(
            update(SearchDocument)
            .where(SearchDocument.kind == "section", SearchDocument.source_id.in_(sections))
            .values(day=row.date)
        )
    elif renamed:
        # A workshop is found by the names of its plan's methods: a method renamed renames them.
        using = select(Workshop).join(Workshop.plan).where(WorkshopMethod.method_id == row.id)
        for workshop in db.session.scalars(using.options(_LOADS[Workshop])):
            write(connection, workshop)


def refresh(row) -> None:
    """Write the entry of a row changed by a bulk UPDATE (which the ORM does not see), from
    the row as it is in the session (journal.domain.versioned_update gives it the values)."""
    if isinstance(row, INDEXED):
        write(db.session.connection(), row)


def _changed(row) -> bool:
    """Tell whether a flushed row's searchable text (or what its entry holds) changed."""
    state = db.inspect(row)
    return any(state.attrs[name].history.has_changes() for name in _TEXT[type(row)])


@event.listens_for(Session, "after_flush")
def _index_flushed(session, _context) -> None:
    """Keep the index current with every row the ORM writes, in the same transaction."""
    connection = session.connection()
    for row in session.deleted:
        if isinstance(row, INDEXED):
            connection.execute(
                delete(SearchDocument).where(
                    SearchDocument.kind == _kind(row), SearchDocument.source_id == row.id
                )
            )
    for row in session.new:
        if isinstance(row, INDEXED):
            write(connection, row)
    for row in session.dirty:
        if isinstance(row, INDEXED) and _changed(row):
            write(connection, row)
    # A workshop is found by the names of its plan's methods too.
    planned = {row.workshop_id for row in (*session.new, *session.deleted)
               if isinstance(row, WorkshopMethod)}  # fmt: skip
    for workshop_id in planned:
        workshop = db.session.get(Workshop, workshop_id)
        if workshop is not None:
            write(connection, workshop)


# What a row's entry reads of its parents, loaded with the rows.
_LOADS = {
    Workshop: selectinload(Workshop.plan).selectinload(WorkshopMethod.method),
    JournalSection: selectinload(JournalSection.journal).selectinload(Journal.workshop),
    Reply: selectinload(Reply.note),
}


def fill_missing(batch: int = 1000) -> int:
    """Write the entry of every row that has none, and return how many were written: all of
    them in an empty index, the methods in one written before the methods library was
    searchable. A row without a word to find has no entry, and is read again each time. The
    session is emptied as it goes (its rows are expunged, the changes stay)."""
    connection = db.session.connection()
    count, pending = 0, []
    for model, kind in _KINDS.items():
        entry = select(SearchDocument.id).where(
            SearchDocument.kind == kind, SearchDocument.source_id == model.id
        )
        query = select(model).where(~entry.exists()).execution_options(yield_per=batch)
        if model in _LOADS:
            query = query.options(_LOADS[model])
        for row in db.session.scalars(query):
            values = document_of(row)
            if values is not None:
                pending.append(values)
            if len(pending) >= batch:
                connection.execute(insert(SearchDocument), pending)
                count, pending = count + len(pending), []
        db.session.expunge_all()  # a hundred thousand rows need not stay in memory
    if pending:
        connection.execute(insert(SearchDocument), pending)
    return count + len(pending)


def rebuild(batch: int = 1000) -> int:
    """Empty the index and write every row's entry again; return how many were written."""
    db.session.execute(delete(SearchDocument))
    return fill_missing(batch)


# --- The engines ------------------------------------------------------------------------------
# SQLite: an FTS5 table over search_document's folded columns, kept in step by triggers.
# PostgreSQL: a generated tsvector column (title weighs more than body) with a GIN index.
# The migration that created them (journal search) states the same statements.

SQLITE_DDL = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(title, body, content='search_document', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='2 3 4 5 6')",
    "CREATE TRIGGER search_document_ai AFTER INSERT ON search_document BEGIN "
    "INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "CREATE TRIGGER search_document_ad AFTER DELETE ON search_document BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); END",
    "CREATE TRIGGER search_document_au AFTER UPDATE ON search_document BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); "
    "INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
)
POSTGRES_DDL = (
    "ALTER TABLE search_document ADD COLUMN vector tsvector GENERATED ALWAYS AS "
    "(setweight(to_tsvector('simple', title), 'A') || "
    "setweight(to_tsvector('simple', body), 'B')) STORED",
    "CREATE INDEX ix_search_document_vector ON search_document USING gin (vector)",
)
ENGINE_OBJECTS = {"search_fts", "vector", "ix_search_document_vector"}


def is_model_object(obj, name, type_, reflected, compare_to) -> bool:
    """Tell Alembic's comparison to leave out what the engines add beside the models (the FTS5
    table and its shadow tables, the tsvector column and its index)."""
    return not (name in ENGINE_OBJECTS or (type_ == "table" and name.startswith("search_fts")))


for _statement in SQLITE_DDL:
    event.listen(
        SearchDocument.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite")
    )
for _statement in POSTGRES_DDL:
    event.listen(
        SearchDocument.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql")
    )
event.listen(
    SearchDocument.__table__,
    "before_drop",
    DDL("DROP TABLE IF EXISTS search_fts").execute_if(dialect="sqlite"),
)
