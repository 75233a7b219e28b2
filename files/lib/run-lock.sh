#!/bin/sh
# One run of the deploy at a time on a host: the lock its snapshot takes before it reads anything,
# and the holder that keeps it for as long as the run lives.

# The processes that stand between a run and its commands on the host: the shells and sudo that
# pyinfra wraps each command in. The first ancestor of another name is the run's anchor: pyinfra's
# own python for @local (setup.sh and cloud-init's first boot exec it), the SSH connection's sshd
# (or sshd-session) over SSH, which pyinfra keeps for the whole run and a killed pyinfra closes.
RUN_LOCK_SKIP=" sh dash bash sudo sudo-rs su env timeout "

# run_anchor: sets RUN_ANCHOR and RUN_ANCHOR_COMM to the anchor's pid and name, or both empty when
# the chain ends first (pid 1, or pid 0: `docker exec`'s processes have no parent in the container).
# Only builtins: every rerun runs this.
run_anchor() {
    RUN_ANCHOR='' RUN_ANCHOR_COMM=''
    pid=$$
    while [ "$pid" -gt 1 ] && read -r stat 2>/dev/null < "/proc/$pid/stat"; do
        comm=${stat#*\(}
        comm=${comm%\)*}
        if [ "$pid" != $$ ]; then
            case $RUN_LOCK_SKIP in
                *" $comm "*) ;;
                *) RUN_ANCHOR=$pid RUN_ANCHOR_COMM=$comm; return 0 ;;
            esac
        fi
        # After the name: the state, then the parent's pid.
        set -f
        # shellcheck disable=SC2086  # the fields are words
        set -- ${stat##*) }
        set +f
        pid=$2
    done
}

# run_is_ancestor PID: PID is this command's parent, or the parent's parent, and so on: a run that
# holds the lock (the pull timer's runner, files/pull-run.sh) and starts the deploy as its child owns
# the deploy's run, which must not wait for its own starter. Only builtins; read only when the lock is held.
run_is_ancestor() {
    ancestor=$1 pid=$$
    while [ "$pid" -gt 1 ] && read -r stat 2>/dev/null < "/proc/$pid/stat"; do
        set -f
        # shellcheck disable=SC2086  # the fields are words
        set -- ${stat##*) }
        set +f
        pid=$2
        [ "$pid" = "$ancestor" ] && return 0
    done
    return 1
}

# run_lock_holder LOCK: the holder's lines in LOCK, each as holder_<key>=, and since when it holds
# it (LOCK's mtime: the holder writes it as it takes the lock).
run_lock_holder() {
    while IFS= read -r line; do
        echo "holder_$line"
    done < "$1"
    echo "holder_since=$(date -u -r "$1" '+%Y-%m-%d %H:%M:%S UTC')"
}

# run_lock LOCK SECONDS STARTED_BY: takes LOCK on fd 9, waiting up to SECONDS (0: not at all) for
# another run to let go of it, and sets RUN_LOCK to what it says of it: lock=taken (with waited=
# and the last holder's lines when it waited), lock=busy (with the holder's) or lock=unavailable.
# Once taken, the holder's lines are written into LOCK, and with an anchor a detached holder keeps
# the lock until the anchor ends (polled every 0.1 s), so that it outlives this command but not
# the run. Without an anchor (pyinfra's docker connector) the lock lasts only as long as this
# command. A holder that dies, even by SIGKILL, lets go: the kernel drops its flock.
# shellcheck disable=SC2034  # RUN_LOCK is the caller's to print
run_lock() {
    if ! command exec 9>>"$1" 2>/dev/null; then
        RUN_LOCK="lock=unavailable"
        return 1
    fi
    RUN_LOCK="lock=taken"
    run_anchor
    if ! flock -n 9; then
        # This run's own holder has it already (the run took it in an earlier command).
        read -r held < "$1"
        [ -n "$RUN_ANCHOR" ] && [ "$held" = "pid=$RUN_ANCHOR" ] && return 0
        # ...or a process this run descends from took it, and holds it for it.
        run_is_ancestor "${held#pid=}" && return 0
        start=$(date +%s)
        if [ "$2" -eq 0 ] || ! flock -w "$2" 9; then
            RUN_LOCK="lock=busy
waited=$2
$(run_lock_holder "$1")"
            exec 9>&-
            return 1
        fi
        RUN_LOCK="lock=taken
waited=$(($(date +%s) - start))
$(run_lock_holder "$1")"
    fi
    printf 'pid=%s\ncomm=%s\nby=%s\n' "${RUN_ANCHOR:-$$}" "${RUN_ANCHOR_COMM:-sh}" "$3" > "$1"
    if [ -n "$RUN_ANCHOR" ]; then
        setsid -f tail --pid="$RUN_ANCHOR" -s 0.1 -f /dev/null < /dev/null > /dev/null 2>&1
    fi
}
