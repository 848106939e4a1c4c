"""The methods library: the list, a method's page, and writing one (mentors, coordinator)."""

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from journal.domain import StaleVersion
from journal.extensions import db
from journal.forms import positive_int
from journal.htmx import after_action, render, wants_fragment
from journal.methods import operations, pdf, queries
from journal.methods.forms import MethodForm
from journal.models import Method
from journal.permissions import (
    can_export_compendium,
    can_manage_workshops,
    can_print_handout,
    can_say_used_too,
    can_view_methods,
    can_write_methods,
    require,
    require_visible,
)
from journal.program.queries import program_or_404
from journal.reports.documents import pdf_response
from journal.workshops.queries import visible_workshop

bp = Blueprint("methods", __name__)


@bp.get("/methods")
@login_required
def index():
    """List the library, or the methods of one tag."""
    require(can_view_methods(current_user))
    tag = request.args.get("tag", "").strip()[:100]
    every = queries.library()
    shown = queries.library(tag) if tag else every
    return render("methods/index.html", methods=shown, tags=queries.all_tags(every), tag=tag)


@bp.get("/methods/<int:method_id>")
@login_required
def show(method_id: int):
    """Show a method with its versions."""
    require(can_view_methods(current_user))
    method = queries.method_or_404(method_id)
    return render("methods/show.html", method=method, uses=queries.uses(current_user, method))


def _refused_name(form: MethodForm, taken: operations.NameTaken, method: Method | None):
    """Answer the editor again (422), saying on the name field that another method has the
    name, with a link to that one."""
    db.session.rollback()
    form.name.errors = [*form.name.errors, _("Ilyen nevű módszer már van a módszertárban.")]
    form.taken = taken.other
    return render("methods/edit.html", status=422, form=form, method=method)


@bp.route("/methods/new", methods=["GET", "POST"])
@login_required
def new():
    """Write a new method."""
    require(can_write_methods(current_user))
    form = MethodForm(formdata=request.form if request.method == "POST" else None)
    if request.method == "GET":
        form.name.data = request.args.get("name", "").strip()[:200]
        return render("methods/edit.html", form=form, method=None)
    if not form.validate():
        return render("methods/edit.html", status=422, form=form, method=None)
    try:
        method = operations.create_method(current_user, form.values())
    except operations.NameTaken as taken:
        return _refused_name(form, taken, None)
    db.session.commit()
    flash(_("A módszert felvettük a módszertárba."), "success")
    return redirect(url_for("methods.show", method_id=method.id), 303)


@bp.route("/methods/<int:method_id>/edit", methods=["GET", "POST"])
@login_required
def edit(method_id: int):
    """Edit a method; a save over a newer version answers 409 with both versions."""
    require(can_view_methods(current_user))
    method = queries.method_or_404(method_id)
    require(can_write_methods(current_user))
    if request.method == "GET":
        form = MethodForm(formdata=None, obj=method)
        form.minutes.data = str(method.minutes) if method.minutes else ""
        form.version.data = str(method.version)
        return render("methods/edit.html", form=form, method=method)
    form = MethodForm()
    base = form.base_version()
    if not form.validate() or not base:
        if not base:
            form.name.errors = [*form.name.errors, _("Hiányzik a változat száma; töltse újra.")]
        return render("methods/edit.html", status=422, form=form, method=method)
    try:
        operations.save_method(current_user, method, base, form.values())
    except operations.NameTaken as taken:
        return _refused_name(form, taken, method)
    except StaleVersion:
        db.session.rollback()
        current = queries.method_or_404(method_id)
        form.version.data = str(current.version)  # the merged text may now replace it
        return render("methods/edit.html", status=409, form=form, method=current, conflict=True)
    db.session.commit()
    flash(_("A módszert elmentettük."), "success")
    return redirect(url_for("methods.show", method_id=method.id), 303)


@bp.post("/methods/<int:method_id>/used")
@login_required
def used_too(method_id: int):
    """Say or withdraw the user's "Ezt én is használtam": the state the button asked for
    (`on`: 1 or 0), so a double tap cannot undo itself."""
    require(can_view_methods(current_user))
    method = queries.method_or_404(method_id)
    require(can_say_used_too(current_user))
    on = {"1": True, "0": False}.get(request.form.get("on", ""))
    if on is None:
        abort(400)  # not what the page sends: answered by the Hungarian error message
    operations.set_used_too(current_user, method, on)
    db.session.commit()
    return after_action(
        "methods/_used_too.html",
        url_for("methods.show", method_id=method_id),
        method=queries.method_or_404(method_id),
    )


def _matching(status: int = 200, notice: tuple[str, str] | None = None):
    """Answer the free-text methods to match (the page, or its list for htmx), with a notice."""
    items = queries.free_methods(current_user)
    return render("methods/matching.html", "methods/_matching.html", status, items=items,
                  notice=notice)  # fmt: skip


@bp.route("/methods/matching", methods=["GET", "POST"])
@login_required
def matching():
    """List the free-text methods of the workshops the user plans, with the library's
    near-identical names; a POST matches one, as the user confirmed: into the plan, out of
    the free text (to a library method, or to a new one of its name)."""
    require(can_write_methods(current_user))
    if request.method == "GET":
        return _matching()
    form = request.form
    workshop_id, version = positive_int(form.get("workshop")), positive_int(form.get("version"))
    text, new = form.get("text", "").strip(), form.get("new") == "1"
    method_id = positive_int(form.get("method"))
    method = db.session.get(Method, method_id) if method_id else None
    workshop = visible_workshop(current_user, workshop_id) if workshop_id else None
    if workshop is None or not version or not text or (method is not None) == new:
        refused = _("Ez a párosítás nem érvényes (az alkalom vagy a módszer már nincs meg). "
                    "Nézze át újra a listát.")  # fmt: skip
        return _matching(422, ("error", refused))
    require_visible(can_manage_workshops(current_user, workshop.group))
    try:
        target = operations.adopt_free_method(current_user, workshop, version, text, method)
    except StaleVersion:
        db.session.rollback()
        stale = _("Az alkalmat közben módosították, vagy ezt a módszert már párosították: "
                  "semmi sem változott. Nézze át újra a listát.")  # fmt: skip
        return _matching(409, ("error", stale))
    db.session.commit()
    done = _("„%(text)s” átkerült az alkalom tervébe: %(name)s.", text=text, name=target.name)
    if wants_fragment():
        return _matching(notice=("success", done))
    flash(done, "success")
    return redirect(url_for("methods.matching"), 303)


def _compendium(as_pdf: bool):
    """Answer the compendium of the tag asked (every method without one): its preview or its
    PDF; a tag no method has answers the preview of the whole library, saying so (422)."""
    require(can_export_compendium(current_user))
    program = program_or_404()
    tag = request.args.get("tag", "").strip()[:100]
    if tag and not queries.library(tag):
        document = pdf.compendium_document(program, preview=True, unknown_tag=tag)
        return document.html, 422
    if as_pdf:
        return pdf_response(pdf.compendium_document(program, tag))
    return pdf.compendium_document(program, tag, preview=True).html


@bp.get("/methods/compendium")
@login_required
def compendium():
    """Preview the library as a printed compendium, with the choice of a tag."""
    return _compendium(as_pdf=False)


@bp.get("/methods/compendium.pdf")
@login_required
def compendium_pdf():
    """Download the library (or one tag's methods) as a PDF compendium."""
    return _compendium(as_pdf=True)


def _handout_method(method_id: int) -> Method:
    """Load a method whose handout the user may print, or answer 404/403."""
    require(can_view_methods(current_user))
    method = queries.method_or_404(method_id)
    require(can_print_handout(current_user))
    return method


@bp.get("/methods/<int:method_id>/handout")
@login_required
def handout(method_id: int):
    """Preview a method's one-page handout."""
    method = _handout_method(method_id)
    return pdf.handout_document(program_or_404(), method, preview=True).html


@bp.get("/methods/<int:method_id>/handout.pdf")
@login_required
def handout_pdf(method_id: int):
    """Download a method's one-page handout as PDF."""
    method = _handout_method(method_id)
    return pdf_response(pdf.handout_document(program_or_404(), method))
