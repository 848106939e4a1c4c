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
  per-session CSRF token is kept out of the stored body (a placeholder is stored and the
  current session's token is put in when the page is served).

Only full-page GETs that answer 200 are cached; htmx fragments and errors never are.
"""

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date

from flask import current_app, g, make_response, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import BigInteger, Integer, event, insert, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from journal.extensions import db
from journal.htmx import is_htmx

MAX_ENTRIES = 256
CSRF_PLACEHOLDER = "\x00csrf\x00"


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
    """Increase the data version inside the session's current transaction.

    Without the row (a database emptied by hand) the version reads as NULL and nothing is
    cached, so a missing row can only make pages slower, never stale.
    """
    session.connection().execute(_BUMP)


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
        self.entries: OrderedDict[tuple, str] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple) -> str | None:
        with self.lock:
            body = self.entries.get(key)
            if body is not None:
                self.entries.move_to_end(key)
            return body

    def put(self, key: tuple, body: str) -> None:
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


def _key(endpoint: str) -> tuple | None:
    """Return the cache key of this request, or None when it must not use the cache."""
    version = g.get("data_version")
    if (
        version is None
        or not current_app.config.get("PAGE_CACHE", True)
        or request.method != "GET"
        or is_htmx()
        or "_flashes" in session
        or not current_user.is_authenticated
    ):
        return None
    return (endpoint, current_user.id, str(get_locale()), request.url, date.today(), version)


def cached_page(view: Callable) -> Callable:
    """Serve a page from the cache when its data has not changed since it was rendered.

    Put it below @login_required, so the login check runs first.
    """

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        key = _key(view.__qualname__)
        if key is not None:
            body = _store().get(key)
            if body is not None:
                response = make_response(body.replace(CSRF_PLACEHOLDER, generate_csrf()))
                response.vary.add("HX-Request")
                response.headers["X-Page-Cache"] = "hit"
                return response
        response = make_response(view(*args, **kwargs))
        if (
            key is not None
            and response.status_code == 200
            and not response.direct_passthrough
            and "_flashes" not in session
        ):
            body = response.get_data(as_text=True)
            _store().put(key, body.replace(generate_csrf(), CSRF_PLACEHOLDER))
            response.headers["X-Page-Cache"] = "miss"
        return response

    return wrapper
