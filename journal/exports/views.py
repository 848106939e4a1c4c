"""Spreadsheet exports: a page per group (its mentor and the coordinator) and one for the whole
program (the coordinator) choosing the period, and the CSV and .xlsx downloads."""

from __future__ import annotations

from flask import Blueprint, Response, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from journal.exports import formats, tables
from journal.groups.queries import group_or_404
from journal.htmx import render
from journal.models import Group, Program
from journal.permissions import (
    can_export_group_data,
    can_export_program_data,
    require_visible,
)
from journal.program.queries import program_or_404
from journal.reports.documents import ascii_filename
from journal.reports.summary import Period, PeriodError, parse_period, program_groups

bp = Blueprint("exports", __name__)

FORMATS = {
    "xlsx": (formats.to_xlsx, formats.XLSX_MIMETYPE),
    "csv": (formats.to_csv, formats.CSV_MIMETYPE),
}


def _kind_labels() -> dict[str, tuple[str, str]]:
    """Return each export's name and what it holds, in the user's language."""
    return {
        "attendance": (
            _("Jelenlét"),
            _("Résztvevőnként és alkalmanként, a részvételi arányokkal."),
        ),
        "workshops": (
            _("Foglalkozások"),
            _("Dátum, helyszín, téma, állapot, módszerek és a napló állapota."),
        ),
        "participation": (
            _("Részvétel személyenként"),
            _("Csatlakozás, kilépés, jelenlét, hiányzás és részvételi arány."),
        ),
    }


def _page(program: Program, group: Group | None, status: int = 200, error: dict | None = None):
    """Render the exports page for the period asked (or its error, with no links)."""
    period = None
    errors = dict(error or {})
    if not errors:
        try:
            period = parse_period(program, request.args)
        except PeriodError as problem:
            errors[problem.field_name] = problem.message
            status = 422
    if group is not None:
        action = url_for("exports.group_exports", slug=group.slug)
        download = "exports.group_download"
        scope = {"slug": group.slug}
    else:
        action = url_for("exports.program_exports")
        download = "exports.program_download"
        scope = {}
    typed = {name: request.args.get(name, "")[:40] for name in ("from", "to")}  # as typed, bounded
    args = {k: v for k, v in (period.query_args() if period else {}).items() if k in ("from", "to")}
    links = {
        kind: {fmt: url_for(download, table=kind, format=fmt, **scope, **args) for fmt in FORMATS}
        for kind in tables.KINDS
    }
    return render(
        "exports/exports.html",
        status=status,
        program=program,
        group=group,
        period=period,
        form=typed | {"errors": errors},
        form_action=action,
        links=links if period else None,
        kinds=_kind_labels(),
    )


def _download(program: Program, groups: list[Group], scope: str, group: Group | None):
    """Answer one export as a file, or the page with a message for a bad request."""
    kind = request.args.get("table", "")
    fmt = request.args.get("format", "")
    if kind not in tables.KINDS:
        return _page(program, group, 422, {"table": _("Ismeretlen táblázat.")})
    if fmt not in FORMATS:
        return _page(program, group, 422, {"table": _("Ismeretlen fájlformátum.")})
    try:
        period: Period = parse_period(program, request.args)
    except PeriodError:
        return _page(program, group, 422)
    export = tables.build_export(kind, groups, period)
    write, mimetype = FORMATS[fmt]
    stem = ascii_filename(program.name.split()[0] if program.name else "", scope)
    name = f"{stem}_{tables.KINDS[kind][1]}_{period.start}_{period.end}.{fmt}"  # ISO dates
    response = Response(write(export), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/groups/<slug>/exports")
@login_required
def group_exports(slug: str):
    """Show the group's spreadsheet exports for a period."""
    group = group_or_404(slug)
    require_visible(can_export_group_data(current_user, group))
    return _page(group.program, group)


@bp.get("/groups/<slug>/exports/download")
@login_required
def group_download(slug: str):
    """Download one of the group's exports (?table=…&format=csv|xlsx&from=…&to=…)."""
    group = group_or_404(slug)
    require_visible(can_export_group_data(current_user, group))
    return _download(group.program, [group], group.slug, group)


@bp.get("/program/exports")
@login_required
def program_exports():
    """Show the program-wide spreadsheet exports for a period (coordinator)."""
    require_visible(can_export_program_data(current_user))
    return _page(program_or_404(), None)


@bp.get("/program/exports/download")
@login_required
def program_download():
    """Download one program-wide export: every group (coordinator)."""
    require_visible(can_export_program_data(current_user))
    program = program_or_404()
    return _download(program, program_groups(program), "program", None)
