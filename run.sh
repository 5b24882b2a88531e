#!/usr/bin/env bash
# The main job: set up the environment if needed, then fit the shipped data and write the report.
set -euo pipefail
cd "$(dirname "$0")"
py="$(scripts/bootstrap.sh)"
exec "$py" -m energytrend run "$@"
