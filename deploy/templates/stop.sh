#!/bin/sh
# Stop the background Patrol agent started by start.sh (SIGTERM: it flushes to its spool first).
set -eu
DIR=$(cd "$(dirname "$0")" && pwd)
PIDFILE="$DIR/run/patrol-agent.pid"
[ -f "$PIDFILE" ] || { echo "patrol-agent not running"; exit 0; }
PID=$(cat "$PIDFILE")
if kill -0 "$PID" 2>/dev/null; then
  kill -TERM "$PID"
  i=0
  while kill -0 "$PID" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
  if kill -0 "$PID" 2>/dev/null; then kill -KILL "$PID"; fi
fi
rm -f "$PIDFILE"
echo "patrol-agent stopped"
