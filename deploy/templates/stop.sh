#!/bin/sh
# Stop the background Patrol agent started by start.sh (SIGTERM: it flushes to its spool first).
# It stays stopped: run/stopped tells the crontab lines of `patrol deploy` (start.sh --from-cron) to leave it
# alone until a plain start.sh.
set -eu
DIR=$(cd "$(dirname "$0")" && pwd)
PIDFILE="$DIR/run/patrol-agent.pid"
mkdir -p "$DIR/run"
: >"$DIR/run/stopped"
[ -f "$PIDFILE" ] || { echo "patrol-agent not running"; exit 0; }
PID=$(cat "$PIDFILE")
# Only a Patrol agent: after a reboot the pid in the file may belong to another program.
if [ -r "/proc/$PID/cmdline" ] && ! tr '\0' ' ' <"/proc/$PID/cmdline" | grep -qF "patrol-agent.mjs"; then PID=; fi
if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
  kill -TERM "$PID"
  i=0
  while kill -0 "$PID" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
  if kill -0 "$PID" 2>/dev/null; then kill -KILL "$PID"; fi
fi
rm -f "$PIDFILE"
echo "patrol-agent stopped"
