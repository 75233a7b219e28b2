#!/bin/sh
# One way to download what the deploy fetches.

# fetch URL DEST PROXY_ENV: curl with retries, through the proxy set; from an https URL it follows no
# redirect to plain http. The proxy comes from the root-only file PROXY_ENV (tasks/managed.py's), when it
# exists, never a command line, exported for what runs after it too (get.docker.com's script).
fetch() {
    if [ -r "$3" ]; then
        set -a
        # shellcheck disable=SC1090
        . "$3"
        set +a
    fi
    case $1 in
        https://*) curl -fsSL --retry 2 --proto-redir =https -o "$2" "$1" ;;
        *) curl -fsSL --retry 2 -o "$2" "$1" ;;
    esac
}
