"""Static files under a content-hashed address, served by WhiteNoise: cached for a year as
immutable, and compressed.

Every file under static/ is addressed as /static/<digest>/<path>, where <digest> is a hash of
the whole static tree: `url_for('static', filename=…)` writes it, so templates need nothing,
and a browser never asks again for a file it has (a changed file changes every address; the
tree is a few dozen small files). WhiteNoise (a WSGI library made for exactly this) answers
those addresses before Flask, with `Cache-Control: max-age=31536000, public, immutable`, from a
copy of static/ with gzip variants that the app makes once per digest in the instance folder
(`served_folder`), and sends the gzip file to a browser that accepts it. In debug mode files
are re-read and not cached, so an edited stylesheet shows on reload.
"""

import functools
import hashlib
import shutil
import tempfile
from pathlib import Path

from flask import Flask
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

from journal import ROOT

STATIC = ROOT / "static"
YEAR = 365 * 24 * 60 * 60
_VARIANTS = (".gz", ".br")
_GLOBS = tuple(f"*{suffix}" for suffix in _VARIANTS)


@functools.cache
def digest() -> str:
    """Return the hash of every static file's path and content (once per process)."""
    sha = hashlib.sha256()
    # The files in a stable order, without their compressed variants.
    for path in sorted(p for p in STATIC.rglob("*") if p.is_file() and p.suffix not in _VARIANTS):
        sha.update(path.relative_to(STATIC).as_posix().encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()[:12]


def url_path() -> str:
    """Return the address under which static files are served: /static/<digest>."""
    return f"/static/{digest()}"


def _compress(root: Path) -> None:
    """Write the gzip variant of every file under root that gains from it."""
    compressor = Compressor(
        extensions=Compressor.SKIP_COMPRESS_EXTENSIONS, use_brotli=False, quiet=True
    )
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if compressor.should_compress(path.name):
            compressor.compress(str(path))


def served_folder(instance_path: str) -> Path:
    """Return the folder WhiteNoise serves: a copy of static/ with its gzip variants, made
    once per digest under the instance folder (instance/static/<digest>). A gzip file can
    never be older than its source there, whoever forgot what; older copies are removed."""
    parent = Path(instance_path) / "static"
    target = parent / digest()
    if target.is_dir():
        return target
    parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(dir=parent, prefix=".building-"))
    shutil.copytree(STATIC, building, dirs_exist_ok=True, ignore=shutil.ignore_patterns(*_GLOBS))
    _compress(building)
    try:
        building.rename(target)
    except OSError:  # another process (a worker, a test) made it meanwhile
        shutil.rmtree(building, ignore_errors=True)
    for old in parent.iterdir():
        if old.is_dir() and old.name != target.name and not old.name.startswith("."):
            shutil.rmtree(old, ignore_errors=True)
    return target


class _WhiteNoise(WhiteNoise):
    """WhiteNoise whose immutable files are cached for a year (its own "forever" is ten)."""

    FOREVER = YEAR


def init_app(app: Flask) -> None:
    """Put WhiteNoise in front of the app for the hashed static addresses."""
    debug = app.debug
    app.wsgi_app = _WhiteNoise(
        app.wsgi_app,
        root=str(STATIC if debug else served_folder(app.instance_path)),
        prefix=url_path().lstrip("/") + "/",
        max_age=0 if debug else YEAR,
        immutable_file_test=None if debug else (lambda _path, _url: True),
        autorefresh=debug,
    )
