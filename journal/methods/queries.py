"""Reads of the methods library: everyone in the program reads all of it."""

import json

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from journal.extensions import db
from journal.i18n import hungarian_key, sort_hungarian
from journal.models import Method, MethodRevision


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
