"""Every route × every kind of visitor × own and other group's objects, from one table.

`RULES` declares, for every endpoint of the app, who may use it as a function of the visitor's
role and of the target the URL points at. `run_matrix` walks `app.url_map`, fills each rule's
URL parameters from the world (own group alfa, other group beta, a valid and an invalid
invitation, …), sends every method the rule allows with and without `HX-Request`, and reports:

* a route the table does not declare ("new route X: declare who may use it");
* a denied request that does not answer like a denial (when logged out: 302 to the login page,
  or for a form post the 401 page that keeps what was typed; for htmx 401 with `HX-Redirect`,
  or for an action a 401 message with a login link; 403 or 404 when logged in), or that
  changed a row;
* an allowed GET that does not answer 200, an allowed write that is refused or fails;
* any answer that contains a name, an e-mail or a text the visitor may not see (the other
  group's people and content; private and mentor-only text of the own group).

An allowed request that writes is undone afterwards (every table is restored from a snapshot),
so each request meets the same world.
"""

import io
import itertools
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

import openpyxl
import pytest
from flask import Flask, current_app
from sqlalchemy import delete, select, text

from journal.auth.operations import create_invitation
from journal.extensions import db
from journal.methods.operations import create_method
from journal.models import (
    Guest,
    Journal,
    JournalSection,
    Membership,
    Note,
    NoteKind,
    SectionRevision,
    User,
    Visibility,
    Workshop,
    WorkshopStatus,
    utcnow,
)
from tests.factories import PASSWORD, make_membership, make_user
from tests.pdfs import pdf_text

HX = {"HX-Request": "true"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# --- Who visits ------------------------------------------------------------------------------

ANON = "anonymous"
PART = "participant_a"
MENT = "mentor_a"
COORD = "coordinator"
DEACT = "deactivated"
ROLES = (ANON, PART, MENT, COORD, DEACT)
LOGGED_OUT = {ANON, DEACT}  # a deactivated user's session no longer logs anybody in
MEMBERS = {PART, MENT}  # current members of group alfa

# --- The table: endpoint → who may use it ----------------------------------------------------
#
# A rule gets the visitor's role and the target's name and answers True (allowed: a GET gives
# 200, a write is not refused), False (denied: login for the logged out, 403/404 for the logged
# in, and no row changes) or a status code (exactly this answer, and no row changes).
# Targets per URL parameter are listed in `TARGETS`; "own" is always in group alfa.

Rule = Callable[[str, str], bool | int]


def anyone(who: str, target: str) -> bool:
    """Allow every visitor."""
    return True


def logged_in(who: str, target: str) -> bool:
    """Allow every logged-in visitor."""
    return who not in LOGGED_OUT


def sees_group(who: str, target: str) -> bool:
    """Members see their own group, the coordinator every group."""
    return who == COORD or (who in MEMBERS and target == "own")


def member_of_group(who: str, target: str) -> bool:
    """Only current members of the group (not the coordinator as such)."""
    return who in MEMBERS and target == "own"


def reads_methods(who: str, target: str) -> bool | int:
    """Everyone in the program reads the methods library; a method that is not there: 404."""
    if who in (PART, MENT, COORD):
        return target != "missing" or 404
    return False


def writes_methods(who: str, target: str) -> bool | int:
    """Mentors and the coordinator write methods; a participant is refused (403) a method
    that exists and told that a missing one is not there."""
    if who in (MENT, COORD):
        return target != "missing" or 404
    return 404 if who == PART and target == "missing" else False


def coordinator_not_self(who: str, target: str) -> bool | int:
    """Only the coordinator, and never on her own account (403)."""
    return (target != "self" or 403) if who == COORD else False


def coordinator_only(who: str, target: str) -> bool | int:
    """Only the coordinator; a membership of somebody else than the person is not found."""
    if who == COORD:
        return target != "mismatch" or 404
    return False


def sees_note(who: str, target: str) -> bool:
    """A visible note of the own group (a peer's, or the visitor's own); any for the coordinator."""
    return (who == COORD and target != "mine") or (who in MEMBERS and target in ("own", "mine"))


def author_of_note(who: str, target: str) -> bool:
    """The note's author, while a member."""
    return who in MEMBERS and target == "mine"


def reacts_to_note(who: str, target: str) -> bool:
    """A member says "Nálam is" to a peer's difficulty (never to their own)."""
    return who in MEMBERS and target == "own"


def replies_to_note(who: str, target: str) -> bool:
    """Members reply to the live notes of their group, their own too."""
    return who in MEMBERS and target in ("own", "mine")


def moderates_note(who: str, target: str) -> bool:
    """The group's mentor moderates its notes; the coordinator every group's."""
    return (who == COORD and target != "mine") or (who == MENT and target in ("own", "mine"))


def picks_note(who: str, target: str) -> bool:
    """Only the group's mentor picks notes for the report."""
    return who == MENT and target in ("own", "mine")


def sees_workshop(who: str, target: str) -> bool:
    """Whoever sees the group sees its workshops."""
    return sees_group(who, target)


def writes_journal(who: str, target: str) -> bool:
    """Only the group's mentor writes its journal."""
    return who == MENT and target == "own"


def previews_report(who: str, target: str) -> bool:
    """The group's mentor and the coordinator see what a report would contain."""
    return who == COORD or (who == MENT and target == "own")


READS_SECTION = {
    "own-group": {PART, MENT, COORD},
    "own-coordination": {MENT, COORD},
    "own-private": {MENT},
    "other-group": {COORD},
    "other-private": set(),
}


def reads_section(who: str, target: str) -> bool:
    """Private: the author; coordination: also the coordinator; group: also the participants."""
    return who in READS_SECTION[target]


def edits_section(who: str, target: str) -> bool:
    """Only the journal's author, the group's mentor, edits its sections."""
    return who == MENT and target.startswith("own-")


def manages_workshops(who: str, target: str) -> bool:
    """The group's mentor and the coordinator plan, edit, cancel and hold workshops."""
    return who == COORD or (who == MENT and target == "own")


def follows_journals(who: str, target: str) -> bool:
    """The group's mentor and the coordinator see its open tasks."""
    return who == COORD or (who == MENT and target == "own")


def views_participation(who: str, target: str) -> bool | int:
    """The coordinator and the group's mentor see a member's attendance record; a person who
    is not a member of the group is not found."""
    if who == COORD or (who == MENT and target in ("own", "mismatch")):
        return target != "mismatch" or 404
    return False


def records_attendance(who: str, target: str) -> bool:
    """The group's mentor and the coordinator record attendance and guests."""
    return who == COORD or (who == MENT and target == "own")


DRAFTS = {
    "own-section": {MENT},  # a section of the own group's journal: its author
    "mine-note": MEMBERS,  # an edit of the visitor's own note
    "own-note": set(),  # an edit of a peer's note
    "own-new": MEMBERS,  # a new note in the own group
    "other-section": set(),
    "other-new": set(),
    "own-reply": MEMBERS,  # a reply to a note of the own group
    "other-reply": set(),
    "unknown": set(),  # a key of no registered kind
}


def keeps_draft(who: str, target: str) -> bool:
    """A draft is kept only of what the visitor may edit right now."""
    return who in DRAFTS[target]


RULES: dict[str, Rule] = {
    # Logging in: a logged-in visitor is sent home.
    "auth.login": lambda who, target: 302 if who not in LOGGED_OUT else True,
    "auth.logout": logged_in,
    "auth.set_language": anyone,
    # The link's token is the credential: it is taken into the session and out of the address
    # at once (303 to the token-free page, for any token); that page, without a valid token
    # taken from a link in this session, answers 404 to everyone.
    "auth.open_invitation": lambda who, target: 303,
    # The code step of a login: without a right password moments ago, back to the login page.
    "auth.login_code": lambda who, target: 303,
    "auth.accept_invitation": lambda who, target: 404,
    "groups.home": logged_in,
    "groups.group": sees_group,
    "groups.tasks": follows_journals,
    "groups.person": views_participation,
    "notes.board": sees_group,
    "notes.poll": sees_group,
    "notes.newer": sees_group,
    "notes.shared": sees_group,
    "notes.deleted": sees_group,
    "notes.create": member_of_group,
    "notes.show": sees_note,
    "notes.edit": author_of_note,
    "notes.delete": author_of_note,
    # The note is not deleted, so even its author gets 404.
    "notes.restore": lambda who, target: 404 if author_of_note(who, target) else False,
    "notes.consent": author_of_note,
    "notes.metoo": reacts_to_note,
    "notes.reply": replies_to_note,
    "notes.hide": moderates_note,
    "notes.unhide": moderates_note,
    "notes.pick": picks_note,
    "journals.journal": sees_workshop,
    "journals.start": writes_journal,
    "journals.finalise": writes_journal,
    "journals.write": writes_journal,
    "journals.preview": previews_report,
    "journals.show": reads_section,
    "journals.history": reads_section,
    "journals.compare": reads_section,
    "journals.edit": edits_section,
    "journals.save": edits_section,
    "journals.restore": edits_section,
    "workshops.new": manages_workshops,
    "workshops.show": sees_workshop,
    "workshops.edit": manages_workshops,
    "workshops.cancel": manages_workshops,
    "workshops.held": manages_workshops,
    "workshops.attendance": records_attendance,
    "workshops.add_guest": records_attendance,
    "workshops.remove_guest": records_attendance,
    # The private link is the credential (phone calendars cannot log in): anyone holding a
    # current member's link; a made-up link or a deactivated member's answers 404.
    "workshops.feed": lambda who, target: target == "valid" or 404,
    "workshops.renew_feed": member_of_group,
    "drafts.save": keeps_draft,
    "drafts.discard": keeps_draft,
    "people.index": coordinator_only,
    "people.person": coordinator_only,
    "people.deactivate": coordinator_only,
    "people.activate": coordinator_only,
    "people.new_link": coordinator_only,
    "people.add_membership": coordinator_only,
    "people.remove_membership": coordinator_only,
    "people.change_role": coordinator_only,
    "people.change_joined_on": coordinator_only,
    "people.reminder": coordinator_only,
    # Anonymising a leaver, or turning off someone's lost second factor: the coordinator,
    # never herself (403).
    "people.anonymise": coordinator_not_self,
    "people.reset_two_factor": coordinator_not_self,
    # Workshop documents (attendance sheets, record): the coordinator and the group's mentor.
    "reports.attendance_sheet": previews_report,
    "reports.attendance_sheet_pdf": previews_report,
    "reports.attendance_sheet_filled": previews_report,
    "reports.attendance_sheet_filled_pdf": previews_report,
    "reports.workshop_record": previews_report,
    "reports.workshop_record_pdf": previews_report,
    "reports.group_summary": previews_report,
    "reports.group_summary_pdf": previews_report,
    "reports.program_report": coordinator_only,
    "reports.program_report_pdf": coordinator_only,
    "program.settings": coordinator_only,
    # Spreadsheets: a group's for its mentor and the coordinator, every group's for her.
    "exports.group_exports": previews_report,
    "exports.group_download": previews_report,
    "exports.program_exports": coordinator_only,
    "exports.program_download": coordinator_only,
    # The privacy notice: read by anyone (also logged out), written by the coordinator.
    "privacy.notice": anyone,
    "privacy.edit": coordinator_only,
    # A person's own data: everyone their own; the coordinator anyone's, on request.
    "personal_data.own_data": logged_in,
    "personal_data.person_data": lambda who, target: (
        who == COORD or (target == "self" and who not in LOGGED_OUT)
    ),
    "narratives.program_text": coordinator_only,
    "narratives.group_text": writes_journal,
    "profile.show": logged_in,
    # Everyone searches; what is found is limited row by row (tests/test_search_privacy.py).
    "search.index": logged_in,
    "methods.index": reads_methods,
    "methods.show": reads_methods,
    "methods.new": writes_methods,
    "methods.edit": writes_methods,
    "methods.used_too": writes_methods,
    "methods.matching": writes_methods,
    "methods.handout": writes_methods,
    "methods.handout_pdf": writes_methods,
    "methods.compendium": coordinator_only,
    "methods.compendium_pdf": coordinator_only,
    "profile.update": logged_in,
    "profile.change_password": logged_in,
    "profile.two_factor_page": logged_in,
    "profile.two_factor_start": logged_in,
    "profile.two_factor_confirm": logged_in,
    "profile.two_factor_disable": logged_in,
    "profile.two_factor_codes": logged_in,
}

# What an allowed write sends, so that it gets past input checks to the real work.
_login_attempts = itertools.count(1)
WORKSHOP = {"date": "2026-01-16", "topic": "Új alkalom", "place": "Közösségi ház"}
METHOD = {"name": "Körkérdés", "aim": "Mindenki szóhoz jut.", "group_size": "", "minutes": 10,
          "materials": "", "body": "1. Kérdés\n2. Kör", "variations": "", "source": "",
          "tags": "nyitás"}  # fmt: skip
_method_names = itertools.count(1)
FORM_DATA: dict[str, Callable[["MatrixWorld", "Case"], dict]] = {
    # A new address per attempt, so the per-address login limit never answers 429 here.
    "auth.login": lambda mw, case: {"email": f"senki{next(_login_attempts)}@example.org"},
    "auth.set_language": lambda mw, case: {"language": "en"},
    "notes.create": lambda mw, case: {"kind": "difficulty", "title": "Új", "body": "Szöveg"},
    "notes.edit": lambda mw, case: {"kind": "difficulty", "title": "Javított", "version": "1"},
    "notes.reply": lambda mw, case: {"body": "Válasz"},
    "notes.hide": lambda mw, case: {"reason": "Nem ide tartozik."},
    "notes.pick": lambda mw, case: {"picked": "1"},
    "notes.consent": lambda mw, case: {"consent": "0"},
    "journals.save": lambda mw, case: {
        "body": "Új szöveg",
        "visibility": case.target.rpartition("-")[2],  # the section's own visibility
        "version": "3",
    },
    "journals.restore": lambda mw, case: {"revision": "2", "version": "3"},
    "journals.finalise": lambda mw, case: {"confirm": "1"},
    "narratives.program_text": lambda mw, case: {"body": "Összegzés", "version": "0"},
    "narratives.group_text": lambda mw, case: {"body": "Összegzés", "version": "0"},
    "workshops.new": lambda mw, case: WORKSHOP,
    "methods.new": lambda mw, case: {"name": f"Új módszer {next(_method_names)}", "version": "0"},
    "methods.edit": lambda mw, case: {"name": "Körkérdés", "aim": "Más cél", "version": "1"},
    "methods.used_too": lambda mw, case: {"on": "1"},
    "methods.matching": lambda mw, case: {
        "workshop": mw.workshops["own"],
        "version": "1",
        "text": "körkérdés",
        "method": mw.method,
    },
    "workshops.edit": lambda mw, case: WORKSHOP | {"version": "1"},
    "workshops.cancel": lambda mw, case: {"reason": "Betegség miatt.", "version": "1"},
    "workshops.held": lambda mw, case: {"version": "1"},
    "workshops.attendance": lambda mw, case: {
        "user_id": mw.users["participant_b" if case.target == "other" else "participant_a2"],
        "status": "present",
    },
    "workshops.add_guest": lambda mw, case: {"name": "Vendég Vilma"},
    "workshops.remove_guest": lambda mw, case: {"guest_id": mw.guests.get(case.target)},
    "drafts.save": lambda mw, case: {"body": "Piszkozat", "fields": {}},
    "people.add_membership": lambda mw, case: {"group": "beta", "role": "participant"},
    "people.change_role": lambda mw, case: {"role": "mentor"},
    "people.anonymise": lambda mw, case: {"notes": "keep", "confirm": "y"},
    "people.reset_two_factor": lambda mw, case: {"password": PASSWORD},
    "privacy.edit": lambda mw, case: {"body": "Tájékoztató", "version": "0"},
    "people.change_joined_on": lambda mw, case: {
        f"membership-{m}-joined_on": "2025-11-01" for m in mw.memberships.values()
    },
    "program.settings": lambda mw, case: {
        "name": "Kapcsolódások",
        "period_start": "2024-01-01",
        "period_end": "2027-12-31",
        "journal_due_days": "7",
    },
    "profile.update": lambda mw, case: {"family_name": "Új", "given_name": "Név", "language": "hu"},
}
# Whose eyes a request sees with, for the leak check, when a link stands for a person.
SEES_AS: dict[str, Callable[[str, str], str]] = {
    "workshops.feed": lambda who, target: PART if target == "valid" else who,
}
QUERY: dict[str, dict] = {
    "journals.compare": {"from": 2, "to": 3},
    # The exports that name people, as .xlsx (read by response_text, so names are checked).
    "exports.group_download": {"table": "participation", "format": "xlsx"},
    "exports.program_download": {"table": "attendance", "format": "xlsx"},
}

# Cases that show a real bug: skipped by the matrix, run alone by `test_known_bug` (xfail).
# (endpoint, method, role, target, htmx) → reason
KNOWN_BUGS: dict[tuple[str, str, str, str, bool], str] = {}

# --- Targets: how each URL parameter is filled -----------------------------------------------

TARGETS: dict[frozenset[str], tuple[str, ...]] = {
    frozenset(): ("",),
    frozenset({"slug"}): ("own", "other"),
    frozenset({"slug", "kind"}): ("own", "other"),
    frozenset({"slug", "user_id"}): ("own", "other", "mismatch"),
    frozenset({"token"}): ("valid", "invalid"),
    frozenset({"user_id"}): ("self", "own", "other"),
    frozenset({"user_id", "membership_id"}): ("self", "own", "other", "mismatch"),
    frozenset({"note_id"}): ("own", "mine", "other"),
    frozenset({"workshop_id"}): ("own", "other"),
    frozenset({"section_id"}): tuple(READS_SECTION),
    frozenset({"feed_token"}): ("valid", "invalid", "revoked"),
    frozenset({"key"}): tuple(DRAFTS),
    frozenset({"method_id"}): ("existing", "missing"),
}


@dataclass
class MatrixWorld:
    """Ids and secrets of the world the matrix visits, and the texts each role may see."""

    identities: dict[str, str | None]  # role → Flask-Login session identity
    users: dict[str, int]
    memberships: dict[str, int]
    notes: dict[str, int]
    workshops: dict[str, int]
    sections: dict[str, int]
    token: str
    markers: dict[str, frozenset[str]]  # text → roles that may see it
    groups: dict[str, int]
    guests: dict[str, int]
    method: int
    feed_tokens: dict[str, str]

    def values(self, arguments: frozenset[str], target: str, who: str) -> dict | None:
        """Return the URL values of a target for this visitor, or None when it does not apply."""
        if not arguments:
            return {}
        if arguments == {"slug"}:
            return {"slug": {"own": "alfa", "other": "beta"}[target]}
        if arguments == {"slug", "user_id"}:
            slug = "beta" if target == "other" else "alfa"
            person = "participant_a2" if target == "own" else "participant_b"
            return {"slug": slug, "user_id": self.users[person]}
        if arguments == {"slug", "kind"}:
            return {"slug": {"own": "alfa", "other": "beta"}[target], "kind": "journal"}
        if arguments == {"token"}:
            return {"token": self.token if target == "valid" else "ervenytelen-link-123"}
        if "user_id" in arguments:
            person = {"self": who, "own": "participant_a2", "other": "participant_b"}
            owner = person.get(target, "participant_a2")
            if owner == ANON:
                return None  # an anonymous visitor has no self
            values = {"user_id": self.users[owner]}
            if "membership_id" in arguments:
                of = "participant_b" if target == "mismatch" else owner
                if of not in self.memberships:
                    return None  # the coordinator has no membership of their own
                values["membership_id"] = self.memberships[of]
            return values
        if arguments == {"note_id"}:
            key = f"mine:{who}" if target == "mine" else target
            return {"note_id": self.notes[key]} if key in self.notes else None
        if arguments == {"workshop_id"}:
            return {"workshop_id": self.workshops[target]}
        if arguments == {"section_id"}:
            return {"section_id": self.sections[target]}
        if arguments == {"feed_token"}:
            return {"feed_token": self.feed_tokens.get(target, "1-0123456789abcdef")}
        if arguments == {"method_id"}:
            return {"method_id": self.method if target == "existing" else 2**30}
        if arguments == {"key"}:
            key = self.draft_key(target, who)
            return {"key": key} if key else None
        raise AssertionError(f"no values for {sorted(arguments)}")

    def draft_key(self, target: str, who: str) -> str | None:
        """Return the draft key a target stands for (None: the visitor has no note of their own)."""
        if target == "mine-note":
            note_id = self.notes.get(f"mine:{who}")
            return f"note:{note_id}" if note_id else None
        return {
            "own-section": f"section:{self.sections['own-coordination']}",
            "own-note": f"note:{self.notes['own']}",
            "own-new": f"note:new:group:{self.groups['own']}",
            "other-section": f"section:{self.sections['other-group']}",
            "other-new": f"note:new:group:{self.groups['other']}",
            "own-reply": f"reply:{self.notes['own']}",
            "other-reply": f"reply:{self.notes['other']}",
            "unknown": "ismeretlen:1",
        }[target]


def _journal(workshop: Workshop, author: User, texts: dict[str, tuple[Visibility, str]]) -> dict:
    """Write a journal with every section; fill some with a marker, saved twice (versions 2, 3)."""
    keys = ("topic", "process", "methods", "raised", "outcomes", "reflection", "next_steps")
    journal = Journal(workshop_id=workshop.id, author_id=author.id)
    db.session.add(journal)
    db.session.flush()
    sections = {}
    for position, key in enumerate(keys, start=1):
        visibility, marker = texts.get(
            key, (Visibility.PRIVATE if key == "reflection" else Visibility.COORDINATION, "")
        )
        section = JournalSection(
            journal_id=journal.id,
            key=key,
            position=position,
            visibility=visibility,
            body=f"{marker} második változat" if marker else "",
            version=3 if marker else 1,
            updated_by_id=author.id,
        )
        db.session.add(section)
        db.session.flush()
        if marker:
            for version, word in ((2, "első"), (3, "második")):
                db.session.add(
                    SectionRevision(
                        section_id=section.id,
                        version=version,
                        body=f"{marker} {word} változat",
                        visibility=visibility,
                        author_id=author.id,
                        created_at=utcnow(),
                    )
                )
        sections[key] = section
    db.session.flush()
    return sections


def build_matrix_world(world: dict) -> MatrixWorld:
    """Add to the conftest world what the matrix visits: notes, journals, an invitation."""
    group_a, group_b = world["group_a"], world["group_b"]
    deactivated = make_user(family_name="Letiltott", given_name="Dénes")
    make_membership(deactivated, group_a)
    invitee = make_user(password=None, family_name="Meghívott", given_name="Irma")
    token = create_invitation(invitee, world["coordinator"])

    def note(author: User, group, title: str, **kw) -> int:
        """Add a difficulty and return its id."""
        created = utcnow() - timedelta(hours=1)
        item = Note(
            group_id=group.id,
            author_id=author.id,
            kind=NoteKind.DIFFICULTY,
            title=title,
            body=f"{title} szövege",
            created_at=created,
            updated_at=created,
            **kw,
        )
        db.session.add(item)
        db.session.flush()
        return item.id

    notes = {
        "own": note(world["participant_a2"], group_a, "ALFA-NOTE-4411"),
        f"mine:{PART}": note(world["participant_a"], group_a, "ALFA-MINE-P-4412"),
        f"mine:{MENT}": note(world["mentor_a"], group_a, "ALFA-MINE-M-4413"),
        "other": note(world["participant_b"], group_b, "BETA-NOTE-4414"),
    }
    note(world["participant_a2"], group_a, "ALFA-MENTORONLY-4415", mentor_only=True)
    note(world["participant_b"], group_b, "BETA-MENTORONLY-4416", mentor_only=True)

    def workshop(group, topic: str) -> Workshop:
        """Add a held workshop."""
        item = Workshop(
            group=group, date=date(2025, 11, 14), topic=topic, status=WorkshopStatus.HELD
        )
        db.session.add(item)
        db.session.flush()
        return item

    ws_a, ws_b = workshop(group_a, "ALFA-WORKSHOP-4421"), workshop(group_b, "BETA-WORKSHOP-4422")
    ws_a.methods = "körkérdés"  # typed before the library: matched to it on /methods/matching
    guests = {
        "own": Guest(workshop=ws_a, name="Vendég Vera"),
        "other": Guest(workshop=ws_b, name="BETA-GUEST-4451"),
    }
    db.session.add_all(guests.values())
    alfa = _journal(
        ws_a,
        world["mentor_a"],
        {
            "topic": (Visibility.GROUP, "ALFA-GROUP-SECTION-4431"),
            "process": (Visibility.COORDINATION, "ALFA-COORD-SECTION-4432"),
            "reflection": (Visibility.PRIVATE, "ALFA-PRIVATE-SECTION-4433"),
        },
    )
    beta = _journal(
        ws_b,
        world["mentor_b"],
        {
            "topic": (Visibility.GROUP, "BETA-GROUP-SECTION-4441"),
            "process": (Visibility.COORDINATION, "BETA-COORD-SECTION-4442"),
            "reflection": (Visibility.PRIVATE, "BETA-PRIVATE-SECTION-4443"),
        },
    )
    db.session.commit()

    alfa_people = {PART, MENT, COORD}
    markers: dict[str, frozenset[str]] = {}
    for key in ("mentor_b", "participant_b"):
        person = world[key]
        for marker in (person.full_name, person.email, person.given_name):
            markers[marker] = frozenset({COORD})
    for key in ("mentor_a", "participant_a", "participant_a2"):
        person = world[key]
        for marker in (person.full_name, person.email):
            markers[marker] = frozenset(alfa_people)
    for marker in ("Béta csoport", "Béta régió", "Béta-ház", "Bétafalva"):
        markers[marker] = frozenset({COORD})
    for marker in ("Alfa csoport", "Alfa régió", "Alfa-ház", "Alfafalva"):
        markers[marker] = frozenset(alfa_people)
    markers |= {
        "ALFA-NOTE-4411": frozenset(alfa_people),
        "ALFA-MINE-P-4412": frozenset(alfa_people),
        "ALFA-MINE-M-4413": frozenset(alfa_people),
        "ALFA-MENTORONLY-4415": frozenset({MENT}),
        "BETA-NOTE-4414": frozenset({COORD}),
        "BETA-MENTORONLY-4416": frozenset(),
        "ALFA-WORKSHOP-4421": frozenset(alfa_people),
        "BETA-WORKSHOP-4422": frozenset({COORD}),
        "BETA-GUEST-4451": frozenset({COORD}),
        "ALFA-GROUP-SECTION-4431": frozenset(alfa_people),
        "ALFA-COORD-SECTION-4432": frozenset({MENT, COORD}),
        "ALFA-PRIVATE-SECTION-4433": frozenset({MENT}),
        "BETA-GROUP-SECTION-4441": frozenset({COORD}),
        "BETA-COORD-SECTION-4442": frozenset({COORD}),
        "BETA-PRIVATE-SECTION-4443": frozenset(),
    }

    membership_of = {
        key: db.session.scalar(
            select(Membership.id).where(
                Membership.user_id == world[key].id, Membership.group_id == group_a.id
            )
        )
        for key in ("participant_a", "mentor_a", "participant_a2")
    }
    membership_of["participant_b"] = db.session.scalar(
        select(Membership.id).where(Membership.user_id == world["participant_b"].id)
    )
    membership_of[DEACT] = db.session.scalar(
        select(Membership.id).where(Membership.user_id == deactivated.id)
    )

    method = create_method(world["coordinator"], METHOD)
    # The deactivated user had logged in before being deactivated: the session is theirs.
    deactivated.active = False
    db.session.commit()
    feed_tokens = {}
    if "workshops.feed" in current_app.view_functions:
        from journal.workshops.ics import feed_token

        feed_tokens = {
            "valid": feed_token(db.session.get(Membership, membership_of[PART])),
            "revoked": feed_token(db.session.get(Membership, membership_of[DEACT])),
        }
    people = {key: world[key] for key in (PART, MENT, COORD, "participant_a2", "participant_b")}
    people[DEACT] = deactivated
    return MatrixWorld(
        identities={ANON: None} | {role: people[role].get_id() for role in ROLES if role != ANON},
        users={key: user.id for key, user in people.items()},
        memberships=membership_of,
        notes=notes,
        workshops={"own": ws_a.id, "other": ws_b.id},
        sections={
            "own-group": alfa["topic"].id,
            "own-coordination": alfa["process"].id,
            "own-private": alfa["reflection"].id,
            "other-group": beta["topic"].id,
            "other-private": beta["reflection"].id,
        },
        token=token,
        markers=markers,
        groups={"own": group_a.id, "other": group_b.id},
        guests={key: guest.id for key, guest in guests.items()},
        feed_tokens=feed_tokens,
        method=method.id,
    )


# --- The walk -----------------------------------------------------------------------------------

Snapshot = dict[str, list[str]]
SavedRows = dict[str, tuple[tuple[str, ...], list[tuple]]]


def snapshot() -> Snapshot:
    """Return every row of every table (each as JSON text), in one statement."""
    array = "json_build_array" if db.engine.dialect.name == "postgresql" else "json_array"
    selects = [
        f"SELECT '{table.name}' AS t, CAST({array}("
        + ", ".join(f'"{column.name}"' for column in table.columns)
        + f') AS TEXT) AS r FROM "{table.name}"'
        for table in db.metadata.sorted_tables
    ]
    rows: Snapshot = {table.name: [] for table in db.metadata.sorted_tables}
    for table, row in db.session.execute(text(" UNION ALL ".join(selects) + " ORDER BY 1, 2")):
        rows[table].append(row)
    db.session.commit()
    return rows


def saved_rows() -> SavedRows:
    """Return every row of every table as the driver returns them, to restore them later."""
    connection = db.session.connection()
    rows = {}
    for table in db.metadata.sorted_tables:
        # The model's columns only: what an engine generates (the search's tsvector) is
        # generated again when the rows go back.
        columns = ", ".join(f'"{column.name}"' for column in table.columns)
        result = connection.exec_driver_sql(f'SELECT {columns} FROM "{table.name}"')
        rows[table.name] = (tuple(result.keys()), [tuple(row) for row in result])
    db.session.commit()
    return rows


def restore(saved: SavedRows) -> None:
    """Put every table back to the saved rows."""
    db.session.rollback()
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(delete(table))
    for table in db.metadata.sorted_tables:
        names, rows = saved[table.name]
        if rows:
            columns = ", ".join(f'"{name}"' for name in names)
            params = ", ".join(f":p{i}" for i in range(len(names)))
            db.session.execute(
                text(f'INSERT INTO "{table.name}" ({columns}) VALUES ({params})'),
                [{f"p{i}": value for i, value in enumerate(row)} for row in rows],
            )
    db.session.commit()


def changed_tables(before: Snapshot, after: Snapshot) -> list[str]:
    """Name the tables whose rows differ."""
    return [n for n in before if before[n] != after[n]]


@dataclass(frozen=True)
class Case:
    """One request of the matrix."""

    endpoint: str
    method: str
    who: str
    target: str
    htmx: bool

    @property
    def key(self) -> tuple[str, str, str, str, bool]:
        """Return the case as a tuple, as `KNOWN_BUGS` names it."""
        return (self.endpoint, self.method, self.who, self.target, self.htmx)

    def __str__(self) -> str:
        """Describe the case in one line."""
        where = f" [{self.target}]" if self.target else ""
        return f"{self.method} {self.endpoint}{where} as {self.who}{' (htmx)' if self.htmx else ''}"


@dataclass
class MatrixReport:
    """What the walk found, and how much it did."""

    problems: list[str] = field(default_factory=list)
    requests: int = 0
    allowed: int = 0
    denied: int = 0
    exact: int = 0
    restored: int = 0
    skipped: list[Case] = field(default_factory=list)

    def summary(self) -> str:
        """Return the counts in one line."""
        return (
            f"{self.requests} requests: {self.allowed} allowed, {self.denied} denied, "
            f"{self.exact} with an exact status; {self.restored} writes undone"
        )


def undeclared_routes(app: Flask) -> list[str]:
    """Return a message for every route the table does not declare."""
    return [
        f"new route {rule.endpoint} ({rule.rule}): declare who may use it in RULES"
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and rule.endpoint not in RULES
    ]


def matrix_cases(app: Flask, mw: MatrixWorld, report: MatrixReport) -> Iterable[tuple[Case, str]]:
    """Yield every case of the matrix with its URL; report routes it cannot fill in."""
    adapter = app.url_map.bind("localhost")
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule)):
        if rule.endpoint == "static" or rule.endpoint not in RULES:
            continue
        arguments = frozenset(rule.arguments)
        if arguments not in TARGETS:
            report.problems.append(
                f"route {rule.endpoint} ({rule.rule}) has URL parameters {sorted(arguments)} "
                "the matrix cannot fill in: add them to TARGETS and MatrixWorld.values"
            )
            continue
        # HEAD is sent where a page also takes a post: it must answer as the GET, not take the
        # post's path (a form refused with 422, or a write).
        methods = rule.methods - {"OPTIONS"} - (set() if "POST" in rule.methods else {"HEAD"})
        for method in sorted(methods):
            for who in ROLES:
                for target in TARGETS[arguments]:
                    values = mw.values(arguments, target, who)
                    if values is None:
                        continue
                    url = adapter.build(
                        rule.endpoint, values | QUERY.get(rule.endpoint, {}), method=method
                    )
                    for htmx in (False, True):
                        yield Case(rule.endpoint, method, who, target, htmx), url


# Endpoints whose body is JSON (what the page's script sends), not a form.
JSON_BODY = {"drafts.save"}


def _send(app: Flask, mw: MatrixWorld, case: Case, url: str):
    """Send one request as the case's visitor, from a client with a session of its own."""
    client = app.test_client()
    identity = mw.identities[case.who]
    if identity is not None:
        with client.session_transaction() as session:
            session["_user_id"] = identity
            session["_fresh"] = True
    data = FORM_DATA[case.endpoint](mw, case) if case.endpoint in FORM_DATA else {}
    body = {"json": data} if case.endpoint in JSON_BODY else {"data": data}
    return client.open(
        url,
        method=case.method,
        headers=HX if case.htmx else {},
        **(body if case.method not in ("GET", "HEAD") else {}),
    )


def _to_login(response) -> bool:
    """Tell whether a response sends the visitor to the login page."""
    location = response.headers.get("HX-Redirect") or response.headers.get("Location") or ""
    return location.split("://", 1)[-1].removeprefix("localhost").startswith("/login")


def told(case: Case, response) -> bool:
    """Tell whether a logged-out htmx action was answered by a message in the message area
    with a login link (the page, and what was typed on it, stays)."""
    text = response.get_data(as_text=True)
    return (
        case.method != "GET"
        and response.headers.get("HX-Retarget") == "#messages"
        and "Lejárt a bejelentkezése" in text
        and 'href="/login"' in text
    )


def kept(response) -> bool:
    """Tell whether a logged-out form post was answered by the page that keeps what was typed
    and offers the login in a new tab (401)."""
    text = response.get_data(as_text=True)
    return response.status_code == 401 and "Lejárt a bejelentkezése" in text and "/login" in text


def hides_existence(case: Case) -> bool:
    """Tell whether a refusal must be 404, so as not to reveal that the object exists."""
    # The other group's objects and the sections a member may not read are hidden; the
    # coordinator's people pages, which members may know about, answer 403 before any load.
    if case.who not in MEMBERS or case.endpoint.startswith("people."):
        return False
    return case.target.startswith("other") or case.target in ("own-coordination", "own-private")


def response_text(response) -> str:
    """Return the text of an answer; a PDF's is the text of its pages."""
    if response.mimetype == "application/pdf":
        return pdf_text(response.get_data())
    if response.mimetype == XLSX:
        book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
        cells = [
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        ]
        return "\n".join([*book.sheetnames, *cells])
    if response.mimetype == "application/zip":
        with zipfile.ZipFile(io.BytesIO(response.get_data())) as archive:
            return "\n".join(archive.read(name).decode() for name in archive.namelist())
    return response.get_data(as_text=True)


def check(case: Case, expected: bool | int, response, changed: list[str], mw: MatrixWorld):
    """Return what is wrong with one answer (an empty list when it is right)."""
    status = response.status_code
    problems = []
    if expected is False and case.who in LOGGED_OUT:
        # A page's script (JSON) is answered like htmx: it keeps the text and waits.
        script = case.htmx or case.endpoint in JSON_BODY
        if script and not (status == 401 and (_to_login(response) or told(case, response))):
            problems.append(f"expected 401 with HX-Redirect to the login page, got {status}")
        if not script and not (status == 302 and _to_login(response)) and not kept(response):
            problems.append(
                f"expected 302 to the login page (or the page keeping the form), got {status}"
            )
    elif expected is False:
        if status not in (403, 404):
            problems.append(f"expected 403 or 404, got {status}")
        elif status != 404 and hides_existence(case):
            problems.append(f"expected 404 (an object the visitor may not see), got {status}")
    elif expected is True:
        if case.method in ("GET", "HEAD") and status != 200:
            problems.append(f"expected 200, got {status}")
        elif (
            status >= 500
            or status in (401, 403, 404, 405)
            or (status == 302 and _to_login(response))
        ):
            problems.append(f"allowed, but answered {status} {response.headers.get('Location')}")
    elif status != expected:
        problems.append(f"expected {expected}, got {status}")
    if case.method == "HEAD" and response.get_data():
        problems.append("a HEAD answered with a body")
    if (expected is not True or case.method == "HEAD") and changed:
        problems.append(f"changed rows of {', '.join(changed)}")
    body = response_text(response)
    viewer = SEES_AS.get(case.endpoint, lambda who, target: who)(case.who, case.target)
    leaked = sorted(
        text for text, roles in mw.markers.items() if viewer not in roles and text in body
    )
    if leaked:
        problems.append(f"leaked {', '.join(leaked)} (status {status})")
    return [f"{case}: {problem}" for problem in problems]


def run_matrix(
    app: Flask,
    mw: MatrixWorld,
    only: Callable[[Case], bool] | None = None,
    skip: Iterable[tuple] = (),
) -> MatrixReport:
    """Walk the matrix (or the cases `only` accepts) and report every problem found."""
    report = MatrixReport(problems=undeclared_routes(app))
    skip = set(skip)
    baseline, saved = snapshot(), saved_rows()
    for case, url in list(matrix_cases(app, mw, report)):
        if only is not None and not only(case):
            continue
        if case.key in skip:
            report.skipped.append(case)
            continue
        expected = RULES[case.endpoint](case.who, case.target)
        report.requests += 1
        if expected is True:
            report.allowed += 1
        elif expected is False:
            report.denied += 1
        else:
            report.exact += 1
        try:
            response = _send(app, mw, case, url)
        except Exception as error:  # an unexpected error propagates in testing: report it
            report.problems.append(f"{case}: raised {error!r}")
            restore(saved)
            report.restored += 1
            continue
        after = snapshot()
        changed = changed_tables(baseline, after)
        report.problems += check(case, expected, response, changed, mw)
        if changed:
            restore(saved)
            report.restored += 1
    return report


@pytest.fixture
def matrix_world(world) -> MatrixWorld:
    """The conftest world with notes, journals, an invitation and a deactivated member."""
    return build_matrix_world(world)


def test_every_route_is_declared(app):
    """Every route of the app has a line in the access table."""
    assert undeclared_routes(app) == []


# The matrix runs per blueprint (the part of an endpoint before the dot), each in a test of its
# own with its own world, so that pytest-xdist spreads the groups over its workers.
ROUTE_GROUPS = sorted({endpoint.partition(".")[0] for endpoint in RULES})


@pytest.mark.parametrize("group", ROUTE_GROUPS)
def test_access_matrix(app, matrix_world, group):
    """Every route of the group answers every visitor as RULES says, writes nothing if refused,
    leaks nothing (every undeclared route of the app is reported in each group too)."""
    report = run_matrix(
        app,
        matrix_world,
        only=lambda case: case.endpoint.partition(".")[0] == group,
        skip=KNOWN_BUGS,
    )
    print(report.summary())
    assert report.requests > 0
    assert not report.problems, "\n".join([report.summary(), *report.problems])


if KNOWN_BUGS:  # each known bug is a test of its own, failing (xfail, strict) until fixed

    @pytest.mark.parametrize(
        "bug",
        [
            pytest.param(key, marks=pytest.mark.xfail(strict=True, reason=why), id=str(Case(*key)))
            for key, why in KNOWN_BUGS.items()
        ],
    )
    def test_known_bug(app, matrix_world, bug):
        """A known access bug, alone: it fails until fixed; then drop it from KNOWN_BUGS."""
        report = run_matrix(app, matrix_world, only=lambda case: case.key == bug)
        assert report.requests == 1
        assert not report.problems, "\n".join(report.problems)


# --- The matrix bites ---------------------------------------------------------------------------


def test_matrix_reports_a_group_leak(app, matrix_world, monkeypatch):
    """If group pages stopped filtering by membership, the matrix would report the leak."""
    from journal.groups import queries
    from journal.models import Group

    def any_group(user, slug):
        """Return the group whatever the user: the bug this test plants."""
        return db.session.scalar(select(Group).where(Group.slug == slug))

    monkeypatch.setattr(queries, "visible_group_by_slug", any_group)  # every page's one door
    report = run_matrix(
        app, matrix_world, only=lambda c: c.endpoint in ("groups.group", "notes.board")
    )
    wanted = "GET groups.group [other] as participant_a: expected 403 or 404, got 200"
    assert wanted in report.problems
    assert any(
        p.startswith("GET groups.group [other] as participant_a:")
        and "leaked" in p
        and "Mentor Béla" in p
        for p in report.problems
    ), report.problems
    # The board's own SQL filter still hides the notes, but the page is the other group's.
    assert "GET notes.board [other] as mentor_a: expected 403 or 404, got 200" in report.problems
    assert any(
        p.startswith("GET notes.board [other] as mentor_a:")
        and "leaked" in p
        and "Béta csoport" in p
        for p in report.problems
    ), report.problems


def test_matrix_reports_a_predicate_that_allows_everything(app, matrix_world, monkeypatch):
    """If `can_view_group` allowed everyone, the matrix would report the other group's journal."""
    from journal import permissions

    monkeypatch.setattr(permissions, "can_view_group", lambda user, group: True)
    report = run_matrix(app, matrix_world, only=lambda c: c.endpoint == "journals.journal")
    assert any(
        p.startswith("GET journals.journal [other] as participant_a:") and "got 200" in p
        for p in report.problems
    ), report.problems
    assert any("BETA-WORKSHOP-4422" in p for p in report.problems)


def test_matrix_reports_a_write_by_someone_refused(app, matrix_world, monkeypatch):
    """If a participant could deactivate people, the matrix would report answer and write."""
    from journal.people import views as people_views

    monkeypatch.setattr(people_views, "can_manage_people", lambda user: True)
    report = run_matrix(
        app, matrix_world, only=lambda c: c.endpoint == "people.deactivate" and c.who == PART
    )
    assert (
        "POST people.deactivate [own] as participant_a: changed rows of app_user" in report.problems
    )
    assert any("expected 403 or 404, got 303" in p for p in report.problems)


def test_matrix_reports_a_new_route(app, matrix_world):
    """A route nobody declared makes the matrix fail with a clear message."""
    app.add_url_rule("/titkos", "secret_page", lambda: "titok")
    report = run_matrix(app, matrix_world, only=lambda case: False)
    assert report.problems == ["new route secret_page (/titkos): declare who may use it in RULES"]


def test_matrix_reads_spreadsheets(app, matrix_world, monkeypatch):
    """If the program-wide exports were open to everyone, the matrix would find the other
    group's people inside the .xlsx."""
    from journal.exports import views as export_views

    monkeypatch.setattr(export_views, "can_export_program_data", lambda user: True)
    report = run_matrix(
        app,
        matrix_world,
        only=lambda c: c.endpoint == "exports.program_download" and c.who == PART and not c.htmx,
    )
    assert any(
        p.startswith("GET exports.program_download as participant_a:")
        and "leaked" in p
        and "Résztvevő Borbála" in p
        for p in report.problems
    ), report.problems


def test_matrix_reads_zip_archives(app, matrix_world, monkeypatch):
    """If the coordinator's copy of a person's data held all of it, the matrix would find the
    person's mentor-only note inside the ZIP."""
    from journal.personal_data import queries
    from journal.personal_data import views as data_views

    monkeypatch.setattr(
        data_views, "personal_data", lambda person, viewer: queries.personal_data(person, person)
    )
    report = run_matrix(
        app,
        matrix_world,
        only=lambda c: c.endpoint == "personal_data.person_data" and c.who == COORD,
    )
    assert any(
        p.startswith("GET personal_data.person_data [own] as coordinator:")
        and "leaked ALFA-MENTORONLY-4415" in p
        for p in report.problems
    ), report.problems
