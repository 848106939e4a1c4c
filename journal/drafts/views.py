"""Autosaved drafts of text being written (journal sections, notes)."""

from flask import Blueprint

bp = Blueprint("drafts", __name__)
