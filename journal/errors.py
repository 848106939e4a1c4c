"""Error pages in Hungarian, as full pages or as htmx messages."""

from urllib.parse import urlsplit

from flask import Flask, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from werkzeug.exceptions import HTTPException

from journal.extensions import db
from journal.htmx import is_htmx, message_fragment

SENSITIVE_FIELDS = {"csrf_token", "password", "confirm", "current"}

# The fields a person types, by their form name, labelled on the page that resends an
# expired form. Every other kept field (versions, choices, flags) goes back as it came, hidden.
TYPED_FIELDS = {
    "title": _l("Cím"),
    "body": _l("Szöveg"),
    "link": _l("Link (nem kötelező)"),
    "reason": _l("Indoklás"),
    "email": _l("E-mail-cím"),
    "family_name": _l("Vezetéknév"),
    "given_name": _l("Keresztnév"),
    "name": _l("Név"),
    "institution": _l("Intézmény"),
    "settlement": _l("Település"),
    "place": _l("Helyszín"),
    "topic": _l("Téma"),
    "agenda": _l("Rövid program"),
    "methods": _l("Alkalmazott módszerek"),
    "date": _l("Dátum"),
    "start_time": _l("Kezdés"),
    "end_time": _l("Befejezés"),
}


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


def _login_link() -> Markup:
    """Return a link to the login page that opens in a new tab (this page keeps the text)."""
    return Markup('<a href="{}" target="_blank" rel="noopener">{}</a>').format(
        url_for("auth.login"), _("jelentkezzen be újra egy új lapon")
    )


def resend_page(message: str, status: int, title: str | None = None):
    """Answer a refused form post with a page that keeps every field the user typed and sends
    it again (the form's own address, with a fresh CSRF token)."""
    kept = [(k, v) for k, v in request.form.items(multi=True) if k not in SENSITIVE_FIELDS]
    typed = [(k, TYPED_FIELDS[k], v) for k, v in kept if k in TYPED_FIELDS]
    hidden = [(k, v) for k, v in kept if k not in TYPED_FIELDS]
    return render_template(
        "errors/csrf.html",
        title=title or _("Az űrlap lejárt"),
        message=message,
        fields=typed,
        hidden=hidden,
        action=request.full_path.rstrip("?"),
    ), status


def logged_out_message(button: str) -> Markup:
    """Return what a form post of an expired login answers: log in again in a new tab (this
    page keeps the text), then press `button` again."""
    return Markup(
        _(
            "Lejárt a bejelentkezése, ezért ezt nem végeztük el. Kérjük, %(login)s, majd "
            "kattintson ismét %(button)s; amit beírt, itt maradt.",
            login=_login_link(),
            button=button,
        )
    )


def from_this_site() -> bool:
    """Tell whether a form post comes from one of this site's own pages. A post forged by
    another site (which fails the CSRF check) must never become a page that offers to send it
    again with a valid token."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site == "same-origin"
    source = request.headers.get("Origin") or request.headers.get("Referer") or ""
    parts = urlsplit(source)
    return bool(parts.netloc) and f"{parts.scheme}://{parts.netloc}/" == request.host_url


def foreign_post():
    """Answer a post that did not come from this site: nothing done, nothing kept, and no new
    session (the bare layout asks for no token, so a visitor's login is left alone)."""
    message = _(
        "Ez a kérés nem a Műhelynapló egyik oldaláról érkezett, ezért nem végeztük el. Ha Ön "
        "indította, nyissa meg a Műhelynaplót, és próbálja újra onnan."
    )
    return render_template(
        "errors/error.html", title=_("Hibás kérés"), message=message, bare=True
    ), 400


def handle_csrf_error(error: CSRFError):
    """Explain an expired form and keep every field the user typed.

    An htmx action gets a message and the X-CSRF-Expired header (static/js/csrf.js renews the
    token and sends the form again when the user is still logged in); a plain form post from
    one of our pages gets a page that keeps the fields and sends them again; a post from
    anywhere else is refused without either.
    """
    if is_htmx():
        if current_user.is_authenticated:
            message = _(
                "Biztonsági okból lejárt az oldal érvényessége, ezért ezt nem végeztük el. "
                "Kattintson ismét a gombra; amit beírt, itt maradt."
            )
        else:
            message = logged_out_message(_("a gombra"))
        response = message_fragment(message, 400)
        response.headers["X-CSRF-Expired"] = "1"
        return response
    if not from_this_site():
        return foreign_post()
    if current_user.is_authenticated:
        message = _(
            "Biztonsági okból lejárt az űrlap érvényessége (például mert sokáig nyitva volt). "
            "A beírt szöveget megőriztük: kattintson az „Újraküldés” gombra."
        )
        return resend_page(message, 400)
    message = logged_out_message(_("az „Újraküldés” gombra"))
    return resend_page(message, 400, title=_("Lejárt a bejelentkezése"))


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
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    if not app.testing:
        app.register_error_handler(Exception, handle_unexpected)
