"""The set-up: locks that install with the machine's stock pip, and the start command."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LOCKS = ["requirements.lock", "requirements-test.lock", ".ci/pip.lock"]


@pytest.fixture(scope="module")
def stock_venv(tmp_path_factory) -> Path:
    """Create a new venv with the machine's own python3 and the pip it brings."""
    venv = tmp_path_factory.mktemp("stock") / "venv"
    python3 = Path(sys.base_prefix) / "bin" / "python3"
    subprocess.run([str(python3), "-m", "venv", str(venv)], check=True)
    return venv


def _pip_messages(output: str) -> str:
    """Drop pip's notes about index locations this machine does not have."""
    return "\n".join(line for line in output.splitlines() if "is ignored" not in line)


@pytest.mark.parametrize("lock", LOCKS)
def test_lock_installs_with_the_stock_pip(stock_venv, lock):
    """Resolve each lock in a new venv with --require-hashes, as the set-up does."""
    result = subprocess.run(
        [str(stock_venv / "bin" / "python"), "-m", "pip", "install", "--dry-run", "--quiet"]
        + ["--disable-pip-version-check", "--require-hashes", "-r", str(ROOT / lock)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, _pip_messages(result.stdout + result.stderr)


@pytest.mark.parametrize("lock", LOCKS[:2])
def test_every_requested_extra_is_pinned_with_its_extra(lock):
    """A locked package whose dependants ask for an extra is written as name[extra]==version."""
    text = (ROOT / lock).read_text()
    pinned = set(re.findall(r"^([a-z0-9-]+(?:\[[a-z0-9,-]+\])?)==", text, re.MULTILINE))
    assert {"fonttools[woff]", "markdown-it-py[linkify]", "psycopg[binary]"} <= pinned


def _free_port() -> int:
    """Ask the system for a port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_start_serves_the_demo_under_gunicorn_and_stops_on_ctrl_c(tmp_path):
    """bash .ci/start prints the address, serves the demo with gunicorn, ends cleanly on SIGINT."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(PORT=str(port), MUHELYNAPLO_INSTANCE=str(tmp_path))
    server = subprocess.Popen(
        ["bash", str(ROOT / ".ci" / "start")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        lines = []
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            line = server.stdout.readline()
            assert line, "".join(lines)
            lines.append(line)
            if "Ctrl-C" in line:
                break
        printed = "".join(lines)
        assert f"http://127.0.0.1:{port}" in printed
        assert "jozsa.kata@example.org" in printed and "muhelynaplo" in printed
        assert "is ignored" not in printed  # pip's noise stays in the step's log
        for _ in range(100):
            try:
                response = urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5)
                break
            except OSError:
                time.sleep(0.1)
        assert response.headers["Server"].startswith("gunicorn")
        assert "Kapcsolódások" in response.read().decode()
        # The links that leave a page (here the member's calendar feed) are on this port.
        kata = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        form = kata.open(f"http://127.0.0.1:{port}/login", timeout=10).read().decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)[1]
        login = {"csrf_token": token, "email": "jozsa.kata@example.org", "password": "muhelynaplo"}
        kata.open(f"http://127.0.0.1:{port}/login", urllib.parse.urlencode(login).encode())
        group = kata.open(f"http://127.0.0.1:{port}/groups/kecskemet", timeout=10).read().decode()
        assert f'value="http://127.0.0.1:{port}/calendar/' in group
        assert (tmp_path / "muhelynaplo.sqlite").exists()  # the demo went where we said
        os.killpg(server.pid, signal.SIGINT)
        rest = server.communicate(timeout=30)[0]
        assert server.returncode == 0, printed + rest
        assert "development server" not in printed + rest
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        server.stdout.close()  # also after a failure: no pipe left to the GC
