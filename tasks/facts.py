"""Custom facts: the host's identity (WSL or native) in one command, key fingerprints, a command's result."""

from __future__ import annotations

from pyinfra.api import FactBase, QuoteString, StringCommand
from pyinfra.api.exceptions import FactProcessError

from tasks.wslconf import WSL_CONF

WSL_LIB = "/usr/lib/wsl/lib"
WSL_LIB_FILES = ("libcuda.so.1", "nvidia-smi")
# Packages of a Linux NVIDIA driver, which shadows the Windows driver's libraries.
LINUX_DRIVER_PATTERN = "^(nvidia-driver-|libnvidia-compute-|cuda-drivers)"
# The loaded nvidia kernel module shows in either place; the first line of /proc's file names its version.
NVIDIA_MODULE_FILES = ("/proc/driver/nvidia/version", "/sys/module/nvidia")

# apt's and dpkg's locks, as unattended-upgrades holds them on a fresh distro.
APT_LOCKS = (
    "/var/lib/dpkg/lock-frontend",
    "/var/lib/dpkg/lock",
    "/var/lib/apt/lists/lock",
    "/var/cache/apt/archives/lock",
)

_LISTS = {"wsl_lib", "linux_driver", "docker_cli", "users", "wsl_conf", "nvidia_smi_output"}
# gpg --with-colons listing -> the primary keys' fingerprints, one a line (not the subkeys').
PRIMARY_FINGERPRINTS = "awk -F: '$1==\"pub\"{p=1;next} $1==\"fpr\"&&p{print $10;p=0}'"


def parse_lines(output, lists: set[str]) -> dict:
    """`key=value` lines into a dict; keys in lists collect every value in order, any other key
    appears once (FactProcessError otherwise: a second value must not silently replace the first)."""
    facts: dict = {name: [] for name in lists}
    for line in output:
        key, _, value = line.partition("=")
        if key in lists:
            facts[key].append(value)
        elif key in facts:
            raise FactProcessError(f"{key}= appears more than once: {facts[key]!r}, then {value!r}")
        elif key:
            facts[key] = value
    return facts


class WslHost(FactBase):
    """
    Returns what the preflight needs, read in one command: kernel release (from /proc),
    /dev/dxg, the Windows driver's files, distro (and the release names get.docker.com reads), arch, PID 1, the invoking user, where
    each docker CLI on the usual paths resolves (even a dangling link), installed Linux NVIDIA
    driver packages, the users, /etc/wsl.conf's lines and, off WSL only, the native NVIDIA
    driver: its kernel module and what `nvidia-smi -L` answers.
    """

    def command(self):
        return f"""
release=$(cat /proc/sys/kernel/osrelease 2>/dev/null)
echo "osrelease=$release"
if [ -c /dev/dxg ]; then echo dxg=char; elif [ -e /dev/dxg ]; then echo dxg=other; fi
for f in {' '.join(WSL_LIB_FILES)}; do [ -e "{WSL_LIB}/$f" ] && echo "wsl_lib=$f"; done
[ -r /etc/os-release ] && . /etc/os-release
echo "distro=${{ID:-}}"; echo "distro_version=${{VERSION_ID:-}}"; echo "codename=${{VERSION_CODENAME:-}}"
# Where get.docker.com reads the release's name: /etc/debian_version on Debian, lsb_release on Ubuntu.
[ -r /etc/debian_version ] && echo "debian_version=$(cat /etc/debian_version)"
lsb=$(lsb_release --codename 2>/dev/null | cut -f2)
[ -z "$lsb" ] && [ -r /etc/lsb-release ] && lsb=$(. /etc/lsb-release && echo "${{DISTRIB_CODENAME:-}}")
echo "lsb_codename=$lsb"
echo "arch=$(dpkg --print-architecture 2>/dev/null)"
echo "pid1=$(cat /proc/1/comm 2>/dev/null)"
echo "user=${{SUDO_USER:-$(id -un)}}"
for p in "$(command -v docker)" /usr/bin/docker /usr/local/bin/docker; do
  [ -n "$p" ] && {{ [ -e "$p" ] || [ -L "$p" ]; }} && echo "docker_cli=$(readlink -f "$p")"
done
dpkg-query -W -f='${{db:Status-Abbrev}} ${{Package}}\\n' 2>/dev/null \\
  | awk '$1 ~ /^.i/ && $2 ~ /{LINUX_DRIVER_PATTERN}/ {{print "linux_driver=" $2}}'
cut -d: -f1 /etc/passwd | sed 's/^/users=/'
[ -r {WSL_CONF} ] && awk '{{print "wsl_conf=" $0}}' {WSL_CONF}
case "$release" in
  *[Mm]icrosoft*) ;;
  *)
    for f in {' '.join(NVIDIA_MODULE_FILES)}; do
      [ -d "$f" ] && echo "nvidia_module=loaded" && break
      [ -e "$f" ] && echo "nvidia_module=$(head -n 1 "$f")" && break
    done
    if command -v nvidia-smi >/dev/null 2>&1; then
      out=$(nvidia-smi -L 2>&1); echo "nvidia_smi=$?"
      printf '%s\\n' "$out" | head -n 5 | sed 's/^/nvidia_smi_output=/'
    else
      echo nvidia_smi=missing
    fi ;;
esac
true
"""

    def process(self, output):
        return parse_lines(output, _LISTS)


class KeyFingerprints(FactBase):
    """Returns the primary-key fingerprints in an OpenPGP key file (armored or not); [] if absent."""

    default = list
    requires_command = "gpg"

    def command(self, path):
        return StringCommand(
            "if [ -e",
            QuoteString(path),
            "]; then d=$(mktemp -d);",
            "gpg --batch --homedir \"$d\" --show-keys --with-colons",
            QuoteString(path),
            "2>/dev/null |", PRIMARY_FINGERPRINTS, ";",
            "rm -rf \"$d\"; fi; true",
        )

    def process(self, output):
        return [line.strip() for line in output if line.strip()]


class CommandResult(FactBase):
    """Returns {"ok": bool, "output": [lines]} of a read-only command, which may fail."""

    def command(self, command):
        return StringCommand(
            "out=$(", command, "2>&1)", '&& echo "ok" || echo "error"; printf "%s\\n" "$out"'
        )

    def process(self, output):
        return {"ok": output[0] == "ok", "output": output[1:]}


class StackState(FactBase):
    """
    Returns the state of what the deploy manages, read in one command before any change:
    {"packages": {name: version} installed, "service": {"active", "enabled"} of docker.service,
    "group": docker's members or None, "keys": {path: [fingerprints]}, "files": {path: sha256},
    "mentions": {url: files under sources.list.d naming it}, "apt_busy": a lock held or dpkg
    half-done}. The deploy adds an operation only where this shows something to do.
    """

    def command(self, packages, keys, files, urls):
        q = QuoteString
        lines = [
            StringCommand("dpkg-query -W -f='pkg=${db:Status-Abbrev} ${Package} ${Version}\\n'",
                          *packages, "2>/dev/null;"),
            "echo \"active=$(systemctl is-active docker.service 2>/dev/null)\";",
            "echo \"enabled=$(systemctl is-enabled docker.service 2>/dev/null)\";",
            "getent group docker | sed 's/^/group=/';",
        ]
        for path in keys:
            lines.append(StringCommand(
                "if [ -e", q(path), "]; then d=$(mktemp -d); echo key=", q(path), "$(gpg --batch",
                "--homedir \"$d\" --show-keys --with-colons", q(path), "2>/dev/null",
                "|", PRIMARY_FINGERPRINTS, ");",
                "rm -rf \"$d\"; fi;",
            ))
        for path in files:
            lines.append(StringCommand("[ -e", q(path), "] && echo file=$(sha256sum", q(path), ");"))
        for url in urls:
            lines.append(StringCommand(
                "grep -lsF", q(url), "/etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources",
                "| awk -v", q(f"u={url}"), "'{print \"mention=\" u \" \" $0}';",
            ))
        locks = " ".join(APT_LOCKS)
        lines.append(
            "busy=; [ -n \"$(dpkg --audit 2>/dev/null)$(ls -A /var/lib/dpkg/updates 2>/dev/null)\" ] && busy=1;"
            f" for f in {locks}; do [ -e \"$f\" ] && grep -q \":$(stat -c %i \"$f\") \" /proc/locks && busy=1;"
            " done; [ -n \"$busy\" ] && echo apt=busy; true"
        )
        return StringCommand(*lines)

    def default(self):
        return {"packages": {}, "service": {}, "group": None, "keys": {}, "files": {},
                "mentions": {}, "apt_busy": False}

    def process(self, output):
        state = self.default()
        for line in output:
            key, _, value = line.partition("=")
            if key == "pkg":
                status, name, version = (value.split() + ["", "", ""])[:3]
                if status.startswith("ii"):
                    state["packages"][name] = version
            elif key in ("active", "enabled"):
                state["service"][key] = value
            elif key == "group":
                state["group"] = [m for m in value.split(":")[-1].split(",") if m]
            elif key == "key":
                path, *fingerprints = value.split()
                state["keys"][path] = fingerprints
            elif key == "file":
                digest, path = value.split()
                state["files"][path] = digest
            elif key == "mention":
                url, path = value.split()
                state["mentions"].setdefault(url, []).append(path)
            elif key == "apt":
                state["apt_busy"] = True
        return state
