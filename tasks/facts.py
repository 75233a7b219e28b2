"""Custom facts: the host's identity (WSL or native) in one command, key fingerprints, a command's result."""

from __future__ import annotations

from pyinfra.api import FactBase

from tasks.shell import shell_script
from tasks.wslconf import WSL_CONF

WSL_LIB = "/usr/lib/wsl/lib"
WSL_LIB_FILES = ("libcuda.so.1", "nvidia-smi")
# Packages of a Linux NVIDIA driver, which shadows the Windows driver's libraries.
LINUX_DRIVER_PATTERN = "^(nvidia-driver-|libnvidia-compute-|cuda-drivers)"
# The loaded nvidia kernel module shows in either place; the first line of /proc's file names its version.
NVIDIA_MODULE_FILES = ("/proc/driver/nvidia/version", "/sys/module/nvidia")

_LISTS = {"wsl_lib", "linux_driver", "docker_cli", "users", "wsl_conf", "nvidia_smi_output"}


def parse_lines(output, lists: set[str]) -> dict:
    """`key=value` lines into a dict; keys in lists collect every value in order."""
    facts: dict = {name: [] for name in lists}
    for line in output:
        key, _, value = line.partition("=")
        if key in lists:
            facts[key].append(value)
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
        return shell_script("wsl-host.sh", WSL_LIB, " ".join(WSL_LIB_FILES), LINUX_DRIVER_PATTERN,
                            WSL_CONF, " ".join(NVIDIA_MODULE_FILES))

    def process(self, output):
        return parse_lines(output, _LISTS)


class KeyFingerprints(FactBase):
    """Returns the primary-key fingerprints in an OpenPGP key file (armored or not); [] if absent."""

    default = list
    requires_command = "gpg"

    def command(self, path):
        return shell_script("key-fingerprints.sh", path)

    def process(self, output):
        return [line.strip() for line in output if line.strip()]


class CommandResult(FactBase):
    """Returns {"ok": bool, "output": [lines]} of a read-only command, which may fail."""

    def command(self, command):
        return shell_script("command-result.sh", command)

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
        return shell_script("stack-state.sh", *(" ".join(words) for words in (packages, keys, files, urls)))

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
