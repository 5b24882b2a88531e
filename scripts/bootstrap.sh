#!/usr/bin/env bash
# Creates or updates the project's virtual environment in .venv and prints its python's path.
# Sourced by run.sh and test.sh; safe to run on its own. Everything it installs comes from PyPI,
# at the versions and hashes pinned in requirements.lock (rewrite it with scripts/lock.sh).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${ENERGYTREND_VENV:-$root/.venv}"

say() { printf 'energytrend setup: %s\n' "$*" >&2; }

# A candidate is usable when it starts and is Python >= 3.12. pyenv shims can exist on the PATH
# and still fail to run, so each candidate is executed rather than trusted.
usable() { "$1" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }

find_python() {
    local c
    local candidates=()
    [ -n "${ENERGYTREND_PYTHON:-}" ] && candidates+=("$ENERGYTREND_PYTHON")
    candidates+=(python3.12 python3.13 python3.14 python3)
    for c in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3 /usr/bin/python3.1[2-9] /usr/local/bin/python3.1[2-9]; do
        [ -x "$c" ] && candidates+=("$c")
    done
    for c in "${candidates[@]}"; do
        if usable "$c"; then command -v "$c" 2>/dev/null || echo "$c"; return 0; fi
    done
    return 1
}

no_python() {
    say "no Python 3.12 or newer was found (tried \$ENERGYTREND_PYTHON, python3.12, python3.13,"
    say "python3.14, python3 and pyenv's versions). Install Python 3.12+ and run this again, or"
    say "point ENERGYTREND_PYTHON at one, e.g. ENERGYTREND_PYTHON=/opt/py312/bin/python3 ./test.sh"
    exit 1
}

if [ "${1:-}" = "--find-python" ]; then
    find_python || no_python
    exit 0
fi

if [ ! -x "$venv/bin/python" ] || ! usable "$venv/bin/python"; then
    if ! py="$(find_python)"; then
        no_python
    fi
    say "creating $venv with $py ($("$py" --version 2>&1))"
    rm -rf "$venv"
    "$py" -m venv "$venv"
fi

# Reinstall only when the lock, the project declaration or this script changed since the last
# successful install.
stamp="$venv/.energytrend-installed"
want="$(cat "$root/requirements.lock" "$root/pyproject.toml" "$root/scripts/bootstrap.sh" | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    say "installing energytrend and its locked dependencies into $venv (first run takes a few minutes)"
    # pip warns once per package about find-links folders of this machine that do not exist;
    # those lines are noise, everything else pip says is passed on.
    quiet_pip() { "$venv/bin/python" -m pip "$@" 2> >(grep -v 'is neither a file nor a directory' >&2); }
    # Exactly the locked versions, each checked against its hash; nothing resolved today.
    quiet_pip install --quiet --disable-pip-version-check --require-hashes --no-deps \
        -r "$root/requirements.lock" >&2
    # The package itself, editable, built by the locked hatchling (no isolated build
    # environment, which would fetch an unpinned one).
    quiet_pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation \
        -e "$root" >&2
    echo "$want" >"$stamp"
fi
echo "$venv/bin/python"
