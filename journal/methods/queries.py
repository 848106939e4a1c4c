"""Reads of the methods library: everyone in the program reads all of it."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from flask import abort
from sqlalchemy import or_, select, true
from sqlalchemy.orm import selectinload

from journal.extensions import db
from journal.groups.queries import visible_groups
from journal.i18n import hungarian_key, sort_hungarian
from journal.journals.queries import readable_condition
from journal.methods.operations import letters
from journal.models import (
    Group,
    Journal,
    JournalSection,
    Method,
    MethodRevision,
    User,
    Workshop,
    WorkshopMethod,
    WorkshopStatus,
)
from journal.permissions import is_coordinator, mentored_group_ids

# The journal section that says how the methods worked ("Alkalmazott módszerek").
METHODS_SECTION = "methods"


def library(tag: str = "") -> list[Method]:
    """Return the methods in Hungarian alphabetical order, those with the tag if one is given."""
    methods = db.session.scalars(select(Method))
    if tag:
        methods = [m for m in methods if tag.casefold() in (t.casefold() for t in m.tag_list)]
    return sort_hungarian(methods, key=lambda method: method.name)


def distinct_tags(tags: Iterable[str]) -> list[str]:
    """Return the tags once each, whatever their case, as first written ("nyitás, Nyitás":
    nyitás), in their order."""
    seen: dict[str, str] = {}
    for tag in tags:
        seen.setdefault(tag.casefold(), tag)
    return list(seen.values())


def all_tags(methods: list[Method]) -> list[str]:
    """Return every tag of the methods once, in Hungarian order."""
    tags = distinct_tags(tag for method in methods for tag in method.tag_list)
    return sorted(tags, key=hungarian_key)


def method_or_404(method_id: int) -> Method:
    """Load a method with its revisions and their authors, or answer 404."""
    method = db.session.scalar(
        select(Method)
        .where(Method.id == method_id)
        .options(
            selectinload(Method.revisions).selectinload(MethodRevision.author),
            selectinload(Method.used_too),
        )
    )
    if method is None:
        abort(404)
    return method


@dataclass
class Use:
    """A workshop whose plan used the method: whether the reader may open it, and what its
    journal's methods section said, if the reader may read it here."""

    step: WorkshopMethod
    visible: bool
    said: list[JournalSection] = field(default_factory=list)


def uses(user: User, method: Method) -> list[Use]:
    """Return the workshops that used the method, newest first, with what their journals
    said about their methods: only sections the user may read, and of the groups the user
    neither mentors nor coordinates only those picked for the report (a fixed number of
    queries, however many workshops used it)."""
    steps = db.session.scalars(
        select(WorkshopMethod)
        .join(Workshop, WorkshopMethod.workshop_id == Workshop.id)
        .where(WorkshopMethod.method_id == method.id)
        .order_by(Workshop.date.desc(), Workshop.id.desc())
        .options(selectinload(WorkshopMethod.workshop).selectinload(Workshop.group))
    ).all()
    if not steps:
        return []
    visible = {group.id for group in visible_groups(user)}
    shared = or_(
        JournalSection.in_report,
        true() if is_coordinator(user) else Workshop.group_id.in_(sorted(mentored_group_ids(user))),
    )
    sections = db.session.scalars(
        select(JournalSection)
        .join(Journal, JournalSection.journal_id == Journal.id)
        .join(Workshop, Journal.workshop_id == Workshop.id)
        .where(
            Workshop.id.in_([step.workshop_id for step in steps]),
            JournalSection.key == METHODS_SECTION,
            JournalSection.body != "",
            readable_condition(user),
            shared,
        )
        .options(selectinload(JournalSection.journal))
    ).all()
    said: dict[int, list[JournalSection]] = {}
    for section in sections:
        said.setdefault(section.journal.workshop_id, []).append(section)
    return [
        Use(step, step.workshop.group_id in visible, said.get(step.workshop_id, []))
        for step in steps
    ]


# How alike two names must be (difflib's ratio of their folded letters) to be offered as one:
# "reflektív napló" / "reflektív naplók" (0.97) are; "nyitókör" / "zárókör" (0.53) are not.
ALIKE = 0.85
SUGGESTIONS = 3


def near_names(name: str, methods: list[Method]) -> list[Method]:
    """Return the methods whose names are near-identical to `name`: the same letters (case,
    accents, hyphens and spaces aside) first, then a letter or two apart; at most a few."""
    mine = letters(name)
    scored = []
    for method in methods:
        other = letters(method.name)
        if other == mine:
            score = 2.0
        elif min(len(other), len(mine)) < 5:
            continue  # in a short name one letter is another word ("kör" and "kör")
        else:
            score = SequenceMatcher(None, mine, other).ratio()
        if score >= ALIKE:
            scored.append((-score, hungarian_key(method.name), method))
    return [method for *_key, method in sorted(scored, key=lambda s: s[:2])][:SUGGESTIONS]


@dataclass
class FreeMethod:
    """A method typed as free text in a workshop, and the library's near-identical ones."""

    workshop: Workshop
    text: str
    suggestions: list[Method]

    @property
    def in_library(self) -> bool:
        """Tell whether the library holds this very name (its letters: case, accents, hyphens
        and spaces aside): then creating it as new would only find that one."""
        return any(letters(m.name) == letters(self.text) for m in self.suggestions)


def free_methods(user: User) -> list[FreeMethod]:
    """Return the free-text methods of the workshops whose plan the user may change (a
    mentor's groups, the coordinator's every group), newest workshop first, each with the
    library's near-identical names."""
    query = (
        select(Workshop)
        .where(Workshop.methods != "")
        .order_by(Workshop.date.desc(), Workshop.id.desc())
        .options(selectinload(Workshop.group))
    )
    if not is_coordinator(user):
        query = query.where(Workshop.group_id.in_(sorted(mentored_group_ids(user))))
    methods = list(db.session.scalars(select(Method)))
    return [
        FreeMethod(workshop, text, near_names(text, methods))
        for workshop in db.session.scalars(query)
        for text in workshop.free_methods
    ]


def held_uses(methods: list[Method]) -> dict[int, list[tuple[Workshop, Group]]]:
    """Return, per method id, the held workshops whose plan used it (oldest first) with their
    groups: what a print says of a method's use (group, topic, date: never a journal's
    text). One query, however many methods and workshops."""
    rows = db.session.execute(
        select(WorkshopMethod.method_id, Workshop, Group)
        .join(Workshop, WorkshopMethod.workshop_id == Workshop.id)
        .join(Group, Workshop.group_id == Group.id)
        .where(
            WorkshopMethod.method_id.in_([m.id for m in methods]),
            Workshop.status == WorkshopStatus.HELD,
        )
        .order_by(Workshop.date, Workshop.id)
    )
    used: dict[int, list[tuple[Workshop, Group]]] = {}
    for method_id, workshop, group in rows:
        used.setdefault(method_id, []).append((workshop, group))
    return used
