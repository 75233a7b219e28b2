#!/bin/sh
# Usage: engine-apply.sh ACTION=reload|restart POLICY=when-idle|now PENDING=FILE LOADED=FILE WHY=TEXT
#                        DAEMON_JSON=FILE REJECTED=FILE BACKUP=FILE REASON_SCRIPT=TEXT WATCHED="FILE ..."
# needs: named.sh replace.sh engine-idle.sh
# The engine takes its new configuration without stopping running work.
# reload: dockerd rereads daemon.json on SIGHUP (`systemctl reload`) for the keys it can change live;
# no container notices. restart: while containers run and POLICY is when-idle, nothing is stopped:
# the restart waits in PENDING (since when, and why), for the next run with no container running,
# or one with POLICY=now. A restart first runs `systemctl daemon-reload` where docker.service's files
# or drop-ins changed since systemd read them (its NeedDaemonReload; a daemon-reload takes 0.2 s),
# which, like the restart, is never done under running containers: it takes their GPUs away
# (NVIDIA/nvidia-docker#1730). An engine that started after every WATCHED file last changed has
# loaded them already (a package upgrade restarted it): the pending restart is dropped, not done.
# If dockerd refuses to start and this run wrote DAEMON_JSON (BACKUP, where its previous content was
# kept, is not empty), the new file is kept as REJECTED, the previous one put back (if there was one)
# and the engine started with it: nothing is left stopped. Either way the run stops with dockerd's
# reason, which REASON_SCRIPT (files/dockerd-reason.sh) finds in its journal. Once the engine runs with
# DAEMON_JSON, LOADED records its sha256: what it loaded, for the next run to compare with.
POLICY=when-idle
named "ACTION POLICY PENDING LOADED WHY DAEMON_JSON REJECTED BACKUP REASON_SCRIPT WATCHED" "$@"

put_back() {  # the new DAEMON_JSON, refused, is kept as REJECTED; the previous one, if any, is back
    mv -f "$DAEMON_JSON" "$REJECTED"
    if [ -e "$BACKUP" ]; then copied "$BACKUP" "$DAEMON_JSON"; fi
}

record_loaded() {  # the engine runs with DAEMON_JSON now
    install -d -m 0755 "${LOADED%/*}" && sha256sum < "$DAEMON_JSON" | cut -d' ' -f1 | written "$LOADED" 644
}

running=$(running_containers)
# A reload spares running containers; with a restart pending and none running, the restart loads it too.
if [ "$ACTION" = reload ] && { [ ! -e "$PENDING" ] || { [ -n "$running" ] && [ "$POLICY" != now ]; }; }; then
    # A stopped engine reads the file when it starts: nothing runs, so nothing to spare.
    if ! systemctl is-active --quiet docker.service; then
        systemctl start docker.service || exit 1
        record_loaded
        exit 0
    fi
    since=$(date +%s)
    systemctl reload docker.service || exit 1
    # dockerd answers SIGHUP in its log: "Reloaded configuration", or why it kept the old one.
    said=''
    for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
        said=$(journalctl _SYSTEMD_UNIT=docker.service --since "@$since" --no-pager -o cat 2>/dev/null \
            | grep -E 'Reloaded configuration|Error reconfiguring the daemon' | tail -n 1)
        [ -n "$said" ] && break
        sleep 0.5
    done
    case $said in
        *"Error reconfiguring"*)
            if [ -n "$BACKUP" ]; then
                put_back
                systemctl reload docker.service
            fi
            echo "dockerd refused to reload the new $DAEMON_JSON (kept as $REJECTED); the previous one is back." \
                "Check docker_daemon_options. dockerd said: $said" >&2
            exit 1 ;;
    esac
    record_loaded
    echo "the engine reloaded its configuration; no container was stopped"
    exit 0
fi

engine_may_stop "$POLICY" "$PENDING" "$WHY" "$running" || exit 0

if [ -n "$WATCHED" ] && systemctl is-active --quiet docker.service; then
    # shellcheck disable=SC2086  # one word a path
    newest=$(stat -c %Y $WATCHED "$PENDING" 2>/dev/null | sort -n | tail -n 1)
    started=$(systemctl show -p ActiveEnterTimestamp --timestamp=unix --value docker.service 2>/dev/null)
    started=${started#@}
    if [ -n "$newest" ] && [ -n "$started" ] && [ "${started%%.*}" -gt "$newest" ]; then
        rm -f "$PENDING"
        record_loaded
        echo "the engine started after its configuration last changed: it runs with it already"
        exit 0
    fi
fi
if [ "$(systemctl show -p NeedDaemonReload --value docker.service)" != no ]; then
    systemctl daemon-reload
fi
since=$(date +%s)
if systemctl restart docker.service; then
    rm -f "$PENDING"
    record_loaded
    echo "the engine restarted to load its configuration"
    exit 0
fi
# dockerd's own reason, from this restart's lines only; else the unit's last words.
said=$(journalctl _SYSTEMD_UNIT=docker.service --since "@$since" --no-pager -o cat 2>/dev/null \
    | sh -c "$REASON_SCRIPT" dockerd-reason.sh)
[ -n "$said" ] || said=$(journalctl -u docker.service -n 3 --no-pager -o cat 2>/dev/null)
if [ -n "$BACKUP" ]; then
    put_back
    systemctl reset-failed docker.service
    systemctl start docker.service
    echo "dockerd refused the new $DAEMON_JSON (kept as $REJECTED); the previous one is back and the engine" \
        "runs with it. Check docker_daemon_options. dockerd said: $said" >&2
else
    echo "docker.service did not restart to load the NVIDIA Container Toolkit; $DAEMON_JSON is unchanged." \
        "dockerd said: $said. Fix: \`journalctl -u docker.service\` says why; once it is mended, rerun the deploy" >&2
fi
exit 1
