"""Addresses: where the app may send a user back to (`next`, only its own paths), and the
absolute addresses of its pages, always on PUBLIC_URL: links that leave the page (a calendar
feed, an invitation, a reminder mail) never take the host a request claimed."""

from urllib.parse import urlsplit

from flask import current_app, url_for


def public_url(endpoint: str, **values) -> str:
    """Return the absolute address of a page on PUBLIC_URL (the path keeps the request
    context's script root, as url_for builds it)."""
    scheme, host, *_rest = urlsplit(current_app.config["PUBLIC_URL"])
    return f"{scheme}://{host}{url_for(endpoint, **values)}"


def safe_next(target: str | None) -> str | None:
    """Return target if it is a path inside this app, else None."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target or any(ord(c) < 32 for c in target):
        return None
    return target
