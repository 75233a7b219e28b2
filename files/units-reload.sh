#!/bin/sh
# Usage: units-reload.sh POLICY=when-idle|now START="UNIT ..."
# needs: named.sh engine-idle.sh
# systemd reads its units anew (`systemctl daemon-reload`), for the drop-ins the deploy wrote or removed, then
# starts START. A daemon-reload takes running containers' GPUs away (NVIDIA/nvidia-docker#1730): while
# containers run and POLICY is when-idle it waits for the next run with none running, and says so. A unit
# that does not start is told, and the run goes on: doctor's checks tell it again.
POLICY=when-idle START=''
named "POLICY START" "$@"
running=$(running_containers)
if [ -n "$running" ] && [ "$POLICY" != now ]; then
    echo "waits: containers are running ($running); the next run with none running reloads systemd's units"
    exit 0
fi
systemctl daemon-reload || exit 1
for unit in $START; do
    systemctl start "$unit" || echo "$unit did not start: \`journalctl -u $unit\` says why" >&2
done
true
