#!/bin/sh
# One way to download what the deploy fetches.

# fetch URL DEST: curl with retries, through the proxy set; from an https URL it follows no
# redirect to plain http. The proxy comes from the root-only file (PROXY_ENV in tasks/managed.py),
# never a command line, exported for what runs after it too (get.docker.com's script).
fetch() {
    if [ -r /etc/wsl-gpu-docker/proxy.env ]; then
        set -a
        # shellcheck disable=SC1091
        . /etc/wsl-gpu-docker/proxy.env
        set +a
    fi
    case $1 in
        https://*) curl -fsSL --retry 2 --proto-redir =https -o "$2" "$1" ;;
        *) curl -fsSL --retry 2 -o "$2" "$1" ;;
    esac
}
