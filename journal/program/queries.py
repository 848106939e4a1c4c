"""Reads of the program's settings."""

from datetime import date

from flask import abort, g, has_request_context
from sqlalchemy import func, select

from journal.extensions import db
from journal.i18n import person_key, sort_hungarian
from journal.models import Group, Program, User, Workshop


def current_program() -> Program | None:
    """Return the program of this deployment (the first one), or None before it exists; read
    once per request (the page's footer and its content share it)."""
    if not has_request_context():
        return db.session.scalar(select(Program).order_by(Program.id).limit(1))
    if "program" not in g:
        g.program = db.session.scalar(select(Program).order_by(Program.id).limit(1))
    return g.program


def program_or_404() -> Program:
    """Return the program of this deployment, or answer 404 when there is none yet."""
    program = current_program()
    if program is None:
        abort(404)
    return program


def workshop_span(program: Program) -> tuple[date | None, date | None]:
    """Return the first and last workshop day of the program's groups, (None, None) if none."""
    first, last = db.session.execute(
        select(func.min(Workshop.date), func.max(Workshop.date))
        .join(Group, Group.id == Workshop.group_id)
        .where(Group.program_id == program.id)
    ).one()
    return first, last


def coordinators() -> list[User]:
    """Return the program's active coordinators, in Hungarian order (the reports' signers)."""
    users = db.session.scalars(
        select(User).where(User.is_coordinator.is_(True), User.active.is_(True))
    ).all()
    return sort_hungarian(users, key=person_key)


def funder_line(program: Program, fallback: str = "") -> str:
    """Return the line naming who runs and who funds the program, for documents and pages:
    "<association> · Támogató: <funder> · <grant id>", or the fallback when none is set."""
    parts = [program.association.strip()] if program.association.strip() else []
    if (program.funder or "").strip():
        parts.append(f"Támogató: {program.funder.strip()}")
    if program.grant_id.strip():
        parts.append(f"Támogatói azonosító: {program.grant_id.strip()}")
    return " · ".join(parts) or fallback
