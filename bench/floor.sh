#!/bin/sh
# Usage: floor.sh SCRIPT_URL=URL DOWNLOAD_URL=URL NVIDIA_URL=URL DAEMON_JSON=TEXT USER=NAME
# The converge benchmark's floor (bench/run.py): the end state of a converge typed by hand, as NVIDIA's and
# Docker's guides have it, with no checks and nothing spared. daemon.json first (a twin's engine cannot
# start without it), Docker's install script once, NVIDIA's key, list and toolkit with one apt-get update,
# USER in the docker group, systemd in wsl.conf, one engine restart. Run as root.
set -e
for arg; do
    case $arg in
        SCRIPT_URL=*) SCRIPT_URL=${arg#*=} ;;
        DOWNLOAD_URL=*) DOWNLOAD_URL=${arg#*=} ;;
        NVIDIA_URL=*) NVIDIA_URL=${arg#*=} ;;
        DAEMON_JSON=*) DAEMON_JSON=${arg#*=} ;;
        USER=*) USER=${arg#*=} ;;
        *) echo "floor.sh: unknown argument ${arg%%=*}" >&2; exit 2 ;;
    esac
done
keyring=/usr/share/keyrings/nvidia-container-toolkit-keyring.gpg

mkdir -p /etc/docker
printf '%s\n' "$DAEMON_JSON" > /etc/docker/daemon.json

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
