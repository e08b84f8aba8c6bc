#!/bin/sh
# Remove the Patrol agent from this host: stop it, remove the service, the files and its state
# (agent key and unsent spool). Run as root where the agent was installed as a systemd service.
# The agent stays known to the collector: revoke it there (`POST /api/agents/<id>/revoke`).
set -eu
DIR=$(cd "$(dirname "$0")" && pwd)
KIND=$(cat "$DIR/service-kind" 2>/dev/null || echo unknown)
if [ "$KIND" = systemd ] || [ -f /etc/systemd/system/patrol-agent.service ]; then
  systemctl disable --now patrol-agent.service 2>/dev/null || true
  rm -f /etc/systemd/system/patrol-agent.service
  systemctl daemon-reload 2>/dev/null || true
  rm -rf /var/lib/patrol-agent /var/lib/private/patrol-agent
  if id patrol >/dev/null 2>&1; then userdel patrol 2>/dev/null || true; fi
fi
# Background service: the crontab lines `patrol deploy` added for this folder (the marker line, and every line that
# runs this folder's start.sh --from-cron) go first, so nothing starts the agent again. Other lines stay.
if [ "$KIND" != systemd ] && command -v crontab >/dev/null 2>&1 && OLD=$(crontab -l 2>/dev/null); then
  NEW=$(printf '%s\n' "$OLD" | PATROL_CRON_MARK="# patrol-agent $DIR" PATROL_CRON_START="$DIR/start.sh" \
    awk '$0 == ENVIRON["PATROL_CRON_MARK"] { next } { for (i = 1; i < NF; i++) if ($i == ENVIRON["PATROL_CRON_START"] && $(i + 1) == "--from-cron") next; print }')
  if [ "$NEW" != "$OLD" ]; then
    if [ -n "$NEW" ]; then printf '%s\n' "$NEW" | crontab -; else crontab -r; fi ||
      echo "patrol-agent: could not remove the crontab lines for $DIR: remove them with crontab -e" >&2
  fi
fi
if [ -x "$DIR/stop.sh" ]; then "$DIR/stop.sh" >/dev/null || true; fi
# Only what the bundle and `patrol deploy` put there (and agent.env, the secrets for checks; ca.pem, the collector's
# CA certificate from --ca-file), then the folder itself if nothing else is in it.
rm -rf "$DIR/patrol-agent.mjs" "$DIR/lib" "$DIR/VERSION" "$DIR/patrol-agent.service" "$DIR/agent.json.example" "$DIR/agent.json" \
  "$DIR/agent.env" "$DIR/ca.pem" "$DIR/node-path" "$DIR/service-kind" "$DIR/state" "$DIR/run" "$DIR/log" "$DIR/start.sh" "$DIR/stop.sh" "$DIR/uninstall.sh"
rmdir "$DIR" 2>/dev/null || true
echo "patrol-agent removed from $DIR"
