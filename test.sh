#!/usr/bin/env bash
# The test suite: set up the environment if needed, lint, then run every test.
set -euo pipefail
cd "$(dirname "$0")"
py="$(scripts/bootstrap.sh)"
bin="$(dirname "$py")"
"$bin/ruff" check src tests
"$bin/ruff" format --check src tests
"$bin/mypy"
exec "$py" -m pytest "$@"
