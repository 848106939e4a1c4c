# Shared set-up steps for .ci/start, .ci/test and .ci/run. Sourced, not run.
# Everything here is idempotent: a second run installs nothing and takes a second.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# ensure_debian_packages PKG...: install the Debian packages that are missing.
ensure_debian_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "==> Installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

# ensure_python: python3 with venv support (Debian splits venv into python3-venv).
ensure_python() {
  if ! command -v python3 >/dev/null 2>&1 || ! python3 -c "import venv, ensurepip" >/dev/null 2>&1; then
    ensure_debian_packages python3 python3-venv
  fi
}

# ensure_venv LOCKFILE: a virtual environment with exactly the locked, hash-checked packages.
ensure_venv() {
  local lock="$ROOT/$1"
  local stamp="$VENV/.installed-$(basename "$lock")-$(sha256sum "$lock" | cut -c1-16)"
  ensure_python
  if [ ! -x "$VENV/bin/python" ]; then
    echo "==> Creating the virtual environment in .venv"
    python3 -m venv "$VENV"
  fi
  if [ ! -f "$stamp" ]; then
    echo "==> Installing Python packages from $1"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --require-hashes -r "$lock"
    rm -f "$VENV"/.installed-"$(basename "$lock")"-*
    touch "$stamp"
  fi
}

# compile_translations: build the .mo files Flask-Babel reads.
compile_translations() {
  if [ -d "$ROOT/journal/translations" ]; then
    "$VENV/bin/pybabel" -q compile -f -d "$ROOT/journal/translations"
  fi
}

# ensure_secret_key: a random SECRET_KEY in instance/config.py, made once.
ensure_secret_key() {
  local config="$ROOT/instance/config.py"
  mkdir -p "$ROOT/instance"
  if ! grep -qs "^SECRET_KEY" "$config"; then
    echo "SECRET_KEY = \"$("$VENV/bin/python" -c 'import secrets; print(secrets.token_hex(32))')\"" >> "$config"
    echo "==> Wrote a new SECRET_KEY to instance/config.py"
  fi
}
