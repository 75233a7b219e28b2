#!/bin/sh
# Usage: stack-state.sh "PACKAGES" "KEYS" "FILES" "URLS"
# needs: apt-locks.sh key-fingerprints.sh
# The StackState fact: the state of what the deploy manages, as key=value lines (see tasks/facts.py).
# Each argument is a space-separated list. Always succeeds.
packages=$1 keys=$2 files=$3 urls=$4
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
for url in $urls; do
    grep -lsF "$url" /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources \
        | awk -v u="$url" '{print "mention=" u " " $0}'
done
if dpkg_interrupted || [ -n "$(apt_lock_holders)" ]; then echo apt=busy; fi
true
