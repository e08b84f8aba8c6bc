#!/bin/sh
# Start the Patrol agent as a plain background process (hosts without systemd).
# Node.js: $PATROL_NODE, else the path in ./node-path (written by `patrol deploy`), else `node` on PATH.
# Environment for checks (database passwords): ./agent.env if present (see below).
#
#   start.sh               start it (also clears the "stopped on purpose" marker left by stop.sh)
#   start.sh --from-cron   what the crontab lines of `patrol deploy` run (@reboot and a watchdog every 5 minutes):
#                          start it unless it runs already or stop.sh stopped it on purpose (run/stopped)
set -eu
DIR=$(cd "$(dirname "$0")" && pwd)
PIDFILE="$DIR/run/patrol-agent.pid"
STOPPED="$DIR/run/stopped"
FROM_CRON=no
case "${1:-}" in
  '') ;;
  --from-cron) FROM_CRON=yes ;;
  *) echo "usage: $0 [--from-cron]" >&2; exit 2 ;;
esac
mkdir -p "$DIR/run" "$DIR/log"
if [ "$FROM_CRON" = yes ]; then
  # A deliberate stop stays a stop (like `systemctl stop`): only a plain start.sh undoes it.
  [ -f "$STOPPED" ] && exit 0
else
  rm -f "$STOPPED"
fi
# One start at a time (the cron watchdog may fire while someone starts it by hand): the lock goes with this
# shell, and the agent does not inherit it (9>&- below).
LOCK="$DIR/run/start.lock"
if command -v flock >/dev/null 2>&1 && { [ ! -e "$LOCK" ] || [ -w "$LOCK" ]; }; then
  exec 9>"$LOCK"
  flock -w 30 9 || { echo "patrol-agent: another start.sh holds $LOCK" >&2; exit 1; }
fi
# Running: the pid file's process lives and is a Patrol agent (after a reboot the pid may belong to another program).
running() {
  [ -f "$PIDFILE" ] || return 1
  PID=$(cat "$PIDFILE")
  kill -0 "$PID" 2>/dev/null || return 1
  if [ -r "/proc/$PID/cmdline" ]; then tr '\0' ' ' <"/proc/$PID/cmdline" | grep -qF "patrol-agent.mjs" || return 1; fi
  return 0
}
if running; then
  [ "$FROM_CRON" = yes ] || echo "patrol-agent already running (pid $PID)"
  exit 0
fi
# Secrets of checks (database passwords that templates name with passwordEnv): the file the systemd unit reads
# too (EnvironmentFile=), NAME='value' lines, exported to the agent. Never printed; only its mode is checked.
ENVFILE="$DIR/agent.env"
if [ -f "$ENVFILE" ]; then
  MODE_OWNER=$(ls -ln "$ENVFILE" | awk '{ print substr($1, 2, 9), $3 }')
  if [ "$MODE_OWNER" != "rw------- $(id -u)" ] && [ "$MODE_OWNER" != "r-------- $(id -u)" ]; then
    echo "patrol-agent: warning: $ENVFILE holds secrets: make it mode 0600 and owned by $(id -un) (chmod 600, chown)" | tee -a "$DIR/log/agent.log" >&2
  fi
  set -a
  . "$ENVFILE"
  set +a
fi
# Node.js flags, the same as the systemd unit's (it says why); PATROL_NODE_FLAGS replaces them, empty for none.
NODE_FLAGS=${PATROL_NODE_FLAGS-"--lite-mode --no-expose-wasm"}
NODE=${PATROL_NODE:-}
if [ -z "$NODE" ] && [ -f "$DIR/node-path" ]; then NODE=$(cat "$DIR/node-path"); fi
if [ -z "$NODE" ]; then NODE=$(command -v node || true); fi
if [ -z "$NODE" ]; then echo "patrol-agent: Node.js not found (set PATROL_NODE)" >&2; exit 1; fi
# setsid + nohup: the agent outlives the shell (and the SSH session) that started it.
if command -v setsid >/dev/null 2>&1; then DETACH=setsid; else DETACH=; fi
# shellcheck disable=SC2086 # NODE_FLAGS is a list of words.
$DETACH nohup "$NODE" $NODE_FLAGS "$DIR/patrol-agent.mjs" --config "$DIR/agent.json" </dev/null >>"$DIR/log/agent.log" 2>&1 9>&- &
echo $! >"$PIDFILE"
if [ "$FROM_CRON" = yes ]; then
  echo "$(date '+%Y-%m-%d %H:%M:%S') start.sh --from-cron: the agent was not running; started it (pid $!)" >>"$DIR/log/agent.log"
fi
# An agent that cannot run (not enrolled, bad config) exits within a second on an idle host; give a busy host
# up to 3 s to show it, and go on as soon as the agent has lived that long.
WAITED=0
while [ "$WAITED" -lt 15 ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; do
  sleep 0.2
  WAITED=$((WAITED + 1))
done
if ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
  echo "patrol-agent exited at once; last log lines:" >&2
  tail -n 20 "$DIR/log/agent.log" >&2
  rm -f "$PIDFILE"
  exit 1
fi
echo "patrol-agent started (pid $(cat "$PIDFILE"))"
