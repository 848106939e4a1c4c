"""What every page's layout needs: the group navigation and the permission predicates."""

from flask import Flask
from flask_login import current_user

from journal.permissions import PREDICATES


def layout_context() -> dict:
    """Return the groups for the navigation and the predicates templates may call."""
    from journal.groups.queries import visible_groups

    nav_groups = visible_groups(current_user) if current_user.is_authenticated else []
    return {"nav_groups": nav_groups, **PREDICATES}


def init_app(app: Flask) -> None:
    """Register the layout context."""
    from journal.markdown import render_markdown

    app.context_processor(layout_context)
    app.jinja_env.filters["markdown"] = render_markdown
