#!/bin/sh
# Can pyinfra drive this machine's sudo? setup.sh asks before it makes .venv or installs anything.
# pyinfra runs `sudo -n` and, once sudo wants a password, `sudo -A -k` with its own askpass helper.
# sudo-rs has -A only since 0.2.11 (Ubuntu 25.10 ships 0.2.8, Debian 13 0.2.5): with an older one
# the run would end after the venv and pip, failing its first fact with sudo's "invalid option".
# Exits 0 when pyinfra can drive sudo or needs none; otherwise 1, naming the cause and the fixes.
# `--facts` prints the same finding as key=value lines instead, for doctor's sudo.askpass, and exits 0:
# verdict= (root, passwordless, askpass, unnamed, no-sudo or no-askpass), path= and version= where
# known, since=, and a fix= line for each fix, its commands in backticks.
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

# Each fix is kept as setup.sh prints it (said) and as doctor shows it (told): fix WHAT [COMMAND [AFTERWARDS]].
said="" told=""
fix() {
    said="$said  - $1${2:+: $2}
${3:+      (afterwards: $3)
}"
    told="${told}fix=$1${2:+: \`$2\`}${3:+, and afterwards \`$3\`}
"
}

# Sets verdict, path, version and the fixes.
judge() {
    path="" version=""
    if [ "$(id -u)" = 0 ]; then
        verdict=root   # pyinfra runs without sudo
        return
    fi
    user=$(id -un)
    if ! path=$(command -v sudo); then
        verdict=no-sudo
        fix "run ./setup.sh as root"
        fix "as root, install sudo and let $user use it (then log in again)" \
            "apt-get install sudo && usermod -aG sudo $user"
        return
    fi
    # Passwordless sudo is never asked for a password, so never with -A. -k leaves a cached password
    # out of it: the cache could run out mid-run, and then pyinfra would need -A after all.
    if sudo -n -k true >/dev/null 2>&1; then
        verdict=passwordless
        return
    fi
    # sudo.ws says "Sudo version 1.9.16p2"; sudo-rs says "sudo-rs 0.2.5" (0.2.5 on stderr, hence
    # 2>&1) or, as Ubuntu builds it, "sudo-rs 0.2.13-0ubuntu1".
    version=$(sudo --version 2>&1 | head -n 1) || true
    case $version in
        "Sudo version "*) verdict=askpass; return ;;   # sudo.ws has had -A for decades
        "sudo-rs "[0-9]*) ;;
        *) verdict=unnamed; return ;;   # a sudo we cannot name: pyinfra's own error is the best guide there
    esac
    number=${version#sudo-rs }
    number=${number%%[!0-9.]*}
    if [ "$(as_number "$number")" -ge "$(as_number "$ASKPASS_SINCE")" ]; then
        verdict=askpass
        return
    fi

    verdict=no-askpass
    dir=$(dirname "$path")
    fix "let $user use sudo without a password for the run (a sudoers drop-in)" \
        "echo '$user ALL=(ALL) NOPASSWD: ALL' | sudo tee /etc/sudoers.d/wsl-gpu-docker && sudo chmod 0440 /etc/sudoers.d/wsl-gpu-docker" \
        "sudo rm /etc/sudoers.d/wsl-gpu-docker"
    case $(readlink "$path" || true) in
        */alternatives/sudo)
            # Ubuntu: sudo-rs and sudo.ws are both alternatives for /usr/bin/sudo.
            install=""
            [ -x "$dir/sudo.ws" ] || install="sudo apt-get install sudo && "
            fix "make sudo.ws the sudo again" "${install}sudo update-alternatives --set sudo $dir/sudo.ws"
            ;;
        *)
            if [ "$dir" != /usr/bin ]; then
                # Debian 13: sudo-rs is `sudo` only through PATH ($dir first); sudo.ws stays /usr/bin/sudo.
                install=""
                [ -x /usr/bin/sudo ] || install="sudo apt-get install sudo && "
                fix "use sudo.ws (/usr/bin/sudo) instead" "${install}PATH=/usr/bin:\$PATH ./setup.sh"
                fix "take $dir out of PATH where your shell sets it (~/.profile, ~/.bashrc)"
            else
                fix "install sudo.ws (Debian's and Ubuntu's package sudo) as /usr/bin/sudo"
            fi
            ;;
    esac
}

judge
if [ "${1:-}" = --facts ]; then
    echo "verdict=$verdict"
    [ -z "$path" ] || echo "path=$path"
    [ -z "$version" ] || echo "version=$version"
    echo "since=$ASKPASS_SINCE"
    printf %s "$told"
    exit 0
fi
case $verdict in
    no-sudo) cause="no sudo on PATH." ;;
    no-askpass) cause="the sudo on PATH ($path) is $version, which has
no -A (askpass; sudo-rs has it since $ASKPASS_SINCE), the only way pyinfra can pass it your password." ;;
    *) exit 0 ;;
esac
{
    echo "setup.sh: stopped before changing anything: $cause"
    echo "Fix it in one of these ways, then rerun ./setup.sh:"
    printf %s "$said"
} >&2
exit 1
