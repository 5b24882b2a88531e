#!/usr/bin/env bash
# The test suite: set up the environment if needed, lint, then run every test.
set -euo pipefail
cd "$(dirname "$0")"
py="$(scripts/bootstrap.sh)"
bin="$(dirname "$py")"
# The report test opens the HTML in headless Chromium. In CI (or with
# ENERGYTREND_INSTALL_BROWSER=1) Debian's chromium is installed when missing and we are root;
# elsewhere the test says plainly that it skipped.
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null \
    && { [ "${CI:-}" = true ] || [ "${ENERGYTREND_INSTALL_BROWSER:-}" = 1 ]; }; then
    echo "test.sh: installing Debian's chromium for the report's browser test" >&2
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } \
        >/dev/null 2>&1 || echo "test.sh: could not install chromium; that test will skip" >&2
fi
"$bin/ruff" check src tests
"$bin/ruff" format --check src tests
"$bin/mypy"
# The docs site, warnings as errors: a broken reference or placeholder fails the suite.
NO_MKDOCS_2_WARNING=1 "$bin/mkdocs" build --strict --quiet --site-dir site
exec "$py" -m pytest "$@"
