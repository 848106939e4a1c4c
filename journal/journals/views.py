"""The mentor's journal of a workshop: sections, inline editing, versions, revisions."""

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from journal.drafts.kinds import draft_key
from journal.drafts.operations import NewerDraft, clear_draft, stamp
from journal.drafts.queries import draft_fields, draft_for
from journal.extensions import db
from journal.forms import positive_int
from journal.htmx import after_action, refused, render, wants_fragment
from journal.journals import operations, queries
from journal.journals.forms import SectionForm
from journal.journals.sections import (
    BY_KEY,
    SECTIONS,
    narrower,
    spec_for,
    visibility_choices,
    visibility_labels,
)
from journal.models import JournalSection, JournalStatus, Visibility, Workshop
from journal.permissions import (
    can_download_group_report,
    can_edit_journal,
    can_write_journal,
    require,
    require_visible,
)
from journal.workshops.queries import visible_workshop_or_404

bp = Blueprint("journals", __name__)


@bp.app_context_processor
def journal_helpers() -> dict:
    """Give templates the section registry and the visibility badge texts."""
    return {
        "journal_spec": spec_for,
        "journal_visibility_labels": visibility_labels,
        "journal_visibility_choices": visibility_choices,
        "journal_final": JournalStatus.FINAL,
        "journal_specs": lambda: SECTIONS,
        "journal_edit_form": edit_form,
        "journal_workshop_url": workshop_url,
        "journal_finalised_message": lambda state: FINALISED[state](),
    }


def edit_form(section: JournalSection) -> SectionForm:
    """Return an editor form filled from the stored section (never from the request), as
    editors offer it (queries.offered)."""
    form = SectionForm(formdata=None)
    _fill(form, section)
    return form


def _fill(form: SectionForm, section: JournalSection) -> None:
    """Fill an editor's fields with the section as editors offer it."""
    body, visibility, in_report = queries.offered_now(section)
    form.body.data, form.visibility.data = body, visibility.value
    form.in_report.data, form.version.data = in_report, str(section.version)


def workshop_url(workshop: Workshop, section: JournalSection | None = None) -> str:
    """Return the address of the workshop page, at the journal or at one section."""
    url = url_for("workshops.show", workshop_id=workshop.id)
    return url + (f"#section-{section.id}" if section else "#journal")


def _section(section_id: int) -> JournalSection:
    """Load a section the user may read, or answer 404."""
    section = queries.section_for_reading(current_user, section_id)
    require_visible(section is not None)
    return section


def _editable(section_id: int) -> JournalSection:
    """Load a section the user may read and edit: 404 if unreadable, 403 if read-only."""
    section = _section(section_id)
    require(can_edit_journal(current_user, section.journal))
    return section


def _editor(
    section: JournalSection,
    form: SectionForm,
    status: int = 200,
    conflict: JournalSection | None = None,
    narrowed: bool = False,
    newer: dict | None = None,
    restored: dict | None = None,
):
    """Render a section's editor, as a page or as the fragment that replaces the section.
    `conflict` is the section as saved meanwhile; `narrowed` tells that the form's visibility
    or report flag was narrowed to what was saved meanwhile; `newer` is the user's unsaved
    draft written on another device (body, saved_at) that this editor had not seen;
    `restored` is what _with_draft returned for a freshly opened editor."""
    return render(
        "journals/section_edit.html",
        "journals/_section_edit.html",
        status=status,
        section=section,
        journal=section.journal,
        form=form,
        conflict=conflict,
        narrowed=narrowed,
        newer=newer,
        restored=restored,
        workshop=section.journal.workshop,
    )


def _with_draft(section: JournalSection, form: SectionForm) -> dict | None:
    """Put the user's unsaved draft of the section into a freshly opened editor; return the
    saved values ("Elvetés" goes back to them) and whether the settings differ, or None when
    there was nothing to restore."""
    draft = draft_for(current_user, draft_key("section", section.id))
    if draft is None:
        return None
    form.draft.data = stamp(draft)  # shown (or the same as saved): this editor may replace it
    if queries.same_as_saved(draft, section):
        return None
    _body, visibility, in_report = queries.offered_now(section)
    saved_fields = {"visibility": visibility.value, "in_report": in_report}
    fields = draft_fields(draft)
    form.body.data = draft.body
    if fields.get("visibility") in {v.value for v in Visibility}:
        form.visibility.data = fields["visibility"]
    if "in_report" in fields:
        form.in_report.data = bool(fields["in_report"])
    if draft.base_version is not None:
        # A save over a version written since answers 409 with both texts.
        form.version.data = str(draft.base_version)
    shown = {"visibility": form.visibility.data, "in_report": bool(form.in_report.data)}
    return {
        "saved": {"body": section.body, "fields": saved_fields, "base_version": section.version},
        "settings": shown != saved_fields,
    }


def _seen_newer(form: SectionForm, draft) -> dict:
    """Mark a newer draft from another device as seen by this form (the merged text may then
    replace it) and return what the editor shows of it beside the user's text."""
    form.draft.data = stamp(draft)
    return {"body": draft.body, "saved_at": draft.saved_at}


def _rebased(form: SectionForm, current: JournalSection, base: int) -> bool:
    """After a stale save, base the form on what is stored now (merging, then saving, wins
    cleanly) and on the user's current draft; tell whether its settings were narrowed."""
    form.version.data = str(current.version)
    form.draft.data = stamp(draft_for(current_user, draft_key("section", current.id)))
    return _narrow_to(form, current, base)


def _narrow_to(form: SectionForm, saved: JournalSection, base: int) -> bool:
    """After a conflict, if the other save changed who reads the section (compared with the
    version this editor started from), offer the narrower of the user's and the saved
    visibility and report flag (it may have made the text private); tell whether the form
    changed. A save that changed only the text leaves the user's own choice alone."""
    _body, *offered_then = queries.offered(*queries.state_at(saved, base), base)
    if [saved.visibility, saved.in_report] == offered_then:
        return False
    wanted = (Visibility(form.visibility.data), bool(form.in_report.data))
    offered = narrower(wanted, (saved.visibility, saved.in_report))
    form.visibility.data, form.in_report.data = offered[0].value, offered[1]
    return offered != wanted


@bp.get("/workshops/<int:workshop_id>/journal")
@login_required
def journal(workshop_id: int):
    """Show the workshop's journal on its own page (what the user may read of it)."""
    workshop = visible_workshop_or_404(current_user, workshop_id)
    return render(
        "journals/journal.html",
        "journals/_journal.html",
        **queries.journal_context(current_user, workshop),
    )


@bp.post("/workshops/<int:workshop_id>/journal")
@login_required
def start(workshop_id: int):
    """Start the workshop's journal (the group's mentor, on first edit) and open one section."""
    workshop = visible_workshop_or_404(current_user, workshop_id)
    require(can_write_journal(current_user, workshop.group))
    journal = operations.start_journal(current_user, workshop)
    db.session.commit()
    if request.form.get("mode") == "write":
        return redirect(url_for("journals.write", workshop_id=workshop.id), 303)
    key = request.form.get("open", "")
    opened = next((s for s in journal.sections if s.key == key), None) if key in BY_KEY else None
    if not wants_fragment():
        if opened is not None and can_edit_journal(current_user, journal):
            return redirect(url_for("journals.edit", section_id=opened.id), 303)
        return redirect(workshop_url(workshop), 303)
    return render(
        "journals/journal.html",
        "journals/_journal.html",
        **queries.journal_context(
            current_user, workshop, opened.id if opened is not None else None
        ),
    )


@bp.route("/workshops/<int:workshop_id>/journal/finalise", methods=["GET", "POST"])
@login_required
def finalise(workshop_id: int):
    """Mark the journal final (later edits are kept as amendments), first asking whether to
    leave its empty sections empty and the mentor's unsaved drafts out of it ("Piszkozat
    mentve" is not in the journal); answer in place of the button. GET shows the button."""
    workshop = visible_workshop_or_404(current_user, workshop_id)
    journal = queries.journal_of(workshop)
    require_visible(journal is not None)
    require(can_edit_journal(current_user, journal))
    context = queries.journal_context(current_user, workshop)
    confirmed = request.form.get("confirm") == "1"
    empty, drafted = [], []
    if journal.status != JournalStatus.FINAL:
        empty = queries.empty_sections(journal)
        drafted = [s for s in journal.sections if s.id in context["journal_drafts"]]
    if request.method == "GET" or ((empty or drafted) and not confirmed):
        state = "ask" if request.method == "GET" else "confirm"
        return render(
            "journals/journal.html",
            "journals/_finalise.html",
            journal_finalise=state,
            journal_empty=empty,
            journal_drafted=drafted,
            **context,
        )
    # Sent twice (a second device, a double tap): say that it was final already.
    state = "done" if operations.finalise(current_user, journal) else "already"
    db.session.commit()
    if not wants_fragment():
        flash(FINALISED[state](), "success")
    return after_action(
        "journals/_finalise.html", workshop_url(workshop), journal_finalise=state, **context
    )


@bp.get("/workshops/<int:workshop_id>/journal/preview")
@login_required
def preview(workshop_id: int):
    """Show exactly the sections a PDF report of this journal would contain."""
    workshop = visible_workshop_or_404(current_user, workshop_id)
    require(can_download_group_report(current_user, workshop.group))  # who downloads, previews
    journal = queries.journal_of(workshop)
    sections = queries.report_sections(journal) if journal else []
    return render("journals/preview.html", workshop=workshop, journal=journal, sections=sections)


# What finalising answers: it did, or the journal was final already.
FINALISED = {
    "done": lambda: _("A naplót véglegesítette. A későbbi módosítások nyomon követhetők."),
    "already": lambda: _("Ez a napló már korábban végleges lett; nem változott semmi."),
}


def _checked_base(form: SectionForm) -> int | None:
    """Validate a section's form and return the version it started from; None (with the
    errors on the form) when it cannot be saved as sent."""
    valid, base = form.validate(), form.base_version()
    if base is None:
        form.body.errors = [
            *form.body.errors,
            _("Hiányzik a szerkesztett változat száma; töltse újra az oldalt."),
        ]
    return base if valid else None


def _save_with_draft(section: JournalSection, form: SectionForm, base: int) -> None:
    """Save a section from its editor's form and end the draft that editor wrote or restored,
    in one savepoint. Raise NewerDraft for a draft written since on another device (it is
    kept, to be shown beside the user's text) and StaleVersion for a section saved meanwhile.
    """
    with db.session.begin_nested():
        clear_draft(
            current_user,
            draft_key("section", section.id),
            form.draft.data,
            kept=(section.body, form.body.data or ""),
        )
        if _untouched(section, form, base):
            return  # as the editor offered it: no version nobody wrote (nor a conflict)
        operations.save_section(
            current_user,
            section,
            base,
            form.body.data or "",
            Visibility(form.visibility.data),
            bool(form.in_report.data),
        )


def write_form(section: JournalSection, formdata=None) -> SectionForm:
    """Return one section's part of the write-mode form (field names prefixed "s<id>-")."""
    form = SectionForm(formdata=formdata, prefix=f"s{section.id}", meta={"csrf": False})
    if formdata is None:
        _fill(form, section)
    return form


def _untouched(section: JournalSection, form: SectionForm, base: int) -> bool:
    """Tell whether a section came back from an editor as it was offered at its version:
    saving it would write a revision nobody made (and turn a stale page into a conflict)."""
    sent = (
        operations.normalise_body(form.body.data or ""),
        Visibility(form.visibility.data),
        bool(form.in_report.data),
    )
    return sent == queries.offered(*queries.state_at(section, base), base)


def _write_page(workshop: Workshop, journal, forms: dict, status: int = 200, **outcome):
    """Render the write mode: the whole journal as one document (the form alone for htmx)."""
    return render(
        "journals/write.html",
        "journals/_write.html",
        status=status,
        workshop=workshop,
        journal=journal,
        forms=forms,
        conflicts=outcome.get("conflicts", {}),
        newer=outcome.get("newer", {}),
        narrowed=outcome.get("narrowed", set()),
        saved_now=outcome.get("saved_now", False),
        invalid=outcome.get("invalid", False),
        restored=outcome.get("restored", {}),
    )


@bp.route("/workshops/<int:workshop_id>/journal/write", methods=["GET", "POST"])
@login_required
def write(workshop_id: int):
    """Write the whole journal as one scrolling document. Each section keeps its own version
    check and revisions: a section saved meanwhile elsewhere comes back with both texts, and
    never blocks the others."""
    workshop = visible_workshop_or_404(current_user, workshop_id)
    journal = queries.journal_of(workshop)
    require_visible(journal is not None)
    require(can_edit_journal(current_user, journal))
    sections = list(journal.sections)
    if request.method == "GET":
        forms = {s.id: write_form(s) for s in sections}
        # The user's unsaved drafts are put back by the server, as in the section editor.
        restored = {s.id: _with_draft(s, forms[s.id]) or {} for s in sections}
        return _write_page(workshop, journal, forms, restored=restored)
    sent = [s for s in sections if f"s{s.id}-version" in request.form]
    forms = {s.id: write_form(s, request.form) for s in sent}
    conflicts, newer, narrowed, invalid = {}, {}, set(), False
    for section in sent:
        form = forms[section.id]
        base = _checked_base(form)
        if base is None:
            invalid = True
            continue
        if _untouched(section, form, base):
            del forms[section.id]  # shown again as it is stored now
            continue
        try:
            _save_with_draft(section, form, base)
        except NewerDraft as found:
            newer[section.id] = _seen_newer(form, found.draft)
        except operations.StaleVersion as stale:
            conflicts[section.id] = stale.current
            if _rebased(form, stale.current, base):
                narrowed.add(section.id)
        except operations.NotAllowed as refusal:
            form.in_report.errors = [*form.in_report.errors, str(refusal)]
            invalid = True
        else:
            db.session.refresh(section)
            forms[section.id] = write_form(section)
    db.session.commit()
    for section in sections:
        if section.id not in forms:
            db.session.refresh(section)
            forms[section.id] = write_form(section)
    stale = conflicts or newer
    if not wants_fragment() and not stale and not invalid:
        flash(_("A naplót elmentette."), "success")
        return redirect(url_for("journals.write", workshop_id=workshop.id), 303)
    status = 409 if stale else 422 if invalid else 200
    return _write_page(
        workshop,
        journal,
        forms,
        status,
        conflicts=conflicts,
        newer=newer,
        narrowed=narrowed,
        saved_now=status == 200,
        invalid=invalid,
    )


@bp.get("/sections/<int:section_id>")
@login_required
def show(section_id: int):
    """Show one section (the fragment puts an editor back to reading)."""
    return render(
        "journals/section.html",
        "journals/_section.html",
        journal_focus=True,
        **queries.section_context(current_user, _section(section_id)),
    )


@bp.get("/sections/<int:section_id>/edit")
@login_required
def edit(section_id: int):
    """Open a section's editor in place, with the user's unsaved draft put back."""
    section = _editable(section_id)
    form = edit_form(section)
    return _editor(section, form, restored=_with_draft(section, form) or {})


@bp.post("/sections/<int:section_id>")
@login_required
def save(section_id: int):
    """Save a section; a save based on a stale version answers 409 with both texts."""
    section = _editable(section_id)
    form = SectionForm()
    base = _checked_base(form)
    if base is None:
        return _editor(section, form, 422)
    try:
        # The save replaces the draft its editor wrote or restored, never one written since on
        # another device: that one is shown beside the user's text, like a stale version.
        _save_with_draft(section, form, base)
    except NewerDraft as found:
        newer = _seen_newer(form, found.draft)
        db.session.rollback()
        return _editor(_section(section_id), form, 409, newer=newer)
    except operations.StaleVersion as stale:
        db.session.rollback()
        current = queries.section_for_reading(current_user, stale.current.id)
        narrowed = _rebased(form, current, base)
        return _editor(current, form, 409, conflict=current, narrowed=narrowed)
    except operations.NotAllowed as refusal:
        db.session.rollback()
        form.in_report.errors = [*form.in_report.errors, str(refusal)]
        return _editor(section, form, 422)
    # Rendered before the commit: if the page fails, the save is undone and the draft stays.
    response = after_action(
        "journals/_section.html",
        workshop_url(section.journal.workshop, section),
        journal_focus=True,
        **queries.section_context(current_user, section),
    )
    db.session.commit()
    return response


@bp.get("/sections/<int:section_id>/history")
@login_required
def history(section_id: int):
    """List every saved version of a section the user may read, newest first."""
    section = _section(section_id)
    return render(
        "journals/history.html",
        section=section,
        journal=section.journal,
        workshop=section.journal.workshop,
        revisions=queries.readable_revisions(current_user, section),
        can_edit=can_edit_journal(current_user, section.journal),
    )


@bp.get("/sections/<int:section_id>/compare")
@login_required
def compare(section_id: int):
    """Compare two saved versions of a section line by line."""
    section = _section(section_id)
    old_version = positive_int(request.args.get("from"))
    new_version = positive_int(request.args.get("to"))
    old = queries.readable_revision(current_user, section, old_version) if old_version else None
    new = queries.readable_revision(current_user, section, new_version) if new_version else None
    require_visible(old is not None and new is not None)
    return render(
        "journals/compare.html",
        section=section,
        journal=section.journal,
        workshop=section.journal.workshop,
        old=old,
        new=new,
        lines=queries.line_diff(old.body, new.body),
    )


@bp.post("/sections/<int:section_id>/restore")
@login_required
def restore(section_id: int):
    """Restore an earlier version's text as a new revision."""
    section = _editable(section_id)
    back = url_for("journals.history", section_id=section.id)
    wanted = positive_int(request.form.get("revision"))
    base = positive_int(request.form.get("version"))
    revision = queries.readable_revision(current_user, section, wanted) if wanted else None
    require_visible(revision is not None)
    if base is None:
        return refused(
            _("Hiányzik a szerkesztett változat száma; töltse újra az oldalt."), 422, back
        )
    before = (section.visibility, section.in_report)
    try:
        changed = operations.restore_revision(current_user, section, revision, base)
    except operations.StaleVersion:
        db.session.rollback()
        return refused(
            _(
                "Közben a szakasz megváltozott, ezért nem állítottuk vissza. Nézze meg az "
                "előzményeket, és próbálja újra."
            ),
            409,
            back,
        )
    db.session.commit()
    if changed:
        flash(
            _("Visszaállította a(z) %(version)d. változat szövegét.", version=revision.version),
            "success",
        )
        if (section.visibility, section.in_report) != before:
            flash(
                _(
                    "Ezt a szöveget szűkebb körnek mentette, ezért most is így látható: "
                    "%(visibility)s%(report)s. Ha szélesebb körnek szánja, állítsa át a "
                    "szerkesztőben.",
                    visibility=visibility_labels()[section.visibility.value],
                    report=_(", nem kerül a beszámolóba") if not section.in_report else "",
                ),
                "info",
            )
    else:
        flash(_("Ez a szöveg már a jelenlegi változat; nem történt változás."), "info")
    return redirect(workshop_url(section.journal.workshop, section), 303)
