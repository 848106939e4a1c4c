"""Static files under a content-hashed address, served by WhiteNoise: cached for a year as
immutable, and compressed.

Every file under static/ is addressed as /static/<digest>/<path>, where <digest> is a hash of
the whole static tree: `url_for('static', filename=…)` writes it, so templates need nothing,
and a browser never asks again for a file it has (a changed file changes every address; the
tree is a few dozen small files). WhiteNoise (a WSGI library made for exactly this) answers
those addresses before Flask, with `Cache-Control: max-age=31536000, public, immutable`, and
sends the gzip variant (`<file>.gz`, written by `compress()`: `python -m
journal.static_files`, run by .ci/start and .ci/test) to a browser that accepts it. In debug mode
files are re-read and not cached, so an edited stylesheet shows on reload.
"""

import functools
import hashlib

from flask import Flask
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

from journal import ROOT

STATIC = ROOT / "static"
YEAR = 365 * 24 * 60 * 60
_VARIANTS = (".gz", ".br")


def _files() -> list:
    """Return the static files (not their compressed variants), in a stable order."""
    return sorted(p for p in STATIC.rglob("*") if p.is_file() and p.suffix not in _VARIANTS)


@functools.cache
def digest() -> str:
    """Return the hash of every static file's path and content (once per process)."""
    sha = hashlib.sha256()
    for path in _files():
        sha.update(path.relative_to(STATIC).as_posix().encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()[:12]


def url_path() -> str:
    """Return the address under which static files are served: /static/<digest>."""
    return f"/static/{digest()}"


def compress() -> int:
    """Write the gzip variant of every static file that gains from it and lacks an up-to-date
    one; return how many were written."""
    compressor = Compressor(
        extensions=Compressor.SKIP_COMPRESS_EXTENSIONS, use_brotli=False, quiet=True
    )
    written = 0
    for path in _files():
        variant = path.with_name(path.name + ".gz")
        fresh = variant.exists() and variant.stat().st_mtime >= path.stat().st_mtime
        if compressor.should_compress(path.name) and not fresh:
            written += len(compressor.compress(str(path)))
    return written


class _WhiteNoise(WhiteNoise):
    """WhiteNoise whose immutable files are cached for a year (its own "forever" is ten)."""

    FOREVER = YEAR


def init_app(app: Flask) -> None:
    """Put WhiteNoise in front of the app for the hashed static addresses."""
    debug = app.debug
    app.wsgi_app = _WhiteNoise(
        app.wsgi_app,
        root=str(STATIC),
        prefix=url_path().lstrip("/") + "/",
        max_age=0 if debug else YEAR,
        immutable_file_test=None if debug else (lambda _path, _url: True),
        autorefresh=debug,
    )


if __name__ == "__main__":
    print(f"Compressed {compress()} static files.")
