# Shared set-up steps for .ci/start, .ci/test and .ci/run. Sourced, not run.
# Everything here is idempotent: a second run installs nothing and takes a second.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

# step "WHAT" COMMAND...: run one set-up step, print one line with what it did and how long it
# took; its own output goes to a log that is shown only when the step fails.
step() {
  local what=$1; shift
  local log start
  log=$(mktemp)
  start=$SECONDS
  printf '==> %s … ' "$what"
  if "$@" >"$log" 2>&1; then
    echo "done ($((SECONDS - start)) s)"
    rm -f "$log"
  else
    local rc=$?
    echo "FAILED ($((SECONDS - start)) s); its output:"
    cat "$log" >&2
    rm -f "$log"
    return "$rc"
  fi
}

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
    step "Updating Debian's package lists" as_root apt-get update -qq
    step "Installing Debian packages ${missing[*]} from Debian" \
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

# ensure_python: python3 with venv support (Debian splits venv into python3-venv).
ensure_python() {
  if ! command -v python3 >/dev/null 2>&1 || ! python3 -c "import venv, ensurepip" >/dev/null 2>&1; then
    ensure_debian_packages python3 python3-venv
  fi
}

# pip_install LOCKFILE: install exactly the locked, hash-checked packages into .venv.
pip_install() {
  "$VENV/bin/python" -m pip install --disable-pip-version-check --require-hashes -r "$1"
}

# ensure_venv LOCKFILE: a virtual environment with exactly the locked, hash-checked packages.
# The venv's own pip is first replaced by the one pinned in .ci/pip.lock, so the install does
# not depend on which pip the machine's Python happens to bring.
ensure_venv() {
  local lock="$ROOT/$1"
  local stamp="$VENV/.installed-$(basename "$lock")-$(cat "$lock" "$ROOT/.ci/pip.lock" | sha256sum | cut -c1-16)"
  ensure_python
  if [ ! -x "$VENV/bin/python" ]; then
    step "Creating the virtual environment .venv with $(python3 --version)" python3 -m venv "$VENV"
  fi
  if [ ! -f "$stamp" ]; then
    step "Installing pip $(sed -n 's/^pip==\([^ ]*\).*/\1/p' "$ROOT/.ci/pip.lock") from PyPI (.ci/pip.lock)" \
      pip_install "$ROOT/.ci/pip.lock"
    step "Installing Python packages from PyPI ($1, $(grep -c '^[a-z]' "$lock") packages)" \
      pip_install "$lock"
    rm -f "$VENV"/.installed-"$(basename "$lock")"-*
    touch "$stamp"
  fi
}

# compile_translations: build the .mo files Flask-Babel reads.
compile_translations() {
  if [ -d "$ROOT/journal/translations" ]; then
    step "Compiling the English translation" \
      "$VENV/bin/pybabel" -q compile -f -d "$ROOT/journal/translations"
  fi
}

# ensure_secret_key: a random SECRET_KEY in the instance folder's config.py, made once.
ensure_secret_key() {
  local instance="${MUHELYNAPLO_INSTANCE:-$ROOT/instance}"
  mkdir -p "$instance"
  if ! grep -qs "^SECRET_KEY" "$instance/config.py"; then
    echo "SECRET_KEY = \"$("$VENV/bin/python" -c 'import secrets; print(secrets.token_hex(32))')\"" >> "$instance/config.py"
    echo "==> Wrote a new random SECRET_KEY to $instance/config.py"
  fi
}

# ensure_redis: Redis on 127.0.0.1:6379, which the two-server test shares between its servers
# (login limits). Installed from Debian if missing; started here where no service manager did.
ensure_redis() {
  ensure_debian_packages redis-server
  if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    step "Starting Redis on 127.0.0.1:6379" \
      redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --save "" --appendonly no
  fi
}
