#!/bin/sh
# Usage: restart-pending.sh PENDING
# A restart the engine waits for (files/engine-apply.sh's PENDING: since=, why= lines) and the containers
# that hold it, one running=NAME line each; nothing when none waits.
[ -f "$1" ] || exit 0
cat "$1"
docker ps --format 'running={{.Names}}' 2>/dev/null
true
