#!/bin/sh
# Usage: floor.sh SCRIPT_URL=URL DOWNLOAD_URL=URL NVIDIA_URL=URL DAEMON_JSON=TEXT USER=NAME [PROXY=URL]
# The converge benchmark's floor (bench/run.py): the end state of a converge typed by hand, as NVIDIA's and
# Docker's guides have it, with no checks and nothing spared. daemon.json first (a twin's engine cannot
# start without it), Docker's install script once, NVIDIA's key, list and toolkit with one apt-get update,
# USER in the docker group, systemd in wsl.conf, one engine restart. With PROXY, everything goes through
# it, and apt and the engine are told to use it, as Docker's and Debian's guides say: apt.conf.d and a
# drop-in of docker.service, written before the engine is installed, whose package has systemd read it.
# Run as root.
set -e
for arg; do
    case $arg in
        SCRIPT_URL=*) SCRIPT_URL=${arg#*=} ;;
        DOWNLOAD_URL=*) DOWNLOAD_URL=${arg#*=} ;;
        NVIDIA_URL=*) NVIDIA_URL=${arg#*=} ;;
        DAEMON_JSON=*) DAEMON_JSON=${arg#*=} ;;
        USER=*) USER=${arg#*=} ;;
        PROXY=*) PROXY=${arg#*=} ;;
        *) echo "floor.sh: unknown argument ${arg%%=*}" >&2; exit 2 ;;
    esac
done
keyring=/usr/share/keyrings/nvidia-container-toolkit-keyring.gpg

mkdir -p /etc/docker
printf '%s\n' "$DAEMON_JSON" > /etc/docker/daemon.json

if [ -n "${PROXY:-}" ]; then
    export http_proxy="$PROXY" https_proxy="$PROXY"
    printf 'Acquire::http::Proxy "%s";\nAcquire::https::Proxy "%s";\n' "$PROXY" "$PROXY" \
        > /etc/apt/apt.conf.d/95proxy
    mkdir -p /etc/systemd/system/docker.service.d
    printf '[Service]\nEnvironment="HTTP_PROXY=%s" "HTTPS_PROXY=%s"\n' "$PROXY" "$PROXY" \
        > /etc/systemd/system/docker.service.d/http-proxy.conf
fi

curl -fsSL "$SCRIPT_URL" | DOWNLOAD_URL="$DOWNLOAD_URL" sh >/dev/null

curl -fsSL "$NVIDIA_URL/gpgkey" | gpg --batch --yes --dearmor -o "$keyring"
echo "deb [signed-by=$keyring] $NVIDIA_URL/stable/deb/$(dpkg --print-architecture) /" \
    > /etc/apt/sources.list.d/nvidia-container-toolkit.list
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nvidia-container-toolkit \
    nvidia-container-toolkit-base libnvidia-container-tools libnvidia-container1 >/dev/null

usermod -aG docker "$USER"
printf '[boot]\nsystemd=true\n' >> /etc/wsl.conf
systemctl restart docker
