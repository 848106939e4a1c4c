"""PDF reports: group summary, program report, attendance sheets, workshop record."""

from flask import Blueprint

bp = Blueprint("reports", __name__)
