"""Absolute addresses of the app's pages, always on PUBLIC_URL: links that leave the page (a
calendar feed, an invitation, a reminder mail) never take the host a request claimed."""

from urllib.parse import urlsplit

from flask import current_app, url_for


def public_url(endpoint: str, **values) -> str:
    """Return the absolute address of a page on PUBLIC_URL (the path keeps the request
    context's script root, as url_for builds it)."""
    scheme, host, *_rest = urlsplit(current_app.config["PUBLIC_URL"])
    return f"{scheme}://{host}{url_for(endpoint, **values)}"
