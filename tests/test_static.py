"""Vendored front-end files are the pinned ones, and templates use htmx 4 markup only."""

import gzip
import hashlib
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"


def test_vendored_files_match_their_checksums():
    """Every file in SHA256SUMS exists and has the pinned digest; nothing is unlisted."""
    sums = (STATIC / "vendor" / "SHA256SUMS").read_text().splitlines()
    listed = {}
    for line in sums:
        digest, name = line.split(maxsplit=1)
        listed[name.lstrip("*")] = digest
    assert listed, "SHA256SUMS is empty"
    for name, digest in listed.items():
        assert hashlib.sha256((STATIC / name).read_bytes()).hexdigest() == digest, name
    scripts = {f"vendor/{p.name}" for p in (STATIC / "vendor").glob("*.js")}
    assert scripts <= set(listed), f"unpinned vendored scripts: {scripts - set(listed)}"


def test_base_layout_loads_the_pinned_htmx(client):
    """The page loads htmx 4.0.1 from our own static folder, which serves it."""
    html = client.get("/login").get_data(as_text=True)
    src = re.search(r'<script src="([^"]+htmx[^"]+)"', html).group(1)
    assert re.fullmatch(r"/static/[0-9a-f]{12}/vendor/htmx-4\.0\.1\.min\.js", src)
    with client.get(src) as response:
        body = response.data
    assert b"htmx" in body and len(body) > 10_000


def test_templates_have_no_htmx2_markup():
    """htmx's own upgrade checker finds nothing to migrate in templates/."""
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "tests/vendor/htmx_upgrade_check.py"),
            "--no-color",
            "templates",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Found 0 issue(s)" in result.stderr


def test_no_inline_scripts_or_handlers_in_templates():
    """The CSP forbids inline script: templates carry no inline <script> or on*/hx-on attributes."""
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        for match in re.finditer(r"<script\b([^>]*)>", text):
            assert "src=" in match.group(1), f"inline script in {path}"
        assert not re.search(r"\s(on[a-z]+|hx-on[:\w-]*)\s*=", text), f"inline handler in {path}"


def test_static_files_have_content_hashed_addresses_cached_for_a_year(client):
    """Every static address of a page carries the hash of the static files; it is answered
    as immutable for a year, gzipped for a browser that accepts it; a changed file changes
    the address (the hash covers every file's content)."""
    from journal import static_files

    html = client.get("/login").get_data(as_text=True)
    addresses = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert addresses and all(a.startswith(static_files.url_path() + "/") for a in addresses)
    for address in addresses:
        with client.get(address, headers={"Accept-Encoding": "gzip"}) as response:
            assert response.status_code == 200, address
            cache = {part.strip() for part in response.headers["Cache-Control"].split(",")}
            assert cache == {"max-age=31536000", "public", "immutable"}, address
            if address.endswith((".js", ".css")):
                assert response.headers["Content-Encoding"] == "gzip", address
                source = static_files.STATIC / address.split("/", 3)[3]
                assert gzip.decompress(response.data) == source.read_bytes(), address
    with client.get("/static/css/app.css") as unhashed:
        assert unhashed.status_code == 404


def test_the_hash_follows_the_content(tmp_path, monkeypatch):
    """Changing one byte of one file gives another digest; a compressed variant does not."""
    from journal import static_files

    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "a.css").write_text("a{}")
    monkeypatch.setattr(static_files, "STATIC", tmp_path)
    static_files.digest.cache_clear()
    try:
        before = static_files.digest()
        (tmp_path / "css" / "a.css.gz").write_bytes(b"x")
        static_files.digest.cache_clear()
        assert static_files.digest() == before
        (tmp_path / "css" / "a.css").write_text("b{}")
        static_files.digest.cache_clear()
        assert static_files.digest() != before
    finally:
        static_files.digest.cache_clear()


def test_the_served_copy_follows_the_source(tmp_path, monkeypatch):
    """The folder WhiteNoise serves is made per digest, with gzip files of the same content:
    a changed source gives a new folder (never an old gzip file), and the old one goes."""
    from journal import static_files

    source = tmp_path / "static"
    (source / "js").mkdir(parents=True)
    (source / "js" / "a.js").write_text("const a = 1;" * 50)
    monkeypatch.setattr(static_files, "STATIC", source)
    static_files.digest.cache_clear()
    try:
        first = static_files.served_folder(str(tmp_path / "instance"))
        assert gzip.decompress((first / "js" / "a.js.gz").read_bytes()) == b"const a = 1;" * 50
        (source / "js" / "a.js").write_text("const b = 2;" * 50)
        static_files.digest.cache_clear()
        second = static_files.served_folder(str(tmp_path / "instance"))
        assert second != first and not first.exists()
        assert gzip.decompress((second / "js" / "a.js.gz").read_bytes()) == b"const b = 2;" * 50
    finally:
        static_files.digest.cache_clear()
