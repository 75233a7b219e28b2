#!/bin/sh
# Usage: dpkg-repair.sh LOCK_TIMEOUT
# Finishes what an interrupted dpkg left half-done. A package it was unpacking when it died is
# half-installed, which `dpkg --configure -a` skips: apt installs it again, then every package left
# unpacked is configured.
set -eu
export DEBIAN_FRONTEND=noninteractive
configure() { dpkg --configure -a --force-confdef --force-confold; }
half=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' | awk '$1 ~ /^.H/ || $1 ~ /R$/ { print $2 }' | xargs)
if [ -z "$half" ]; then
    configure
    exit
fi
echo "installing again what dpkg left half-installed: $half"
# apt refuses to start while dpkg's journal holds entries, and configuring folds them in; it fails for
# the packages that need a half-installed one, which the last step configures.
configure || true
# shellcheck disable=SC2086  # package names are words
apt-get install -y -q --reinstall --no-install-recommends -o DPkg::Lock::Timeout="$1" \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold $half
configure
