"""Who may start a PDF render now: one render at a time per document, a few per user.

The leases live in the rate limits' storage (`RATELIMIT_STORAGE_URI`): per process with the
default `memory://`, shared by every worker and server with Redis. A lease is a counter that
its first taker sets to 1 and clears when the render ends; it also expires by itself a while
after the render's deadline, so a worker killed mid-render cannot hold it for good.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from flask import current_app
from limits.storage import Storage, storage_from_string

PREFIX = "pdf-render"


class Busy(Exception):
    """This document is being rendered already, or this user has as many renders running as
    allowed."""


def _storage() -> Storage:
    """Return the app's lease storage (made once per app from RATELIMIT_STORAGE_URI)."""
    storage = current_app.extensions.get("pdf_render_slots")
    if storage is None:
        storage = storage_from_string(current_app.config["RATELIMIT_STORAGE_URI"])
        current_app.extensions["pdf_render_slots"] = storage
    return storage


def _take(storage: Storage, key: str, ttl: int) -> bool:
    """Take the lease `key` if nobody holds it."""
    return storage.incr(key, ttl) == 1


@contextlib.contextmanager
def render_slot(document_key: str, user_id: int, per_user: int, ttl: int) -> Iterator[None]:
    """Hold the document's lease and one of the user's `per_user` leases while the block runs,
    or raise Busy without running it."""
    storage = _storage()
    taken: list[str] = []
    try:
        document = f"{PREFIX}:document:{document_key}"
        if not _take(storage, document, ttl):
            raise Busy(document_key)
        taken.append(document)
        for index in range(per_user):
            mine = f"{PREFIX}:user:{user_id}:{index}"
            if _take(storage, mine, ttl):
                taken.append(mine)
                break
        else:
            raise Busy(f"user {user_id}")
        yield
    finally:
        for key in taken:
            storage.clear(key)
