#!/usr/bin/env bash
# `make test`: the whole suite, in three passes —
#   1. sqlite    the suite on a file SQLite database, browser tests included (scripts/test-sqlite.sh)
#   2. postgres  the suite on a throwaway PostgreSQL 15 + Redis, browser tests excluded,
#                `postgres` tests included (scripts/test-postgres.sh)
#   3. smoke     the production smoke test on the same PostgreSQL and Redis (two uvicorn nodes,
#                a Celery worker and beat, a local SMTP server)
# PostgreSQL and Redis are started once (scripts/services.sh) and stopped on exit, even on failure
# or Ctrl-C. Every pass runs even when an earlier one failed; the exit status is non-zero when any
# failed. Extra arguments go to pytest in every pass (then a pass that selects nothing is fine).
# TEST_WORKERS=N runs passes 1 and 2 with pytest-xdist (-n N).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=scripts/services.sh
source scripts/services.sh
trap services_stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

reports=var/test/reports
rm -rf "$reports"
mkdir -p "$reports"
extra=("$@")
xdist=()
if [ -n "${TEST_WORKERS:-}" ] && [ "${TEST_WORKERS}" != 0 ]; then xdist=(-n "$TEST_WORKERS"); fi
summary=()
failed=0
failed_passes=()
started=$SECONDS

run_pass() {
  local name=$1
  shift
  echo
  echo "======== make test: $name pass ========"
  local t0=$SECONDS rc
  "$@" --junitxml="$reports/$name.xml" "${extra[@]}"
  rc=$?
  local took=$((SECONDS - t0)) state
  if [ "$rc" -eq 0 ]; then
    state="passed"
  elif [ "$rc" -eq 5 ] && [ ${#extra[@]} -gt 0 ]; then
    state="selected no test (filtered)"   # legitimate only when the caller filtered the suite
  elif [ "$rc" -eq 5 ]; then
    state="FAILED (collected no test)"
    failed=1
    failed_passes+=("$name")
  else
    state="FAILED (exit $rc)"
    failed=1
    failed_passes+=("$name")
  fi
  summary+=("$(printf '%-9s %-28s %5ss' "$name" "$state" "$took")")
}

run_pass sqlite bash scripts/test-sqlite.sh "${xdist[@]}"

if services_start; then
  run_pass postgres bash scripts/test-postgres.sh "${xdist[@]}"
  run_pass smoke bash scripts/test-postgres.sh --smoke
else
  summary+=("postgres  FAILED (PostgreSQL/Redis did not start)")
  summary+=("smoke     FAILED (PostgreSQL/Redis did not start)")
  failed=1
  failed_passes+=(postgres smoke)
fi
services_stop

echo
echo "======== make test: summary ========"
printf '%s\n' "${summary[@]}"
echo "total $((SECONDS - started))s"
# The counts of every pass together, from the JUnit reports (one closing line). A pass that
# failed without a failing test in its report (it could not start) counts as one failure.
.venv/bin/python - "$reports" "${failed_passes[@]}" <<'PY'
import pathlib, sys
import xml.etree.ElementTree as ET

totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
broken = 0
for name in ["sqlite", "postgres", "smoke"]:
    path = pathlib.Path(sys.argv[1]) / f"{name}.xml"
    counts = dict.fromkeys(totals, 0)
    if path.exists():
        root = ET.parse(path).getroot()
        for suite in [root] if root.tag == "testsuite" else root.iter("testsuite"):
            for key in counts:
                counts[key] += int(suite.get(key, 0))
    if name in sys.argv[2:] and counts["failures"] + counts["errors"] == 0:
        broken += 1
    for key in totals:
        totals[key] += counts[key]
failed = totals["failures"] + totals["errors"] + broken
passed = totals["tests"] - totals["failures"] - totals["errors"] - totals["skipped"]
line = f"make-test: {passed} passed, {failed} failed, {totals['skipped']} skipped"
print(line)
(pathlib.Path(sys.argv[1]) / "summary.txt").write_text(line + "\n")
PY
exit "$failed"
