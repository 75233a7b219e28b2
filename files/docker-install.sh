#!/bin/sh
# Usage: docker-install.sh SCRIPT_URL SHA256 DOWNLOAD_URL CHANNEL VERSION
# needs: fetch.sh
# Fetches Docker's install script, checks its sha256 when SHA256 is not empty, runs it with the
# mirror, channel and version it reads from its environment, and removes it.
set -e
url=$1 sha=$2
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fetch "$url" "$t/get-docker.sh" || { echo "could not download the Docker install script from $url" >&2; exit 1; }
if [ -n "$sha" ]; then
    got=$(sha256sum "$t/get-docker.sh" | cut -d" " -f1)
    if [ "$got" != "$sha" ]; then
        echo "refusing to run the script from $url: docker_install_script_sha256 expects $sha, received $got" >&2
        exit 1
    fi
fi
env DOWNLOAD_URL="$3" CHANNEL="$4" VERSION="$5" sh "$t/get-docker.sh"
