#!/bin/sh
# Usage: stack-state.sh PACKAGES="NAME ..." KEYS="FILE ..." FILES="PATTERN ..." PENDING=FILE LOADED=FILE
#                       SOURCES_DIR=DIR
# needs: named.sh apt-locks.sh key-fingerprints.sh
# The StackState fact: the state of what the deploy manages, as key=value lines (see tasks/facts.py).
# Quoted values are space-separated lists. Always succeeds.
named "PACKAGES KEYS FILES PENDING LOADED SOURCES_DIR" "$@"
# Each key's gpg and apt's state start first and run beside the other reads, each into its own file.
out=$(mktemp -d) n=0
{ if dpkg_interrupted || [ -n "$(apt_lock_holders)" ]; then echo apt=busy; fi; } > "$out/apt" &
for path in $KEYS; do
    n=$((n + 1))
    [ -e "$path" ] && primary_fingerprints "$path" > "$out/$n" &
done
# shellcheck disable=SC2086  # one word a package
dpkg-query -W -f='pkg=${db:Status-Abbrev} ${Package} ${Version}\n' $PACKAGES 2>/dev/null
# One systemctl call: is-active's and is-enabled's words, as ActiveState and UnitFileState.
systemctl show -p ActiveState -p UnitFileState docker.service 2>/dev/null \
    | sed -n 's/^ActiveState=/active=/p; s/^UnitFileState=/enabled=/p'
getent group docker | sed 's/^/group=/'
wait
n=0
for path in $KEYS; do
    n=$((n + 1))
    # shellcheck disable=SC2046  # the fingerprints as words of the line
    [ -e "$path" ] && echo key="$path" $(cat "$out/$n")
done
present=
for path in $FILES; do [ -e "$path" ] && present="$present $path"; done
# shellcheck disable=SC2086  # one word a path
[ -n "$present" ] && sha256sum $present | sed 's/^/file=/'
# The lines of apt's sources that name a URL: the deploy looks there for its repositories' rivals.
set --
for path in "$SOURCES_DIR"/*.list "$SOURCES_DIR"/*.sources; do
    [ -f "$path" ] && set -- "$@" "$path"
done
[ $# -gt 0 ] && awk 'index($0, "://") {print "source=" FILENAME " " $0}' "$@"
cat "$out/apt"
# A restart the engine still waits for (files/engine-apply.sh): since when, and why.
[ -f "$PENDING" ] && sed 's/^/pending=/' "$PENDING"
# The sha256 of the daemon.json the engine last loaded through the deploy.
[ -f "$LOADED" ] && sed 's/^/loaded=/' "$LOADED"
rm -rf "$out"
true
