#!/usr/bin/env bash
# Prepare this machine for the tests (as root, idempotent): packages (chromium for doctor's page; strace to see
# files fsynced and renamed; docker-registry, squid and nginx with WebDAV's PROPFIND for their binaries, which the
# tests run with configs of their own on free ports, not their services), then a Docker engine.
set -euo pipefail

packages=(docker.io debootstrap apt-utils dpkg-dev gnupg curl shellcheck strace chromium fonts-dejavu-core tinyproxy openssl
          docker-registry squid nginx-core libnginx-mod-http-dav-ext)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
# The test mirrors fetch Debian's packages with apt lists of their own, so this machine's lists
# matter only for installing what is missing here.
if ((${#missing[@]})); then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

if ! docker info >/dev/null 2>&1; then
    # No bridge, no firewall rules: every test container runs with --network host.
    # setsid: the engine outlives this script's session and CI's job.
    setsid -f dockerd --bridge=none --iptables=false --ip-masq=false </dev/null >>/tmp/dockerd.log 2>&1
    for _ in $(seq 60); do
        docker info >/dev/null 2>&1 && break
        sleep 1
    done
fi
if ! docker info >/dev/null 2>&1; then
    echo "setup-host: dockerd did not answer within 60 s; see /tmp/dockerd.log" >&2
    exit 1
fi
echo "setup-host: docker engine $(docker info --format '{{.ServerVersion}}') is up"
