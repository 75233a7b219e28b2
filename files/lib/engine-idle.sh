#!/bin/sh
# running_containers: the names of the containers the engine runs, on one line (empty: none, or no engine).
running_containers() {
    names=$(docker ps --format '{{.Names}}' 2>/dev/null | tr '\n' ' ')
    echo "${names% }"
}

# engine_may_stop POLICY PENDING WHY RUNNING: succeeds when the engine may be stopped now: no container
# runs (RUNNING, running_containers' line, is empty), or POLICY is "now". Otherwise what would stop it (WHY)
# waits: recorded in PENDING (since=, the first time; a why= line each), written whole or not at all
# (replace.sh's written), and it fails, saying which containers hold it.
engine_may_stop() {
    { [ -z "$4" ] || [ "$1" = now ]; } && return 0
    install -d -m 0755 "${2%/*}"
    {
        if [ -e "$2" ]; then grep '^since=' "$2"; else echo "since=$(date -u '+%Y-%m-%d %H:%M:%S UTC')"; fi
        { grep '^why=' "$2" 2>/dev/null; echo "why=$3"; } | awk '!seen[$0]++'
    } | written "$2" 644
    echo "waits: containers are running ($4)"
    return 1
}
