"""Addresses: where the app may send a user back to (`next`, only its own paths), and the
absolute addresses of its pages, always on PUBLIC_URL: links that leave the page (a calendar
feed, an invitation, a reminder mail) never take the host a request claimed."""

from urllib.parse import SplitResult, quote, urlsplit

from flask import current_app, url_for


def split_url(url: str) -> SplitResult | None:
    """Return the parts of an address a user or a browser sent, or None when it cannot be read
    (Python refuses "http://[", a bracket that opens no IPv6 address)."""
    try:
        return urlsplit(url)
    except ValueError:
        return None


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


class UrlPattern:
    """An endpoint's address built once by url_for, with one value left to fill in per item: a
    table of many rows asks the URL map once per column instead of once per cell.

    The value is filled in as Werkzeug's default and int converters write it (the only ones
    of the endpoints it serves; tests/test_links.py checks it against url_for)."""

    MARKER = 918273645  # a number: both converters write it as it is, and no address holds it

    def __init__(self, endpoint: str, name: str, **values):
        """Build the address of endpoint with the marker as the value of name."""
        url = url_for(endpoint, **values, **{name: self.MARKER})
        self.head, marker, self.tail = url.partition(str(self.MARKER))
        if not marker or str(self.MARKER) in self.tail:
            raise ValueError(f"{endpoint}: the address must hold {name} once")

    def fill(self, value) -> str:
        """Return the address with this value."""
        # The default converter's quoting (werkzeug.routing.BaseConverter.to_url); an int is
        # written as it is, by either converter.
        return self.head + quote(str(value), safe="!$&'()*+,/:;=@") + self.tail
