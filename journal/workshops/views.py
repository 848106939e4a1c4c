"""Workshops of a group, their attendance, and the group's calendar feed."""

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from journal.extensions import db
from journal.forms import positive_int
from journal.groups.queries import group_or_404
from journal.htmx import after_action, refused, render, wants_fragment
from journal.i18n import long_date
from journal.journals.queries import journal_context, previous_next_steps
from journal.links import public_url, safe_next
from journal.methods.queries import library
from journal.models import (
    AttendanceStatus,
    Group,
    JournalSection,
    JournalStatus,
    Membership,
    Visibility,
    Workshop,
    WorkshopStatus,
)
from journal.permissions import (
    can_manage_workshops,
    can_record_attendance,
    is_member_of,
    require,
)
from journal.workshops import ics, operations, queries
from journal.workshops.forms import CancelForm, GuestForm, WorkshopForm

bp = Blueprint("workshops", __name__)


def _why_not(error: operations.NotYet | operations.WasCancelled) -> str:
    """Return why the workshop refused: a cancelled one has no attendance or guests to record,
    one whose day has not come cannot be held or have attendance yet."""
    if isinstance(error, operations.WasCancelled):
        return _(
            "Az alkalom elmaradt, ezért jelenlét és vendég nem rögzíthető hozzá. Ha mégis "
            "megtartották, előbb jelölje megtartottnak."
        )
    return _(
        "Az alkalom napja még nem jött el: megtartottnak jelölni, a jelenlétet és a vendégeket "
        "rögzíteni az alkalom napjától lehet."
    )


@bp.app_context_processor
def workshop_helpers() -> dict:
    """Give templates the workshop and attendance labels."""
    return {
        "workshop_status_label": lambda status: {
            WorkshopStatus.PLANNED: _("tervezett"),
            WorkshopStatus.HELD: _("megtartva"),
            WorkshopStatus.CANCELLED: _("elmaradt"),
        }[status],
        "attendance_choices": lambda: [
            (AttendanceStatus.PRESENT, _("jelen")),
            (AttendanceStatus.LATE, _("késett")),
            (AttendanceStatus.EXCUSED, _("igazoltan hiányzott")),
            (AttendanceStatus.ABSENT, _("hiányzott")),
        ],
        "workshop_held": WorkshopStatus.HELD,
        "workshop_cancelled": WorkshopStatus.CANCELLED,
        "method_names": lambda: [method.name for method in library()],
    }


def _workshop(workshop_id: int) -> Workshop:
    """Load a workshop the user may see, or answer 404."""
    return queries.visible_workshop_or_404(current_user, workshop_id)


def _managed(workshop_id: int) -> Workshop:
    """Load a workshop the user may see and manage: 404 if unseen, 403 if read-only."""
    workshop = _workshop(workshop_id)
    require(can_manage_workshops(current_user, workshop.group))
    return workshop


def _data(form: WorkshopForm) -> operations.WorkshopData:
    """Return the validated form's values."""
    return operations.WorkshopData(
        date=form.date.data,
        start_time=form.start_time.data,
        end_time=form.end_time.data,
        place=form.place.data or "",
        topic=form.topic.data or "",
        agenda=form.agenda.data or "",
        methods=form.methods.data or "",
        plan=form.plan_steps(),
    )


BLANK_STEPS = 2  # empty plan rows offered below the filled ones


def _with_blank_steps(form: WorkshopForm, count: int = BLANK_STEPS) -> WorkshopForm:
    """Add empty rows to the form's plan, for more methods, as many as it still holds."""
    for _step in range(min(count, form.PLAN_MAX - len(form.plan))):
        form.plan.append_entry()
    return form


def _form_page(form: WorkshopForm, group: Group, workshop: Workshop | None = None, **context):
    """Render the workshop form: a new workshop's of the group, or the given workshop's."""
    return render("workshops/form.html", form=form, group=group, workshop=workshop, **context)


def _more_steps() -> bool:
    """Tell whether the form was sent to get another plan row (nothing is saved then)."""
    return request.form.get("more_steps") == "1"


def _back_url(workshop: Workshop, requested: str | None) -> str:
    """Return where to go after an action: the page it was started from (`next`, a path in
    this app, e.g. the overview's list of open tasks), else the workshop's page."""
    return safe_next(requested) or _page_url(workshop)


def _widen() -> bool:
    """Tell whether the user confirmed saving a day outside the program's period."""
    return request.form.get("widen_period") == "1"


def _held_records(held: operations.HeldWithRecords) -> str:
    """Return the question asked before a held workshop with records is cancelled."""
    if held.journal is None:
        journal = _("napló nincs")
    elif held.journal.status == JournalStatus.FINAL:
        journal = _("a napló végleges")
    else:
        journal = _("a napló piszkozat")
    return _(
        "Ez az alkalom megtartottként szerepel (rögzített jelenlét: %(count)d fő; %(journal)s). "
        "Ha elmaradtnak jelöli, a jelenléte és a naplója kikerül a csoport és a program "
        "összesítőiből, beszámolóiból és kimutatásaiból. Nem törlődnek: a „Megtartottként "
        "jelölöm” gomb visszahozza őket.",
        count=held.attendance,
        journal=journal,
    )


def _outside_period(outside: operations.OutsidePeriod) -> str:
    """Return the question asked before a day outside the program's period is saved."""
    program, day = outside.program, outside.day
    return _(
        "A dátum (%(day)s) a program időszakán kívül esik (%(start)s – %(end)s). Mentés így "
        "is? Ekkor a program időszakát kiterjesztjük: %(new_start)s – %(new_end)s",
        day=long_date(day),
        start=long_date(program.period_start),
        end=long_date(program.period_end),
        new_start=long_date(min(day, program.period_start)),
        new_end=long_date(max(day, program.period_end)),
    )


def _is_outside(group: Group, day: date | None) -> bool:
    """Tell whether the day is outside the program's period."""
    program = group.program
    return day is not None and not (program.period_start <= day <= program.period_end)


def _saved(done: str, widened: bool) -> None:
    """Flash that the workshop was saved, and that the program's period grew if it did."""
    flash(done, "success")
    if widened:
        flash(_("A program időszakát kiterjesztettük, hogy az alkalom benne legyen."), "info")


def _page_url(workshop: Workshop) -> str:
    """Return the workshop page's address."""
    return url_for("workshops.show", workshop_id=workshop.id)


def _suggestion(group: Group) -> JournalSection | None:
    """Return the "next steps" of the group's latest journal the user may read."""
    # An unsaved stand-in for the workshop being planned: later than every existing one.
    upcoming = Workshop(id=0, group_id=group.id, date=date.max)
    return previous_next_steps(current_user, upcoming)


@bp.route("/groups/<slug>/workshops/new", methods=["GET", "POST"])
@login_required
def new(slug: str):
    """Plan a new workshop of the group, suggesting the last journal's next steps."""
    group = group_or_404(slug)
    require(can_manage_workshops(current_user, group))
    form = WorkshopForm()
    suggestion = _suggestion(group)
    if request.method == "POST" and _more_steps():
        return _form_page(_with_blank_steps(form, 1), group, suggestion=suggestion)
    if request.method == "POST":
        outside = None
        if form.validate():
            widened = _widen() and _is_outside(group, form.date.data)
            try:
                workshop = operations.create_workshop(
                    current_user, group, _data(form), widen=_widen()
                )
            except operations.OutsidePeriod as error:
                db.session.rollback()
                outside = _outside_period(error)
            else:
                db.session.commit()
                _saved(_("Az alkalom elmentve."), widened)
                return redirect(_page_url(workshop), 303)
        return _form_page(form, group, status=422, suggestion=suggestion, outside=outside)
    # Only text the participants may already read goes into the agenda, which they see;
    # anything more private stays a suggestion for the planner's eyes.
    if suggestion is not None and suggestion.visibility == Visibility.GROUP:
        form.agenda.data = suggestion.body
    return _form_page(_with_blank_steps(form, 3), group, suggestion=suggestion)


def _page(workshop: Workshop, status: int = 200, guest_form: GuestForm | None = None):
    """Render the workshop page: details, attendance (a fixed number of queries), guests with
    their form (empty unless given), and its journal."""
    attendees, attendance = queries.attendees_with_status(workshop)
    return render(
        "workshops/workshop.html",
        status=status,
        group=workshop.group,
        can_manage=can_manage_workshops(current_user, workshop.group),
        attendees=attendees,
        attendance=attendance,
        guests=queries.guests_of(workshop),
        can_record=workshop.takes_attendance
        and can_record_attendance(current_user, workshop.group),
        guest_form=guest_form or GuestForm(formdata=None),
        **journal_context(current_user, workshop),
    )


@bp.get("/workshops/<int:workshop_id>")
@login_required
def show(workshop_id: int):
    """Show a workshop: details, attendance, and its journal."""
    return _page(_workshop(workshop_id))


@bp.route("/workshops/<int:workshop_id>/edit", methods=["GET", "POST"])
@login_required
def edit(workshop_id: int):
    """Edit a workshop, refusing to overwrite a newer version."""
    workshop = _managed(workshop_id)
    if request.method == "GET":
        form = WorkshopForm(formdata=None, obj=workshop)
        form.plan.entries = []
        for step in workshop.plan:
            form.plan.append_entry({"name": step.method.name, "minutes": str(step.minutes or "")})
        return _form_page(_with_blank_steps(form), workshop.group, workshop)
    form = WorkshopForm()
    if _more_steps():
        return _form_page(_with_blank_steps(form, 1), workshop.group, workshop)
    form.recorded = workshop.status == WorkshopStatus.HELD or queries.has_records(workshop)
    return _save_versioned(
        workshop,
        form,
        "workshops/form.html",
        lambda base: operations.update_workshop(
            current_user, workshop, base, _data(form), widen=_widen()
        ),
        _("Az alkalom módosításai elmentve."),
        widened=_widen() and _is_outside(workshop.group, form.date.data),
    )


def _save_versioned(workshop: Workshop, form, template: str, save, done: str, widened=False):
    """Validate a posted form carrying the workshop's version, then save(base_version).

    Bad input answers 422 with the form as typed, and so does a save that asks first (a day
    outside the program's period, a held workshop with records to cancel), with its question;
    a save based on an old version answers 409 with both versions; success flashes done (and
    whether the period was widened) and goes back to the workshop page.
    """

    def as_typed(status: int = 422, **question):
        """Answer 422 (unless told) with the form as typed, and the question asked, if any."""
        return render(
            template, status=status, form=form, group=workshop.group, workshop=workshop, **question
        )

    base = positive_int(form.version.data)
    if not form.validate() or base is None:
        if base is None:
            form.version.errors = [_("Az űrlap hiányos; töltse be újra az oldalt.")]
        return as_typed()
    try:
        save(base)
    except operations.OutsidePeriod as error:
        db.session.rollback()
        return as_typed(outside=_outside_period(error))
    except operations.HeldWithRecords as error:
        db.session.rollback()
        return as_typed(records=_held_records(error))
    except operations.StaleVersion:
        # The rollback expired the workshop: read again, it is what the other person saved.
        db.session.rollback()
        form.version.data = str(workshop.version)
        message = _(
            "Valaki más közben módosította ezt az alkalmat. Az Ön által beírt adatokat "
            "megtartottuk; lent látja, mit mentett a másik személy. Nézze át, majd mentse újra."
        )
        return as_typed(409, other=workshop, conflict_message=message)
    db.session.commit()
    _saved(done, widened)
    return redirect(_back_url(workshop, request.form.get("next")), 303)


@bp.route("/workshops/<int:workshop_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel(workshop_id: int):
    """Cancel a workshop, with the reason."""
    workshop = _managed(workshop_id)
    if request.method == "GET":
        form = CancelForm(formdata=None)
        form.reason.data = workshop.cancel_reason
        form.version.data = str(workshop.version)
        form.next.data = request.args.get("next", "")
        return render("workshops/cancel.html", form=form, group=workshop.group, workshop=workshop)
    form = CancelForm()
    return _save_versioned(
        workshop,
        form,
        "workshops/cancel.html",
        lambda base: operations.cancel_workshop(
            current_user, workshop, base, form.reason.data, request.form.get("drop_records") == "1"
        ),
        _("Az alkalom elmaradását rögzítettük."),
    )


@bp.post("/workshops/<int:workshop_id>/held")
@login_required
def held(workshop_id: int):
    """Mark a workshop as held."""
    workshop = _managed(workshop_id)
    base = positive_int(request.form.get("version"))
    if base is None:
        return refused(_("Az űrlap hiányos; töltse be újra az oldalt."), 422, _page_url(workshop))
    try:
        operations.mark_held(current_user, workshop, base)
    except operations.NotYet as error:
        return refused(_why_not(error), 422, _page_url(workshop))
    except operations.StaleVersion:
        db.session.rollback()
        return refused(
            _("Valaki más közben módosította ezt az alkalmat. Nézze át, majd próbálja újra."),
            409,
            _page_url(workshop),
        )
    db.session.commit()
    flash(_("Az alkalmat megtartottként jelöltük."), "success")
    return redirect(_back_url(workshop, request.form.get("next")), 303)


@bp.post("/workshops/<int:workshop_id>/attendance")
@login_required
def attendance(workshop_id: int):
    """Record one participant's presence with one tap; only that row comes back."""
    workshop = _workshop(workshop_id)
    require(can_record_attendance(current_user, workshop.group))
    user_id, raw_status = positive_int(request.form.get("user_id")), request.form.get("status", "")
    attendee = queries.attendee(workshop, user_id) if user_id else None
    if attendee is None:
        return refused(_("Ez a személy nem résztvevője a csoportnak."), 422, _page_url(workshop))
    try:
        status = AttendanceStatus(raw_status)
    except ValueError:
        return refused(_("Válassza ki a jelenlét módját."), 422, _page_url(workshop))
    try:
        operations.set_attendance(current_user, workshop, attendee, status)
    except (operations.NotYet, operations.WasCancelled) as error:
        return refused(_why_not(error), 422, _page_url(workshop))
    db.session.commit()
    return after_action(
        "workshops/_attendance_row.html",
        _page_url(workshop) + f"#attendance-{attendee.user_id}",
        workshop=workshop,
        member=attendee,
        status=status,
        can_record=True,
    )


def _guests_answer(workshop: Workshop, form: GuestForm, status: int = 200):
    """Render the guest list (a fragment for htmx, else the whole workshop page)."""
    if wants_fragment():
        return render(
            "workshops/workshop.html",
            "workshops/_guests.html",
            status=status,
            workshop=workshop,
            guests=queries.guests_of(workshop),
            guest_form=form,
            can_record=True,
        )
    return _page(workshop, status, form)


@bp.post("/workshops/<int:workshop_id>/guests")
@login_required
def add_guest(workshop_id: int):
    """Add a guest to the workshop."""
    workshop = _workshop(workshop_id)
    require(can_record_attendance(current_user, workshop.group))
    form = GuestForm()
    if not form.validate():
        return _guests_answer(workshop, form, 422)
    try:
        operations.add_guest(current_user, workshop, form.name.data, form.institution.data or "")
    except (operations.NotYet, operations.WasCancelled) as error:
        return refused(_why_not(error), 422, _page_url(workshop))
    db.session.commit()
    if wants_fragment():
        return _guests_answer(workshop, GuestForm(formdata=None))
    return redirect(_page_url(workshop) + "#guests", 303)


@bp.post("/workshops/<int:workshop_id>/guests/remove")
@login_required
def remove_guest(workshop_id: int):
    """Remove a guest from the workshop."""
    workshop = _workshop(workshop_id)
    require(can_record_attendance(current_user, workshop.group))
    guest_id = positive_int(request.form.get("guest_id"))
    if not (guest_id and operations.remove_guest(current_user, workshop, guest_id)):
        return refused(_("Nincs ilyen vendég ennél az alkalomnál."), 404, _page_url(workshop))
    db.session.commit()
    if wants_fragment():
        return _guests_answer(workshop, GuestForm(formdata=None))
    return redirect(_page_url(workshop) + "#guests", 303)


@bp.get("/calendar/<feed_token>.ics")
def feed(feed_token: str):
    """Serve a group's calendar to whoever holds a current member's private link.

    No login: phone calendars cannot log in. The link is the credential, and it stops working
    when the member renews it or leaves the group.
    """
    membership_id = ics.membership_id_of(feed_token)
    membership = db.session.get(Membership, membership_id) if membership_id else None
    if (
        membership is None
        or not ics.token_matches(feed_token, membership)
        or not membership.is_current
        or not membership.user.active
    ):
        abort(404)
    group = membership.group
    body = ics.calendar(
        group,
        queries.group_workshops_for_feed(group),
        lambda w: public_url("workshops.show", workshop_id=w.id),
    )
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'inline; filename="{group.slug}.ics"'
    return response


@bp.post("/groups/<slug>/calendar/renew")
@login_required
def renew_feed(slug: str):
    """Give the member a new calendar link; the old one stops working at once."""
    group = group_or_404(slug)
    require(is_member_of(current_user, group))
    membership = queries.own_membership(current_user, group)
    operations.renew_calendar_link(membership)
    db.session.commit()
    flash(
        _("Új naptárlinket készítettünk; a régi már nem működik. Adja hozzá újra a naptárához."),
        "success",
    )
    return redirect(url_for("groups.group", slug=group.slug) + "#calendar", 303)
