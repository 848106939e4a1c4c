"""The methods library: the list, a method's page, and writing one (mentors, coordinator)."""

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from journal.domain import StaleVersion
from journal.extensions import db
from journal.htmx import render
from journal.methods import operations, queries
from journal.methods.forms import MethodForm
from journal.permissions import can_view_methods, can_write_methods, require

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


def _refused_name(form: MethodForm, taken: operations.NameTaken) -> None:
    """Say on the name field that another method has it, with a link to that one."""
    form.name.errors = [*form.name.errors, _("Ilyen nevű módszer már van a módszertárban.")]
    form.taken = taken.other


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
        db.session.rollback()
        _refused_name(form, taken)
        return render("methods/edit.html", status=422, form=form, method=None)
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
        db.session.rollback()
        _refused_name(form, taken)
        return render("methods/edit.html", status=422, form=form, method=method)
    except StaleVersion:
        db.session.rollback()
        current = queries.method_or_404(method_id)
        form.version.data = str(current.version)  # the merged text may now replace it
        return render("methods/edit.html", status=409, form=form, method=current, conflict=True)
    db.session.commit()
    flash(_("A módszert elmentettük."), "success")
    return redirect(url_for("methods.show", method_id=method.id), 303)
