"""Workshops of a group, their attendance, and the group's calendar feed."""

from flask import Blueprint

bp = Blueprint("workshops", __name__)
