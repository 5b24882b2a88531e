#!/usr/bin/env bash
# Rewrites requirements.lock: every dependency of energytrend[dev], transitively, pinned with
# hashes, for Python 3.12 and newer on every platform (uv's universal resolution).
# Then rewrites requirements-peers.lock: energytrend's own dependencies plus the 'peers' extra
# (Bambi, NumPyro, JAX, statsmodels), constrained to requirements.lock's pins, so the peer
# benchmark runs every method on the same PyMC, nutpie, NumPy and ArviZ. Only the peer
# benchmark's venv (.venv-peers, 'scripts/peer_benchmark.py --setup') installs it; ./test.sh and
# ./run.sh install requirements.lock alone.
# Usage: scripts/lock.sh            keep today's pins where they still satisfy pyproject.toml
#        scripts/lock.sh --upgrade  move every pin to the newest allowed release
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
uv="$root/.venv/bin/uv"
[ -x "$uv" ] || uv="$(command -v uv)" || { echo "lock.sh: run ./test.sh once first (it installs uv into .venv)" >&2; exit 1; }
cd "$root"
"$uv" pip compile pyproject.toml --extra dev --universal --python-version 3.12 \
    --generate-hashes --no-header --quiet --output-file requirements.lock "$@"
"$uv" pip compile pyproject.toml --extra peers --constraint requirements.lock --universal \
    --python-version 3.12 --generate-hashes --no-header --quiet \
    --output-file requirements-peers.lock "$@"
