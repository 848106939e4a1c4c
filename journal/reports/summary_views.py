"""Group summary and program report: HTML preview and PDF download."""

from flask import Blueprint

bp = Blueprint("summaries", __name__)
