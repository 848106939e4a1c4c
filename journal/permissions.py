"""Who may see and do what: one predicate per rule, used by views, queries and templates.

The rule for forbidden objects is the same everywhere: an object the user may not see
answers 404 (its existence is not revealed); a page or action the user may know about but
not use answers 403. Views call `require_visible` / `require`, never a role check of their own.
"""

from flask import abort

from journal.models import (
    ME_TOO_KINDS,
    Group,
    Journal,
    JournalSection,
    Membership,
    Note,
    Role,
    User,
    Visibility,
    Workshop,
)


def current_memberships(user: User) -> list[Membership]:
    """Return the user's memberships in force today."""
    return [m for m in user.memberships if m.is_current]


def is_coordinator(user: User) -> bool:
    """Tell whether the user coordinates the whole program."""
    return bool(user.is_authenticated and user.is_active and user.is_coordinator)


def is_member_of(user: User, group: Group) -> bool:
    """Tell whether the user currently belongs to the group, in any role."""
    return user.is_authenticated and any(m.group_id == group.id for m in current_memberships(user))


def mentored_group_ids(user: User) -> set[int]:
    """Return the ids of the groups the user currently mentors."""
    if not user.is_authenticated:
        return set()
    return {m.group_id for m in current_memberships(user) if m.role == Role.MENTOR}


def is_mentor_of(user: User, group: Group) -> bool:
    """Tell whether the user currently mentors the group."""
    return group.id in mentored_group_ids(user)


def can_view_group(user: User, group: Group) -> bool:
    """Participants see their own group, mentors the groups they mentor, the coordinator all."""
    return is_coordinator(user) or is_member_of(user, group)


def can_manage_people(user: User) -> bool:
    """Only the coordinator invites, deactivates and assigns people."""
    return is_coordinator(user)


def can_edit_program_settings(user: User) -> bool:
    """Only the coordinator sets the program's name, association, funder, grant and period."""
    return is_coordinator(user)


def can_send_reminders(user: User) -> bool:
    """Only the coordinator sends a mentor a reminder of their open tasks."""
    return is_coordinator(user)


# --- Workshops, attendance, journals -----------------------------------------------------


def can_view_workshop(user: User, workshop: Workshop) -> bool:
    """Everyone who sees the group sees its workshops."""
    return can_view_group(user, workshop.group)


def can_manage_workshops(user: User, group: Group) -> bool:
    """The group's mentor and the coordinator create, edit and cancel workshops."""
    return is_mentor_of(user, group) or is_coordinator(user)


def can_record_attendance(user: User, group: Group) -> bool:
    """The group's mentor (and the coordinator) record who was there."""
    return is_mentor_of(user, group) or is_coordinator(user)


def can_write_journal(user: User, group: Group) -> bool:
    """Only the group's mentor writes its journals."""
    return is_mentor_of(user, group)


def can_follow_journals(user: User, group: Group) -> bool:
    """The coordinator and the group's mentors see which held workshops still lack a journal
    (whether it is written, not what it says)."""
    return is_coordinator(user) or is_mentor_of(user, group)


def can_view_participation(user: User, group: Group) -> bool:
    """The coordinator and the group's mentors see each member's attendance record."""
    return is_coordinator(user) or is_mentor_of(user, group)


def readable_visibilities(user: User, journal: Journal) -> set[Visibility]:
    """Return the section visibilities the user may read in this journal."""
    group = journal.workshop.group
    if user.is_authenticated and user.id == journal.author_id:
        return {Visibility.PRIVATE, Visibility.COORDINATION, Visibility.GROUP}
    readable: set[Visibility] = set()
    if is_coordinator(user) or is_mentor_of(user, group):
        readable |= {Visibility.COORDINATION, Visibility.GROUP}
    if is_member_of(user, group):
        readable.add(Visibility.GROUP)
    return readable


def can_read_section(user: User, section: JournalSection) -> bool:
    """Private: the journal's author alone; coordination: also mentors and the coordinator;
    group: also the group's participants."""
    return section.visibility in readable_visibilities(user, section.journal)


def can_edit_journal(user: User, journal: Journal) -> bool:
    """The journal's author, while still the group's mentor, edits it."""
    return (
        user.is_authenticated
        and user.id == journal.author_id
        and is_mentor_of(user, journal.workshop.group)
    )


# --- Shared notes ---------------------------------------------------------------------------


def can_add_note(user: User, group: Group) -> bool:
    """Any current member of the group, participant or mentor, adds notes."""
    return is_member_of(user, group)


def can_view_note(user: User, note: Note) -> bool:
    """Who may see a note.

    Its author always (also deleted or hidden, to restore it); a deleted note nobody else.
    A mentor-only note: the author and the group's mentors. A hidden note: also the group's
    mentors and the coordinator. Otherwise the group's members and the coordinator.
    """
    if not user.is_authenticated:
        return False
    if user.id == note.author_id:
        return True
    if note.deleted_at is not None:
        return False
    if note.mentor_only:
        return is_mentor_of(user, note.group)
    if note.hidden_at is not None:
        return is_mentor_of(user, note.group) or is_coordinator(user)
    return is_member_of(user, note.group) or is_coordinator(user)


def can_edit_note(user: User, note: Note) -> bool:
    """The author, while still a member, edits, deletes and restores their note."""
    return user.is_authenticated and user.id == note.author_id and is_member_of(user, note.group)


def can_moderate_note(user: User, note: Note) -> bool:
    """The group's mentor and the coordinator hide and restore notes they can see."""
    return can_view_note(user, note) and (is_mentor_of(user, note.group) or is_coordinator(user))


def can_react_to_note(user: User, note: Note) -> bool:
    """Group members say "Nálam is" to a visible difficulty or question of someone else."""
    return (
        note.kind in ME_TOO_KINDS
        and note.deleted_at is None
        and note.hidden_at is None
        and user.is_authenticated
        and user.id != note.author_id
        and is_member_of(user, note.group)
        and can_view_note(user, note)
    )


def can_reply_to_note(user: User, note: Note) -> bool:
    """Members who can see a live note reply to it."""
    return (
        note.deleted_at is None
        and note.hidden_at is None
        and is_member_of(user, note.group)
        and can_view_note(user, note)
    )


def can_pick_note_for_report(user: User, note: Note) -> bool:
    """The group's mentor marks a group-visible note for the PDF summaries.

    Group-visible means live: neither mentor-only, nor hidden, nor deleted (the report
    leaves those out, so a pick on them would promise what the report does not keep).
    """
    return (
        not note.mentor_only
        and note.hidden_at is None
        and note.deleted_at is None
        and is_mentor_of(user, note.group)
        and can_view_note(user, note)
    )


# --- Reports --------------------------------------------------------------------------------


def can_download_group_report(user: User, group: Group) -> bool:
    """The coordinator, and the group's mentor for their group, download its PDFs."""
    return is_coordinator(user) or is_mentor_of(user, group)


def can_download_program_report(user: User) -> bool:
    """Only the coordinator downloads the five-group program report."""
    return is_coordinator(user)


def can_write_program_text(user: User) -> bool:
    """The coordinator writes the program's summary of a report period."""
    return is_coordinator(user)


def can_write_group_text(user: User, group: Group) -> bool:
    """The group's mentor writes the group's summary of a report period."""
    return is_mentor_of(user, group)


# --- The methods library -------------------------------------------------------------------


def can_view_methods(user: User) -> bool:
    """Everyone in the program reads the methods library: it is the program's shared
    knowledge (the coordinator, and anyone in a group)."""
    return is_coordinator(user) or bool(user.is_authenticated and current_memberships(user))


def can_write_methods(user: User) -> bool:
    """Mentors and the coordinator write and edit methods."""
    return is_coordinator(user) or bool(mentored_group_ids(user))


def can_say_used_too(user: User) -> bool:
    """Mentors and the coordinator say "Ezt én is használtam" (I used it too) on a method;
    everyone who reads the library sees how many did."""
    return can_write_methods(user)


def can_print_handout(user: User) -> bool:
    """Mentors and the coordinator print a method as a one-page handout for a workshop."""
    return can_write_methods(user)


def can_export_compendium(user: User) -> bool:
    """Only the coordinator exports the library as a printed compendium."""
    return is_coordinator(user)


def can_be_required_two_factor(user: User) -> bool:
    """Mentors and the coordinator: whom the program may require two-factor sign-in of."""
    return is_coordinator(user) or bool(mentored_group_ids(user))


# --- Data exports -----------------------------------------------------------------------------


def can_export_group_data(user: User, group: Group) -> bool:
    """The coordinator, and the group's mentor for their group, download its spreadsheets
    (attendance, workshops, participation): what they already see of its members."""
    return is_coordinator(user) or is_mentor_of(user, group)


def can_export_program_data(user: User) -> bool:
    """Only the coordinator downloads the spreadsheets of every group at once."""
    return is_coordinator(user)


def can_export_personal_data(user: User, person: User) -> bool:
    """Everyone downloads their own data; the coordinator produces anyone's on request
    (with only what she may see herself: journal/personal_data)."""
    if not (user.is_authenticated and user.is_active):
        return False
    return user.id == person.id or is_coordinator(user)


def can_edit_privacy_notice(user: User) -> bool:
    """Only the coordinator writes the privacy notice (everyone reads it)."""
    return is_coordinator(user)


def can_anonymise_person(user: User, person: User) -> bool:
    """The coordinator anonymises a leaver, once, never herself."""
    return is_coordinator(user) and user.id != person.id and person.anonymised_at is None


def can_reset_two_factor(user: User, person: User) -> bool:
    """The coordinator turns off the two-factor sign-in of someone who lost the phone and the
    recovery codes; never her own (her profile does that, with her password)."""
    return is_coordinator(user) and user.id != person.id


def require_visible(allowed: bool) -> None:
    """Answer 404 for an object the user may not see."""
    if not allowed:
        abort(404)


def require(allowed: bool) -> None:
    """Answer 403 for a page or action the user may not use."""
    if not allowed:
        abort(403)


PREDICATES = {
    name: function
    for name, function in globals().items()
    if name.startswith(("can_", "is_")) and callable(function)
}
