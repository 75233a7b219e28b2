"""Read-only preflight: WSL2 whose GPU the Windows driver serves, or native Linux with an NVIDIA driver."""

from __future__ import annotations

import re

from packaging.version import Version
from pyinfra import host, logger
from pyinfra.api import deploy

from tasks import rollout
from tasks.dockerconfig import config_problems, snapshot_args
from tasks.facts import NVIDIA_MODULE_FILES, WSL_LIB, WSL_LIB_FILES, HostSnapshot
from tasks.findings import FAIL, Finding, failure
from tasks.operations import checks_pass
from tasks.platforms import ARCHES, names, platform
from tasks.runlock import lock_problem, waited_note
from tasks.users import docker_users

# The findings the preflight may give, each a FAIL; doctor reports each under the check its id names.
NATIVE_DRIVER = {"none": "preflight.nvidia-driver.none", "incomplete": "preflight.nvidia-driver.incomplete",
                 "fails": "preflight.nvidia-driver.smi-fails", "unloaded": "preflight.nvidia-driver.module-unloaded"}
IDS = {id: FAIL for id in (
    "wsl.version", "wsl.kernel", "wsl.dxg", "driver.libraries", "linux-driver.packages", "docker.desktop.conflict",
    "docker.desktop.not-found", "docker.desktop.native", "systemd.pid1.native", "wsl.distro", "wsl.arch",
    *NATIVE_DRIVER.values(), "group.members.no-such-user")}


DESKTOP_CLI_ROOT = "/mnt/wsl/docker-desktop"
DESKTOP_FIX = (
    "turn the integration off for this distro in Docker Desktop > Settings > Resources > "
    "WSL integration, then run `wsl.exe --terminate <distro>` from Windows; "
    'or set docker_engine = "docker-desktop" to use Desktop\'s engine'
)


def problem(id: str, check: str, found: str, fix: str) -> Finding:
    """A failed preflight check: its finding's id, the check as the deploy names it, what was found, the fix."""
    return failure(id, found, fix, check)


def wsl_generation(release: str) -> int | None:
    """2 for a WSL2 kernel release, 1 for WSL1, None for a kernel that is not WSL's."""
    if "Microsoft" in release:  # WSL1: 4.4.0-19041-Microsoft
        return 1
    if "microsoft" in release.lower():  # WSL2: 5.15.167.4-microsoft-standard-WSL2
        return 2
    return None


def kernel_version(release: str) -> Version | None:
    """The numeric part of a kernel release (5.15.167.4 of 5.15.167.4-microsoft-standard-WSL2)."""
    match = re.match(r"\d+(\.\d+)*", release)
    return Version(match.group(0)) if match else None


def desktop_cli(docker_clis: list[str]) -> str | None:
    """The docker CLI that resolves into Docker Desktop's WSL integration, if any."""
    return next((p for p in docker_clis if p.startswith(DESKTOP_CLI_ROOT + "/")), None)


def driver_install_fix(distro: str) -> str:
    """How to install the native NVIDIA driver on this distro: the deploy never installs one."""
    if distro == "ubuntu":
        return "install it with `sudo ubuntu-drivers install`, then reboot"
    if distro == "debian":
        return ("add `contrib non-free non-free-firmware` to the components of your Debian apt "
                "sources, then `sudo apt update && sudo apt install nvidia-driver "
                "firmware-misc-nonfree`, then reboot")
    return "install NVIDIA's driver for this distro, then reboot"


def native_driver_problem(facts: dict) -> Finding | None:
    """Why the native NVIDIA driver is not working, or None: nvidia-smi answers and the module is loaded."""
    smi, module = facts.get("nvidia_smi", "missing"), facts.get("nvidia_module")
    install = driver_install_fix(facts.get("distro", ""))
    if smi == "missing" and not module:
        return failure(NATIVE_DRIVER["none"], "none is installed (no nvidia-smi, no nvidia kernel module)",
                       install, "NVIDIA driver")
    if smi == "missing":
        return failure(NATIVE_DRIVER["incomplete"], f"the kernel module is loaded ({module}) but nvidia-smi is "
                       "missing, so the driver's utilities and libraries are incomplete", install, "NVIDIA driver")
    if smi != "0":
        said = " ".join(facts.get("nvidia_smi_output", [])).strip() or "no output"
        return failure(NATIVE_DRIVER["fails"], f"`nvidia-smi -L` fails (exit {smi}): {said}",
                       "if the driver was just installed or upgraded, reboot (with Secure Boot on, enroll "
                       f"its key when asked); otherwise {install}", "NVIDIA driver")
    if not module:
        return failure(NATIVE_DRIVER["unloaded"], "nvidia-smi answers but the nvidia kernel module is not "
                       f"loaded ({' or '.join(NVIDIA_MODULE_FILES)} missing)",
                       f"`sudo modprobe nvidia`, or reboot; otherwise {install}", "NVIDIA driver")
    return None


def wsl_problems(facts: dict, settings) -> list[Finding]:
    """The WSL layers: WSL2, its kernel, /dev/dxg, the Windows driver's files, Docker Desktop."""
    problems = []
    release = facts.get("osrelease", "")
    if wsl_generation(release) == 1:
        problems.append(problem("wsl.version", "WSL2", f"kernel {release!r} is WSL1",
                                "run `wsl --set-version <distro> 2` in Windows PowerShell, then rerun"))
    else:
        version = kernel_version(release)
        minimum = Version(settings.min_kernel_version)
        if version is None or version < minimum:
            problems.append(problem("wsl.kernel", "kernel version",
                                    f"{release!r} is older than {minimum} (min_kernel_version)",
                                    "run `wsl --update` in Windows PowerShell, then `wsl --shutdown`"))
    if facts.get("dxg") != "char":
        found = "not a character device" if facts.get("dxg") else "missing"
        problems.append(problem("wsl.dxg", "GPU device", f"/dev/dxg is {found}",
                                "install a current NVIDIA driver for Windows (with WSL support), run "
                                "`wsl --update`, then `wsl --shutdown`"))
    missing = [f for f in WSL_LIB_FILES if f not in facts.get("wsl_lib", [])]
    if missing:
        problems.append(problem("driver.libraries", "Windows driver libraries",
                                f"{', '.join(missing)} missing from {WSL_LIB}",
                                "install the NVIDIA driver for Windows (never a Linux driver inside WSL), "
                                "then `wsl --shutdown`"))
    if facts.get("linux_driver"):
        names = " ".join(facts["linux_driver"])
        problems.append(problem("linux-driver.packages", "Linux NVIDIA driver",
                                f"{names} installed inside WSL, shadowing the Windows driver's libraries",
                                f"`sudo apt-get purge {names}`"))
    desktop = desktop_cli(facts.get("docker_cli", []))
    if desktop and settings.docker_engine == "docker-ce":
        problems.append(problem("docker.desktop.conflict", "Docker Desktop",
                                f"its WSL integration provides docker ({desktop}), which conflicts with "
                                "installing Docker Engine", DESKTOP_FIX))
    if not desktop and settings.docker_engine == "docker-desktop":
        problems.append(problem("docker.desktop.not-found", "Docker Desktop",
                                'docker_engine is "docker-desktop" but no Desktop integration was found',
                                "enable this distro in Docker Desktop > Settings > Resources > WSL integration, "
                                'or set docker_engine = "docker-ce"'))
    return problems


def native_problems(facts: dict, settings) -> list[Finding]:
    """Native Linux: a working NVIDIA driver, systemd to run the engine, and no Docker Desktop."""
    problems = [p for p in [native_driver_problem(facts)] if p]
    if facts.get("pid1") != "systemd":
        problems.append(problem("systemd.pid1.native", "systemd",
                                f"PID 1 is {facts.get('pid1') or 'unknown'}, and Docker Engine runs as a "
                                "systemd service",
                                "boot this workstation with systemd (Ubuntu's and Debian's default)"))
    if settings.docker_engine == "docker-desktop":
        problems.append(problem("docker.desktop.native", "Docker Desktop",
                                'docker_engine is "docker-desktop", which this deploy supports only inside WSL',
                                'set docker_engine = "docker-ce" for this host in inventory.py'))
    return problems


def on_wsl(facts: dict) -> bool:
    """The snapshot's kernel is WSL's: anything else is taken for a native host (doctor's checks too)."""
    return wsl_generation(facts.get("osrelease", "")) is not None


def preflight_problems(facts: dict, settings) -> list[Finding]:
    """Each failed check, as a Finding."""
    problems = wsl_problems(facts, settings) if on_wsl(facts) else native_problems(facts, settings)
    distro = (facts.get("distro", ""), facts.get("distro_version", ""))
    if platform(*distro) is None:
        problems.append(problem("wsl.distro", "distro", f"{' '.join(distro).strip() or 'unknown'} is not supported",
                                f"use {names()}"))
    if facts.get("arch") not in ARCHES:
        problems.append(problem("wsl.arch", "architecture", f"{facts.get('arch') or 'unknown'} is not supported",
                                f"use {' or '.join(ARCHES)}"))
    return problems


def missing_users(users: list[str], existing: list[str]) -> list[Finding]:
    return [
        problem("group.members.no-such-user", "docker_users", f"user {u!r} does not exist on this host",
                "create the user, or correct docker_users in inventory.py")
        for u in users
        if u not in existing
    ]


@deploy("Preflight")
def check_preflight(settings):
    """
    Returns the host's facts, with "wsl" telling WSL from native Linux, when the deploy may go
    on; None when this host stops here.
    """
    rollout.prepare(host)
    facts = host.get_fact(HostSnapshot, **snapshot_args(settings), lock_wait=settings.run_lock_timeout)
    held = lock_problem(facts["lock"])
    if held:  # another run is under way: this one read nothing, and stops before any change
        checks_pass(name="No other run of the deploy holds this host", problems=[held],
                    title="another run holds this host")
        return None
    waited = waited_note(facts["lock"])
    if waited:
        host.log_styled(waited, fg="yellow", log_func=logger.warning)
    facts["wsl"] = on_wsl(facts)
    problems = preflight_problems(facts, settings) + missing_users(
        docker_users(settings, facts), facts["users"]
    ) + config_problems(settings, facts)
    if not problems:
        # No operation when all pass, so that a no-op rerun plans none: pyinfra's first operation
        # alone costs it some 50 ms, in reading the source of every frame of the call stack.
        host.log_styled("Preflight checks pass", log_func=logger.info)
        return facts
    checks_pass(name="Preflight checks pass", problems=problems, strict=settings.preflight_strict)
    return None if settings.preflight_strict else facts
