#!/bin/sh
# Usage: docker-install.sh SCRIPT_URL=URL SHA256=HEX DOWNLOAD_URL=URL CHANNEL=NAME VERSION=VERSION PROXY_ENV=FILE
# needs: named.sh fetch.sh
# Fetches Docker's install script (through the proxy PROXY_ENV sets, if that file exists), checks its
# sha256 when SHA256 is not empty, runs it with the mirror, channel and version it reads from its
# environment, and removes it.
set -e
named "SCRIPT_URL SHA256 DOWNLOAD_URL CHANNEL VERSION PROXY_ENV" "$@"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fetch "$SCRIPT_URL" "$t/get-docker.sh" "$PROXY_ENV" \
    || { echo "could not download the Docker install script from $SCRIPT_URL" >&2; exit 1; }
if [ -n "$SHA256" ]; then
    got=$(sha256sum "$t/get-docker.sh" | cut -d" " -f1)
    if [ "$got" != "$SHA256" ]; then
        echo "refusing to run the script from $SCRIPT_URL: docker_install_script_sha256 expects $SHA256," \
            "received $got" >&2
        exit 1
    fi
fi
env DOWNLOAD_URL="$DOWNLOAD_URL" CHANNEL="$CHANNEL" VERSION="$VERSION" sh "$t/get-docker.sh"
