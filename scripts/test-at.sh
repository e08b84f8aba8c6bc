#!/usr/bin/env bash
# Run test files as if it were another moment (UTC):
#   npm run test:at -- "2027-03-31 16:30:00" test/reports test/dashboard/reports-review.test.ts
# Tests that read the real clock (a customer taken on "today", the current quarter, an inspection day) can pass
# today and fail on a given day; this is how to try a quarter's first hour in Beijing (16:00 UTC on its eve), a
# month's end, or an inspection day (09:00 Beijing, 01:00 UTC) before that day comes.
# faketime moves the clock of node and the C programs it starts (sshd, snmpd, PostgreSQL, Dovecot). It does not
# move Go programs (InfluxDB, VictoriaMetrics: leave their tests out) nor Chromium, which test/helpers/browser.ts
# starts without it (pages do not load under it): a page that compares its own clock with the server's differs.
set -euo pipefail
if [ $# -lt 2 ]; then
  echo 'usage: npm run test:at -- "YYYY-MM-DD HH:MM:SS" TEST_FILE_OR_FOLDER...' >&2
  exit 2
fi
at="$1"
shift
if ! command -v faketime >/dev/null; then
  if [ "$(id -u)" = 0 ]; then apt-get install -y -q faketime >/dev/null; else echo 'faketime is missing: apt-get install faketime' >&2; exit 2; fi
fi
cd "$(dirname "$0")/.."
# The monotonic clock stays real: timers and timeouts keep their length.
export TZ=UTC FAKETIME_DONT_FAKE_MONOTONIC=1
exec faketime -f "@$at" npx vitest run "$@"
