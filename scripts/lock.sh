#!/usr/bin/env bash
# Rewrites requirements.lock: every dependency of energytrend[dev], transitively, pinned with
# hashes, for Python 3.12 and newer on every platform (uv's universal resolution).
# Usage: scripts/lock.sh            keep today's pins where they still satisfy pyproject.toml
#        scripts/lock.sh --upgrade  move every pin to the newest allowed release
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
uv="$root/.venv/bin/uv"
[ -x "$uv" ] || uv="$(command -v uv)" || { echo "lock.sh: run ./test.sh once first (it installs uv into .venv)" >&2; exit 1; }
cd "$root"
exec "$uv" pip compile pyproject.toml --extra dev --universal --python-version 3.12 \
    --generate-hashes --no-header --quiet --output-file requirements.lock "$@"
