#!/usr/bin/env bash
# The PostgreSQL pass: the suite on PostgreSQL 15 + Redis, browser tests excluded, `postgres`
# tests included. With --smoke: only the production smoke test (`-m smoke`) instead.
# Uses DATABASE_URL/REDIS_URL when they already point at PostgreSQL and Redis (scripts/test-all.sh
# starts them once for both passes); otherwise starts a throwaway cluster and Redis itself
# (scripts/services.sh) and stops them on exit. Extra arguments go to pytest.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
marks="not browser and not smoke"
args=()
for a in "$@"; do
  if [ "$a" = "--smoke" ]; then marks="smoke"; else args+=("$a"); fi
done
if [[ "${DATABASE_URL:-}" != postgres* ]] || [[ "${REDIS_URL:-}" != redis* ]]; then
  # shellcheck source=scripts/services.sh
  source scripts/services.sh
  trap services_stop EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  services_start || exit 1
fi
export DJANGO_SETTINGS_MODULE=comptoir.settings.test
.venv/bin/pytest -m "$marks" --durations=25 -q "${args[@]}"
