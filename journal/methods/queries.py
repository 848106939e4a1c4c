"""Reads of the methods library: everyone in the program reads all of it."""

import json
from dataclasses import dataclass, field

from flask import abort
from sqlalchemy import or_, select, true
from sqlalchemy.orm import selectinload

from journal.extensions import db
from journal.groups.queries import visible_groups
from journal.i18n import hungarian_key, sort_hungarian
from journal.journals.queries import readable_condition
from journal.models import (
    Journal,
    JournalSection,
    Method,
    MethodRevision,
    User,
    Workshop,
    WorkshopMethod,
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


def all_tags(methods: list[Method]) -> list[str]:
    """Return every tag of the methods once, in Hungarian order."""
    seen = {}
    for method in methods:
        for tag in method.tag_list:
            seen.setdefault(tag.casefold(), tag)
    return sorted(seen.values(), key=hungarian_key)


def method_or_404(method_id: int) -> Method:
    """Load a method with its revisions and their authors, or answer 404."""
    method = db.session.scalar(
        select(Method)
        .where(Method.id == method_id)
        .options(selectinload(Method.revisions).selectinload(MethodRevision.author))
    )
    if method is None:
        abort(404)
    return method


def revision_fields(revision: MethodRevision) -> dict:
    """Return the fields a revision kept."""
    return json.loads(revision.fields)


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
