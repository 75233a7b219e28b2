#!/bin/sh
# Usage: stack-state.sh "PACKAGES" "KEYS" "FILES"
# needs: apt-locks.sh key-fingerprints.sh
# The StackState fact: the state of what the deploy manages, as key=value lines (see tasks/facts.py).
# Each argument is a space-separated list. Always succeeds.
packages=$1 keys=$2 files=$3
# shellcheck disable=SC2086  # one word a package
dpkg-query -W -f='pkg=${db:Status-Abbrev} ${Package} ${Version}\n' $packages 2>/dev/null
echo "active=$(systemctl is-active docker.service 2>/dev/null)"
echo "enabled=$(systemctl is-enabled docker.service 2>/dev/null)"
getent group docker | sed 's/^/group=/'
for path in $keys; do
    # shellcheck disable=SC2046  # the fingerprints as words of the line
    [ -e "$path" ] && echo key="$path" $(primary_fingerprints "$path")
done
for path in $files; do
    [ -e "$path" ] && echo "file=$(sha256sum "$path")"
done
# The lines of apt's sources that name a URL: the deploy looks there for its repositories' rivals.
for path in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$path" ] && grep -F :// "$path" | awk -v p="$path" '{print "source=" p " " $0}'
done
if dpkg_interrupted || [ -n "$(apt_lock_holders)" ]; then echo apt=busy; fi
true
