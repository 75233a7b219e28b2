"""What doctor's checks share: how they read the facts, the preflight's problems, and the skips."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from typing import Iterable

from tasks.daemon import parse_daemon_json
from tasks.doctor.registry import Skip
from tasks.findings import PASS, Finding
from tasks.preflight import on_wsl, preflight_problems

DEPLOY = "rerun the deploy (deploy.py)"
RESTART = "`sudo systemctl restart docker`"
NVML_BLOCKED = "GPU access blocked by the operating system"
WINDOWS_DRIVER_FIX = (
    "update the NVIDIA driver for Windows (with WSL support), run `wsl --update`, then `wsl --shutdown`"
)


def deploy_fix(what: str) -> str:
    return f"{DEPLOY}, which {what}"


def problem(facts: dict, settings, ids: str | Iterable[str]) -> Finding | None:
    """The preflight's finding of one of these ids (a FAIL), or None when it finds none of them."""
    ids = {ids} if isinstance(ids, str) else set(ids)
    return next((p for p in preflight_problems(facts, settings) if p.id in ids), None)


def clause(found: Finding) -> str:
    """A finding as doctor shows it: without the full stop that a quoted message may end with."""
    return found.found.rstrip(".")


def preflight_verdict(facts: dict, settings, ids: str | Iterable[str]) -> Finding | None:
    """The preflight's finding of one of these ids, as doctor shows it, or None when it finds none."""
    found = problem(facts, settings, ids)
    return replace(found, found=clause(found)) if found else None


def preflight_or_pass(facts: dict, settings, id: str, passing: str) -> Finding:
    """A check the preflight makes, under doctor's name: its finding of this id, or PASS saying passing."""
    return preflight_verdict(facts, settings, id) or Finding(PASS, passing)


def off_wsl(facts) -> bool:
    """A kernel that is not WSL's, which the preflight takes for a native host: WSL's own checks do not apply."""
    return not on_wsl(facts)


def desktop(settings) -> bool:
    return settings.docker_engine == "docker-desktop"


def packages(facts) -> dict:
    return dict(line.split(" ", 1) for line in facts.get("pkg", []) if " " in line)


def binaries(facts) -> dict:
    return dict(line.split(" ", 1) for line in facts.get("bin", []) if " " in line)


def daemon_config(facts) -> dict | None:
    return parse_daemon_json(facts.get("daemon_json")) if facts.get("daemon_json_exists") else {}


def engines(facts) -> list[tuple[int, int, int]]:
    """(pid, uid, started at) of each running dockerd."""
    found = []
    for line in facts.get("dockerd", []):
        try:
            pid, uid, started = (int(x) for x in line.split())
        except ValueError:
            continue
        found.append((pid, uid, started))
    return found


def when(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


# The skips that open many checks; each check may say them in its own words: desktop_mode("...").
not_on_wsl = Skip(lambda facts, settings: off_wsl(facts),
                  lambda facts: f"kernel {facts.get('osrelease') or 'unknown'} is not WSL's: does not apply")
desktop_mode = Skip(lambda facts, settings: desktop(settings), "Docker Desktop runs the engine")
no_toolkit = Skip(lambda facts, settings: desktop(settings) or "nvidia-container-toolkit" not in packages(facts),
                  "no toolkit in this distro (see toolkit.installed)")
