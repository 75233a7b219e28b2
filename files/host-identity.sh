#!/bin/sh
# Usage: host-identity.sh WSL_LIB "LIB_FILES" LINUX_DRIVER_PATTERN WSL_CONF "NVIDIA_MODULE_FILES"
# The host part of the HostSnapshot fact: what the preflight needs, as key=value lines (see tasks/facts.py). Lists are
# space-separated words. Always succeeds.
wsl_lib=$1 lib_files=$2 driver_pattern=$3 wsl_conf=$4 module_files=$5
release='' pid1='' debian_version=''
read -r release < /proc/sys/kernel/osrelease 2>/dev/null
echo "osrelease=$release"
if [ -c /dev/dxg ]; then echo dxg=char; elif [ -e /dev/dxg ]; then echo dxg=other; fi
for f in $lib_files; do [ -e "$wsl_lib/$f" ] && echo "wsl_lib=$f"; done
# shellcheck disable=SC1091  # the host's own file, read as get.docker.com reads it
[ -r /etc/os-release ] && . /etc/os-release
echo "distro=${ID:-}"; echo "distro_version=${VERSION_ID:-}"; echo "codename=${VERSION_CODENAME:-}"
# Where get.docker.com reads the release's name: /etc/debian_version on Debian, lsb_release on Ubuntu.
[ -r /etc/debian_version ] && read -r debian_version < /etc/debian_version && echo "debian_version=$debian_version"
# lsb_release (python, slow to start) only where the script reads it: not on Debian.
lsb=
if [ "${ID:-}" != debian ] || [ ! -r /etc/debian_version ]; then
    lsb=$(lsb_release --codename 2>/dev/null | cut -f2)
    # shellcheck disable=SC1091
    [ -z "$lsb" ] && [ -r /etc/lsb-release ] && lsb=$(. /etc/lsb-release && echo "${DISTRIB_CODENAME:-}")
fi
echo "lsb_codename=$lsb"
echo "arch=$(dpkg --print-architecture 2>/dev/null)"
read -r pid1 < /proc/1/comm 2>/dev/null
echo "pid1=$pid1"
echo "user=${SUDO_USER:-$(id -un)}"
# The first path is usually the second: resolved once.
seen='' resolved=''
for p in "$(command -v docker)" /usr/bin/docker /usr/local/bin/docker; do
    if [ -z "$p" ] || { [ ! -e "$p" ] && [ ! -L "$p" ]; }; then continue; fi
    [ "$p" = "$seen" ] || resolved=$(readlink -f "$p")
    seen=$p
    echo "docker_cli=$resolved"
done
dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' 2>/dev/null \
    | awk -v re="$driver_pattern" '$1 ~ /^.i/ && $2 ~ re {print "linux_driver=" $2}'
# The shell's own read loops, not cut, sed or awk: every rerun runs this, and each process counts.
while IFS=: read -r name rest || [ -n "$name" ]; do printf 'users=%s\n' "$name"; done < /etc/passwd
if [ -r "$wsl_conf" ]; then
    echo wsl_conf_exists=1
    while IFS= read -r line || [ -n "$line" ]; do printf 'wsl_conf=%s\n' "$line"; done < "$wsl_conf"
fi
case "$release" in
    *[Mm]icrosoft*)
        # WSL's networking mode (nat, mirrored, ...): wslinfo answers from WSL's own init, with no interop.
        if command -v wslinfo >/dev/null 2>&1; then
            mode=$(timeout 5 wslinfo --networking-mode 2>/dev/null)
            echo "wslinfo_networking=${mode%%[[:space:]]*}"
        fi ;;
    *)
        for f in $module_files; do
            [ -d "$f" ] && echo "nvidia_module=loaded" && break
            [ -e "$f" ] && echo "nvidia_module=$(head -n 1 "$f")" && break
        done
        if command -v nvidia-smi >/dev/null 2>&1; then
            out=$(nvidia-smi -L 2>&1); echo "nvidia_smi=$?"
            printf '%s\n' "$out" | head -n 5 | sed 's/^/nvidia_smi_output=/'
        else
            echo nvidia_smi=missing
        fi ;;
esac
true
