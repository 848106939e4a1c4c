"""An expired login or CSRF token, in one place: the CSRF check of every write, what each kind
of request gets back, and the page that keeps a refused form's fields and sends them again.
Nothing typed is ever lost."""

import re

from flask import (
    Flask,
    Response,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from wtforms import HiddenField, PasswordField, StringField

from journal import security_log
from journal.extensions import csrf, login_manager
from journal.htmx import is_htmx, message_fragment
from journal.links import split_url

SENSITIVE_FIELDS = {"csrf_token", "password", "confirm", "current"}


def is_sensitive(name: str) -> bool:
    """Tell whether a posted field is never written back into a page: a secret, under any
    form prefix ("codes-password")."""
    return name.rpartition("-")[2] in SENSITIVE_FIELDS


def check_csrf() -> None:
    """Refuse a write that may have been forged by another site (CSRFError).

    An htmx request or a page's script (the `HX-Request` header) from one of this site's own
    pages (`Sec-Fetch-Site: same-origin`, which every current browser sends) proves its origin
    by its headers: no other site can send that header without a CORS preflight this app never
    allows (ASVS 5.0 3.5.1), so a token gone stale with a renewed session never refuses it.
    Everything else (a plain form, an older browser) needs the session's token.
    """
    if not current_app.config["WTF_CSRF_ENABLED"]:
        return
    if is_htmx() and request.headers.get("Sec-Fetch-Site") == "same-origin":
        g.csrf_valid = True  # what Flask-WTF's forms read as "checked"
        return
    csrf.protect(apply_exemptions=True)


def path_only(url: str) -> str:
    """Keep the path and query of a URL (the login page checks it again)."""
    parts = split_url(url)
    if parts is None:
        return "/"
    return parts.path + (f"?{parts.query}" if parts.query else "")


@login_manager.unauthorized_handler
def unauthorized() -> Response:
    """Answer a request that needs a login it no longer has, keeping whatever was typed."""
    # Where a script's or htmx's page goes to log in again, and back to after it.
    back = request.headers.get("HX-Current-URL") or request.full_path
    login_again = {"HX-Redirect": url_for("auth.login", next=path_only(back))}
    if request.is_json or request.accept_mimetypes.best == "application/json":
        # A page's script that reads JSON (autosave), retrying every few seconds: no flashed
        # message to pile up on the login page. 401 tells autosave to keep the text and wait.
        response = jsonify(error="login", message=_("A bejelentkezése lejárt."))
        response.status_code = 401
        response.headers.update(login_again)
        return response
    if a_form_post():
        # A form sent after the login expired: keep what was typed (a redirect would lose it,
        # and the login page could only come back to the form's address with a GET).
        message = logged_out_message(_("az „Újraküldés” gombra"))
        return resend_page(message, 401, title=_("Lejárt a bejelentkezése"))
    if request.method != "GET" and is_htmx():
        # An action (the user may have typed something on the page): a message, not a redirect
        # that would take the page and its text away. 401 still tells autosave to wait.
        return message_fragment(logged_out_message(_("a gombra")), 401)
    flash(str(login_manager.login_message), login_manager.login_message_category)
    if is_htmx():
        # htmx would otherwise swap the login page into a fragment; redirect the whole page.
        return Response(status=401, headers=login_again)
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def form_classes() -> list[type[FlaskForm]]:
    """Return every form class of the app (all are imported once the app is built)."""
    found, todo = [], [FlaskForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("journal."):
                found.append(sub)
    return found


def _is_typed(field) -> bool:
    """Tell whether a person types this field (text, e-mail, date…, not hidden or secret)."""
    return isinstance(field, StringField) and not isinstance(field, HiddenField | PasswordField)


def _typed_labels(names: list[str]) -> dict[str, str]:
    """Return {name: label} of the fields a person types, from the form class that the posted
    field names fit best, so each label is the one the person saw on the form. A page of
    several prefixed forms ("s12-body", "s13-body": the journal's write mode) is read as one
    form per prefix, numbered in the page's order ("Szöveg (2.)")."""
    prefixes = list(dict.fromkeys(m[1] for n in names if (m := _PREFIXED.match(n))))
    plain = {(m[2] if (m := _PREFIXED.match(n)) else n) for n in names}
    best, matched = {}, 0
    for form_class in form_classes():
        form = form_class(formdata=None, meta={"csrf": False})
        count = sum(field.name in plain for field in form)
        if count > matched:
            matched = count
            best = {field.name: str(field.label.text) for field in form if _is_typed(field)}
    for number, prefix in enumerate(prefixes, 1):
        for name, label in list(best.items()):
            if f"{prefix}-{name}" in names:
                best[f"{prefix}-{name}"] = f"{label} ({number}.)"
    return best


# A field of one of several forms on a page, named with its form's prefix.
_PREFIXED = re.compile(r"^(s\d+)-(.+)$")


def resend_page(message: str, status: int, title: str | None = None, reference: str | None = None):
    """Answer a refused form post with a page that keeps every field the user typed and sends
    it again (the form's own address, with a fresh CSRF token)."""
    kept = [(k, v) for k, v in request.form.items(multi=True) if not is_sensitive(k)]
    labels = _typed_labels([k for k, _v in kept])
    typed = [(k, labels[k], v) for k, v in kept if k in labels]
    hidden = [(k, v) for k, v in kept if k not in labels]
    return render_template(
        "errors/csrf.html",
        title=title or _("Az űrlap lejárt"),
        message=message,
        fields=typed,
        hidden=hidden,
        action=request.full_path.rstrip("?"),
        reference=reference,
    ), status


def _login_link() -> Markup:
    """Return a link to the login page that opens in a new tab (this page keeps the text)."""
    return Markup('<a href="{}" target="_blank" rel="noopener">{}</a>').format(
        url_for("auth.login"), _("jelentkezzen be újra egy új lapon")
    )


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
    parts = split_url(source)
    if parts is None or not parts.netloc:
        return False
    return f"{parts.scheme}://{parts.netloc}/" == request.host_url


def a_form_post() -> bool:
    """Tell whether this is a plain (not htmx) form post with fields, from one of our pages."""
    if request.method != "POST" or is_htmx():
        return False
    return bool(set(request.form) - {"csrf_token"}) and from_this_site()


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

    An htmx action (only from a browser that does not say where a request comes from) gets a
    message: reloading the page gives it a fresh token, and autosave puts back what was typed;
    a plain form post from one of our pages gets a page that keeps the fields and sends them
    again; a post from anywhere else is refused without either.
    """
    security_log.event("csrf.failure", reason=error.description, path=request.path)
    if is_htmx():
        if current_user.is_authenticated:
            message = _(
                "Biztonsági okból lejárt az oldal érvényessége, ezért ezt nem végeztük el. "
                "Töltse be újra az oldalt, és próbálja meg ismét; a beírt szöveget a böngésző "
                "megőrizte."
            )
        else:
            message = logged_out_message(_("a gombra"))
        return message_fragment(message, 400)
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


def init_app(app: Flask) -> None:
    """Register the CSRF check and its handler."""
    app.before_request(check_csrf)
    app.register_error_handler(CSRFError, handle_csrf_error)
