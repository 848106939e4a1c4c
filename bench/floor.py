"""The app plus two empty pages: what every logged-in page pays before its own content.

`/_bench/user` answers a name after the login check (session, user query, request hooks);
`/_bench/layout` renders an empty page in the base layout (navigation of the user's groups,
menus, forms). Served only by the benchmark, beside the real app, never in production.
"""

from flask import Flask, render_template
from flask_login import current_user, login_required
from jinja2 import ChoiceLoader, DictLoader

EMPTY_PAGE = (
    '{% extends "base.html" %}{% block title %}Üres oldal{% endblock %}{% block content %}'
    "<h1>Üres oldal</h1>{% endblock %}"
)


def add_floor(app: Flask) -> Flask:
    """Add the two empty pages to an app (also the benchmark's in-process one)."""
    app.jinja_env.loader = ChoiceLoader(
        [DictLoader({"_bench/empty.html": EMPTY_PAGE}), app.jinja_env.loader]
    )

    @app.get("/_bench/user")
    @login_required
    def logged_in() -> str:
        """Answer the user's name: the cost of a login-checked request without a template."""
        return current_user.full_name

    @app.get("/_bench/layout")
    @login_required
    def empty_layout() -> str:
        """Render an empty page in the base layout."""
        return render_template("_bench/empty.html")

    return app


def floor_app() -> Flask:
    """The app gunicorn serves for the floor pages: `gunicorn 'bench.floor:floor_app()'`: the
    app as wsgi.py starts it in a worker, plus the two pages."""
    import wsgi

    return add_floor(wsgi.app)
