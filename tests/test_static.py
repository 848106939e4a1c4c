"""Vendored front-end files are the pinned ones, and templates use htmx 4 markup only."""

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
    assert src.endswith("/static/vendor/htmx-4.0.1.min.js")
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
