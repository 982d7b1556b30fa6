#!/usr/bin/env bash
# The SQLite pass: the whole suite on a file SQLite database, browser tests included
# (unless --no-browser). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
browser=1
args=()
for a in "$@"; do
  if [ "$a" = "--no-browser" ]; then browser=0; else args+=("$a"); fi
done
marks="not postgres and not smoke"
[ "$browser" = 1 ] || marks="$marks and not browser"
unset DATABASE_URL REDIS_URL
export DJANGO_SETTINGS_MODULE=comptoir.settings.test
exec .venv/bin/pytest -m "$marks" --durations=25 -q "${args[@]}"
