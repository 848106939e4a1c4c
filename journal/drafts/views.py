"""Autosaved drafts of text being written (journal sections, notes).

The browser (static/js/autosave.js) sends the editor's text every few seconds; the answer is
tiny. Drafts are strictly per user: every route reads and writes only the caller's own draft,
and only while the caller may edit the thing the key names (else 404).
"""

import base64
import hashlib
import hmac

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from journal.drafts import kinds, operations, queries
from journal.extensions import db
from journal.forms import positive_int
from journal.models import program_zone
from journal.permissions import require_visible

bp = Blueprint("drafts", __name__)


@bp.app_context_processor
def draft_helpers() -> dict:
    """Give templates the draft key builder."""
    return {"draft_key": kinds.draft_key}


@bp.app_template_global()
def copy_key() -> str:
    """Return the key (AES-256, base64) that encrypts the logged-in user's copies of unsaved
    text in this browser (static/js/autosave.js). Only that user's pages carry it, so another
    person on the same browser cannot read them; it is the same in every session of the user,
    so the owner reads them after logging in again. Derived from SECRET_KEY: a new secret key
    makes old copies unreadable (the drafts on the server are unaffected)."""
    secret = current_app.config["SECRET_KEY"]
    secret = secret if isinstance(secret, bytes) else secret.encode()
    digest = hmac.digest(secret, f"browser-copies:{current_user.id}".encode(), hashlib.sha256)
    return base64.b64encode(digest).decode()


@bp.app_template_global()
def autosave_texts() -> dict[str, str]:
    """Return the messages and the login address an editor's script uses (data-autosave-texts)."""
    return {
        "local": _("Ebben a böngészőben megőriztük; a kapcsolat helyreállása után elmentjük."),
        "restored": _("Visszaállítottuk a nem mentett szövegét."),
        "restoredSettings": _(
            "Visszaállítottuk a nem mentett szövegét és beállításait (például hogy ki láthatja); "
            "mentés előtt ellenőrizze őket."
        ),
        "discard": _("Elvetés"),
        "login": _(
            "A bejelentkezése lejárt. A szövegét megőriztük ebben a böngészőben és ezen a "
            "képernyőn. "
        ),
        "loginLink": _("Jelentkezzen be újra egy új lapon"),
        "loginAfter": _(", utána a mentés magától folytatódik."),
        "offline": _(
            "A mentés nem sikerült, mert megszakadt a kapcsolat. A szövegét megőriztük ebben a "
            "böngészőben; a kapcsolat helyreállása után próbálja újra."
        ),
        "server": _(
            "A mentés nem sikerült, mert hiba történt a szerveren. A szövegét megőriztük ezen a "
            "képernyőn és ebben a böngészőben; kérjük, próbálja újra."
        ),
        "denied": _(
            "Ezt a piszkozatot már nem lehet a szerveren menteni (nincs jogosultsága, vagy "
            "törölték). A szövegét ebben a böngészőben megőriztük."
        ),
        "tooLong": _("A szöveg túl hosszú a piszkozathoz; ebben a böngészőben megőriztük."),
        "loginBack": _("Újra be van jelentkezve; a szövegét elmentettük."),
        "onlineBack": _(
            "A kapcsolat helyreállt, a szövegét piszkozatként elmentettük; a végleges mentéshez "
            "próbálja újra."
        ),
        "newer": _(
            "Egy másik eszközön (vagy ablakban) újabb, nem mentett szöveget írt ehhez. Nem írtuk "
            "felül; az itteni szövegét ebben a böngészőben őrizzük."
        ),
        "compare": _("Mindkét szöveg megtekintése"),
        "discarded": _("Elvetettük a visszaállított szöveget."),
        "undo": _("Visszavonás"),
        "loginUrl": url_for("auth.login"),
    }


def _newer(draft) -> tuple[Response, int]:
    """Answer a draft write refused because another editor wrote a newer draft (409), and
    roll the request back."""
    answer = jsonify(error="newer", draft=queries.as_json(draft)), 409
    db.session.rollback()  # after the answer is made: it expires the draft
    return answer


def _saved(saved_at) -> Response:
    """Answer a kept draft with the indicator's text and the draft's new stamp."""
    # The program's zone, not Babel's formatter: this answer is sent every few seconds and must
    # be cheap.
    time = saved_at.astimezone(program_zone()).strftime("%H:%M")
    return jsonify(
        saved=time,
        text=_("Piszkozat mentve %(time)s", time=time),
        draft=operations.stamp(saved_at),
    )


def _known(data) -> str:
    """Return the stamp of the draft the browser's editor knows ("" for none)."""
    value = data.get("draft")
    return value if isinstance(value, str) else ""


@bp.put("/drafts/<key>")
@login_required
def save(key: str):
    """Keep the editor's current text (JSON: body, fields, base_version, draft) as the
    caller's draft."""
    require_visible(kinds.may_draft(current_user, key))
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        data = {}
    fields = data.get("fields") or {}
    body = data.get("body")
    # A field's value is what the editor's input holds: a text, or a checkbox's state.
    if (
        not isinstance(body, str)
        or not isinstance(fields, dict)
        or not all(isinstance(value, str | bool) for value in fields.values())
    ):
        return jsonify(error="bad", message=_("A piszkozatot nem sikerült értelmezni.")), 400
    try:
        saved_at = operations.save_draft(
            current_user, key, body, fields, positive_int(data.get("base_version")), _known(data)
        )
    except operations.NewerDraft as newer:
        return _newer(newer.draft)
    except operations.BadDraft:
        db.session.rollback()
        return jsonify(
            error="too_long",
            message=_("A szöveg túl hosszú a piszkozathoz; a böngészőben megőriztük."),
        ), 413
    response = _saved(saved_at)  # before the commit, which would expire the user's language
    db.session.commit()
    return response


@bp.delete("/drafts/<key>")
@login_required
def discard(key: str):
    """Forget the caller's draft under the key that their editor knew (thrown away)."""
    require_visible(kinds.may_draft(current_user, key))
    try:
        operations.clear_draft(current_user, key, _known(request.args))
    except operations.NewerDraft as newer:
        return _newer(newer.draft)
    db.session.commit()
    return Response(status=204)
