"""Writes of the methods library: a new method, and a save checked against the version it was
edited from, with a revision per saved version (the rules of journal sections)."""

import json

from sqlalchemy import func, select

from journal.domain import NotAllowed, StaleVersion, set_mark, versioned_update
from journal.extensions import db
from journal.markdown import stored
from journal.models import (
    Method,
    MethodRevision,
    MethodUsedToo,
    User,
    Workshop,
    WorkshopMethod,
    utcnow,
)
from journal.permissions import can_manage_workshops, can_say_used_too, can_write_methods
from journal.search.index import words

FIELDS = ("name", "aim", "group_size", "minutes", "materials", "body", "variations", "source",
          "tags")  # fmt: skip


class NameTaken(Exception):
    """Another method already has this name (its letters: case, accents, hyphens and spaces
    aside)."""

    def __init__(self, other: Method):
        """Keep the other method, to link to it."""
        super().__init__("name taken")
        self.other = other


def name_key(name: str) -> str:
    """Return a name's stored key: its words, case and accents aside ("Galéria-séta" and
    "galeria seta" → "galeria seta"; unique). A name without a word ("🙂") is its own key,
    case aside: two such names are not the same for having none."""
    return " ".join(words(name)) or name.strip().casefold()


def letters(name: str) -> str:
    """Return what makes two names one method: their letters, case, accents, hyphens and
    spaces aside ("Világ-kávézó" and "világkávézó"); the library holds one of each."""
    return name_key(name).replace(" ", "")


def _same_name(name: str, other_than: int | None = None) -> Method | None:
    """Return another method of the same name (the same letters), if any."""
    query = select(Method).where(func.replace(Method.name_key, " ", "") == letters(name))
    if other_than is not None:
        query = query.where(Method.id != other_than)
    return db.session.scalar(query)


def _revise(method: Method, author: User) -> None:
    """Keep the method's saved version as a revision."""
    fields = {name: getattr(method, name) for name in FIELDS}
    db.session.add(
        MethodRevision(
            method_id=method.id, version=method.version, author_id=author.id,
            fields=json.dumps(fields, ensure_ascii=False), created_at=method.updated_at,
        )
    )  # fmt: skip
    db.session.flush()


def create_method(author: User, values: dict) -> Method:
    """Add a method to the library; raise NameTaken if its name is already used."""
    if not can_write_methods(author):
        raise NotAllowed
    if other := _same_name(values["name"]):
        raise NameTaken(other)
    now = utcnow()
    method = Method(
        **values, name_key=name_key(values["name"]), created_by_id=author.id, created_at=now,
        updated_at=now, updated_by_id=author.id,
    )  # fmt: skip
    db.session.add(method)
    db.session.flush()
    _revise(method, author)
    return method


def save_method(author: User, method: Method, base_version: int, values: dict) -> bool:
    """Save the edit if nobody saved the method since `base_version`; return whether anything
    changed. Raise StaleVersion when someone did, NameTaken for another method's name."""
    if not can_write_methods(author):
        raise NotAllowed
    if all(getattr(method, name) == values[name] for name in FIELDS):
        return False
    key = name_key(values["name"])
    if letters(values["name"]) != letters(method.name):
        other = _same_name(values["name"], other_than=method.id)
    else:  # a near-twin kept from before the rule may stay; the stored key is taken once
        other = db.session.scalar(
            select(Method).where(Method.name_key == key, Method.id != method.id)
        )
    if other is not None:
        raise NameTaken(other)
    written = versioned_update(
        method, base_version, **values, **stored(values["body"]), name_key=key,
        updated_at=utcnow(),
        updated_by_id=author.id,
    )  # fmt: skip
    if not written:
        raise StaleVersion(method)
    _revise(method, author)
    return True


def method_named(author: User, name: str) -> Method:
    """Return the library's method of this name (case and accents aside), adding it with just
    its name when there is none yet (a method created in place while planning a workshop)."""
    found = _same_name(name)
    if found is not None:
        return found
    empty = {field: "" for field in FIELDS} | {"name": name.strip(), "minutes": None}
    return create_method(author, empty)


def plan_step(method: Method, minutes: int | None, position: int) -> WorkshopMethod:
    """Return a step of a workshop's plan; minutes left blank are the library's for the
    method (and so count in the plan's running time)."""
    minutes = method.minutes if minutes is None else minutes
    return WorkshopMethod(method=method, minutes=minutes, position=position)


def adopt_free_method(
    user: User, workshop: Workshop, base_version: int, text: str, method: Method | None
) -> Method:
    """Move one of the workshop's free-text methods into its plan (the library's minutes) and out
    of the free text, as the library's `method`, or without one as the method of the text's
    own name (added to the library if new); return that method. Raise StaleVersion when the
    workshop was saved since `base_version` or the text is no longer among its free-text
    methods."""
    if not can_manage_workshops(user, workshop.group):
        raise NotAllowed
    rest = workshop.free_methods
    if text not in rest:
        raise StaleVersion(workshop)
    rest.remove(text)
    if not versioned_update(workshop, base_version, methods="\n".join(rest), updated_at=utcnow()):
        raise StaleVersion(workshop)
    method = method or method_named(user, text)
    if all(step.method_id != method.id for step in workshop.plan):
        position = max((step.position for step in workshop.plan), default=-1) + 1
        workshop.plan.append(plan_step(method, None, position))
    db.session.flush()
    return method


def set_used_too(user: User, method: Method, on: bool) -> None:
    """Say (on) or withdraw (not on) the user's "Ezt én is használtam" on a method; saying
    the same twice (a double tap) changes nothing."""
    if not can_say_used_too(user):
        raise NotAllowed
    set_mark(MethodUsedToo, on, method_id=method.id, user_id=user.id)
    db.session.expire(method, ["used_too"])
