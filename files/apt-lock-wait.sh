#!/bin/sh
# Usage: apt-lock-wait.sh TIMEOUT
# needs: apt-locks.sh
# Waits up to TIMEOUT seconds for apt's and dpkg's locks to be free; then fails, naming who holds them.
timeout=$1
end=$(($(date +%s) + timeout))
while :; do
    held=$(apt_lock_holders)
    [ -z "$held" ] && exit 0
    [ "$(date +%s)" -ge "$end" ] && break
    sleep 2
done
for p in $held; do
    echo "apt/dpkg lock held for over $timeout s (apt_lock_timeout) by process $p ($(cat "/proc/$p/comm" 2>/dev/null)):" \
        "$(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null)" >&2
done
echo 'Fix: wait for it to finish (unattended-upgrades often runs on a fresh distro), or raise apt_lock_timeout, then rerun' >&2
exit 1
