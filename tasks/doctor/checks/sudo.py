"""The sudo layer: pyinfra can drive the deploying user's sudo."""

from __future__ import annotations

from tasks.doctor.registry import check
from tasks.findings import FAIL, INFO, PASS, WARN, Finding

LAYER = "sudo"


@check("sudo.askpass", gives={"sudo.askpass.missing": FAIL, "sudo.askpass.no-sudo": FAIL,
                              "sudo.askpass.remembered": WARN})
def check_sudo(facts, settings) -> Finding:
    """What files/sudo-check.sh, which owns the rule, finds of the deploying user's sudo."""
    verdict, path, version = (facts.get(f"sudo.{key}", "") for key in ("verdict", "path", "version"))
    fixes = "; or ".join(facts.get("sudo.fix", []))
    sudo_user = facts.get("sudo_user") if facts.get("euid") == "0" else ""
    user = sudo_user or facts.get("user") or "the user"
    no_askpass = (f"as {user}, the sudo on PATH ({path}) is {version}, which has no -A (askpass; sudo-rs "
                  f"has it since {facts.get('sudo.since')}), the only way pyinfra can pass it a password")
    if sudo_user and sudo_user != "root":
        # Coming through --sudo proves pyinfra drives this sudo, unless the check finds one it cannot
        # give a password to: then a password sudo remembered let it in, or doctor was run with sudo.
        if verdict == "no-askpass":
            return Finding(WARN,
                           f"doctor came through sudo, but {no_askpass}: a password sudo still remembered let "
                           "doctor in, or doctor was started with sudo; the deploy fails once sudo asks for one",
                           fixes, id="sudo.askpass.remembered")
        named = ", ".join(x for x in (path, version) if x)
        named = f" ({named})" if named else ""
        return Finding(PASS, f"doctor came through {user}'s sudo{named}, so pyinfra drives it")
    if verdict == "root":
        return Finding(PASS, "doctor runs as root, so pyinfra needs no sudo")
    if verdict == "passwordless":
        return Finding(PASS,
                       f"{user}'s sudo ({path}) needs no password, so pyinfra never needs -A")
    if verdict == "askpass":
        return Finding(PASS,
                       f"{user}'s sudo ({path}) is {version}, which has -A (askpass) for pyinfra's password")
    if verdict == "no-askpass":
        return Finding(FAIL, no_askpass, fixes, id="sudo.askpass.missing")
    if verdict == "no-sudo":
        return Finding(FAIL, f"no sudo on {user}'s PATH, so pyinfra's --sudo cannot run",
                       fixes, id="sudo.askpass.no-sudo")
    if verdict == "unnamed":
        return Finding(INFO, f"cannot tell: {path} answers `sudo --version` with "
                       f"{version or 'nothing'!r}, which names neither sudo.ws nor sudo-rs")
    return Finding(INFO, "cannot tell: files/sudo-check.sh gave no verdict")
