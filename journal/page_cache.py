"""A per-worker cache of rendered pages that is correct by construction.

A page is stored under (page, user, language, URL, today's date, data version). The data
version is one counter row in the database that every write bumps inside its own
transaction (from a SQLAlchemy flush event and from any INSERT/UPDATE/DELETE executed through
the session), and it is read in the same query as the logged-in user. So:

- any committed change to any table makes every older entry unreachable (a rolled-back write
  rolls its bump back too, and the version only grows);
- an entry belongs to one user id and is never served to anybody else;
- the login check (active account, per-user session token) still runs on every request
  before the cache is consulted, so logout and deactivation take effect at once;
- a request whose session holds flash messages neither reads nor fills the cache, and the
  per-session CSRF token is kept out of the stored body (it is stored in pieces around the
  token, and the current session's token is put in when the page is served).

Only full-page GETs that answer 200 are cached; htmx fragments and errors never are.
"""

import functools
import hmac
import threading
from collections import OrderedDict
from collections.abc import Callable

from flask import current_app, g, make_response, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import BigInteger, Integer, bindparam, event, insert, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from journal.extensions import db, login_manager
from journal.htmx import is_htmx
from journal.i18n import choose_locale
from journal.models import User, local_today

MAX_ENTRIES = 256


class DataVersion(db.Model):
    """One row whose counter grows with every write to the database."""

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


@event.listens_for(DataVersion.__table__, "after_create")
def _first_row(target, connection, **_kw) -> None:
    """Give a database made with create_all (the tests) its counter row."""
    connection.execute(insert(target).values(id=1, value=0))


_BUMP = update(DataVersion.__table__).values(value=DataVersion.__table__.c.value + 1)


def _bump(session: Session) -> None:
    """Increase the data version inside the session's current transaction (once per
    transaction: the flag is dropped whenever any transaction or savepoint ends, so a bump
    undone by a savepoint's rollback is made again by the next write).

    Without the row (a database emptied by hand) the version reads as NULL and nothing is
    cached, so a missing row can only make pages slower, never stale.
    """
    if session.info.get("data_version_bumped"):
        return
    session.connection().execute(_BUMP)
    session.info["data_version_bumped"] = True


@event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session: Session, transaction) -> None:
    """Forget the bump when a transaction or savepoint ends (committed or rolled back);
    not when a flush's own inner subtransaction does."""
    if transaction.parent is None or transaction.nested:
        session.info.pop("data_version_bumped", None)


@event.listens_for(Session, "after_soft_rollback")
def _soft_rollback(session: Session, _previous) -> None:
    """Forget the bump after a rollback too."""
    session.info.pop("data_version_bumped", None)


@event.listens_for(Session, "before_flush")
def _on_flush(session: Session, _context, _instances) -> None:
    """Bump the version when the unit of work is about to write anything."""
    if session.new or session.dirty or session.deleted:
        _bump(session)


@event.listens_for(Session, "do_orm_execute")
def _on_execute(state) -> None:
    """Bump the version for INSERT/UPDATE/DELETE statements executed through the session."""
    if state.is_insert or state.is_update or state.is_delete:
        _bump(state.session)


def version_column():
    """Return a scalar subquery of the data version, to be read beside the user."""
    return db.select(DataVersion.value).where(DataVersion.id == 1).scalar_subquery().label("dv")


class _Store:
    """A bounded, thread-safe LRU mapping of keys to rendered bodies."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[tuple, list[bytes]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple) -> list[bytes] | None:
        with self.lock:
            body = self.entries.get(key)
            if body is not None:
                self.entries.move_to_end(key)
            return body

    def put(self, key: tuple, body: list[bytes]) -> None:
        with self.lock:
            self.entries[key] = body
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


def _store() -> _Store:
    """Return this app's store (one per app: ids and versions mean nothing across apps)."""
    return current_app.extensions.setdefault("page_cache", _Store(MAX_ENTRIES))


def _usable() -> bool:
    """Tell whether this request may use the cache at all."""
    return (
        request.method == "GET"
        and current_app.config.get("PAGE_CACHE", True)
        and not is_htmx()
        and "_flashes" not in session
    )


def _key(user_id: int, language: str | None, version: int) -> tuple:
    """Return the cache key of this request's page for this user."""
    where = (request.scheme, request.host, request.path, request.query_string)
    return (request.endpoint, user_id, choose_locale(language), where, local_today(), version)


def _answer(parts: list[bytes]):
    """Answer a cached body, with this session's CSRF token put in."""
    response = make_response(generate_csrf().encode().join(parts))
    response.vary.add("HX-Request")
    response.headers["X-Page-Cache"] = "hit"
    return response


_USER = select(
    User.__table__.c.session_token,
    User.__table__.c.active,
    User.__table__.c.language,
    select(DataVersion.__table__.c.value)
    .where(DataVersion.__table__.c.id == 1)
    .scalar_subquery()
    .label("value"),
).where(User.__table__.c.id == bindparam("id"))


def serve_from_cache():
    """Before the view: answer a cached page after the full login check, without the ORM.

    The check is the one journal.security.load_user makes (active account, per-user session
    token), done in one Core query that also reads the data version. Anything unusual (no
    user in the session, a session-protection mismatch, a failed check, a miss) falls
    through to the normal path, which decides as it always does.
    """
    view = current_app.view_functions.get(request.endpoint)
    if not getattr(view, "page_cached", False) or not _usable():
        return None
    user_id, _, token = (session.get("_user_id") or "").partition(":")
    if not user_id.isdigit() or not token:
        return None
    if session.get("_id") != login_manager._session_identifier_generator():
        return None
    # A Core connection of its own: cheaper than the ORM session, and its short read
    # transaction ends before the answer goes out.
    with db.engine.connect() as connection:
        row = connection.execute(_USER, {"id": int(user_id)}).first()
    if row is None or not row.active or row.value is None:
        return None
    if not hmac.compare_digest(row.session_token.encode(), token.encode()):
        return None
    body = _store().get(_key(int(user_id), row.language, row.value))
    return None if body is None else _answer(body)


def cached_page(view: Callable) -> Callable:
    """Keep the page a view renders, for serve_from_cache to answer next time.

    Put it below @login_required, so the login check runs first.
    """

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        version = g.get("data_version")
        usable = version is not None and current_user.is_authenticated and _usable()
        key = _key(current_user.id, current_user.language, version) if usable else None
        if key is not None and (body := _store().get(key)) is not None:
            return _answer(body)  # the normal path, when serve_from_cache fell through
        response = make_response(view(*args, **kwargs))
        if (
            key is not None
            and response.status_code == 200
            and not response.direct_passthrough
            and "_flashes" not in session
        ):
            # Stored in pieces around the session's CSRF token, which is put back per request.
            _store().put(key, response.get_data().split(generate_csrf().encode()))
            response.headers["X-Page-Cache"] = "miss"
        return response

    wrapper.page_cached = True
    return wrapper


def init_app(app) -> None:
    """Answer cached pages before the views (after the rate limiter's own check)."""
    app.before_request(serve_from_cache)
