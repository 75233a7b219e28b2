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
[ -x "$WSL_LIB"/nvidia-smi ] && emit smi timeout 20 "$WSL_LIB"/nvidia-smi -L \
  && timeout 20 "$WSL_LIB"/nvidia-smi --query-gpu=memory.total --format=csv,noheader,nounits 2>/dev/null \
  | sed 's/^/smi_mem=/'
awk '$1 == "MemTotal:" {print "mem_total_kb=" $2}' /proc/meminfo
# WSL's init keeps what Windows told it in its environment (microsoft/WSL src/linux/init/main.cpp):
# WSL2_SAFE_MODE=1 in safe mode, WSL2_USER_PROFILE the Windows profile of the VM's owner. It is PID 1
# without systemd, else the processes running /init; root reads them.
case $(cat /proc/sys/kernel/osrelease 2>/dev/null) in *[Mm]icrosoft*)
  init=$(find /proc -mindepth 2 -maxdepth 2 -path '/proc/[0-9]*/exe' -lname /init 2>/dev/null | sed 's|/exe$||' \
    | sort -t/ -k3 -n | head -n 1)
  environ=$(tr '\0' '\n' 2>/dev/null <"$init/environ")
  if [ -n "$init" ] && [ -r "$init/environ" ]; then
    printf '%s\n' "$environ" | sed -n 's/^WSL2_SAFE_MODE=\(..*\)/safe_mode_env=\1/p; s/^WSL2_USER_PROFILE=\(..*\)/win_profile=\1/p' \
      | tr -d '\r' | sort -u | awk -F= '!seen[$1]++'
    echo "init_environ=$init"
  fi
  dmesg 2>/dev/null | grep -m 1 'SAFE MODE ENABLED' | sed 's/^/safe_mode_log=/'
  profile=$(printf '%s\n' "$environ" | sed -n 's/^WSL2_USER_PROFILE=//p' | head -n 1)
  # Without it, ask Windows (interop), at most 5 s: cmd.exe prints with CRLF.
  if [ -z "$profile" ] && command -v cmd.exe >/dev/null; then
    profile=$(cd / && timeout 5 cmd.exe /d /c 'echo %USERPROFILE%' 2>/dev/null | tr -d '\r' | tail -n 1)
    case $profile in [A-Za-z]:\\*) echo "win_profile=$profile"; echo "win_profile_from=cmd.exe" ;; *) profile='' ;; esac
  fi
  if [ -n "$profile" ]; then
    home=$(wslpath -u "$profile" 2>/dev/null) || home=''
    if [ -z "$home" ]; then
      drive=$(printf '%s' "${profile%%:*}" | tr '[:upper:]' '[:lower:]')
      home="/mnt/$drive$(printf '%s' "${profile#?:}" | tr '\134' /)"
    fi
    echo "win_home=$home"
    if [ -f "$home/.wslconfig" ]; then
      # Windows editors may write a byte-order mark and CRLF line ends.
      awk '{sub(/\r$/, ""); if (NR == 1) sub(/^\357\273\277/, ""); print "wslconfig=" $0}' "$home/.wslconfig" \
        && echo wslconfig_exists=1
    elif [ -d "$home" ]; then echo wslconfig_exists=0
    fi
    # The Windows drive that holds the profile, and most often the distros' virtual disks.
    [ -d "$home" ] && df -Pk "$home" 2>/dev/null | awk 'NR == 2 {print "win_disk=" $4 " " $2 " " $6}'
  fi
;; esac
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
  # emit's out: DOCKER_INFO's own last line is DockerRootDir, a path (the CLI's warnings may follow it).
  root=$(printf '%s\n' "$out" | grep '^/' | tail -n 1)
  case $root in /*) echo "docker_root=$root" ;; esac
  echo "docker_host=${DOCKER_HOST:-}"
  docker context inspect --format '{{.Endpoints.docker.Host}}' 2>/dev/null | sed 's/^/context_host=/'
fi
# The default route's interface and its MTU (a VPN's is often below 1500), and the engine's bridge's.
dev=$(awk "$ROUTE_AWK" /proc/net/route 2>/dev/null)
[ -n "$dev" ] && echo "route_dev=$dev" && echo "route_mtu=$(cat "/sys/class/net/$dev/mtu" 2>/dev/null)"
[ -e /sys/class/net/docker0/mtu ] && echo "docker0_mtu=$(cat /sys/class/net/docker0/mtu)"
# The filesystem that holds Docker's images: the engine's DockerRootDir, else its default; while it
# does not exist yet, the nearest folder above it.
d=${root:-/var/lib/docker}; case $d in /*) ;; *) d=/var/lib/docker ;; esac
while [ ! -e "$d" ] && [ "$d" != / ]; do d=$(dirname "$d"); done
df -Pk "$d" 2>/dev/null | awk -v d="$d" 'NR == 2 {print "disk=" $4 " " $2 " " $6; print "disk_path=" d}'
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
