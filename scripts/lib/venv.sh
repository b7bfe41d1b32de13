# Shared by scripts/serve, scripts/test and scripts/upgrade-deps (sourced, not run).
#
# `ensure_venv SET` makes .venv (or $CARTILLA_VENV) hold exactly the locked set SET
# ("runtime": requirements.txt, or "test": requirements-test.txt; every file pinned with a
# hash) plus Cartilla itself, installed editable. It needs nothing on the machine but Python
# 3.11+: the installer, uv, is installed into the venv by pip from requirements-uv.txt.
# Nothing is resolved here; a release that came out yesterday is never picked up by accident.
# Upgrades are deliberate: scripts/upgrade-deps.

PYTHON=${PYTHON:-python3}
VENV=${CARTILLA_VENV:-.venv}
# uv must never download a Python of its own, and reads no user or system config files.
export UV_PYTHON_DOWNLOADS=never UV_NO_CONFIG=1

# The lock file of a set.
_lock() { if [ "$1" = runtime ]; then echo requirements.txt; else echo "requirements-$1.txt"; fi; }

_lock_digest() {
  cat "$(_lock "$1")" requirements-uv.txt pyproject.toml | "$PYTHON" -c \
    'import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())'
}

ensure_venv() {
  local set=$1 stamp want
  "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
    echo "Cartilla needs Python 3.11 or newer ($PYTHON is $("$PYTHON" --version 2>&1))." >&2
    exit 1
  }
  if [ ! -x "$VENV/bin/python" ]; then
    echo "Creating $VENV ..."
    "$PYTHON" -m venv "$VENV"
  fi
  stamp="$VENV/.cartilla-lock"
  want="$set $(_lock_digest "$set")"
  # A venv made for the tests also serves (the test set holds the runtime set at the same
  # versions), so scripts/serve leaves it alone instead of removing the test tools.
  if [ -f "$stamp" ]; then
    local have
    have=$(cat "$stamp")
    if [ "$have" = "$want" ]; then return 0; fi
    if [ "$set" = runtime ] && [ "$have" = "test $(_lock_digest test)" ]; then return 0; fi
  fi
  echo "Installing the locked $set dependencies into $VENV ..."
  if ! "$VENV/bin/python" -m uv --version >/dev/null 2>&1 ||
    [ "$("$VENV/bin/python" -m uv --version | cut -d' ' -f2)" != "$(_pinned uv)" ]; then
    "$VENV/bin/python" -m pip install -qq --disable-pip-version-check \
      --require-hashes --no-deps -r requirements-uv.txt
  fi
  # `pip sync` makes the venv exactly the lock: anything else installed there is removed, so
  # an old package can never hide a missing line in the lock.
  "$VENV/bin/python" -m uv pip sync --quiet --python "$VENV/bin/python" --require-hashes \
    "$(_lock "$set")" requirements-uv.txt
  "$VENV/bin/python" -m uv pip install --quiet --python "$VENV/bin/python" \
    --no-deps --no-build-isolation -e .
  echo "$want" >"$stamp"
}

# The version requirements-uv.txt pins for a package (used for uv itself).
_pinned() {
  sed -n "s/^$1==\([^ ;]*\).*/\1/p" requirements-uv.txt | head -n1
}
