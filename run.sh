#!/usr/bin/env bash
# The main job: set up the environment if needed, fit the shipped data, write out/report.html.
set -euo pipefail
cd "$(dirname "$0")"
py="$(scripts/bootstrap.sh)"
mkdir -p out  # the report's default folder (energytrend itself never creates folders)
exec "$py" -m energytrend run "$@"
