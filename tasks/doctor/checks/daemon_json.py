"""The daemon.json layer: valid, registers the nvidia runtime, and the engine has loaded it."""

from __future__ import annotations

import json
import re

from defaults import DEFAULTS
from tasks import dockerinfo
from tasks.daemon import DOCKER_SHM_DEFAULT, UNLIMITED, ram_in_bytes
from tasks.doctor.checks.common import RESTART, daemon_config, deploy_fix, desktop, desktop_mode, engines, when
from tasks.doctor.checks.docker import check_engine
from tasks.doctor.registry import check
from tasks.findings import FAIL, INFO, PASS, WARN, Finding
from tasks.managed import DAEMON_JSON

LAYER = "daemon.json"
# What the engine gives a bridge's containers without an mtu in daemon.json.
DOCKER_MTU = 1500


@check("daemon-json.valid", skip=[desktop_mode("Docker Desktop keeps its engine's configuration")],
       gives=[FAIL])
def check_daemon_json(facts, settings) -> Finding:
    """/etc/docker/daemon.json, when there is one, is a JSON object."""
    if not facts.get("daemon_json_exists"):
        return Finding(INFO, f"{DAEMON_JSON} is absent (see daemon-json.runtime)")
    if daemon_config(facts) is None:
        try:
            json.loads("\n".join(facts.get("daemon_json", [])))
            why = "it is JSON but not an object"
        except ValueError as e:
            why = str(e)
        return Finding(FAIL,
                       f"{DAEMON_JSON} is not a JSON object: {why}; dockerd will not start",
                       deploy_fix("keeps it as a backup beside it and rewrites it"), by_deploy=True)
    return Finding(PASS, f"{DAEMON_JSON} is a JSON object")


def _registered(facts) -> bool:
    runtimes = (daemon_config(facts) or {}).get("runtimes")
    return isinstance(runtimes, dict) and "nvidia" in runtimes


@check("daemon-json.runtime", skip=[desktop_mode("Docker Desktop registers its own runtimes")],
       gives=[FAIL])
def check_runtime_registered(facts, settings) -> Finding:
    """daemon.json registers the nvidia runtime."""
    if _registered(facts):
        entry = daemon_config(facts)["runtimes"]["nvidia"]
        return Finding(PASS, f"registers the nvidia runtime: {json.dumps(entry)}")
    return Finding(FAIL, f"{DAEMON_JSON} registers no nvidia runtime",
                   deploy_fix("adds it as `nvidia-ctk runtime configure --runtime=docker` does, and "
                              "restarts the engine"), by_deploy=True)


@check("daemon-json.loaded", gives={
    "daemon-json.loaded.engine-stopped": FAIL, "daemon-json.loaded.permission": WARN,
    "daemon-json.loaded.no-answer": FAIL, "daemon-json.loaded.no-runtimes": FAIL, "daemon-json.loaded.desktop": FAIL,
    "daemon-json.loaded.unregistered": FAIL, "daemon-json.loaded.not-restarted": FAIL,
    "daemon-json.loaded.other-engine": FAIL})
def check_runtime_loaded(facts, settings) -> Finding:
    """The engine `docker` talks to lists the nvidia runtime; if not, why not."""
    if facts.get("docker_info_skipped"):
        engine = check_engine(facts, settings)
        return Finding(FAIL,
                       "docker.service is stopped: not asked, since docker.socket would start it",
                       engine.fix or "start the engine (see docker.engine)", by_deploy=engine.by_deploy,
                       id="daemon-json.loaded.engine-stopped")
    if "docker_info.rc" not in facts:
        return Finding(INFO, "no docker CLI to ask the engine (see docker.engine)")
    output = " ".join(facts.get("docker_info", []))
    if facts["docker_info.rc"] != "0":
        if "permission denied" in output:
            return Finding(WARN, f"cannot ask the engine: {output[-300:]}",
                           "run doctor with --sudo, and see group.active", id="daemon-json.loaded.permission")
        engine = check_engine(facts, settings)
        return Finding(FAIL, f"the engine does not answer: {output[-300:]}",
                       engine.fix or "start the engine (see docker.engine)", by_deploy=engine.by_deploy,
                       id="daemon-json.loaded.no-answer")
    listed = dockerinfo.runtimes(facts.get("docker_info", []))
    if listed is None:
        return Finding(FAIL, f"docker info gave no runtimes: {output[-300:]}",
                       "check that `docker` talks to this distro's engine", id="daemon-json.loaded.no-runtimes")
    runtimes = sorted(listed)
    if "nvidia" in runtimes:
        return Finding(PASS, f"docker info lists runtimes {runtimes}")
    found = f"docker info lists runtimes {runtimes}, not nvidia"
    if desktop(settings):
        return Finding(FAIL, found,
                       "update Docker Desktop and use its WSL 2 based engine, which brings GPU support",
                       id="daemon-json.loaded.desktop")
    if not _registered(facts):
        return Finding(FAIL, f"{found}: daemon.json registers none",
                       deploy_fix("registers it and restarts the engine"), by_deploy=True,
                       id="daemon-json.loaded.unregistered")
    started = [s for _, uid, s in engines(facts) if uid == 0]
    changed = int(facts.get("daemon_json_changed_at") or 0)
    if started and changed > started[0]:
        toolkit = int(facts.get("toolkit_installed_at") or 0)
        also = f"; the toolkit was installed at {when(toolkit)}" if toolkit > started[0] else ""
        return Finding(FAIL,
                       f"{found}: the engine started at {when(started[0])}, before daemon.json last changed "
                       f"at {when(changed)}{also}: it was not restarted",
                       RESTART, id="daemon-json.loaded.not-restarted")
    # The context's endpoint is the line that is a URL: the CLI may print warnings beside it.
    urls = [line for line in facts.get("context_host", []) if re.fullmatch(r"[a-z]+://\S+", line)]
    endpoint = facts.get("docker_host") or (urls[-1] if urls else "unknown")
    return Finding(FAIL,
                   f"{found}, although daemon.json registers it and the engine started after it changed: "
                   f"`docker` talks to another engine ({endpoint})",
                   "point `docker` at this distro's engine: unset DOCKER_HOST, `docker context use default`; "
                   "with Docker Desktop's integration on, `docker` is Desktop's (see docker.desktop)",
                   id="daemon-json.loaded.other-engine")


def _ulimit_text(limit) -> str:
    if not isinstance(limit, dict):
        return repr(limit)
    soft, hard = (("unlimited" if n == UNLIMITED else str(n)) for n in (limit.get("Soft"), limit.get("Hard")))
    return soft if soft == hard else f"{soft}:{hard}"


@check("daemon-json.shm", skip=[desktop_mode("Docker Desktop keeps its engine's configuration: set "
                                             "default-shm-size in its Settings > Docker Engine")], gives=[WARN])
def check_shm(facts, settings) -> Finding:
    """Containers get more /dev/shm than Docker's 64 MiB, which PyTorch's DataLoader workers outgrow; with the
    default ulimits daemon.json gives them."""
    config = daemon_config(facts)
    if config is None:
        return Finding(INFO, f"{DAEMON_JSON} is not a JSON object (see daemon-json.valid)")
    ulimits = config.get("default-ulimits")
    limits = (", ".join(f"{name} {_ulimit_text(limit)}" for name, limit in sorted(ulimits.items()))
              if isinstance(ulimits, dict) and ulimits else "dockerd's own (no default-ulimits)")
    value = config.get("default-shm-size")
    size = DOCKER_SHM_DEFAULT if value is None else ram_in_bytes(value)
    said = "Docker's default, no default-shm-size" if value is None else f"default-shm-size {value!r}"
    shm = DEFAULTS["docker_default_shm_size"]
    fix = (f'set docker_default_shm_size = "{shm}" (what NVIDIA\'s NGC containers ask for) and rerun the deploy, '
           f"which the engine reloads with no restart; for one container, `docker run --shm-size={shm.lower()}` or"
           " `--ipc=host`")
    if size is None:
        return Finding(WARN, f"{said} is not a size dockerd reads", fix)
    found = f"containers get a /dev/shm of {size / (1 << 20):g} MiB ({said}); default ulimits: {limits}"
    if size <= DOCKER_SHM_DEFAULT:
        return Finding(WARN, f"{found}: PyTorch's DataLoader workers die with \"Bus error\" "
                             "(exit code 135) or \"unable to write to file </torch_...>\"", fix)
    return Finding(PASS, found)


def _number(text) -> int | None:
    return int(text) if isinstance(text, str) and text.isdigit() else None


@check("daemon-json.mtu", skip=[desktop_mode("Docker Desktop sets its own network's MTU")], gives=[WARN])
def check_mtu(facts, settings) -> Finding:
    """Containers' MTU is no larger than that of the distro's default route, which a VPN may take below 1500."""
    dev, route = facts.get("route_dev"), _number(facts.get("route_mtu"))
    if not dev or route is None:
        return Finding(INFO, "no default route: no MTU to compare the engine's with")
    config = daemon_config(facts) or {}
    if config.get("bridge") == "none":
        return Finding(INFO, f"{dev} has MTU {route}; the engine has no default bridge (daemon.json's bridge: none)")
    configured = config.get("mtu")
    bridge = _number(facts.get("docker0_mtu"))
    if isinstance(configured, int) and not isinstance(configured, bool):
        engine, said = configured, "daemon.json's mtu"
    else:
        engine, said = DOCKER_MTU, "Docker's default, no mtu in daemon.json"
    seen = f", docker0's is {bridge}" if bridge is not None else ""
    found = f"{dev}, the default route's interface, has MTU {route}; containers get {engine} ({said}){seen}"
    if route < DOCKER_MTU and engine > route:
        return Finding(WARN, f"{found}: containers' TLS handshakes through it can stall (`pip install`, "
                             "`git clone`, `curl https://...` in them hang), moby#13475",
                       f"set docker_mtu = {route} and rerun the deploy, which restarts the engine once no container "
                       f"runs; networks made before keep theirs: recreate them with "
                       f"`-o com.docker.network.driver.mtu={route}`")
    return Finding(PASS, found)
