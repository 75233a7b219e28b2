#!/bin/sh
# Usage: engine-info.sh [PENDING]
# The engine's runtimes: its whole info from its API on its socket when curl is there (a no-op
# rerun waits for this read, and the docker CLI takes twice curl's time), else the CLI's; the
# info says how many containers run, too. Where a restart is pending (the file PENDING exists),
# the running containers follow, as a JSON list: they are what it waits for; then PENDING's own
# lines (since=, why=). tasks/dockerinfo.py and tasks/facts.py read them. Fails when the engine
# does not answer.
pending=${1:-}
socket=/var/run/docker.sock
if [ -S "$socket" ] && command -v curl >/dev/null 2>&1; then
    curl -fsS --max-time 60 --unix-socket "$socket" http://localhost/info || exit 1
    [ -n "$pending" ] && [ -e "$pending" ] && echo \
        && curl -fsS --max-time 60 --unix-socket "$socket" http://localhost/containers/json \
        && echo && cat "$pending"
    exit 0
fi
docker info --format '{{json .}}' || exit 1
if [ -n "$pending" ] && [ -e "$pending" ]; then
    docker ps --format '{{json .Names}}' | awk 'BEGIN {printf "["} {printf "%s%s", (NR > 1 ? "," : ""), $0} END {print "]"}'
    cat "$pending"
fi
true
