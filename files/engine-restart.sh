#!/bin/sh
# Usage: engine-restart.sh DAEMON_JSON REJECTED BACKUP REASON_SCRIPT
# needs: replace.sh
# Restarts docker.service to load its configuration. If dockerd refuses to start and this run wrote
# DAEMON_JSON (BACKUP, where its previous content was kept, is not empty), the new file is kept as
# REJECTED, the previous one put back (if there was one) and the engine started with it: nothing is
# left stopped. BACKUP empty: DAEMON_JSON is not this run's, so it is never moved. Either way the run
# stops with dockerd's reason, which REASON_SCRIPT (files/dockerd-reason.sh) finds in its journal.
daemon_json=$1 rejected=$2 backup=$3 reason=$4
since=$(date +%s)
systemctl restart docker.service && exit 0
# dockerd's own reason, from this restart's lines only; else the unit's last words.
why=$(journalctl _SYSTEMD_UNIT=docker.service --since "@$since" --no-pager -o cat 2>/dev/null \
    | sh -c "$reason" dockerd-reason.sh)
[ -n "$why" ] || why=$(journalctl -u docker.service -n 3 --no-pager -o cat 2>/dev/null)
if [ -n "$backup" ]; then
    mv -f "$daemon_json" "$rejected"
    [ -e "$backup" ] && copied "$backup" "$daemon_json"
    systemctl reset-failed docker.service
    systemctl start docker.service
    echo "dockerd refused the new $daemon_json (kept as $rejected); the previous one is back and the engine" \
        "runs with it. Check docker_daemon_options. dockerd said: $why" >&2
else
    echo "docker.service did not restart to load the NVIDIA Container Toolkit; $daemon_json is unchanged." \
        "dockerd said: $why. Fix: \`journalctl -u docker.service\` says why; once it is mended, rerun the deploy" >&2
fi
exit 1
