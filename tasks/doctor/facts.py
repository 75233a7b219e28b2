"""What doctor reads on a host, in one read-only command that always succeeds."""

from __future__ import annotations

import shlex
from pathlib import Path

from pyinfra.api import FactBase

from tasks.daemon import DAEMON_JSON
from tasks.dockerinfo import RUNTIMES_AND_VERSION_COMMAND
from tasks.facts import WSL_LIB, parse_lines
from tasks.toolkit import LEGACY_LISTS

# systemd starts dockerd with this PATH, so the runtime and its hook must be found on it.
SERVICE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
TOOLKIT_CONFIG = "/etc/nvidia-container-runtime/config.toml"
PACKAGES = ["docker-ce", "docker.io", "nvidia-container-toolkit", "nvidia-container-toolkit-base"]
# nvidia-cdi-hook on dockerd's PATH lets Docker 29.2+ run `--gpus` through CDI (moby/moby#50228).
BINARIES = ["dockerd", "nvidia-container-runtime-hook", "nvidia-container-runtime", "nvidia-ctk",
            "nvidia-cdi-hook"]
# The CDI specs an engine reads, and the files a spec mounts: YAML's `hostPath: /x` (a list item or not),
# or JSON's `"hostPath": "/x",`, one a line as nvidia-ctk writes them.
CDI_SPECS = "/etc/cdi/*.yaml /etc/cdi/*.json /var/run/cdi/*.yaml /var/run/cdi/*.json"
CDI_HOST_PATH_SED = r"""s/^[[:space:]-]*"\{0,1\}hostPath"\{0,1\}:[[:space:]]*["']\{0,1\}\([^"']*\).*/\1/p"""
# Toolkit 1.19.1 and later keep /var/run/cdi/nvidia.yaml fresh with this unit, on WSL too.
CDI_REFRESH_UNIT = "nvidia-cdi-refresh.service"
CDI_REFRESH_OUTPUT = "/var/run/cdi/nvidia.yaml"
# setup.sh's own check of sudo, which owns the rule for which sudo pyinfra can drive.
SUDO_CHECK = Path(__file__).resolve().parents[2] / "files" / "sudo-check.sh"
# Its --facts, as the user who runs the deploy, each key prefixed "sudo.". Through --sudo that is
# $SUDO_USER, on the PATH doctor's command runs with (sudo's secure_path), which runuser keeps.
SUDO_CHECK_COMMAND = """
echo "sudo_user=${SUDO_USER:-}"; check=@SCRIPT@
if [ "$(id -u)" = 0 ] && [ -n "${SUDO_USER:-}" ]; then
  runuser -u "$SUDO_USER" -- sh -c "$check" sudo-check --facts
else sh -c "$check" sudo-check --facts; fi 2>/dev/null | while IFS= read -r l; do echo "sudo.$l"; done
"""
# Keys that may repeat; every other key holds one value.
LISTS = {"smi", "ld_libcuda", "apt_date", "wsl_conf", "pkg", "bin", "dockerd", "daemon_json",
         "docker_info", "context_host", "legacy_list", "apt_err", "users", "cdi_spec", "cdi_missing",
         "sudo.fix"}


def sudo_check_command() -> str:
    return SUDO_CHECK_COMMAND.replace("@SCRIPT@", shlex.quote(SUDO_CHECK.read_text()))


_SCRIPT = r"""
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
@SUDO_CHECK@
emit() { k=$1; shift; out=$("$@" 2>&1); echo "$k.rc=$?"; printf '%s\n' "$out" | sed "/^$/d; s/^/$k=/"; }
# Read together: after the laptop sleeps WSL2's clock lags, while the hardware clock keeps time.
echo "now=$(date +%s)"; echo "rtc=$(cat /sys/class/rtc/rtc0/since_epoch 2>/dev/null)"; echo "euid=$(id -u)"
[ -x @WSL_LIB@/nvidia-smi ] && emit smi timeout 20 @WSL_LIB@/nvidia-smi -L
if [ -L @WSL_LIB@/libcuda.so.1 ]; then echo libcuda_file=link
elif [ -f @WSL_LIB@/libcuda.so.1 ]; then echo libcuda_file=file; fi
ldconfig -p 2>/dev/null | awk '$1 == "libcuda.so.1" {print "ld_libcuda=" $NF}'
grep -hs '^Date:' /var/lib/apt/lists/*Release | sed 's/^Date: */apt_date=/'
# wslinfo answers from WSL's own init, with no Windows interop; --version came after --wsl-version.
if command -v wslinfo >/dev/null; then
  v=$({ timeout 5 wslinfo --version || timeout 5 wslinfo --wsl-version; } 2>/dev/null | head -n 1)
  echo "wslinfo_version=$v"
  echo "wslinfo_networking=$(timeout 5 wslinfo --networking-mode 2>/dev/null | head -n 1)"
fi
# awk, not sed: a last line without a newline must not run into the next key.
[ -e /etc/wsl.conf ] && echo wsl_conf_exists=1 && awk '{print "wsl_conf=" $0}' /etc/wsl.conf
dpkg-query -W -f='${db:Status-Abbrev} ${Package} ${Version}\n' @PACKAGES@ 2>/dev/null \
  | awk '$1 ~ /^.i/ {print "pkg=" $2 " " $3}'
for b in @BINARIES@; do p=$(PATH=@SERVICE_PATH@ command -v "$b") && echo "bin=$b $p"; done
stat -c 'toolkit_installed_at=%Y' /var/lib/dpkg/info/nvidia-container-toolkit.list 2>/dev/null
if [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ]; then
  echo "engine_unit=$(systemctl is-active docker.service 2>/dev/null)"
  echo "exec_start=$(systemctl show docker.service -p ExecStart --value 2>/dev/null | head -1)"
fi
tck=$(getconf CLK_TCK); boot=$(awk '/^btime/ {print $2}' /proc/stat)
for d in /proc/[0-9]*; do
  [ "$(cat "$d/comm" 2>/dev/null)" = dockerd ] || continue
  uid=$(awk '/^Uid:/ {print $2}' "$d/status" 2>/dev/null)
  started=$(awk -v t="$tck" -v b="$boot" '{print int(b + $22 / t)}' "$d/stat" 2>/dev/null)
  echo "dockerd=${d#/proc/} $uid $started"
done
if [ -e @DAEMON_JSON@ ]; then
  echo daemon_json_exists=1; stat -c 'daemon_json_changed_at=%Y' @DAEMON_JSON@
  awk '{print "daemon_json=" $0}' @DAEMON_JSON@
fi
if ! command -v docker >/dev/null; then :
# A stopped engine behind an active docker.socket would be started by any docker command.
elif [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ] && ! systemctl is-active --quiet docker.service \
    && systemctl is-active --quiet docker.socket; then echo docker_info_skipped=1
else
  emit docker_info timeout 20 @DOCKER_INFO_COMMAND@
  echo "docker_host=${DOCKER_HOST:-}"
  docker context inspect --format '{{.Endpoints.docker.Host}}' 2>/dev/null | sed 's/^/context_host=/'
fi
ipt=$(PATH=@SERVICE_PATH@ command -v iptables) && echo "iptables=$(readlink -f "$ipt")"
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
sed -n 's/^[[:space:]]*no-cgroups[[:space:]]*=[[:space:]]*\([a-z]*\).*/no_cgroups=\1/p' \
  @TOOLKIT_CONFIG@ 2>/dev/null; echo
for f in @LEGACY_LISTS@; do [ -e "$f" ] && echo "legacy_list=$f"; done
# A spec goes stale when the files it mounts go: each Windows driver update renames WSL's driver store.
for f in @CDI_SPECS@; do
  [ -f "$f" ] || continue
  echo "cdi_spec=$f"
  sed -n @CDI_HOST_PATH_SED@ "$f" | while read -r p; do [ -e "$p" ] || echo "cdi_missing=$f $p"; done
done
for d in /etc/systemd/system /usr/lib/systemd/system /lib/systemd/system; do
  [ -e "$d/@CDI_REFRESH_UNIT@" ] && echo "cdi_refresh_unit=$d/@CDI_REFRESH_UNIT@" && break
done
apt-cache policy 2>&1 >/dev/null | grep -E '^(E|W):' | sed 's/^/apt_err=/'
true
"""


class DoctorFacts(FactBase):
    """
    Returns {key: value} (a list for LISTS keys) of everything doctor checks beyond WslHost:
    the clock and the hardware clock (rtc, empty without one), nvidia-smi, the linker's libcuda,
    apt's Release dates, WSL's version and networking mode (wslinfo), wsl.conf, packages, the
    engine with its runtimes and version, iptables backends, the users, the docker group and the
    shell's groups, the toolkit's config, legacy lists, apt's own complaints, the CDI specs and
    the files they mount that are missing, whether nvidia-cdi-refresh.service is installed, and
    what files/sudo-check.sh finds of the invoking user's sudo (sudo.*; sudo_user is $SUDO_USER).
    """

    def command(self):
        script = _SCRIPT
        for name, value in {
            "@WSL_LIB@": WSL_LIB, "@PACKAGES@": " ".join(PACKAGES), "@BINARIES@": " ".join(BINARIES),
            "@SERVICE_PATH@": SERVICE_PATH, "@DAEMON_JSON@": DAEMON_JSON,
            "@TOOLKIT_CONFIG@": TOOLKIT_CONFIG, "@DOCKER_INFO_COMMAND@": RUNTIMES_AND_VERSION_COMMAND,
            "@LEGACY_LISTS@": " ".join(LEGACY_LISTS), "@CDI_SPECS@": CDI_SPECS,
            "@CDI_HOST_PATH_SED@": shlex.quote(CDI_HOST_PATH_SED), "@CDI_REFRESH_UNIT@": CDI_REFRESH_UNIT,
            "@SUDO_CHECK@": sudo_check_command(),
        }.items():
            script = script.replace(name, value)
        return script

    def process(self, output):
        return parse_lines(output, LISTS)
