"""The Docker Engine layer: Docker Desktop's integration, the engine running, a restart left waiting, iptables,
daemon.json's hosts, its start after loopback0, the disk under the images."""

from __future__ import annotations

import re
import shlex

from tasks.doctor.checks.common import (
    RESTART,
    binaries,
    daemon_config,
    deploy_fix,
    desktop_mode,
    engines,
    not_on_wsl,
    off_wsl,
    packages,
    preflight_verdict,
)
from tasks.doctor.registry import check
from tasks.dropins import loopback_dropin, mirrored
from tasks.facts import restart_marker
from tasks.findings import FAIL, INFO, PASS, WARN, Finding
from tasks.managed import DAEMON_JSON
from tasks.preflight import desktop_cli

LAYER = "Docker Engine"


@check("docker.desktop", gives={"docker.desktop.native": FAIL, "docker.desktop.conflict": FAIL,
                                "docker.desktop.not-found": FAIL, "docker.desktop.two-engines": WARN})
def check_desktop(facts, settings) -> Finding:
    """Docker Desktop's WSL integration agrees with docker_engine, and only one engine serves `docker`."""
    problem = preflight_verdict(facts, settings, ("docker.desktop.native", "docker.desktop.conflict",
                                                  "docker.desktop.not-found"))
    if problem:
        return problem
    desktop = desktop_cli(facts.get("docker_cli", []))
    if desktop and "docker-ce" in packages(facts):
        return Finding(WARN,
                       f"Docker Desktop's integration provides docker ({desktop}) and Docker Engine is "
                       "installed in this distro too: two engines, and `docker` talks to Desktop's",
                       "`sudo apt-get purge docker-ce docker-ce-cli` or turn the integration off "
                       "(Docker Desktop > Settings > Resources > WSL integration)", id="docker.desktop.two-engines")
    if desktop:
        return Finding(PASS, f"Docker Desktop's integration provides docker ({desktop})")
    return Finding(PASS, "no Docker Desktop integration in this distro")


@check("docker.engine", skip=[desktop_mode("docker_engine is docker-desktop: Desktop runs the engine")],
       gives={"docker.engine.missing": FAIL, "docker.engine.no-systemd": FAIL, "docker.engine.stopped": FAIL})
def check_engine(facts, settings) -> Finding:
    """Docker Engine is installed and running as root."""
    installed, found = packages(facts), binaries(facts)
    version = installed.get("docker-ce") or installed.get("docker.io")
    if not version and "dockerd" not in found:
        return Finding(FAIL, "Docker Engine is not installed",
                       deploy_fix("installs it"), by_deploy=True, id="docker.engine.missing")
    what = f"Docker Engine {version}" if version else f"dockerd ({found['dockerd']})"
    rootful = [pid for pid, uid, _ in engines(facts) if uid == 0]
    if rootful:
        return Finding(PASS, f"{what} is running (pid {rootful[0]})")
    if facts.get("pid1") != "systemd":
        return Finding(FAIL, f"{what} is installed but not running, and systemd is not PID 1",
                       "make systemd PID 1 first (see systemd.pid1), then rerun the deploy",
                       id="docker.engine.no-systemd")
    return Finding(FAIL,
                   f"{what} is installed but not running "
                   f"(docker.service is {facts.get('engine_unit') or 'unknown'})",
                   deploy_fix("enables and starts docker.service; if it fails to start, "
                              "`journalctl -u docker.service` says why"),
                   by_deploy=True, id="docker.engine.stopped")


@check("docker.restart-pending", skip=[desktop_mode("Docker Desktop restarts its own engine")], gives=[WARN])
def check_restart_pending(facts, settings) -> Finding:
    """No engine restart the deploy left waiting for running containers (engine_restart "when-idle")."""
    pending = restart_marker(facts.get("restart_pending", []))
    if not pending:
        return Finding(PASS, "no engine restart is pending")
    return Finding(WARN,
                   f"an engine restart is pending since {pending['since'] or 'an earlier run'}, for: "
                   f"{'; '.join(pending['why']) or 'a change the engine loads when it starts'}: it waits so as not to "
                   "stop running containers, and the engine runs without that change until then",
                   "stop the containers (`docker ps`, `docker stop ...`) and rerun the deploy (deploy.py), which "
                   'restarts the engine once; or rerun it with engine_restart = "now", which stops them')


@check("docker.iptables", skip=[desktop_mode("Docker Desktop's engine brings its own firewall")],
       gives={"docker.iptables.other-works": FAIL, "docker.iptables.none-works": FAIL})
def check_iptables(facts, settings) -> Finding:
    """The selected iptables works in this kernel, so dockerd can set up its networks."""
    tried = {b: facts[f"iptables_{b}.rc"] == "0" for b in ("nft", "legacy") if f"iptables_{b}.rc" in facts}
    said = "; ".join(f"iptables-{b}: {'works' if ok else facts.get(f'iptables_{b}', '').strip()}"
                     for b, ok in tried.items())
    config = daemon_config(facts) or {}
    if config.get("iptables") is False:
        return Finding(INFO, "daemon.json sets \"iptables\": false: dockerd uses none")
    if not tried:
        return Finding(INFO, "iptables is not installed (Docker Engine brings it)")
    if all("you must be root" in facts.get(f"iptables_{b}", "") for b in tried) and facts.get("euid") != "0":
        return Finding(INFO, "testing iptables needs root: run doctor with --sudo")
    path = facts.get("iptables", "")
    selected = "nft" if "nft" in path else "legacy" if "legacy" in path else None
    working = [b for b, ok in tried.items() if ok]
    if selected in working:
        return Finding(PASS, f"the selected iptables-{selected} works ({said})")
    if working:
        other = working[0]
        return Finding(
            FAIL,
            f"the selected iptables ({path or 'none'}) fails, iptables-{other} works: dockerd cannot "
            f"set up its networks ({said})",
            f"`sudo update-alternatives --set iptables /usr/sbin/iptables-{other}` and "
            f"`sudo update-alternatives --set ip6tables /usr/sbin/ip6tables-{other}`, then {RESTART}",
            id="docker.iptables.other-works",
        )
    return Finding(FAIL, f"no iptables backend works in this kernel ({said})",
                   "run `wsl --update` for a WSL kernel with netfilter, then `wsl --shutdown`; or set "
                   "\"iptables\": false in docker_daemon_options (containers then get no NAT)",
                   id="docker.iptables.none-works")


def _argv(exec_start: str) -> list[str]:
    """dockerd's argv from `systemctl show -p ExecStart`: { path=... ; argv[]=... ; ... }."""
    match = re.search(r"argv\[\]=([^;]*)", exec_start)
    return shlex.split(match.group(1)) if match else []


@check("docker.hosts", skip=[desktop_mode("Docker Desktop's engine is configured in Docker Desktop")],
       gives=[FAIL])
def check_hosts(facts, settings) -> Finding:
    """daemon.json's hosts and docker.service's -H flag do not both set where dockerd listens."""
    hosts = (daemon_config(facts) or {}).get("hosts")
    if not hosts:
        return Finding(PASS, f"{DAEMON_JSON} sets no hosts")
    argv = _argv(facts.get("exec_start", ""))
    flags = [f"{a} {argv[i + 1]}" if a in ("-H", "--host") and i + 1 < len(argv) else a
             for i, a in enumerate(argv) if a.startswith(("-H", "--host"))]
    if not flags:
        return Finding(PASS, f"{DAEMON_JSON} sets hosts {hosts}; docker.service passes no -H")
    return Finding(
        FAIL,
        f"{DAEMON_JSON} sets hosts {hosts} and docker.service starts dockerd with {' '.join(flags)}: "
        "dockerd refuses to start (\"the following directives are specified both as a flag and in the "
        "configuration file: hosts\")",
        "drop hosts from daemon.json (docker_daemon_options), or clear the flag: `sudo systemctl edit "
        "docker.service` with `[Service]`, `ExecStart=` and `ExecStart=/usr/bin/dockerd`, then "
        f"{RESTART}",
    )


def _microseconds(text) -> int:
    """systemd's monotonic timestamp (µs since boot) as doctor read it; 0 for none."""
    try:
        return int(text or 0)
    except ValueError:
        return 0


SHUTDOWN = "`wsl --shutdown` from Windows and open the distro again"


@check("docker.loopback", skip=[not_on_wsl, desktop_mode("Docker Desktop's engine runs in a distro of its own")],
       gives={"docker.loopback.before": WARN, "docker.loopback.unordered": WARN})
def check_loopback(facts, settings) -> Finding:
    """With WSL's mirrored networking, dockerd started after loopback0 appeared, and docker.service is ordered so."""
    if not mirrored(facts):
        return Finding(INFO, f"networking mode {facts.get('wslinfo_networking') or 'unknown'} (wslinfo): dockerd "
                       "looks for loopback0 in mirrored mode only")
    started, since = _microseconds(facts.get("engine_started_us")), _microseconds(facts.get("loopback0_since_us"))
    dropin = loopback_dropin(facts) if "stack" in facts else None
    ordered = dropin is not None and dropin.right and dropin.loaded
    if not started:
        return Finding(INFO, "networking is mirrored; the engine is not running (see docker.engine)")
    if not since:
        where = "exists, but systemd has no device unit for it" if facts.get("loopback0") else "does not exist yet"
        return Finding(INFO, f"networking is mirrored; loopback0 {where}, so doctor cannot tell which came first")
    if started < since:
        fix = SHUTDOWN if ordered else deploy_fix("orders docker.service after loopback0") + f", then {SHUTDOWN}"
        return Finding(WARN,
                       f"networking is mirrored and dockerd started {(since - started) / 1e6:.1f} s before loopback0 "
                       "appeared: it took the network for another mode, and ports published on 127.0.0.1 cannot be "
                       "reached from inside WSL; restarting the engine leaves its rules in that order "
                       "(moby/moby#53382)", fix, by_deploy=not ordered, id="docker.loopback.before")
    if not ordered:
        return Finding(WARN,
                       "networking is mirrored and dockerd started after loopback0 this time, but docker.service is "
                       "not ordered after it: another boot may start it first (moby/moby#53382)",
                       deploy_fix("orders docker.service after loopback0, from the next boot"), by_deploy=True,
                       id="docker.loopback.unordered")
    return Finding(PASS, f"networking is mirrored; dockerd started {(started - since) / 1e6:.1f} s after loopback0 "
                   "appeared, and docker.service is ordered after it")
def _free(line: str | None) -> tuple[int, int, str] | None:
    """(free KiB, size KiB, mount point) from the fact's `df -Pk` digest, or None."""
    try:
        free, size, mount = (line or "").split(" ", 2)
        return int(free), int(size), mount
    except ValueError:
        return None


def _gb(kib: int) -> str:
    return f"{kib * 1024 / 1e9:.1f} GB"


PRUNE = ("`docker system prune` (stopped containers, unused networks, dangling images and build cache; `-a` "
         "also every image no container uses) and `docker builder prune -a` (all of the build cache)")
# WSL's virtual disk keeps the room its files once took: it shrinks only when compacted from Windows.
COMPACT = ("then, to give the room back to Windows, `wsl.exe --shutdown` and compact the distro's ext4.vhdx from "
           "an administrator's PowerShell (`Optimize-VHD -Path <ext4.vhdx> -Mode Full`, or diskpart's "
           "`compact vdisk`): it never shrinks by itself, and WSL 2.5 and later refuse sparse VHDs, which would, "
           "unless forced (`wsl --manage <distro> --set-sparse true --allow-unsafe`; microsoft/WSL#13075)")


@check("docker.disk", skip=[desktop_mode("Docker Desktop keeps its images in its own virtual disk")],
       gives={"docker.disk.low": WARN, "docker.disk.windows-low": WARN})
def check_disk(facts, settings) -> Finding:
    """The filesystem of Docker's root dir, and on WSL the Windows drive under it, have doctor_min_free_disk_gb free."""
    floor = settings.doctor_min_free_disk_gb
    root = facts.get("docker_root") or "/var/lib/docker"
    where = f"{root} (DockerRootDir)" if facts.get("docker_root") else f"{root} (Docker's default root dir)"
    disk = _free(facts.get("disk"))
    if not disk:
        return Finding(INFO, f"df gave no free space for {where}")
    free, size, mount = disk
    found = f"{where} is on {mount}, with {_gb(free)} free of {_gb(size)}"
    wsl = not off_wsl(facts)
    if free * 1024 < floor * 1e9:
        return Finding(WARN, f"{found}, less than doctor_min_free_disk_gb ({floor} GB): pulling a CUDA image "
                       "(5-20 GB) fails with \"no space left on device\"",
                       f"free room: {PRUNE}" + (f"; {COMPACT}" if wsl else ""), id="docker.disk.low")
    windows = _free(facts.get("win_disk")) if wsl else None
    if windows and windows[0] * 1024 < floor * 1e9:
        profile = facts.get("win_profile") or ""
        drive = f"{profile[:2]} ({windows[2]})" if profile[1:2] == ":" else windows[2]
        return Finding(WARN, f"{found}, but the Windows drive of your profile, {drive}, where WSL keeps the "
                       f"distros' virtual disks by default, has only {_gb(windows[0])} free, less than "
                       f"doctor_min_free_disk_gb ({floor} GB): the distro's disk grows there as images arrive",
                       f"free room on {drive} from Windows, and in the distro: {PRUNE}; {COMPACT}",
                       id="docker.disk.windows-low")
    if windows:
        found += f"; the Windows drive of your profile ({windows[2]}) has {_gb(windows[0])} free"
    return Finding(PASS, found)
