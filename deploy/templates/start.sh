#!/bin/sh
# Start the Patrol agent as a plain background process (hosts without systemd).
# Node.js: $PATROL_NODE, else the path in ./node-path (written by `patrol deploy`), else `node` on PATH.
set -eu
DIR=$(cd "$(dirname "$0")" && pwd)
PIDFILE="$DIR/run/patrol-agent.pid"
mkdir -p "$DIR/run" "$DIR/log"
if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
  echo "patrol-agent already running (pid $(cat "$PIDFILE"))"
  exit 0
fi
NODE=${PATROL_NODE:-}
if [ -z "$NODE" ] && [ -f "$DIR/node-path" ]; then NODE=$(cat "$DIR/node-path"); fi
if [ -z "$NODE" ]; then NODE=$(command -v node || true); fi
if [ -z "$NODE" ]; then echo "patrol-agent: Node.js not found (set PATROL_NODE)" >&2; exit 1; fi
# setsid + nohup: the agent outlives the shell (and the SSH session) that started it.
if command -v setsid >/dev/null 2>&1; then DETACH=setsid; else DETACH=; fi
$DETACH nohup "$NODE" "$DIR/patrol-agent.mjs" --config "$DIR/agent.json" </dev/null >>"$DIR/log/agent.log" 2>&1 &
echo $! >"$PIDFILE"
sleep 1
if ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
  echo "patrol-agent exited at once; last log lines:" >&2
  tail -n 20 "$DIR/log/agent.log" >&2
  rm -f "$PIDFILE"
  exit 1
fi
echo "patrol-agent started (pid $(cat "$PIDFILE"))"
