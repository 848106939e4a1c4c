"""The coordinator's people page: invite, deactivate, place in groups, make mentor."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from journal import security_log
from journal.auth import current_password
from journal.auth.operations import create_invitation
from journal.extensions import db
from journal.htmx import after_action, refused, render, wants_fragment
from journal.links import public_url
from journal.mail import mail_configured, send_invitation, send_two_factor_reset
from journal.models import Group, Membership, Role, User, local_today
from journal.people import operations, queries
from journal.people.forms import (
    AnonymiseForm,
    InviteForm,
    JoinedOnForm,
    MembershipForm,
    TwoFactorResetForm,
)
from journal.permissions import (
    can_anonymise_person,
    can_manage_people,
    can_reset_two_factor,
    can_send_reminders,
    require,
)
from journal.reminders import compose, reminder_for, send_reminder
from journal.reports.documents import cache_dir

bp = Blueprint("people", __name__, url_prefix="/people")


@bp.before_request
@login_required
def only_the_coordinator():
    """Let only the coordinator use any page of this blueprint."""
    require(can_manage_people(current_user))


def _membership_form() -> MembershipForm:
    """Return the add-to-group form with the group choices filled in."""
    form = MembershipForm()
    form.group.choices = queries.group_choices()
    return form


def _group_or_error(form) -> Group | None:
    """Return the chosen group, or add an error to the form."""
    if not form.group.data:
        return None
    group = db.session.scalar(select(Group).where(Group.slug == form.group.data))
    if group is None:
        form.group.errors.append(_("Nincs ilyen csoport."))
    return group


def _membership(user: User, membership_id: int) -> Membership:
    """Load a membership of this person or answer 404."""
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.user_id != user.id:
        abort(404)
    return membership


def _link_message(user: User, token: str, purpose: str) -> None:
    """Flash the single-use link (and mail it when mail is configured)."""
    link = public_url("auth.open_invitation", token=token)
    sent = send_invitation(user, link, purpose)
    flash(link, "link")
    if sent:
        flash(_("A linket e-mailben is elküldtük: %(email)s", email=user.email), "success")


@bp.route("", methods=["GET", "POST"])
def index():
    """List everyone and invite a new person."""
    form = InviteForm()
    form.group.choices = [SelectChoice("", _("— nincs még csoportja —")), *queries.group_choices()]
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate():
            group = _group_or_error(form)
            if not form.group.errors:
                try:
                    user, token = operations.invite_person(
                        current_user,
                        family_name=form.family_name.data,
                        given_name=form.given_name.data,
                        email=form.email.data,
                        group=group,
                        role=Role(form.role.data),
                        institution=form.institution.data or "",
                        settlement=form.settlement.data or "",
                        joined_on=form.joined_on.data,
                    )
                except operations.PeopleError as error:
                    form.email.errors.append(str(error))
                else:
                    db.session.commit()
                    flash(
                        _(
                            "%(name)s felvéve. Küldje el neki ezt az egyszer használható "
                            "linket a jelszó beállításához:",
                            name=user.full_name,
                        ),
                        "success",
                    )
                    _link_message(user, token, "invite")
                    return redirect(url_for("people.person", user_id=user.id), 303)
    return render_template("people/index.html", form=form, people=queries.all_people()), status


def joined_on_form(membership: Membership) -> JoinedOnForm:
    """Return the joining-day form of one membership, showing the day it has now."""
    return JoinedOnForm(
        prefix=f"membership-{membership.id}",
        formdata=None,
        data={"joined_on": membership.joined_on},
    )


def _render_person(
    user: User,
    form: MembershipForm | None = None,
    status: int = 200,
    refused: JoinedOnForm | None = None,
    reset_form: TwoFactorResetForm | None = None,
):
    """Render a person's page (or its fragment for htmx); `refused` is a joining-day form
    sent back with its errors and what was typed, `reset_form` the password for turning their
    second factor off, with its error."""
    return render(
        "people/person.html",
        "people/_person.html",
        status=status,
        **_person_context(user, form, refused=refused, reset_form=reset_form),
    )


def _person_context(user: User, form: MembershipForm | None = None, **extra) -> dict:
    """Return what the person template needs."""
    return {
        "person": user,
        "form": form or _membership_form(),
        "joined_on_form": joined_on_form,
        **extra,
        "reset_form": extra.get("reset_form") or TwoFactorResetForm(formdata=None),
        "mail_on": mail_configured(),  # whether the person is told by mail of a reset
    }


@bp.get("/<int:user_id>")
def person(user_id: int):
    """Show one person with their memberships and actions."""
    return _render_person(db.get_or_404(User, user_id))


def _act(user: User, action, *args, focus: str | None = None, announce: str | None = None):
    """Run one people operation and answer with the updated person (or the error).

    `focus` names what the fragment should focus when the element that had focus is gone;
    `announce` replaces every message shown (a one-time link too) with this one.
    """
    try:
        action(current_user, *args)
    except operations.PeopleError as error:
        db.session.rollback()
        return refused(str(error), 422, url_for("people.person", user_id=user.id))
    return _done(user, focus=focus, announce=announce)


def _done(user: User, focus: str | None = None, announce: str | None = None):
    """Commit a people operation and answer with the updated person (see _act)."""
    db.session.commit()
    if announce and not wants_fragment():
        flash(announce, "success")
    return after_action(
        "people/_person.html",
        url_for("people.person", user_id=user.id),
        **_person_context(user, focus=focus, announce=announce),
    )


@bp.post("/<int:user_id>/deactivate")
def deactivate(user_id: int):
    """Stop a person from logging in."""
    user = db.get_or_404(User, user_id)
    announce = _(
        "%(name)s letiltva: nem tud belépni, és a korábbi jelszóbeállító linkjei érvénytelenek.",
        name=user.full_name,
    )
    security_log.event("account.deactivated", target=user.id)
    return _act(user, operations.deactivate, user, announce=announce)


@bp.post("/<int:user_id>/activate")
def activate(user_id: int):
    """Let a deactivated person log in again."""
    user = db.get_or_404(User, user_id)
    security_log.event("account.reactivated", target=user.id)
    return _act(user, operations.reactivate, user)


@bp.errorhandler(429)
def too_many_password_checks(_error):
    """Show the person again, the reset's password field saying to wait (the only limit here)."""
    security_log.event("rate_limited", path=request.path)
    form = TwoFactorResetForm(formdata=None)
    form.password.errors = [str(current_password.TOO_MANY)]
    user = db.get_or_404(User, request.view_args["user_id"])
    return _render_person(user, status=429, reset_form=form)


@bp.post("/<int:user_id>/two-factor/reset")
@current_password.limited
def reset_two_factor(user_id: int):
    """Turn off the two-factor sign-in of someone who lost the phone and the recovery codes
    (the coordinator's own password is asked for: a session left open is not enough)."""
    user = db.get_or_404(User, user_id)
    require(can_reset_two_factor(current_user, user))
    form = TwoFactorResetForm()
    current_password.checked(form, form.password)
    if form.errors:
        return _render_person(user, status=422, reset_form=form)
    announce = _(
        "%(name)s kétlépcsős belépése kikapcsolva, és minden eszközén kijelentkeztettük. A "
        "következő belépéskor elég a jelszava; ha a program megköveteli, a belépés után újra "
        "be kell állítania.",
        name=user.full_name,
    )
    response = _act(user, operations.reset_two_factor, user, announce=announce)
    if response.status_code < 400:
        security_log.event("totp.reset", target=user.id)
        send_two_factor_reset(user)
    return response


@bp.post("/<int:user_id>/link")
def new_link(user_id: int):
    """Make a new single-use link to set a password ("forgot my password")."""
    user = db.get_or_404(User, user_id)
    if not user.active:
        flash(_("Letiltott felhasználónak nem adható belépési link."), "error")
        return redirect(url_for("people.person", user_id=user.id), 303)
    token = create_invitation(user, current_user, purpose="reset")
    db.session.commit()
    flash(_("Új egyszer használható link %(name)s számára:", name=user.full_name), "success")
    _link_message(user, token, "reset")
    return redirect(url_for("people.person", user_id=user.id), 303)


@bp.post("/<int:user_id>/memberships")
def add_membership(user_id: int):
    """Put a person into a group."""
    user = db.get_or_404(User, user_id)
    form = _membership_form()
    if form.validate():
        group = _group_or_error(form)
        if group is not None:
            return _act(
                user,
                operations.add_to_group,
                user,
                group,
                Role(form.role.data),
                form.institution.data or "",
                form.settlement.data or "",
                form.joined_on.data,
            )
    return _render_person(user, form, status=422)


@bp.post("/<int:user_id>/memberships/<int:membership_id>/remove")
def remove_membership(user_id: int, membership_id: int):
    """Take a person out of a group."""
    user = db.get_or_404(User, user_id)
    membership = _membership(user, membership_id)
    announce = _(
        "%(name)s kikerült ebből a csoportból: %(group)s. Korábbi részvétele megmarad.",
        name=user.full_name,
        group=membership.group.name,
    )
    return _act(
        user, operations.remove_from_group, membership, focus="memberships", announce=announce
    )


@bp.post("/<int:user_id>/memberships/<int:membership_id>/joined")
def change_joined_on(user_id: int, membership_id: int):
    """Correct the day a member joined their group."""
    user = db.get_or_404(User, user_id)
    membership = _membership(user, membership_id)
    form = JoinedOnForm(prefix=f"membership-{membership.id}")
    if form.validate():
        try:
            with db.session.begin_nested():
                operations.set_joined_on(current_user, membership, form.joined_on.data)
        except operations.PeopleError as error:  # said at the field, with the day as typed
            form.joined_on.errors = [*form.joined_on.errors, str(error)]
        else:
            return _done(user)
    if wants_fragment():  # only this form: what is typed elsewhere on the page stays
        return render(
            "people/person.html",
            "people/_joined_on.html",
            status=422,
            person=user,
            m=membership,
            joined=form,
        )
    return _render_person(user, status=422, refused=form)


@bp.post("/<int:user_id>/memberships/<int:membership_id>/role")
def change_role(user_id: int, membership_id: int):
    """Make a member mentor or participant."""
    user = db.get_or_404(User, user_id)
    membership = _membership(user, membership_id)
    role = request.form.get("role", "")
    if role not in {r.value for r in Role}:
        return _act(user, _bad_role)
    return _act(user, operations.set_role, membership, Role(role))


def _bad_role(_actor):
    """Refuse an unknown role."""
    raise operations.PeopleError(_("Ismeretlen szerep."))


@bp.route("/<int:user_id>/reminder", methods=["GET", "POST"])
def reminder(user_id: int):
    """Show the reminder a mentor would get about their open tasks; a POST mails it now."""
    require(can_send_reminders(current_user))
    user = db.get_or_404(User, user_id)
    today = local_today()
    digest = reminder_for(user, today)
    if request.method == "GET":
        subject, body = compose(digest, today) if digest.is_due else ("", "")
        return render_template(
            "people/reminder.html",
            person=user,
            subject=subject,
            body=body,
            due=digest.is_due,
            mail_configured=mail_configured(),
        )
    if not digest.is_due:
        flash(
            _("Nincs nyitott feladata, nincs mit küldeni: %(name)s.", name=user.full_name), "info"
        )
    elif not mail_configured():
        flash(_("Nincs beállítva levélküldés (MAIL_SERVER): az emlékeztető nem ment el."), "error")
    elif send_reminder(digest, today):
        db.session.commit()
        flash(_("Emlékeztető elküldve: %(email)s", email=user.email), "success")
    else:
        flash(_("A levelet nem sikerült elküldeni; később próbálja újra."), "error")
    return redirect(url_for("people.reminder", user_id=user.id), 303)


def _anonymise_page(person: User, form: AnonymiseForm, status: int = 200):
    """Render the preview of anonymising a person, with the confirming form."""
    return render(
        "people/anonymise.html",
        status=status,
        person=person,
        form=form,
        preview=queries.anonymise_preview(person),
    )


@bp.route("/<int:user_id>/anonymise", methods=["GET", "POST"])
def anonymise(user_id: int):
    """Preview, then (confirmed) anonymise a leaver for good."""
    person = db.get_or_404(User, user_id)
    require(can_anonymise_person(current_user, person))
    if request.method == "GET":
        return _anonymise_page(person, AnonymiseForm(formdata=None))
    form = AnonymiseForm()
    if not form.validate():
        return _anonymise_page(person, form, 422)
    try:
        label = operations.anonymise(current_user, person, keep_notes=form.notes.data == "keep")
    except operations.PeopleError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("people.person", user_id=user_id), 303)
    db.session.commit()
    # Who and when, never what: the log holds no name.
    security_log.event("person.anonymised", target=person.id)
    # Every cached PDF made before holds the old name: delete them (they are made again on
    # the next download).
    for path in cache_dir().glob("*.pdf"):
        path.unlink(missing_ok=True)
    flash(_("A személy anonimizálva: mostantól „%(label)s”.", label=label), "success")
    return redirect(url_for("people.person", user_id=user_id), 303)
