"""The docker group layer: the docker users are in it, and this shell already has it."""

from __future__ import annotations

from tasks.doctor.checks.common import clause, deploy_fix, desktop_mode
from tasks.doctor.registry import check
from tasks.findings import FAIL, INFO, PASS, WARN, Finding
from tasks.preflight import missing_users
from tasks.users import docker_users

LAYER = "docker group"


def _group(facts) -> tuple[str | None, list[str]]:
    """(gid, members) of the docker group; (None, []) when there is none."""
    fields = (facts.get("docker_group") or "").split(":")
    if len(fields) < 4:
        return None, []
    return fields[2], [m for m in fields[3].split(",") if m]


@check("group.members", skip=[desktop_mode("Docker Desktop's integration manages access to its engine")],
       gives={"group.members.no-such-user": FAIL, "group.members.outside": FAIL})
def check_group(facts, settings) -> Finding:
    """Every docker user exists and is in the docker group."""
    users = docker_users(settings, facts)
    missing = missing_users(users, facts.get("users", {}))
    if missing:
        return Finding(FAIL, "; ".join(clause(m) for m in missing), missing[0].fix, id=missing[0].id)
    if not users:
        return Finding(INFO,
                       "no docker users: docker_users is unset and the deploy runs as root")
    gid, members = _group(facts)
    outside = [u for u in users if u not in members]
    if gid is None or outside:
        found = "there is no docker group" if gid is None else \
            f"{', '.join(outside)} {'is' if len(outside) == 1 else 'are'} not in the docker group"
        return Finding(FAIL, found,
                       deploy_fix("adds them; then open a new shell"), by_deploy=True, id="group.members.outside")
    return Finding(PASS, f"{', '.join(users)} in the docker group")


@check("group.active", gives=[WARN])
def check_group_active(facts, settings) -> Finding:
    """The shell doctor runs in already has the docker group its user is in."""
    user = facts.get("user") or "unknown"
    if user == "root":
        return Finding(INFO, "doctor runs as root, which needs no docker group")
    gid, members = _group(facts)
    if gid is None or user not in members:
        return Finding(INFO, f"{user} is not in the docker group (see group.members)")
    if "shell_groups" not in facts:
        return Finding(INFO, f"cannot tell which groups {user}'s shell has")
    if gid in facts["shell_groups"].split():
        return Finding(PASS, f"{user}'s shell already has the docker group")
    return Finding(
        WARN,
        f"{user} is in the docker group, but this shell started before that: docker says "
        "\"permission denied while trying to connect to the Docker daemon socket\"",
        "open a new shell (or run `newgrp docker`); `wsl.exe --terminate <distro>` closes every old one",
    )
