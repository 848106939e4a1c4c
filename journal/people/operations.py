"""Writes of the coordinator's people page (flush, never commit)."""

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from journal.auth import two_factor
from journal.auth.operations import create_invitation, revoke_invitations
from journal.extensions import db
from journal.i18n import long_date
from journal.models import (
    Attendance,
    Draft,
    Group,
    Invitation,
    Membership,
    Note,
    Reply,
    Role,
    User,
    Workshop,
    WorkshopStatus,
    local_today,
    utcnow,
)
from journal.people.queries import anonymous_label


class PeopleError(Exception):
    """A request the data does not allow; the message is shown to the coordinator."""


def invite_person(
    actor: User,
    *,
    family_name: str,
    given_name: str,
    email: str,
    group: Group | None = None,
    role: Role = Role.PARTICIPANT,
    institution: str = "",
    settlement: str = "",
    joined_on: date | None = None,
) -> tuple[User, str]:
    """Add a person without a password and return them with an invitation token."""
    email = email.strip().lower()
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise PeopleError(_("Ezzel az e-mail-címmel már van felhasználó."))
    user = User(email=email, family_name=family_name.strip(), given_name=given_name.strip())
    db.session.add(user)
    db.session.flush()
    if group is not None:
        add_to_group(actor, user, group, role, institution, settlement, joined_on)
    return user, create_invitation(user, actor)


def _not_anonymised(user: User) -> None:
    """Refuse to bring an anonymised person back: anonymising is for good."""
    if user.anonymised_at is not None:
        raise PeopleError(
            _("Anonimizált személy: nem léphet be újra, és csoportba sem vehető fel.")
        )


def add_to_group(
    actor: User,
    user: User,
    group: Group,
    role: Role,
    institution: str = "",
    settlement: str = "",
    joined_on: date | None = None,
) -> Membership:
    """Put a person into a group (again, if they had left it) from joined_on (default today):
    the workshops before that day do not list them. Taken back on the day they were taken out
    (a removal undone), without a day given, they keep the day they first joined; back in,
    they keep the institution and settlement they had where none is given."""
    _not_anonymised(user)
    membership = db.session.scalar(
        select(Membership).where(Membership.user_id == user.id, Membership.group_id == group.id)
    )
    if membership is not None and membership.is_current:
        raise PeopleError(_("%(name)s már tagja ennek a csoportnak.", name=user.full_name))
    today = local_today()
    if membership is None:
        membership = Membership(user=user, group=group)
        db.session.add(membership)
    elif joined_on is None and membership.left_on == today:
        joined_on = membership.joined_on
    membership.role = role
    membership.institution = institution.strip() or membership.institution or ""
    membership.settlement = settlement.strip() or membership.settlement or ""
    membership.joined_on = joined_on or today
    membership.left_on = None
    db.session.flush()
    return membership


def remove_from_group(actor: User, membership: Membership) -> None:
    """End a membership today; the record stays for attendance history."""
    if not membership.is_current:
        raise PeopleError(_("Ez a tagság már véget ért."))
    membership.left_on = local_today()
    db.session.flush()


def set_joined_on(actor: User, membership: Membership, joined_on: date) -> None:
    """Correct the day a current member joined: the workshops from that day list them. Not
    later than a held workshop of this membership whose attendance records them: the filed
    sheets and the exports would then contradict the day (one before it, of an earlier stint
    in the group, does not count)."""
    if not membership.is_current:
        raise PeopleError(_("Ez a tagság már véget ért."))
    first = db.session.scalar(
        select(func.min(Workshop.date))
        .join(Attendance, Attendance.workshop_id == Workshop.id)
        .where(
            Workshop.group_id == membership.group_id,
            Workshop.status == WorkshopStatus.HELD,
            Workshop.date >= membership.joined_on,
            Attendance.user_id == membership.user_id,
        )
    )
    if first is not None and joined_on > first:
        raise PeopleError(
            _(
                "%(name)s jelenléte már rögzítve van a %(day)s alkalomnál, ezért a csatlakozás "
                "napja legkésőbb ez lehet.",
                name=membership.user.full_name,
                day=long_date(first),
            )
        )
    membership.joined_on = joined_on
    db.session.flush()


def set_role(actor: User, membership: Membership, role: Role) -> None:
    """Make a member mentor or participant of the group."""
    if not membership.is_current:
        raise PeopleError(_("Ez a tagság már véget ért."))
    membership.role = role
    db.session.flush()


def deactivate(actor: User, user: User) -> None:
    """Stop a person from logging in; end all their sessions and their unused links."""
    if user.id == actor.id:
        raise PeopleError(_("Saját fiókját nem tilthatja le."))
    user.active = False
    user.end_all_sessions()
    # A link given out before stays dead when the account is enabled again.
    revoke_invitations(user)
    db.session.flush()


def reset_two_factor(actor: User, person: User) -> None:
    """Turn off the two-factor sign-in of someone who lost the phone and the recovery codes
    (the coordinator, `can_reset_two_factor`), and end their sessions (a lost phone may hold
    one): the next sign-in asks for the password alone, then, if the program requires it, a
    new set-up."""
    if person.totp_enabled_at is None:
        raise PeopleError(
            _("%(name)s kétlépcsős belépése nincs bekapcsolva.", name=person.full_name)
        )
    two_factor.disable(person)
    person.end_all_sessions()
    db.session.flush()


def reactivate(actor: User, user: User) -> None:
    """Let a deactivated person log in again."""
    _not_anonymised(user)
    user.active = True
    db.session.flush()


def anonymise(actor: User, person: User, keep_notes: bool) -> str:
    """Replace a leaver's name and email with a label ("Volt résztvevő 3") for good: no
    password, no second factor, no session, no link, no draft, no institution or settlement;
    their memberships end today; attendance, journals and (if keep_notes) notes and replies
    stay under the label, else their notes (with the replies under them) and replies are
    deleted. Return the label."""
    if person.id == actor.id:
        raise PeopleError(_("Saját fiókját nem anonimizálhatja."))
    if person.anonymised_at is not None:
        raise PeopleError(_("Ezt a személyt már anonimizálták."))
    family, given, email = anonymous_label(person)
    today = local_today()
    for membership in person.memberships:
        membership.institution = ""
        membership.settlement = ""
        if membership.is_current:
            membership.left_on = today
    for draft in db.session.scalars(select(Draft).where(Draft.user_id == person.id)):
        db.session.delete(draft)
    for link in db.session.scalars(select(Invitation).where(Invitation.user_id == person.id)):
        db.session.delete(link)
    if not keep_notes:
        for reply in db.session.scalars(select(Reply).where(Reply.author_id == person.id)):
            db.session.delete(reply)
        for note in db.session.scalars(select(Note).where(Note.author_id == person.id)):
            db.session.delete(note)  # its replies and reactions go with it
    person.family_name = family
    person.given_name = given
    person.email = email
    person.password_hash = None
    two_factor.disable(person)  # the secret and the recovery codes are theirs too
    person.active = False
    person.is_coordinator = False
    person.visited_at = None
    person.previous_visit_at = None
    person.reminded_on = None
    person.end_all_sessions()
    person.anonymised_at = utcnow()
    db.session.flush()
    return person.full_name
