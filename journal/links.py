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


# No object has this id: it stands where the id goes, once, in an address built by url_for.
_PLACEHOLDER = str(987_654_321_987_654_321)


class IdAddress:
    """One endpoint's address for any id, from a single url_for through the URL map: a board
    of 20 notes with up to five forms each would otherwise build some 200 addresses."""

    def __init__(self, endpoint: str, key: str, **values):
        """Build the address once with a placeholder id, and keep what stands around it."""
        url = url_for(endpoint, **values, **{key: int(_PLACEHOLDER)})
        head, found, tail = url.partition(_PLACEHOLDER)
        if not found or _PLACEHOLDER in tail:
            raise ValueError(f"{endpoint}: {key} is not in its address exactly once")
        self._head, self._tail = head, tail

    def __call__(self, value: int) -> str:
        """Return the address for this id (an int converter writes it as str(int))."""
        return f"{self._head}{int(value)}{self._tail}"
