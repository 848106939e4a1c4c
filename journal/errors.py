"""Error pages in Hungarian, as full pages or as htmx messages."""

from flask import Flask, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from journal.extensions import db
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
    }


def handle_http_error(error: HTTPException):
    """Render an HTTP error in Hungarian."""
    code = error.code or 500
    # Never Werkzeug's English name and description, whatever the code.
    title, message = _messages().get(
        code, (_("Hiba"), _("A kérést nem sikerült teljesíteni. Kérjük, próbálja újra."))
    )
    if is_htmx():
        if code == 404 and request.method != "GET":
            # An action on something that was there when the page was loaded.
            message = _(
                "Ez már nem érhető el: közben törölték, vagy megszűnt a hozzáférése. A műveletet "
                "nem végeztük el; ha írt valamit, az itt maradt az oldalon."
            )
        return message_fragment(message, code)
    return render_template("errors/error.html", title=title, message=message), code


def handle_unexpected(error: Exception):
    """Roll back and answer a Hungarian 500 page."""
    db.session.rollback()
    if isinstance(error, HTTPException):
        return handle_http_error(error)
    title, message = _messages()[500]
    if is_htmx():
        return message_fragment(message, 500)
    return render_template("errors/error.html", title=title, message=message), 500


def init_app(app: Flask) -> None:
    """Register the error handlers."""
    app.register_error_handler(HTTPException, handle_http_error)
    if not app.testing:
        app.register_error_handler(Exception, handle_unexpected)
