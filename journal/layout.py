"""What every page's layout needs: the group navigation, the program's name and association,
and the permission predicates."""

from collections.abc import Iterator

from flask import Flask, g
from flask_login import current_user

from journal.groups.queries import visible_groups
from journal.links import UrlPattern
from journal.markdown import plain_excerpt, render_markdown, rendered
from journal.permissions import PREDICATES, current_memberships
from journal.program.queries import current_program

NAV_GROUPS_MAX = 12  # more groups than this: the navigation lists only the user's own


class LazyNavigation:
    """The groups of the navigation, queried only when a template shows them.

    Only the base layout lists them, so htmx fragments (which do not extend it) never pay
    for the query; a page that shows them queries once per request. A coordinator of a
    program with many groups finds them all on the overview; the bar keeps her own.
    """

    def _visible(self) -> list:
        return visible_groups(current_user) if current_user.is_authenticated else []

    def _groups(self) -> list:
        groups = self._visible()
        if len(groups) <= NAV_GROUPS_MAX:
            return groups
        own = {m.group_id for m in current_memberships(current_user)}
        return [group for group in groups if group.id in own]

    @property
    def shortened(self) -> bool:
        """Tell whether some groups the user sees are left out of the bar."""
        return len(self._visible()) > NAV_GROUPS_MAX

    def __iter__(self) -> Iterator:
        return iter(self._groups())

    def __len__(self) -> int:
        return len(self._groups())

    def __bool__(self) -> bool:
        return bool(self._visible())


_NAVIGATION = LazyNavigation()


class LazyProgram:
    """The program's name and association for the page footer, queried only when shown (the
    full pages, never a fragment), at most once per request."""

    def _program(self):
        """Return the program, queried at most once per request (never on a server error's
        page, which is rendered without the database)."""
        return None if g.get("without_database") else current_program()

    @property
    def name(self) -> str:
        """Return the program's name, or "" before there is a program."""
        program = self._program()
        return program.name if program else ""

    @property
    def association(self) -> str:
        """Return the association's name, or ""."""
        program = self._program()
        return program.association if program else ""


_PROGRAM = LazyProgram()


def layout_context() -> dict:
    """Return the (lazy) groups for the navigation, the (lazy) program, and the predicates
    templates may call."""
    return {"nav_groups": _NAVIGATION, "site_program": _PROGRAM, **PREDICATES}


def init_app(app: Flask) -> None:
    """Register the layout context."""
    app.context_processor(layout_context)
    # A long table's addresses: url_pattern(endpoint, name) once, then pattern|fill(value).
    app.jinja_env.globals["url_pattern"] = UrlPattern
    app.jinja_env.filters["fill"] = UrlPattern.fill
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["rendered"] = rendered
    app.jinja_env.filters["excerpt"] = plain_excerpt
