"""Custom facts: the host's identity and the managed state in one command, key fingerprints, a command's result."""

from __future__ import annotations

from pyinfra.api import FactBase
from pyinfra.api.exceptions import FactProcessError

from tasks.dockerconfig import DockerConfigs
from tasks.dockerinfo import RUNTIMES_COMMAND
from tasks.managed import (
    DAEMON_JSON,
    ENGINE_LOADED,
    ENGINE_RESTART_PENDING,
    RUN_LOCK,
    STATE_FILES,
    STATE_KEYS,
    STATE_PACKAGES,
    TIME_UNITS,
    TOOLKIT_CONFIG,
    WSL_CONF,
)
from tasks.runlock import started_by
from tasks.shell import shell_script

WSL_LIB = "/usr/lib/wsl/lib"
WSL_LIB_FILES = ("libcuda.so.1", "nvidia-smi")
# Packages of a Linux NVIDIA driver, which shadows the Windows driver's libraries.
LINUX_DRIVER_PATTERN = "^(nvidia-driver-|libnvidia-compute-|cuda-drivers)"
# The loaded nvidia kernel module shows in either place; the first line of /proc's file names its version.
NVIDIA_MODULE_FILES = ("/proc/driver/nvidia/version", "/sys/module/nvidia")

# apt's sources, where StackState and AptState look for the deploy's repositories and their rivals.
SOURCES_DIR = "/etc/apt/sources.list.d"

_LISTS = {"wsl_lib", "linux_driver", "docker_cli", "users", "wsl_conf", "nvidia_smi_output"}


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


class CommandResult(FactBase):
    """Returns {"ok": bool, "output": [lines]} of a read-only command, which may fail."""

    def command(self, command):
        return shell_script("command-result.sh", command)

    def process(self, output):
        return {"ok": output[0] == "ok", "output": output[1:]}


def file_lines(output) -> list[str] | None:
    """files/file-lines.sh's output: the file's lines, or None when it is absent."""
    if not output:
        return None
    return [line.partition("=")[2] for line in output[1:]]


class HostSnapshot(FactBase):
    """
    Returns what the deploy decides on, read in one command before any change (pyinfra caches no fact, so
    each further read would be one more round trip): kernel release (from /proc), /dev/dxg, the Windows
    driver's files, distro (and the release names get.docker.com reads), arch, PID 1, the invoking user,
    where each docker CLI on the usual paths resolves (even a dangling link), installed Linux NVIDIA driver
    packages, the users, /etc/wsl.conf's lines (and wsl_conf_exists when it exists), on WSL the networking
    mode wslinfo reports (wslinfo_networking, when it has wslinfo) and, off WSL only, the native NVIDIA
    driver: its kernel module and what `nvidia-smi -L` answers; "daemon_json_file", daemon.json's lines
    (None when absent); "stack", StackState's value; and "runtimes", CommandResult's value of
    RUNTIMES_COMMAND from a running engine (None without one), which the final check uses when nothing
    before it changes; and "docker_configs", DockerConfigs' value: the record and the docker users'
    config.json verdicts (proxy_users: whose, see tasks/dockerconfig.py). With lock_wait (seconds: a deploy
    run; doctor only reads), the command first takes the run lock, waiting up to that long for another run,
    and "lock" is files/lib/run-lock.sh's word on it ({"lock": "taken" | "busy" | "unavailable", ...}; None
    without lock_wait); when busy, nothing else is read. What started the run goes with it, for another run
    to name it.
    """

    # Lines that open the command's sections: every line of a section has its own prefix.
    _SECTIONS = ("[daemon.json]", "[stack]", "[runtimes]", "[docker-config]", "[lock]")

    def command(self, proxy_users=None, lock_wait=None):
        lock = {} if lock_wait is None else {"LOCK": RUN_LOCK, "LOCK_WAIT": str(lock_wait), "STARTED_BY": started_by()}
        return shell_script(
            "host-snapshot.sh",
            HOST=shell_script("host-identity.sh", WSL_LIB, " ".join(WSL_LIB_FILES), LINUX_DRIVER_PATTERN, WSL_CONF,
                              " ".join(NVIDIA_MODULE_FILES)),
            DAEMON_JSON=shell_script("file-lines.sh", DAEMON_JSON), STACK=StackState().command(),
            RUNTIMES=CommandResult().command(RUNTIMES_COMMAND), DOCKER_CONFIG=DockerConfigs().command(proxy_users),
            **lock)

    def process(self, output):
        sections: dict = {None: []}
        name = None
        for line in output:
            if line in self._SECTIONS:
                name = line
                sections[name] = []
            else:
                sections[name].append(line)
        runtimes = sections.get("[runtimes]")
        return {**parse_lines(sections[None], _LISTS),
                "daemon_json_file": file_lines(sections.get("[daemon.json]", [])),
                "stack": StackState().process(sections.get("[stack]", [])),
                "runtimes": CommandResult().process(runtimes) if runtimes else None,
                "docker_configs": DockerConfigs().process(sections.get("[docker-config]", [])),
                "lock": parse_lines(sections["[lock]"], set()) if "[lock]" in sections else None}


def restart_marker(lines: list[str]) -> dict | None:
    """ENGINE_RESTART_PENDING's lines (since=, why=; others ignored) as {"since": ..., "why": [...]}; None
    when there are none: no restart waits."""
    pairs = [line.partition("=")[::2] for line in lines]
    if not any(key in ("since", "why") for key, _ in pairs):
        return None
    return {"since": next((v for k, v in pairs if k == "since"), ""), "why": [v for k, v in pairs if k == "why"]}


class StackState(FactBase):
    """
    Returns the state of what the deploy manages, read in one command before any change:
    {"packages": {name: version} installed, "service": {"active", "enabled"} of docker.service,
    "group": docker's members or None, "keys": {path: [fingerprints]}, "files": {path: sha256},
    "sources": {file under sources.list.d: its lines naming a URL}, "apt_busy": a lock held or dpkg
    half-done, "restart_pending": {"since": ..., "why": [...]} of a restart the engine waits for, or None,
    "engine_loaded": the sha256 of the daemon.json the engine last loaded through the deploy, or None,
    "units": {unit: {"LoadState", "ActiveState", "UnitFileState", "FragmentPath": text, "DropInPaths":
    [files], "conditions": [[file, ConditionVirtualization= value], ...] in systemd's order}} of
    docker.service and TIME_UNITS (conditions of loaded time units only), "no_cgroups": the value of
    TOOLKIT_CONFIG's no-cgroups under [nvidia-container-cli] as written, or None without one}.
    The deploy adds an operation only where this shows something to do. The deploy
    reads it within HostSnapshot's command.
    """

    def command(self):
        return shell_script("stack-state.sh", PACKAGES=" ".join(STATE_PACKAGES), KEYS=" ".join(STATE_KEYS),
                            FILES=" ".join(STATE_FILES), PENDING=ENGINE_RESTART_PENDING, LOADED=ENGINE_LOADED,
                            SOURCES_DIR=SOURCES_DIR, UNITS=" ".join(TIME_UNITS), TOOLKIT_CONFIG=TOOLKIT_CONFIG)

    def default(self):
        return {"packages": {}, "service": {}, "group": None, "keys": {}, "files": {},
                "sources": {}, "apt_busy": False, "restart_pending": None,
                "engine_loaded": None, "units": {}, "no_cgroups": None}

    def process(self, output):
        state = self.default()
        pending = []
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
            elif key == "source":
                path, _, text = value.partition(" ")
                state["sources"].setdefault(path, []).append(text)
            elif key == "apt":
                state["apt_busy"] = True
            elif key == "loaded":
                state["engine_loaded"] = value
            elif key == "pending":
                pending.append(value)
            elif key == "unit":
                unit, _, prop = value.partition(" ")
                name, _, text = prop.partition("=")
                state["units"].setdefault(unit, {"conditions": []})[name] = \
                    text.split() if name == "DropInPaths" else text
            elif key == "condition":
                unit, path, condition = (value.split(" ", 2) + ["", ""])[:3]
                state["units"].setdefault(unit, {"conditions": []})["conditions"].append([path, condition])
            elif key == "no_cgroups":
                state["no_cgroups"] = value
        state["restart_pending"] = restart_marker(pending)
        return state
