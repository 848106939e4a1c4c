"""The security log: one key=value line per security event on the logger "journal.security"
(standard error; under gunicorn its error log, under systemd the journal).

A line names the event, the request id (shown on a 500 page, so a report can be matched), the
client address, the acting user's id and the event's own fields. It never holds a text a user
wrote (a journal, a note, a draft) or a password, and every value is quoted and escaped, so a
value with a line break or a quote cannot forge another line or field.
"""

import json
import logging
import sys
import uuid

from flask import Flask, g, has_request_context, request, session
from flask_login import current_user

log = logging.getLogger("journal.security")


def request_id() -> str:
    """Return this request's id (made at its first use)."""
    if "request_id" not in g:
        g.request_id = uuid.uuid4().hex[:12]
    return g.request_id


def _value(value) -> str:
    """Return a field's value for the line: numbers bare, everything else quoted and escaped."""
    if isinstance(value, bool | int):
        return str(int(value))
    return json.dumps(str(value), ensure_ascii=True)


def _acting_user() -> int | None:
    """Return the acting user's id; after a server error, the id the session names (the user
    is not read from the database again: it may be what failed)."""
    if g.get("without_database"):
        claimed = str(session.get("_user_id", "")).split(":")[0]
        return int(claimed) if claimed.isdigit() else None
    return current_user.id if current_user and current_user.is_authenticated else None


def event(name: str, exc_info=None, **fields) -> None:
    """Write one security event with the request's id, address and user."""
    if has_request_context():
        fields = {
            "request_id": request_id(),
            "ip": request.remote_addr,
            "user": _acting_user(),
        } | fields
    parts = [f"event={name}"] + [f"{k}={_value(v)}" for k, v in fields.items() if v is not None]
    log.log(logging.ERROR if exc_info else logging.INFO, " ".join(parts), exc_info=exc_info)


def init_app(app: Flask) -> None:
    """Send the security log to standard error, once per process."""
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s security %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
