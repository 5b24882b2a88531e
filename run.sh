#!/usr/bin/env bash
# The main job: set up the environment if needed, fit the shipped data, write out/report.html.
set -euo pipefail
cd "$(dirname "$0")"
py="$(scripts/bootstrap.sh)"
exec "$py" -m energytrend run "$@"
