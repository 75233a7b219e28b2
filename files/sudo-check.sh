#!/bin/sh
# Can pyinfra drive this machine's sudo? setup.sh asks before it makes .venv or installs anything.
# pyinfra runs `sudo -n` and, once sudo wants a password, `sudo -A -k` with its own askpass helper.
# sudo-rs has -A only since 0.2.11 (Ubuntu 25.10 ships 0.2.8, Debian 13 0.2.5): with an older one
# the run would end after the venv and pip, failing its first fact with sudo's "invalid option".
# Exits 0 when pyinfra can drive sudo or needs none; otherwise 1, naming the cause and the fixes.
set -eu

# sudo-rs's CHANGELOG: 0.2.11 (2025-12-16) added `-A / --askpass`.
ASKPASS_SINCE=0.2.11

# Dotted version -> one comparable number: 0.2.13 -> 2013.
as_number() {
    IFS=. read -r major minor patch <<EOF
$1
EOF
    echo $(( ${major:-0} * 1000000 + ${minor:-0} * 1000 + ${patch:-0} ))
}

[ "$(id -u)" != 0 ] || exit 0   # root: pyinfra runs without sudo

if ! path=$(command -v sudo); then
    echo "setup.sh: stopped before changing anything: no sudo on PATH. Run ./setup.sh as root, or install sudo." >&2
    exit 1
fi
# Passwordless sudo is never asked for a password, so never with -A. -k leaves a cached password
# out of it: the cache could run out mid-run, and then pyinfra would need -A after all.
if sudo -n -k true >/dev/null 2>&1; then
    exit 0
fi

# sudo.ws says "Sudo version 1.9.16p2"; sudo-rs says "sudo-rs 0.2.5" (0.2.5 on stderr, hence
# 2>&1) or, as Ubuntu builds it, "sudo-rs 0.2.13-0ubuntu1".
version=$(sudo --version 2>&1 | head -n 1) || true
case $version in
    "sudo-rs "[0-9]*) ;;
    *) exit 0 ;;   # sudo.ws, or a sudo we cannot name: pyinfra's own error is the best guide there
esac
number=${version#sudo-rs }
number=${number%%[!0-9.]*}
if [ "$(as_number "$number")" -ge "$(as_number "$ASKPASS_SINCE")" ]; then
    exit 0
fi

user=$(id -un)
dir=$(dirname "$path")
{
    echo "setup.sh: stopped before changing anything: the sudo on PATH ($path) is $version, which has"
    echo "no -A (askpass; sudo-rs has it since $ASKPASS_SINCE), the only way pyinfra can pass it your password."
    echo "Fix it in one of these ways, then rerun ./setup.sh:"
    echo "  - let $user use sudo without a password for the run (a sudoers drop-in; remove it afterwards):"
    echo "      echo '$user ALL=(ALL) NOPASSWD: ALL' | sudo tee /etc/sudoers.d/wsl-gpu-docker && sudo chmod 0440 /etc/sudoers.d/wsl-gpu-docker"
    echo "      (afterwards: sudo rm /etc/sudoers.d/wsl-gpu-docker)"
    case $(readlink "$path" || true) in
        */alternatives/sudo)
            # Ubuntu: sudo-rs and sudo.ws are both alternatives for /usr/bin/sudo.
            install=""
            [ -x "$dir/sudo.ws" ] || install="sudo apt-get install sudo && "
            echo "  - make sudo.ws the sudo again: ${install}sudo update-alternatives --set sudo $dir/sudo.ws"
            ;;
        *)
            if [ "$dir" != /usr/bin ]; then
                # Debian 13: sudo-rs is `sudo` only through PATH ($dir first); sudo.ws stays /usr/bin/sudo.
                install=""
                [ -x /usr/bin/sudo ] || install="sudo apt-get install sudo, then "
                echo "  - use sudo.ws (/usr/bin/sudo) instead: ${install}PATH=/usr/bin:\$PATH ./setup.sh,"
                echo "    or take $dir out of PATH where your shell sets it (~/.profile, ~/.bashrc)"
            else
                echo "  - install sudo.ws (Debian's and Ubuntu's package sudo) as /usr/bin/sudo"
            fi
            ;;
    esac
} >&2
exit 1
