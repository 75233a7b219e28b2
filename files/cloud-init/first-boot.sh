#!/bin/sh
# Converge this distro unattended, as root, from cloud-init's first boot (wsl-gpu-docker.user-data);
# again at each boot until it has converged once (a first boot killed partway), and once more at the
# next boot when it left a restart to do. Usage: first-boot.sh [--after-restart]
# Settings: /etc/wsl-gpu-docker/settings/ (pyinfra group data, written by the user-data; setup.sh passes it on).
# Everything goes to the log; a login shell tells the user what is left (wsl-gpu-docker-login.sh).
set -u
cd "$(dirname "$0")/../.." || exit 1
checkout=$(pwd)
log=/var/log/wsl-gpu-docker/first-boot.log
state=/var/lib/wsl-gpu-docker
message=$state/login-message
# Written once the deploy has converged here: until then each boot retries (cloud-init itself never
# retries, as it marks its once-per-instance modules done before it runs them).
converged=$state/first-boot-converged
unit=wsl-gpu-docker-after-restart.service
login=/etc/profile.d/wsl-gpu-docker-login.sh
mkdir -p "${log%/*}" "$state"
exec >>"$log" 2>&1 </dev/null
# WSL puts the Windows driver's tools on a login's PATH, not on a systemd service's.
PATH=$PATH:/usr/lib/wsl/lib
export PATH

boot="first boot"
if [ "${1:-}" = --after-restart ]; then
    boot="a retried first boot"
    [ -e "$converged" ] && boot="the boot after the restart"
fi
# What started this run, as the deploy's run lock tells it to a run that waits for this one
# (tasks/runlock.py).
WSL_GPU_DOCKER_STARTED_BY=$boot
export WSL_GPU_DOCKER_STARTED_BY
if [ ! -e "$converged" ]; then
    # Before anything changes: should this run be killed (lid closed, `wsl --shutdown`), the next boot
    # retries it. sync, so that the unit's link outlives a power cut too.
    systemctl enable --quiet --no-reload "$checkout/files/cloud-init/$unit" && sync
fi
echo "=== $(date -u '+%Y-%m-%d %H:%M:%S UTC') $boot: pyinfra @local deploy.py from $checkout at $(git rev-parse --short HEAD 2>/dev/null)"
# WSL reads /etc/wsl.conf only when the distro starts: a change to it waits for a restart.
before=$(cat /etc/wsl.conf 2>/dev/null || true)
sh ./setup.sh
status=$?
after=$(cat /etc/wsl.conf 2>/dev/null || true)

tell() {  # the log's last word, and what the next login shows (nothing: no message)
    echo "=== $1"
    if [ -n "${2:-}" ]; then
        printf 'wsl-gpu-docker: %s\n' "$2" > "$message"
        cp files/cloud-init/wsl-gpu-docker-login.sh "$login"
    else
        rm -f "$message" "$login"
    fi
}

if [ "$status" -ne 0 ]; then
    # A run that failed, unlike one killed, fails the same way at the next boot: it waits for a person.
    tell "the deploy failed (exit $status): see the lines above" \
        "setting up Docker with GPU support on this distro failed at $boot. See $log; once fixed, run: sudo sh $checkout/files/cloud-init/first-boot.sh"
    systemctl disable --quiet --no-reload "$unit" 2>/dev/null
    exit "$status"
fi
[ -e "$converged" ] || { date -u '+%Y-%m-%d %H:%M:%S UTC' > "$converged" && sync; }
if [ "$before" != "$after" ] && [ "$boot" != "the boot after the restart" ]; then
    # Left enabled while a restart is pending: the next boot finishes the job, once.
    systemctl enable --quiet --no-reload "$checkout/files/cloud-init/$unit" && sync
    tell "converged; /etc/wsl.conf changed, so WSL must restart the distro: the next boot finishes the job by itself" \
        "/etc/wsl.conf changed at $boot and applies only once WSL restarts this distro: run \`wsl.exe --terminate <distro>\` (or \`wsl.exe --shutdown\`) from Windows and open it again; its next boot finishes the set-up by itself (log: $log)."
else
    systemctl disable --quiet --no-reload "$unit" 2>/dev/null
    tell "converged: nothing is left to do"
fi
exit "$status"
