#!/bin/sh
# Usage: doctor-facts.sh WSL_LIB=DIR PACKAGES="NAME ..." BINARIES="NAME ..." SERVICE_PATH=PATH DAEMON_JSON=FILE
#                        DOCKER_INFO=COMMAND LEGACY_LISTS="FILE ..." CDI_SPECS="GLOB ..."
#                        CDI_HOST_PATH_SED=PROGRAM CDI_REFRESH_UNIT=UNIT SUDO_CHECK=COMMAND PENDING=FILE
#                        WSL_CONF=FILE ROUTE_AWK=PROGRAM LOOPBACK_DEVICE=UNIT
# needs: named.sh
# The DoctorFacts fact (see tasks/doctor/facts.py): everything doctor reads, as key=value lines, in one
# read-only command that always succeeds. Quoted values are space-separated lists; DOCKER_INFO and
# SUDO_CHECK are commands (doctor-sudo.sh's); CDI_SPECS are globs, expanded here.
named "WSL_LIB PACKAGES BINARIES SERVICE_PATH DAEMON_JSON DOCKER_INFO LEGACY_LISTS CDI_SPECS
    CDI_HOST_PATH_SED CDI_REFRESH_UNIT SUDO_CHECK PENDING WSL_CONF ROUTE_AWK LOOPBACK_DEVICE" "$@"
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
sh -c "$SUDO_CHECK"
emit() { k=$1; shift; out=$("$@" 2>&1); echo "$k.rc=$?"; printf '%s\n' "$out" | sed "/^$/d; s/^/$k=/"; }
# Read together: after the laptop sleeps WSL2's clock lags, while the hardware clock keeps time.
echo "now=$(date +%s)"; echo "rtc=$(cat /sys/class/rtc/rtc0/since_epoch 2>/dev/null)"; echo "euid=$(id -u)"
[ -x "$WSL_LIB"/nvidia-smi ] && emit smi timeout 20 "$WSL_LIB"/nvidia-smi -L
if [ -L "$WSL_LIB"/libcuda.so.1 ]; then echo libcuda_file=link
elif [ -f "$WSL_LIB"/libcuda.so.1 ]; then echo libcuda_file=file; fi
ldconfig -p 2>/dev/null | awk '$1 == "libcuda.so.1" {print "ld_libcuda=" $NF}'
grep -hs '^Date:' /var/lib/apt/lists/*Release | sed 's/^Date: */apt_date=/'
# wslinfo answers from WSL's own init, with no Windows interop; --version came after --wsl-version. Its
# networking mode is the snapshot's (files/host-identity.sh).
if command -v wslinfo >/dev/null; then
  v=$({ timeout 5 wslinfo --version || timeout 5 wslinfo --wsl-version; } 2>/dev/null | head -n 1)
  echo "wslinfo_version=$v"
fi
# awk, not sed: a last line without a newline must not run into the next key.
[ -e "$WSL_CONF" ] && echo wsl_conf_exists=1 && awk '{print "wsl_conf=" $0}' "$WSL_CONF"
# shellcheck disable=SC2086  # one word a package
dpkg-query -W -f='${db:Status-Abbrev} ${Package} ${Version}\n' $PACKAGES 2>/dev/null \
  | awk '$1 ~ /^.i/ {print "pkg=" $2 " " $3}'
for b in $BINARIES; do p=$(PATH="$SERVICE_PATH" command -v "$b") && echo "bin=$b $p"; done
stat -c 'toolkit_installed_at=%Y' /var/lib/dpkg/info/nvidia-container-toolkit.list 2>/dev/null
if [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ]; then
  echo "engine_unit=$(systemctl is-active docker.service 2>/dev/null)"
  echo "exec_start=$(systemctl show docker.service -p ExecStart --value 2>/dev/null | head -1)"
  # When dockerd last started and when loopback0 appeared (WSL's mirrored networking), on systemd's
  # monotonic clock (µs since boot; 0: never): dockerd looks for loopback0 once, as it starts.
  echo "engine_started_us=$(systemctl show docker.service -p ExecMainStartTimestampMonotonic --value 2>/dev/null)"
  echo "loopback0_since_us=$(systemctl show "$LOOPBACK_DEVICE" -p ActiveEnterTimestampMonotonic --value 2>/dev/null)"
fi
[ -e /sys/class/net/loopback0 ] && echo loopback0=1
tck=$(getconf CLK_TCK); boot=$(awk '/^btime/ {print $2}' /proc/stat)
for d in /proc/[0-9]*; do
  [ "$(cat "$d/comm" 2>/dev/null)" = dockerd ] || continue
  uid=$(awk '/^Uid:/ {print $2}' "$d/status" 2>/dev/null)
  started=$(awk -v t="$tck" -v b="$boot" '{print int(b + $22 / t)}' "$d/stat" 2>/dev/null)
  echo "dockerd=${d#/proc/} $uid $started"
done
# A restart the deploy left waiting for running containers (files/engine-apply.sh).
[ -f "$PENDING" ] && sed 's/^/restart_pending=/' "$PENDING"
if [ -e "$DAEMON_JSON" ]; then
  echo daemon_json_exists=1; stat -c 'daemon_json_changed_at=%Y' "$DAEMON_JSON"
  awk '{print "daemon_json=" $0}' "$DAEMON_JSON"
fi
if ! command -v docker >/dev/null; then :
# A stopped engine behind an active docker.socket would be started by any docker command.
elif [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ] && ! systemctl is-active --quiet docker.service \
    && systemctl is-active --quiet docker.socket; then echo docker_info_skipped=1
else
  emit docker_info timeout 20 sh -c "$DOCKER_INFO"
  echo "docker_host=${DOCKER_HOST:-}"
  docker context inspect --format '{{.Endpoints.docker.Host}}' 2>/dev/null | sed 's/^/context_host=/'
fi
# The default route's interface and its MTU (a VPN's is often below 1500), and the engine's bridge's.
dev=$(awk "$ROUTE_AWK" /proc/net/route 2>/dev/null)
[ -n "$dev" ] && echo "route_dev=$dev" && echo "route_mtu=$(cat "/sys/class/net/$dev/mtu" 2>/dev/null)"
[ -e /sys/class/net/docker0/mtu ] && echo "docker0_mtu=$(cat /sys/class/net/docker0/mtu)"
ipt=$(PATH="$SERVICE_PATH" command -v iptables) && echo "iptables=$(readlink -f "$ipt")"
for b in nft legacy; do
  command -v "iptables-$b" >/dev/null || continue
  err=$("iptables-$b" -w 5 -t nat -n -L 2>&1 >/dev/null); echo "iptables_$b.rc=$?"
  echo "iptables_$b=$(printf '%s\n' "$err" | grep -v '^#' | head -2 | tr '\n' ' ')"
done
echo "docker_group=$(getent group docker)"
cut -d: -f1 /etc/passwd | sed 's/^/users=/'
# The groups of the nearest process of the invoking user above this one: its shell's.
u=${SUDO_USER:-$(id -un)}; uid=$(id -u "$u" 2>/dev/null); p=$$
echo "user=$u"
while [ -n "$uid" ] && [ "${p:-0}" -gt 1 ]; do
  if [ "$(awk '/^Uid:/ {print $2}' "/proc/$p/status" 2>/dev/null)" = "$uid" ]; then
    echo "shell_groups=$(awk '/^Groups:/ {$1 = ""; print}' "/proc/$p/status")"; break
  fi
  p=$(awk '/^PPid:/ {print $2}' "/proc/$p/status" 2>/dev/null)
done
for f in $LEGACY_LISTS; do [ -e "$f" ] && echo "legacy_list=$f"; done
# A spec goes stale when the files it mounts go: each Windows driver update renames WSL's driver store.
for f in $CDI_SPECS; do
  [ -f "$f" ] || continue
  echo "cdi_spec=$f"
  sed -n "$CDI_HOST_PATH_SED" "$f" | while read -r p; do [ -e "$p" ] || echo "cdi_missing=$f $p"; done
done
for d in /etc/systemd/system /usr/lib/systemd/system /lib/systemd/system; do
  [ -e "$d/$CDI_REFRESH_UNIT" ] && echo "cdi_refresh_unit=$d/$CDI_REFRESH_UNIT" && break
done
apt-cache policy 2>&1 >/dev/null | grep -E '^(E|W):' | sed 's/^/apt_err=/'
true
