"""Custom facts: the WSL host's identity in one command, key fingerprints, a command's result."""

from __future__ import annotations

from pyinfra.api import FactBase, QuoteString, StringCommand

WSL_LIB = "/usr/lib/wsl/lib"
WSL_LIB_FILES = ("libcuda.so.1", "nvidia-smi")
# Packages of a Linux NVIDIA driver, which shadows the Windows driver's libraries.
LINUX_DRIVER_PATTERN = "^(nvidia-driver-|libnvidia-compute-|cuda-drivers)"

_LISTS = {"wsl_lib", "linux_driver", "docker_cli"}


class WslHost(FactBase):
    """
    Returns what the preflight needs, read in one command: kernel release (from /proc),
    /dev/dxg, the Windows driver's files, distro, arch, PID 1, the invoking user, where
    each docker CLI on the usual paths resolves (even a dangling link) and installed Linux NVIDIA driver packages.
    """

    def command(self):
        return f"""
echo "osrelease=$(cat /proc/sys/kernel/osrelease 2>/dev/null)"
if [ -c /dev/dxg ]; then echo dxg=char; elif [ -e /dev/dxg ]; then echo dxg=other; fi
for f in {' '.join(WSL_LIB_FILES)}; do [ -e "{WSL_LIB}/$f" ] && echo "wsl_lib=$f"; done
[ -r /etc/os-release ] && . /etc/os-release
echo "distro=${{ID:-}}"; echo "distro_version=${{VERSION_ID:-}}"; echo "codename=${{VERSION_CODENAME:-}}"
echo "arch=$(dpkg --print-architecture 2>/dev/null)"
echo "pid1=$(cat /proc/1/comm 2>/dev/null)"
echo "user=${{SUDO_USER:-$(id -un)}}"
for p in "$(command -v docker)" /usr/bin/docker /usr/local/bin/docker; do
  [ -n "$p" ] && {{ [ -e "$p" ] || [ -L "$p" ]; }} && echo "docker_cli=$(readlink -f "$p")"
done
dpkg-query -W -f='${{db:Status-Abbrev}} ${{Package}}\\n' 2>/dev/null \\
  | awk '$1 ~ /^.i/ && $2 ~ /{LINUX_DRIVER_PATTERN}/ {{print "linux_driver=" $2}}'
true
"""

    def process(self, output):
        facts: dict = {name: [] for name in _LISTS}
        for line in output:
            key, _, value = line.partition("=")
            if key in _LISTS:
                facts[key].append(value)
            elif key:
                facts[key] = value
        return facts


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
            "2>/dev/null | awk -F: '$1==\"pub\"{p=1;next} $1==\"fpr\"&&p{print $10;p=0}';",
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
