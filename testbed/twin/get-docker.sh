#!/bin/sh
# Stand-in for https://get.docker.com served by the integration-test harness: same inputs, same apt setup.
set -e
DOWNLOAD_URL=${DOWNLOAD_URL:-https://download.docker.com}
CHANNEL=${CHANNEL:-stable}
VERSION=${VERSION:-}
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) DOWNLOAD_URL=$DOWNLOAD_URL CHANNEL=$CHANNEL VERSION=$VERSION" >>/var/log/get-docker-stand-in.log
VERSION=${VERSION#v}
if command -v docker >/dev/null 2>&1; then
    echo 'Warning: the "docker" command appears to already exist on this system.' >&2
fi
# A subshell, as in the real script: os-release defines VERSION too.
# shellcheck disable=SC1091  # the twin's own file, read as get.docker.com reads it
lsb_dist=$(. /etc/os-release && echo "$ID")
# The codename as the real script finds it: Ubuntu's from lsb_release or /etc/lsb-release,
# Debian's from the major number in /etc/debian_version.
dist_version=""
case "$lsb_dist" in
    ubuntu)
        if command -v lsb_release >/dev/null 2>&1; then
            dist_version=$(lsb_release --codename | cut -f2)
        fi
        if [ -z "$dist_version" ] && [ -r /etc/lsb-release ]; then
            # shellcheck disable=SC1091
            dist_version=$(. /etc/lsb-release && echo "$DISTRIB_CODENAME")
        fi
        ;;
    debian)
        major=$(sed -e 's|/.*||' -e 's|\..*||' /etc/debian_version)
        case "$major" in
            13) dist_version=trixie ;;
            12) dist_version=bookworm ;;
            11) dist_version=bullseye ;;
            *) dist_version=$major ;;
        esac
        ;;
    *) echo "ERROR: Unsupported distribution '$lsb_dist'" >&2; exit 1 ;;
esac
# As the real script's version_gte: true when VERSION is unset (the latest) or at least major.minor.
version_gte() {
    [ -z "$VERSION" ] && return 0
    have_minor=$(echo "$VERSION" | cut -s -d. -f2)
    have_minor=${have_minor#0}
    [ "${VERSION%%.*}" -gt "${1%%.*}" ] ||
        { [ "${VERSION%%.*}" -eq "${1%%.*}" ] && [ "${have_minor:-0}" -ge "${1#*.}" ]; }
}
apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ca-certificates curl >/dev/null
install -m 0755 -d /etc/apt/keyrings
curl -fsSL "$DOWNLOAD_URL/linux/$lsb_dist/gpg" -o /etc/apt/keyrings/docker.asc
chmod a+r /etc/apt/keyrings/docker.asc
echo "deb [arch=$(dpkg --print-architecture) signed-by=/etc/apt/keyrings/docker.asc] $DOWNLOAD_URL/linux/$lsb_dist $dist_version $CHANNEL" >/etc/apt/sources.list.d/docker.list
apt-get update -qq >/dev/null
pkg_version=""
cli_pkg_version=""
if [ -n "$VERSION" ]; then
    pkg_pattern=$(echo "$VERSION" | sed 's/-ce-/~ce~.*/g' | sed 's/-/.*/g')
    pkg_version=$(apt-cache madison docker-ce | grep "$pkg_pattern" | head -1 | awk '{$1=$1};1' | cut -d' ' -f 3)
    cli_pkg_version=$(apt-cache madison docker-ce-cli | grep "$pkg_pattern" | head -1 | awk '{$1=$1};1' | cut -d' ' -f 3)
    if [ -z "$pkg_version" ]; then
        echo "ERROR: '$VERSION' not found amongst apt-cache madison results" >&2
        exit 1
    fi
    pkg_version="=$pkg_version"
    cli_pkg_version="=$cli_pkg_version"
fi
pkgs="docker-ce$pkg_version docker-ce-cli$cli_pkg_version containerd.io docker-compose-plugin docker-buildx-plugin"
if version_gte 28.2; then
    pkgs="$pkgs docker-model-plugin"
fi
# shellcheck disable=SC2086  # one word a package
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $pkgs >/dev/null
