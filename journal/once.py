"""One-time form keys: a form that creates something (a note, a reply, a workshop, a guest, a
method, a person, a link…) carries a hidden key made when the page was rendered, and the
same form sent twice (a double click, the resend page after a lost answer, two tabs) creates
one thing.

The key is written in the request's own transaction, before the view runs: it is committed
with what the view creates, or rolled back with it (a refused form can be sent again). The
key is the table's primary key, so of two identical posts at once only one can write it:
SQLite's BEGIN IMMEDIATE runs them one after the other, and on PostgreSQL the second insert
waits for the first transaction and then fails on the key. The second is answered as a
repeat: a plain form is sent where the first answer sent it, an htmx action gets a message.
"""

import secrets
from datetime import timedelta

from flask import Flask, Response, flash, g, redirect, request
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from journal.extensions import db
from journal.htmx import is_htmx, message_fragment
from journal.links import safe_next
from journal.models import SubmittedForm, utcnow

FIELD = "form_key"
# A key is kept this long: longer than any form stays open and is sent again.
KEPT = timedelta(days=2)


def form_key_field() -> Markup:
    """Return the hidden one-time key of a form that creates something (in its template)."""
    # A board has one per note (the reply forms); URL-safe base64 needs no escaping, so the
    # field is joined as a string rather than formatted through Markup.format.
    return Markup(f'<input type="hidden" name="{FIELD}" value="{secrets.token_urlsafe(24)}">')


def _key() -> str | None:
    """Return the one-time key this post carries, if it is a post with a usable one."""
    key = request.form.get(FIELD, "") if request.method == "POST" else ""
    return key if 16 <= len(key) <= 64 else None


def _repeated(key: str) -> Response:
    """Answer a form sent again: nothing created, the browser sent where the first went."""
    earlier = db.session.get(SubmittedForm, key)
    location = safe_next(earlier.location if earlier else None)
    message = _("Ezt már elküldte: egyszer mentettük el.")
    if is_htmx():
        return message_fragment(message, 200, category="info")
    flash(message, "info")
    return redirect(location or request.full_path.rstrip("?"), 303)


def claim_key() -> Response | None:
    """Write this post's one-time key before its view runs; answer a repeat instead."""
    key = _key()
    if key is None:
        return None
    if db.session.get(SubmittedForm, key) is not None:
        return _repeated(key)
    db.session.execute(delete(SubmittedForm).where(SubmittedForm.created_at < utcnow() - KEPT))
    g.form_key = SubmittedForm(key=key)
    db.session.add(g.form_key)
    try:
        db.session.flush()
    except IntegrityError:  # the same form, sent at the same moment, was saved first
        db.session.rollback()
        return _repeated(key)
    return None


def note_answer(response: Response) -> Response:
    """Remember where a plain form post that saved its key sent the browser, for a repeat of
    it (a key its view did not commit is rolled back with the request: nothing was made)."""
    row = g.get("form_key")
    if row is None or row in db.session.new or response.status_code != 303:
        return response
    try:
        db.session.execute(
            update(SubmittedForm)
            .where(SubmittedForm.key == row.key, SubmittedForm.location.is_(None))
            .values(location=(response.location or "")[:500] or None)
        )
        db.session.commit()
    except SQLAlchemyError:  # only the way back for a repeat is lost, never what was saved
        db.session.rollback()
    return response


def init_app(app: Flask) -> None:
    """Check one-time keys on every post, and offer the field to templates."""
    app.before_request(claim_key)
    app.after_request(note_answer)
    app.jinja_env.globals["form_key_field"] = form_key_field
