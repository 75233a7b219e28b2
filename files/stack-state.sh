#!/bin/sh
# Usage: stack-state.sh PACKAGES="NAME ..." KEYS="FILE ..." FILES="PATTERN ..." PENDING=FILE LOADED=FILE
#                       SOURCES_DIR=DIR UNITS="UNIT ..." TOOLKIT_CONFIG=FILE
# needs: named.sh apt-locks.sh key-fingerprints.sh
# The StackState fact: the state of what the deploy manages, as key=value lines (see tasks/facts.py).
# Quoted values are space-separated lists. Always succeeds.
# Every rerun runs this on a host whose cores it shares with the run: the shell's own read loops
# and files stand in for sed, cat and pipes, and each process fewer counts.
named "PACKAGES KEYS FILES PENDING LOADED SOURCES_DIR UNITS TOOLKIT_CONFIG" "$@"

# lines_of FILE KEY: each line of FILE (the last one too, without its newline) as KEY=line.
lines_of() {
    while IFS= read -r line || [ -n "$line" ]; do printf '%s=%s\n' "$2" "$line"; done < "$1"
}

# Each key's gpg and apt's state start first and run beside the other reads, each into its own file.
# The keys' gpg share this private folder as their home, which they leave as it is.
out=$(mktemp -d) n=0
{ if dpkg_interrupted || [ -n "$(apt_lock_holders)" ]; then : > "$out/apt-busy"; fi; } &
for path in $KEYS; do
    n=$((n + 1))
    [ -e "$path" ] && primary_fingerprints "$path" "$out" > "$out/$n" &
done
# shellcheck disable=SC2086  # one word a package
dpkg-query -W -f='pkg=${db:Status-Abbrev} ${Package} ${Version}\n' $PACKAGES 2>/dev/null
# One systemctl call for docker.service and UNITS, a block each in that order: docker.service's is-active and
# is-enabled words (ActiveState, UnitFileState); each unit's properties as unit=UNIT KEY=VALUE, and the
# ConditionVirtualization= lines of a loaded one's files, in the order systemd reads them, as
# condition=UNIT FILE VALUE.
# shellcheck disable=SC2086  # one word a unit
set -- docker.service $UNITS
systemctl show -p LoadState -p ActiveState -p UnitFileState -p FragmentPath -p DropInPaths "$@" \
    > "$out/service" 2>/dev/null
n=1 unit=$1
while IFS='=' read -r key value; do
    if [ -z "$key" ]; then n=$((n + 1)); eval "unit=\${$n:-}"; continue; fi
    if [ "$unit" = docker.service ]; then
        case $key in
            ActiveState) echo "active=$value" ;;
            UnitFileState) echo "enabled=$value" ;;
        esac
    fi
    echo "unit=$unit $key=$value"
    case $key in FragmentPath | DropInPaths) ;; *) continue ;; esac
    [ "$unit" = docker.service ] && continue
    for path in $value; do
        [ -r "$path" ] || continue
        while read -r line || [ -n "$line" ]; do
            case $line in ConditionVirtualization=*) echo "condition=$unit $path ${line#*=}" ;; esac
        done < "$path"
    done
done < "$out/service"
# The toolkit's no-cgroups under [nvidia-container-cli] (none: the key is absent or commented out).
if [ -r "$TOOLKIT_CONFIG" ]; then
    section=''
    while read -r line || [ -n "$line" ]; do
        case $line in
            "["*) section=$line ;;
            no-cgroups*=*)
                [ "$section" = "[nvidia-container-cli]" ] || continue
                value=${line#*=}; value=${value%%#*}
                # shellcheck disable=SC2086  # the words around the value go
                set -- $value
                echo "no_cgroups=${1:-}" ;;
        esac
    done < "$TOOLKIT_CONFIG"
fi
group=$(getent group docker) && echo "group=$group"
wait
n=0
for path in $KEYS; do
    n=$((n + 1))
    [ -e "$path" ] || continue
    line="key=$path"
    while read -r fingerprint; do line="$line $fingerprint"; done < "$out/$n"
    printf '%s\n' "$line"
done
present=
for path in $FILES; do [ -e "$path" ] && present="$present $path"; done
if [ -n "$present" ]; then
    # shellcheck disable=SC2086  # one word a path
    sha256sum $present > "$out/sums"
    lines_of "$out/sums" file
fi
# The lines of apt's sources that name a URL: the deploy looks there for its repositories' rivals.
set --
for path in "$SOURCES_DIR"/*.list "$SOURCES_DIR"/*.sources; do
    [ -f "$path" ] && set -- "$@" "$path"
done
[ $# -gt 0 ] && awk 'index($0, "://") {print "source=" FILENAME " " $0}' "$@"
[ -e "$out/apt-busy" ] && echo apt=busy
# A restart the engine still waits for (files/engine-apply.sh): since when, and why.
[ -f "$PENDING" ] && lines_of "$PENDING" pending
# The sha256 of the daemon.json the engine last loaded through the deploy.
[ -f "$LOADED" ] && lines_of "$LOADED" loaded
rm -rf "$out"
true
