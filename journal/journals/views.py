"""The mentor's journal of a workshop: sections, versions, revisions."""

from flask import Blueprint

bp = Blueprint("journals", __name__)
