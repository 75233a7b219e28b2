#!/bin/sh
# Usage: host-snapshot.sh HOST=COMMAND DAEMON_JSON=COMMAND STACK=COMMAND RUNTIMES=COMMAND [DOCKER_CONFIG=COMMAND]
#                         [LOCK=FILE LOCK_WAIT=SECONDS STARTED_BY=TEXT]
# The HostSnapshot fact's one command: each COMMAND a command line (tasks/shell.py's), whose output goes
# below its section's line. The state read and the engine's runtimes run beside the host's identity,
# so the command takes as long as its slowest part. Always succeeds.
# With LOCK (a deploy run; doctor only reads) it first takes the run lock (files/lib/run-lock.sh),
# before it reads anything: when another run keeps it past LOCK_WAIT, it reads nothing and says so.
# needs: named.sh run-lock.sh
DOCKER_CONFIG='' LOCK=''
named "HOST DAEMON_JSON STACK RUNTIMES DOCKER_CONFIG LOCK LOCK_WAIT STARTED_BY" "$@"
if [ -n "$LOCK" ] && ! run_lock "$LOCK" "$LOCK_WAIT" "$STARTED_BY"; then
    printf '[lock]\n%s\n' "$RUN_LOCK"
    exit 0
fi
out=$(mktemp -d)
# Each part beside it writes its section, its line first, to a file of its own; one cat shows them.
{ echo '[stack]'; eval "$STACK"; } > "$out/stack" 2>/dev/null &
[ -n "$DOCKER_CONFIG" ] && { { echo '[docker-config]'; eval "$DOCKER_CONFIG"; } > "$out/docker-config" 2>/dev/null & }
# Asking the engine would start a stopped one behind an active docker.socket: under systemd only
# a running engine (its pid file names a live process) is asked; a stopped one gives no runtimes,
# and the deploy's final check asks the engine once it has started it.
# read, not cat: every rerun runs this, and each process fewer counts.
pid1='' engine=''
read -r pid1 < /proc/1/comm 2>/dev/null
read -r engine < /var/run/docker.pid 2>/dev/null
{
    echo '[runtimes]'
    if ! command -v docker >/dev/null; then :
    elif [ "$pid1" = systemd ] && ! kill -0 "$engine" 2>/dev/null; then :
    else eval "$RUNTIMES"
    fi
} > "$out/runtimes" 2>/dev/null &
eval "$HOST"
echo '[daemon.json]'
eval "$DAEMON_JSON"
wait
cat "$out/stack" "$out/runtimes" ${DOCKER_CONFIG:+"$out/docker-config"}
[ -n "$LOCK" ] && printf '[lock]\n%s\n' "$RUN_LOCK"
rm -rf "$out"
true
