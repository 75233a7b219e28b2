#!/bin/sh
# Usage: daemon-json-check.sh CANDIDATE LIVE REJECTED
# The installed dockerd checks a new daemon.json (CANDIDATE) before it replaces LIVE, so that a file
# it refuses never meets a restart: CANDIDATE is kept as REJECTED, LIVE and the running engine are
# left as they were, and the run stops with dockerd's own words. It passes where nothing can check:
# no dockerd yet (a fresh host, whose first start reads the file) or one older than Docker 23, which
# has no --validate (there the engine's restart tests the file and puts LIVE back if it fails).
candidate=$1 live=$2 rejected=$3
command -v dockerd >/dev/null 2>&1 || exit 0
if said=$(dockerd --validate --config-file "$candidate" 2>&1); then
    exit 0
fi
case $said in
    *"unknown flag: --validate"*) exit 0 ;;
esac
mv -f "$candidate" "$rejected"
echo "dockerd refuses the new $live (kept as $rejected), so $live stays as it was and the engine was" \
    "not restarted. Fix: correct docker_daemon_options in inventory.py (or the key of $live that" \
    "dockerd names). dockerd said: $said" >&2
exit 1
