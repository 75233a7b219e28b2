#!/bin/sh
# Usage: host-snapshot.sh HOST_COMMAND DAEMON_JSON_COMMAND STACK_COMMAND RUNTIMES_COMMAND DOCKER_CONFIG_COMMAND
#        [LOCK SECONDS STARTED_BY]
# The HostSnapshot fact's one command: each argument a command line (tasks/shell.py's), whose output goes
# below its section's line. The state read and the engine's runtimes run beside the host's identity,
# so the command takes as long as its slowest part. Always succeeds.
# With LOCK (a deploy run; doctor only reads) it first takes the run lock (files/lib/run-lock.sh),
# before it reads anything: when another run keeps it past SECONDS, it reads nothing and says so.
# needs: run-lock.sh
host=$1 daemon_json=$2 stack=$3 runtimes=$4 docker_config=${5:-} lock=${6:-}
if [ -n "$lock" ] && ! run_lock "$lock" "$7" "$8"; then
    printf '[lock]\n%s\n' "$RUN_LOCK"
    exit 0
fi
# Each part beside it writes its section, its line first, to a file of its own; one cat shows them.
out=$(mktemp -d)
{ echo '[stack]'; eval "$stack"; } > "$out/stack" 2>/dev/null &
[ -n "$docker_config" ] && { { echo '[docker-config]'; eval "$docker_config"; } > "$out/docker-config" 2>/dev/null & }
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
    else eval "$runtimes"
    fi
} > "$out/runtimes" 2>/dev/null &
eval "$host"
echo '[daemon.json]'
eval "$daemon_json"
wait
cat "$out/stack" "$out/runtimes" ${docker_config:+"$out/docker-config"}
[ -n "$lock" ] && printf '[lock]\n%s\n' "$RUN_LOCK"
rm -rf "$out"
true
