"""Error pages in Hungarian, as full pages or as htmx messages. A server error (5xx) is
answered without the database, which may be what failed; a plain form post it stopped gets the
page that keeps every field and sends it again (journal/expiry.py's resend page)."""

from contextlib import suppress

from flask import Flask, g, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException

from journal import security_log
from journal.domain import NotAllowed, NotYet, OutsidePeriod, StaleVersion
from journal.expiry import a_form_post, resend_page
from journal.extensions import db, login_manager
from journal.htmx import is_htmx, message_fragment


def _messages() -> dict[int, tuple[str, str]]:
    """Return the title and explanation shown for each status code."""
    return {
        400: (_("Hibás kérés"), _("A kérés nem értelmezhető.")),
        401: (
            _("Bejelentkezés szükséges"),
            _("Ehhez jelentkezzen be, majd próbálja újra."),
        ),
        403: (_("Nincs jogosultsága"), _("Ehhez az oldalhoz vagy művelethez nincs jogosultsága.")),
        404: (
            _("Nem található"),
            _("A keresett oldal nem létezik, vagy nincs jogosultsága megtekinteni."),
        ),
        405: (_("Nem engedélyezett"), _("Ez a művelet itt nem engedélyezett.")),
        409: (
            _("Ütközés"),
            _(
                "Valaki közben módosította ugyanezt. Töltse újra az oldalt, "
                "és nézze meg a változásokat, mielőtt újra menti."
            ),
        ),
        413: (_("Túl nagy kérés"), _("A beküldött adat túl nagy.")),
        422: (
            _("Hibás adatok"),
            _("A beküldött adatok nem megfelelőek. Javítsa őket, és küldje el újra."),
        ),
        429: (
            _("Túl sok kérés"),
            _("Túl sok kérés érkezett. Kérjük, várjon egy kicsit, és próbálja újra."),
        ),
        500: (
            _("Váratlan hiba"),
            _(
                "Váratlan hiba történt. Kérjük, lépjen vissza, és próbálja újra; "
                "ha a hiba ismétlődik, jelezze a program koordinátorának."
            ),
        ),
        503: (
            _("Átmenetileg nem elérhető"),
            _(
                "Az adatbázis most nem érhető el (foglalt vagy újraindul), ezért ezt nem "
                "végeztük el. Kérjük, várjon egy kicsit, és próbálja újra."
            ),
        ),
    }


def _resend_messages() -> dict[int, str]:
    """Return what a plain form post stopped by a server error is told (its text is kept)."""
    return {
        500: _(
            "Váratlan hiba miatt ezt nem mentettük el. Amit beírt, itt maradt: kattintson az "
            "„Újraküldés” gombra; ha a hiba ismétlődik, jelezze a program koordinátorának."
        ),
        503: _(
            "Az adatbázis most nem érhető el (foglalt vagy újraindul), ezért ezt nem mentettük "
            "el. Amit beírt, itt maradt: várjon egy kicsit, majd kattintson az „Újraküldés” "
            "gombra."
        ),
    }


def without_database() -> None:
    """Answer the rest of this request without the database, which may be what failed (locked,
    unreachable): the transaction is dropped and the signed-in user is not read again (the
    error page shows no menus, and the security log takes the user's id from the session)."""
    g.without_database = True
    with suppress(SQLAlchemyError):
        db.session.rollback()
    g._login_user = login_manager.anonymous_user()


def _sent_method() -> str:
    """Return the method the client sent (a HEAD reads as GET in the views: journal.AppRequest)."""
    return request.environ["REQUEST_METHOD"]


def log_server_error(exc_info) -> None:
    """Log an unexpected error once, with its traceback, without touching the database."""
    without_database()
    security_log.event("server.error", exc_info=exc_info, method=_sent_method(), path=request.path)


def handle_http_error(error: HTTPException):
    """Render an HTTP error in Hungarian."""
    return _answer(error.code or 500)


# What the security log calls the errors it records.
_LOGGED = {403: "access.denied", 404: "not_found", 413: "request.too_large", 429: "rate_limited"}


def _answer(code: int):
    """Answer an error code with its Hungarian page (or htmx message)."""
    if code in _LOGGED:
        security_log.event(_LOGGED[code], status=code, method=_sent_method(), path=request.path)
    if code >= 500:
        without_database()
    # Never Werkzeug's English name and description, whatever the code.
    title, message = _messages().get(
        code, (_("Hiba"), _("A kérést nem sikerült teljesíteni. Kérjük, próbálja újra."))
    )
    resend = _resend_messages().get(code) if code >= 500 and a_form_post() else None
    if resend:
        return resend_page(resend, code, title=title, reference=security_log.request_id())
    if is_htmx():
        if code == 404 and request.method != "GET":
            # An action on something that was there when the page was loaded.
            message = _(
                "Ez már nem érhető el: közben törölték, vagy megszűnt a hozzáférése. A műveletet "
                "nem végeztük el; ha írt valamit, az itt maradt az oldalon."
            )
        return message_fragment(message, code)
    reference = security_log.request_id() if code >= 500 else None
    page = render_template("errors/error.html", title=title, message=message, reference=reference)
    return page, code


def handle_database_unavailable(error: OperationalError):
    """Answer a database that is locked or unreachable with 503, keeping what was sent."""
    log_server_error((type(error), error, error.__traceback__))
    return _answer(503)


# What a domain error no view caught means (journal/domain.py).
_DOMAIN_CODES = {NotAllowed: 403, StaleVersion: 409, NotYet: 422, OutsidePeriod: 422}


def handle_domain_error(error: Exception):
    """Answer a domain error no view caught, as the HTTP error it means."""
    db.session.rollback()
    return _answer(_DOMAIN_CODES[type(error)])


def init_app(app: Flask) -> None:
    """Register the error handlers. An unexpected exception is logged by Flask (with its
    traceback) and then answered by the 500 handler here, as InternalServerError."""
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(OperationalError, handle_database_unavailable)
    for error in _DOMAIN_CODES:
        app.register_error_handler(error, handle_domain_error)
