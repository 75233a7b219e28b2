#!/bin/sh
# One way to download what the deploy fetches.

# fetch URL DEST: curl with retries; from an https URL it follows no redirect to plain http.
fetch() {
    case $1 in
        https://*) curl -fsSL --retry 2 --proto-redir =https -o "$2" "$1" ;;
        *) curl -fsSL --retry 2 -o "$2" "$1" ;;
    esac
}
