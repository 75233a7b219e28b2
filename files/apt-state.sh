#!/bin/sh
# Usage: apt-state.sh SOURCES_DIR [TEXT...]
# needs: apt-locks.sh
# The AptState fact (see tasks/apt.py): who holds apt's and dpkg's locks ("lock=PID NAME"), what an
# interrupted dpkg left ("dpkg=PACKAGES JOURNAL"), and the source files under SOURCES_DIR that name any
# TEXT. Always succeeds.
sources=$1
shift
apt_lock_holders | while read -r pid; do echo "lock=$pid $(cat "/proc/$pid/comm" 2>/dev/null)"; done
if dpkg_interrupted; then echo "dpkg=$(dpkg_left)"; fi
if [ $# -gt 0 ]; then
    for text in "$@"; do set -- "$@" -e "$text"; shift; done
    grep -lsF "$@" "$sources"/*.list "$sources"/*.sources | sed 's/^/source=/'
fi
true
