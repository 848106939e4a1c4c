"""Shared notes: the group's board, inline editing, replies, "Nálam is" and moderation."""

import contextlib
from urllib.parse import parse_qsl

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from limits import parse
from werkzeug.datastructures import MultiDict

from journal import security_log
from journal.drafts.forms import form_fields, with_draft
from journal.drafts.kinds import draft_key
from journal.drafts.operations import NewerDraft, clear_draft, stamp
from journal.drafts.queries import drafts_of_kind
from journal.extensions import db, limiter
from journal.forms import positive_int
from journal.groups.queries import group_or_404
from journal.htmx import after_action, message_fragment, render, retargeted, wants_fragment
from journal.i18n import long_date, person_key, sort_hungarian
from journal.links import UrlPattern, split_url
from journal.markdown import plain_excerpt
from journal.models import ME_TOO_KINDS, Group, Note, NoteKind, Workshop, local_today, utcnow
from journal.notes import operations, queries
from journal.notes.forms import REASON_MAX, REPLY_MAX, HideForm, NoteForm, ReplyForm, kind_labels
from journal.permissions import (
    can_add_note,
    can_edit_note,
    can_moderate_note,
    can_pick_note_for_report,
    can_react_to_note,
    can_reply_to_note,
    can_view_note,
    is_mentor_of,
    require,
    require_visible,
)

bp = Blueprint("notes", __name__)

# A note longer than about a phone screen shows its beginning, and the rest behind "tovább".
LONG_NOTE = 700
EXCERPT = 280


@bp.app_context_processor
def note_labels() -> dict:
    """Give templates the Hungarian names of note kinds and the restore window."""
    return {
        "note_kind_labels": kind_labels(),
        "me_too_kinds": ME_TOO_KINDS,
        "note_restore_days": queries.RESTORE_WINDOW.days,
        "note_mentor_ids": queries.mentor_ids,
        "note_by_mentor": note_by_mentor,
        "hungarian_names": hungarian_names,
        "note_limits": {"reply": REPLY_MAX, "reason": REASON_MAX},
        "note_excerpt": note_excerpt,
        "note_addresses": note_addresses,
    }


# The endpoints of a note's page and of its actions, whose addresses a page of notes asks for.
NOTE_ENDPOINTS = (
    "show", "edit", "delete", "restore", "metoo", "reply", "hide", "unhide", "pick", "consent",
)  # fmt: skip


class _NoteAddresses:
    """The addresses of notes' actions by endpoint name, each a function of the note's id,
    built through the URL map when first asked for: a page of notes asks for each once per
    note, a one-note fragment for one or two of them."""

    def __getattr__(self, name: str):
        """Build the endpoint's pattern (only for a name not yet set) and keep it."""
        if name not in NOTE_ENDPOINTS:
            raise AttributeError(name)
        fill = UrlPattern(f"notes.{name}", "note_id").fill
        setattr(self, name, fill)
        return fill


def note_addresses() -> _NoteAddresses:
    """Return this request's addresses of notes' actions."""
    if "note_addresses" not in g:
        g.note_addresses = _NoteAddresses()
    return g.note_addresses


def note_by_mentor(note: Note) -> bool:
    """Tell whether the note's author mentors its group (no query for one's own note)."""
    if note.author_id == current_user.id:
        return is_mentor_of(current_user, note.group)
    return note.author_id in queries.mentor_ids(note.group_id)


def note_excerpt(note: Note) -> str | None:
    """Return the beginning of a long note's text as plain text; None for a short note."""
    if len(note.body) <= LONG_NOTE and note.body.count("\n") < 12:
        return None
    return plain_excerpt(note.body, EXCERPT)


def hungarian_names(users) -> str:
    """Join people's names in Hungarian alphabetical order."""
    return ", ".join(u.full_name for u in sort_hungarian(users, key=person_key))


def _note(note_id: int, load=queries.note_with_everything) -> Note:
    """Load a note the user may see, with what its fragment shows (`load`), or answer 404."""
    note = load(note_id)
    require_visible(note is not None and can_view_note(current_user, note))
    return note


def _live_note(note_id: int, load=queries.note_with_everything) -> Note:
    """Load a visible note that is not deleted, or answer 404."""
    note = _note(note_id, load)
    require_visible(note.deleted_at is None)
    return note


def _note_form(note: Note | None = None) -> NoteForm:
    """Return the note form, filled from the note when it is first opened."""
    form = NoteForm(obj=note) if request.method == "GET" else NoteForm()
    if note is not None and request.method == "GET":
        form.kind.data = note.kind.value
        form.workshop.data = str(note.workshop_id or "")
        form.version.data = str(note.version)
    elif note is None and request.method == "GET" and positive_int(request.args.get("workshop")):
        form.workshop.data = request.args["workshop"]
    return form


# The note form's controls that a draft keeps besides the text (autosave.js "fields").
DRAFT_FIELDS = ("kind", "title", "link", "workshop", "mentor_only", "hide_reactors")


def _new_note_form(
    group: Group, workshops: list[Workshop] | None = None
) -> tuple[NoteForm | None, dict | None]:
    """Return the new-note form (None if the user may not add one) with the user's unsaved
    draft put back, and what with_draft returned; a list fragment shows no form. The
    group's workshops are read unless given."""
    form = _note_form() if can_add_note(current_user, group) else None
    if form is None or (wants_fragment() and request.endpoint != "notes.create"):
        return form, None
    form = _with_choices(form, group, workshops)
    return form, with_draft(form, draft_key("note", "new", "group", group.id), DRAFT_FIELDS)


def _with_choices(
    form: NoteForm, group: Group, workshops: list[Workshop] | None = None
) -> NoteForm:
    """Give the form the group's workshops (read unless given) to choose from (only when it
    is shown); a new note (no choice made yet) written on a workshop's day is about that
    workshop."""
    if workshops is None:
        workshops = queries.group_workshops(group)
    form.workshop.choices = [("", _("— a csoport faliújságjára —"))] + [
        (str(w.id), f"{long_date(w.date)} – {w.topic}") for w in workshops
    ]
    if form.workshop.data is None:
        today = local_today()
        form.workshop.data = next((str(w.id) for w in workshops if w.date == today), "")
    return form


def _chosen_workshop(form: NoteForm, group: Group) -> Workshop | None:
    """Return the workshop chosen in the form, or add an error to it."""
    value = form.workshop.data or ""
    if not value:
        return None
    workshop_id = positive_int(value)
    workshop = db.session.get(Workshop, workshop_id) if workshop_id else None
    if workshop is None or workshop.group_id != group.id:
        form.workshop.errors.append(_("Válasszon a csoport alkalmai közül."))
        return None
    return workshop


def _values(form: NoteForm, workshop: Workshop | None) -> dict:
    """Return the note's fields from a validated form."""
    return {
        "kind": NoteKind(form.kind.data),
        "title": form.title.data,
        "body": form.body.data or "",
        "link": form.link.data or "",
        "workshop": workshop,
        "mentor_only": bool(form.mentor_only.data),
        "hide_reactors": bool(form.hide_reactors.data),
    }


def _board_url(note: Note) -> str:
    """Return the board address, at this note."""
    return url_for("notes.board", slug=note.group.slug) + f"#note-{note.id}"


def _rate_limited() -> bool:
    """Count one new note of the user against the per-minute limit; tell whether it is over."""
    if not limiter.enabled:
        return False
    limit = parse(current_app.config["NOTE_RATE_LIMIT"])
    return not limiter.limiter.hit(limit, "notes-add", str(current_user.id))


def _board_context(
    group: Group,
    filters: queries.BoardFilters | None = None,
    workshops: list[Workshop] | None = None,
) -> dict:
    """Return what the board's list needs (filters from the query string unless given) and,
    for the whole page, the filter form's choices: the group's workshops (read unless given)
    and the notes' authors. An htmx answer is the list alone: a poll or a post reads neither."""
    filters = filters or queries.BoardFilters.from_args(request.args)
    context = {
        "group": group,
        "filters": filters,
        # The token first: a note committed between the two reads is then in the list, and its
        # poll brings the list again (read after it, the token would say it had been seen).
        "token": queries.board_token(current_user, group),
        "board": queries.board(current_user, group, filters),
        "poll_seconds": current_app.config["NOTES_POLL_SECONDS"],
    }
    if not wants_fragment():
        context["workshops"] = queries.group_workshops(group) if workshops is None else workshops
        context["authors"] = queries.note_authors(current_user, group)
    return context


def _list_filters() -> queries.BoardFilters:
    """Return the filters of the list the new-note form was posted beside: the list's own (it
    gives the form its query, `list`, as a filter or a page link changed it), else those of
    the form's address."""
    shown = request.form.get("list")
    return queries.BoardFilters.from_args(
        MultiDict(parse_qsl(shown)) if shown is not None else request.args
    )


def _posted_list(group: Group, note: Note) -> dict:
    """Return the board's first page with the note just posted at its top, in the list's
    filters or, if they would hide it, in none (and the filter form, to say so)."""
    filters = _list_filters()
    filters.page = 1
    context = _board_context(group, filters)
    if note not in context["board"].notes:  # the filter form then shows none either
        context = _board_context(group, queries.BoardFilters()) | {
            "filters_reset": True,
            "workshops": queries.group_workshops(group),
            "authors": queries.note_authors(current_user, group),
        }
    return context | {"fresh_id": note.id}


def _posted_on_top(group: Group, note: Note, current: queries.PostedBoard | None) -> Response:
    """Answer a note posted with the note alone, on top of the list, which stays as it is with
    what is typed in it (someone typing there: the list's poll refreshes it later). A list that
    was `current` (the board's unfiltered first page as it was before the note, and nobody
    typing in it) becomes the first page as it is now: its poll and the form take the new
    token, the note that went on to the next page leaves, and the page links follow."""
    if current:
        filters = queries.BoardFilters()
        pages = queries.pages_of(current.total)
        board = queries.BoardPage([], 1, pages, current.total, newest=note.id)
    else:
        filters = _list_filters()
        board = queries.board_count(current_user, group, filters)
    return retargeted(
        "notes/_newer.html", "#note-items", "afterbegin",
        group=group, filters=filters, board=board, notes=[note], new_ids=[], fresh_id=note.id,
        since=current.token if current else "", current=bool(current), news=bool(current),
        dropped=current.dropped if current else None,
        poll_seconds=current_app.config["NOTES_POLL_SECONDS"],
    )  # fmt: skip


def _board_page(group: Group):
    """Answer with the board (its list alone to htmx)."""
    # The whole page's new-note form and filter both choose from the group's workshops.
    workshops = None if wants_fragment() else queries.group_workshops(group)
    form, restored = _new_note_form(group, workshops)
    return render(
        "notes/board.html", "notes/_list.html", form=form, restored=restored,
        **_board_context(group, workshops=workshops),
    )  # fmt: skip


@bp.get("/groups/<slug>/notes")
@login_required
def board(slug: str):
    """Show the group's notes, newest first, filtered and paginated."""
    return _board_page(group_or_404(slug))


def _number(name: str) -> int:
    """Return a non-negative integer argument of the query string, or 0."""
    return positive_int(request.args.get(name)) or 0


@bp.get("/groups/<slug>/notes/poll")
@login_required
def poll(slug: str):
    """Answer 304/204 while nothing visible changed, else the refreshed list; while the user
    types in the list (`typing`), say instead how many notes are new, once per number."""
    group = group_or_404(slug)
    token = queries.board_token(current_user, group)
    if request.if_none_match.contains(token):
        response = make_response("", 304)
    elif request.args.get("since") == token:
        response = make_response("", 204)
    elif request.args.get("typing") == "1" and wants_fragment():
        filters = queries.BoardFilters.from_args(request.args)
        newest = _number("newest")
        # Only the first page has the newest notes at its top to show them above.
        new = queries.count_newer(current_user, group, filters, newest) if filters.page == 1 else 0
        if new in (0, _number("announced")):
            return make_response("", 204)
        # The list stays as it is, so its poll keeps the list's token (`since`).
        context = {
            "group": group,
            "filters": filters,
            "since": request.args.get("since", ""),
            "newest": newest,
            "new": new,
            "poll_seconds": current_app.config["NOTES_POLL_SECONDS"],
        }
        return retargeted("notes/_news.html", "#note-news", "innerHTML", **context)
    else:
        response = _board_page(group)
    response.set_etag(token)
    response.vary.add("HX-Request")
    return response


@bp.get("/groups/<slug>/notes/newer")
@login_required
def newer(slug: str):
    """Show, at the top of the list, the notes added since it was shown (`after`)."""
    if not wants_fragment():
        return board(slug)
    group = group_or_404(slug)
    context = _board_context(group)
    # The user's own notes went on top of the list when posted.
    after = _number("after")
    notes = [n for n in context["board"].notes if n.id > after and n.author_id != current_user.id]
    return render(
        "notes/board.html",
        "notes/_newer.html",
        notes=notes,
        new_ids=[note.id for note in notes],
        news=True,
        since=request.args.get("since", ""),  # the rest of the list is still as it was
        **context,
    )


@bp.get("/groups/<slug>/notes/shared-difficulties")
@login_required
def shared(slug: str):
    """List the group's difficulties by how many said "Nálam is"."""
    group = group_or_404(slug)
    return render(
        "notes/shared.html", group=group, notes=queries.shared_difficulties(current_user, group)
    )


@bp.get("/groups/<slug>/notes/deleted")
@login_required
def deleted(slug: str):
    """List the user's own deleted notes that can still be restored."""
    group = group_or_404(slug)
    return render(
        "notes/deleted.html", group=group, notes=queries.deleted_notes(current_user, group)
    )


@bp.route("/groups/<slug>/notes/new", methods=["GET", "POST"])
@login_required
def create(slug: str):
    """Add a note to the group's board or one of its workshops."""
    group = group_or_404(slug)
    require(can_add_note(current_user, group))
    if request.method == "GET":
        form, restored = _new_note_form(group)
        return render(
            "notes/new.html", "notes/_new_form.html", group=group, form=form, restored=restored
        )
    form = _note_form()
    status = 422
    if form.validate():
        workshop = _chosen_workshop(form, group)
        if not form.workshop.errors:
            if _rate_limited():
                security_log.event("rate_limited", path=request.path)
                message = _(
                    "Egy percen belül túl sok jegyzetet küldött. Várjon egy kicsit, és "
                    "küldje el újra: a beírt szöveget megőriztük."
                )
                if wants_fragment():
                    return message_fragment(message, 429)
                form.title.errors.append(message)
                status = 429
            else:
                note = operations.add_note(current_user, group, **_values(form, workshop))
                _clear_draft(draft_key("note", "new", "group", group.id), form)
                if not wants_fragment():
                    flash(_("A jegyzetet közzétettük."), "success")
                typing = wants_fragment() and request.form.get("typing") == "1"
                # The list shows the board's first page as it was before the note (its token)
                # and nobody types in it: the note goes on its top.
                shown = request.form.get("since") if wants_fragment() and not typing else None
                posted = queries.posted_board(current_user, group, note) if shown else None
                current = posted if posted and posted.before == shown else None
                # Rendered before the commit, while the new note is still loaded.
                if current or typing:
                    response = _posted_on_top(group, note, current)
                else:
                    context = _posted_list(group, note) if wants_fragment() else {}
                    response = after_action("notes/_list.html", _board_url(note), **context)
                    if context:  # the address says what the list shows: its first page
                        filters = context["filters"].query_args()
                        response.headers["HX-Replace-Url"] = url_for(
                            "notes.board", slug=group.slug, **filters
                        )
                db.session.commit()
                return response
    _with_choices(form, group)
    return render(
        "notes/new.html",
        "notes/_new_form.html",
        status=status,
        group=group,
        form=form,
        inline=wants_fragment(),
        filters=queries.BoardFilters.from_args(request.args),
    )


def _clear_draft(key: str, form, names: tuple[str, ...] = DRAFT_FIELDS) -> None:
    """Forget the draft the posting editor (a note's, or a reply's without `names`) wrote or
    restored; a newer one from another device stays and is offered when that editor opens
    next, unless it holds just what was posted (its text and fields: a title changed on the
    phone is not lost to the laptop's)."""
    with contextlib.suppress(NewerDraft):
        clear_draft(
            current_user,
            key,
            form.draft.data,
            kept=(form.body.data or "",),
            fields=form_fields(form, names) if names else None,
        )


@bp.get("/notes/<int:note_id>")
@login_required
def show(note_id: int):
    """Show one note with its replies."""
    note = _note(note_id)
    return render(
        "notes/note.html", "notes/_note.html", note=note, group=note.group, note_full=True
    )


@bp.route("/notes/<int:note_id>/edit", methods=["GET", "POST"])
@login_required
def edit(note_id: int):
    """Edit a note in place; a save based on a stale version answers 409 with both texts."""
    note = _live_note(note_id)
    require(can_edit_note(current_user, note))
    form = _note_form(note)
    for field in form:  # ids of its own: the board's new-note form is on the page too
        field.id = field.label.field_id = f"note-{note.id}-{field.name}"
    context = {"note": note, "group": note.group, "form": form, "conflict": None}
    if request.method == "GET":
        _with_choices(form, note.group)
        restored = with_draft(form, draft_key("note", note.id), DRAFT_FIELDS)
        return render("notes/edit.html", "notes/_edit.html", restored=restored, **context)
    status = 422
    base = positive_int(form.version.data)
    if base is None:
        form.title.errors = [_("Hiányzik a szerkesztett változat száma; töltse újra az oldalt.")]
    elif form.validate():
        workshop = _chosen_workshop(form, note.group)
        if not form.workshop.errors:
            try:
                operations.edit_note(current_user, note, base, **_values(form, workshop))
                _clear_draft(draft_key("note", note.id), form)
            except operations.StaleVersion:
                db.session.rollback()
                current = queries.note_with_everything(note_id)
                form.version.data = str(current.version)
                context |= {"note": current, "conflict": current}
                status = 409
            else:
                # Rendered before the commit, while the note is still loaded: no re-query.
                response = after_action("notes/_note.html", _board_url(note), note=note)
                db.session.commit()
                return response
    _with_choices(form, note.group)
    return render("notes/edit.html", "notes/_edit.html", status=status, **context)


@bp.post("/notes/<int:note_id>/delete")
@login_required
def delete(note_id: int):
    """Delete the author's note softly; it can be restored for a while."""
    note = _live_note(note_id)
    require(can_edit_note(current_user, note))
    operations.delete_note(current_user, note)
    db.session.commit()
    if wants_fragment():
        return render(
            "notes/note.html",
            "notes/_deleted.html",
            note=note,
            group=note.group,
            recount=_recount(note.group),
        )
    flash(
        _(
            "A jegyzetet töröltük. %(days)d napig visszaállíthatja a „Törölt jegyzeteim” oldalon.",
            days=queries.RESTORE_WINDOW.days,
        ),
        "success",
    )
    return redirect(url_for("notes.board", slug=note.group.slug), 303)


@bp.post("/notes/<int:note_id>/restore")
@login_required
def restore(note_id: int):
    """Restore the author's deleted note within the restore window."""
    note = _note(note_id)
    require(can_edit_note(current_user, note))
    require_visible(
        note.deleted_at is not None and note.deleted_at > utcnow() - queries.RESTORE_WINDOW
    )
    operations.restore_note(current_user, note)
    db.session.commit()
    if not wants_fragment():
        flash(_("A jegyzetet visszaállítottuk."), "success")
    if request.form.get("from") == "deleted":  # the list of deleted notes: say where it went
        return after_action("notes/_restored.html", _board_url(note), note=note)
    return after_action(
        "notes/_note.html",
        _board_url(note),
        note=queries.note_with_everything(note_id),
        recount=_recount(note.group),
    )


def _recount(group: Group) -> queries.BoardPage | None:
    """Return the board's count for the board the request came from (its filters are in its
    address, HX-Current-URL), to send beside a note deleted or restored there; else None."""
    page = split_url(request.headers.get("HX-Current-URL", ""))
    if page is None or page.path != url_for("notes.board", slug=group.slug):
        return None
    filters = queries.BoardFilters.from_args(dict(parse_qsl(page.query)))
    return queries.board_count(current_user, group, filters)


def _act(
    note_id: int, allowed, action, fragment="notes/_note.html", form_class=None, form_name="",
    load=queries.note_with_everything,
):  # fmt: skip
    """Run one small action on a live note the user may act on, and answer with its fragment.

    allowed(user, note) is the permission predicate; action(note, form) changes the note.
    With a form class, bad input answers 422 with the form (named form_name) as typed. `load`
    reads the note with what the fragment shows.
    """
    note = _live_note(note_id, load)
    require(allowed(current_user, note))
    form = form_class() if form_class else None
    if form is not None and not form.validate():
        context = {"note": note, "group": note.group, form_name: form}
        return render("notes/note.html", fragment, 422, **context)
    action(note, form)
    # Rendered before the commit, from the note already loaded (the action expires what it
    # changed, which reloads in this transaction); after the commit every attribute would be
    # loaded again.
    response = after_action(fragment, _board_url(note), note=note)
    db.session.commit()
    return response


@bp.post("/notes/<int:note_id>/metoo")
@login_required
def metoo(note_id: int):
    """Say or withdraw the user's "Nálam is" on a difficulty or question: the state the
    button asked for (`on`: 1 or 0), so a double tap cannot undo itself; without it, toggle."""
    raw = request.form.get("on", "")
    if raw not in ("", "1", "0"):
        abort(400)  # not what the page sends: answered by the Hungarian error message
    on = {"1": True, "0": False}.get(raw)
    return _act(
        note_id,
        can_react_to_note,
        lambda note, _form: operations.set_reaction(current_user, note, on),
        "notes/_metoo.html",
        load=queries.note_for_reaction,
    )


@bp.app_template_global()
def reply_draft(note_id: int) -> dict | None:
    """Return the user's unsaved reply to a note (its body and stamp), if any: the user's
    reply drafts are read once a request, whatever the number of notes shown."""
    if "reply_drafts" not in g:
        g.reply_drafts = drafts_of_kind(current_user, "reply")
    draft = g.reply_drafts.get(draft_key("reply", note_id))
    # A reply typed and wiped again holds what an unwritten one does: nothing to put back.
    if draft is None or not draft.body.strip():
        return None
    return {"body": draft.body, "stamp": stamp(draft)}


@bp.post("/notes/<int:note_id>/replies")
@login_required
def reply(note_id: int):
    """Add a reply under a note, and forget the draft it was typed over (a newer one from
    another device stays, unless it holds just what was sent)."""

    def add(note, form):
        """Add the reply and clear its draft."""
        operations.add_reply(current_user, note, form.body.data)
        _clear_draft(draft_key("reply", note.id), form, names=())

    return _act(note_id, can_reply_to_note, add, "notes/_replies.html", ReplyForm, "reply_form")


@bp.post("/notes/<int:note_id>/hide")
@login_required
def hide(note_id: int):
    """Hide a note from the group, with a reason its author sees."""
    return _act(
        note_id,
        can_moderate_note,
        lambda note, form: operations.hide_note(current_user, note, form.reason.data),
        form_class=HideForm,
        form_name="hide_form",
    )


@bp.post("/notes/<int:note_id>/unhide")
@login_required
def unhide(note_id: int):
    """Show a hidden note to the group again."""
    return _act(
        note_id, can_moderate_note, lambda note, _form: operations.unhide_note(current_user, note)
    )


def _switch(note_id: int, allowed, name: str, operation):
    """Turn a note's setting on or off as its button sent it (`name`: 1 for on, 0 for off)
    through operation(user, note, on), with _act. Anything else is no choice the page
    offers: it changes nothing (400), rather than reading as "off"."""
    raw = request.form.get(name, "")
    if raw not in ("1", "0"):
        abort(400)  # answered by the Hungarian error message
    return _act(note_id, allowed, lambda note, _form: operation(current_user, note, raw == "1"))


@bp.post("/notes/<int:note_id>/report")
@login_required
def pick(note_id: int):
    """Mark or unmark a note for the group's report."""
    return _switch(note_id, can_pick_note_for_report, "picked", operations.set_in_report)


@bp.post("/notes/<int:note_id>/consent")
@login_required
def consent(note_id: int):
    """Withdraw or give back the author's consent to the note appearing in a report."""
    return _switch(note_id, can_edit_note, "consent", operations.set_report_consent)
