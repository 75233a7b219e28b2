#!/bin/sh
# Who holds apt's and dpkg's locks, and whether dpkg was left half-done: one definition for the
# deploy's state read, its wait for the locks and its report of who holds them.

# apt's and dpkg's locks, as unattended-upgrades holds them on a fresh distro.
APT_LOCKS="/var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock /var/cache/apt/archives/lock"

# The PIDs holding any of APT_LOCKS, one a line, each once: /proc/locks names a lock's file by
# device:inode in its sixth field.
apt_lock_holders() {
    # shellcheck disable=SC2086  # one word a lock
    stat -c %i $APT_LOCKS 2>/dev/null | awk 'NR == FNR {held[$1] = 1; next}
        {n = split($6, a, ":"); if (a[n] in held && !seen[$5]++) print $5}' - /proc/locks
}

# True when an interrupted dpkg run left packages half-configured or unpacked updates behind. The
# journal's folder is listed by the shell itself: every rerun asks this, and each process counts.
dpkg_interrupted() {
    for entry in /var/lib/dpkg/updates/* /var/lib/dpkg/updates/.[!.]* /var/lib/dpkg/updates/..?*; do
        if [ -e "$entry" ] || [ -L "$entry" ]; then return 0; fi
    done
    [ -n "$(dpkg --audit 2>/dev/null)" ]
}

# What an interrupted dpkg run left, as "PACKAGES JOURNAL": the packages not configured (unpacked,
# half-installed, half-configured or awaiting triggers) and the entries of dpkg's journal not applied.
dpkg_left() {
    printf '%s %s\n' "$(dpkg-query -W -f '${db:Status-Abbrev}\n' 2>/dev/null | grep -c '^.[UHFWt]')" \
        "$(find /var/lib/dpkg/updates -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)"
}
