"""Shared notes of a group, replies and "Nálam is" reactions."""

from flask import Blueprint

bp = Blueprint("notes", __name__)
