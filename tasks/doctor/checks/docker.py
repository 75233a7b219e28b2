"""The Docker Engine layer: Docker Desktop's integration, the engine running, a restart left waiting, iptables,
daemon.json's hosts."""

from __future__ import annotations

import re
import shlex

from tasks.daemon import DAEMON_JSON
from tasks.doctor.checks.common import (
    RESTART,
    binaries,
    daemon_config,
    deploy_fix,
    desktop_mode,
    engines,
    packages,
    preflight_verdict,
)
from tasks.doctor.registry import FAIL, INFO, PASS, WARN, Verdict, check
from tasks.facts import restart_marker
from tasks.preflight import desktop_cli

LAYER = "Docker Engine"


@check("docker.desktop", gives=[FAIL, WARN])
def check_desktop(facts, settings) -> Verdict:
    """Docker Desktop's WSL integration agrees with docker_engine, and only one engine serves `docker`."""
    problem = preflight_verdict(facts, settings, "Docker Desktop")
    if problem:
        return problem
    desktop = desktop_cli(facts.get("docker_cli", []))
    if desktop and "docker-ce" in packages(facts):
        return Verdict(WARN,
                       f"Docker Desktop's integration provides docker ({desktop}) and Docker Engine is "
                       "installed in this distro too: two engines, and `docker` talks to Desktop's",
                       "`sudo apt-get purge docker-ce docker-ce-cli` or turn the integration off "
                       "(Docker Desktop > Settings > Resources > WSL integration)")
    if desktop:
        return Verdict(PASS, f"Docker Desktop's integration provides docker ({desktop})")
    return Verdict(PASS, "no Docker Desktop integration in this distro")


@check("docker.engine", skip=[desktop_mode("docker_engine is docker-desktop: Desktop runs the engine")],
       gives=[FAIL])
def check_engine(facts, settings) -> Verdict:
    """Docker Engine is installed and running as root."""
    installed, found = packages(facts), binaries(facts)
    version = installed.get("docker-ce") or installed.get("docker.io")
    if not version and "dockerd" not in found:
        return Verdict(FAIL, "Docker Engine is not installed",
                       deploy_fix("installs it"), by_deploy=True)
    what = f"Docker Engine {version}" if version else f"dockerd ({found['dockerd']})"
    rootful = [pid for pid, uid, _ in engines(facts) if uid == 0]
    if rootful:
        return Verdict(PASS, f"{what} is running (pid {rootful[0]})")
    if facts.get("pid1") != "systemd":
        return Verdict(FAIL, f"{what} is installed but not running, and systemd is not PID 1",
                       "make systemd PID 1 first (see systemd.pid1), then rerun the deploy")
    return Verdict(FAIL,
                   f"{what} is installed but not running "
                   f"(docker.service is {facts.get('engine_unit') or 'unknown'})",
                   deploy_fix("enables and starts docker.service; if it fails to start, "
                              "`journalctl -u docker.service` says why"),
                   by_deploy=True)


@check("docker.restart-pending", skip=[desktop_mode("Docker Desktop restarts its own engine")], gives=[WARN])
def check_restart_pending(facts, settings) -> Verdict:
    """No engine restart the deploy left waiting for running containers (engine_restart "when-idle")."""
    pending = restart_marker(facts.get("restart_pending", []))
    if not pending:
        return Verdict(PASS, "no engine restart is pending")
    return Verdict(WARN,
                   f"an engine restart is pending since {pending['since'] or 'an earlier run'}, for: "
                   f"{'; '.join(pending['why']) or 'a change the engine loads when it starts'}: it waits so as not to "
                   "stop running containers, and the engine runs without that change until then",
                   "stop the containers (`docker ps`, `docker stop ...`) and rerun the deploy (deploy.py), which "
                   'restarts the engine once; or rerun it with engine_restart = "now", which stops them')


@check("docker.iptables", skip=[desktop_mode("Docker Desktop's engine brings its own firewall")], gives=[FAIL])
def check_iptables(facts, settings) -> Verdict:
    """The selected iptables works in this kernel, so dockerd can set up its networks."""
    tried = {b: facts[f"iptables_{b}.rc"] == "0" for b in ("nft", "legacy") if f"iptables_{b}.rc" in facts}
    said = "; ".join(f"iptables-{b}: {'works' if ok else facts.get(f'iptables_{b}', '').strip()}"
                     for b, ok in tried.items())
    config = daemon_config(facts) or {}
    if config.get("iptables") is False:
        return Verdict(INFO, "daemon.json sets \"iptables\": false: dockerd uses none")
    if not tried:
        return Verdict(INFO, "iptables is not installed (Docker Engine brings it)")
    if all("you must be root" in facts.get(f"iptables_{b}", "") for b in tried) and facts.get("euid") != "0":
        return Verdict(INFO, "testing iptables needs root: run doctor with --sudo")
    path = facts.get("iptables", "")
    selected = "nft" if "nft" in path else "legacy" if "legacy" in path else None
    working = [b for b, ok in tried.items() if ok]
    if selected in working:
        return Verdict(PASS, f"the selected iptables-{selected} works ({said})")
    if working:
        other = working[0]
        return Verdict(
            FAIL,
            f"the selected iptables ({path or 'none'}) fails, iptables-{other} works: dockerd cannot "
            f"set up its networks ({said})",
            f"`sudo update-alternatives --set iptables /usr/sbin/iptables-{other}` and "
            f"`sudo update-alternatives --set ip6tables /usr/sbin/ip6tables-{other}`, then {RESTART}",
        )
    return Verdict(FAIL, f"no iptables backend works in this kernel ({said})",
                   "run `wsl --update` for a WSL kernel with netfilter, then `wsl --shutdown`; or set "
                   "\"iptables\": false in docker_daemon_options (containers then get no NAT)")


def _argv(exec_start: str) -> list[str]:
    """dockerd's argv from `systemctl show -p ExecStart`: { path=... ; argv[]=... ; ... }."""
    match = re.search(r"argv\[\]=([^;]*)", exec_start)
    return shlex.split(match.group(1)) if match else []


@check("docker.hosts", skip=[desktop_mode("Docker Desktop's engine is configured in Docker Desktop")],
       gives=[FAIL])
def check_hosts(facts, settings) -> Verdict:
    """daemon.json's hosts and docker.service's -H flag do not both set where dockerd listens."""
    hosts = (daemon_config(facts) or {}).get("hosts")
    if not hosts:
        return Verdict(PASS, f"{DAEMON_JSON} sets no hosts")
    argv = _argv(facts.get("exec_start", ""))
    flags = [f"{a} {argv[i + 1]}" if a in ("-H", "--host") and i + 1 < len(argv) else a
             for i, a in enumerate(argv) if a.startswith(("-H", "--host"))]
    if not flags:
        return Verdict(PASS, f"{DAEMON_JSON} sets hosts {hosts}; docker.service passes no -H")
    return Verdict(
        FAIL,
        f"{DAEMON_JSON} sets hosts {hosts} and docker.service starts dockerd with {' '.join(flags)}: "
        "dockerd refuses to start (\"the following directives are specified both as a flag and in the "
        "configuration file: hosts\")",
        "drop hosts from daemon.json (docker_daemon_options), or clear the flag: `sudo systemctl edit "
        "docker.service` with `[Service]`, `ExecStart=` and `ExecStart=/usr/bin/dockerd`, then "
        f"{RESTART}",
    )
