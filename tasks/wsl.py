"""systemd for the distro: `[boot] systemd=true` in /etc/wsl.conf, keeping all else in the file."""

from __future__ import annotations

import re

from pyinfra.api import deploy

from tasks.facts import WSL_CONF
from tasks.operations import checks_pass, file_content, steps_left

_SECTION = re.compile(r"^\s*\[([^\]]*)\]")
_SYSTEMD_KEY = re.compile(r"^\s*systemd\s*=")


def merge_wsl_conf(text: str) -> str:
    """text with `systemd=true` under [boot]; other sections, keys and comments untouched."""
    lines = text.splitlines()
    section = None
    boot_end = None
    for i, line in enumerate(lines):
        match = _SECTION.match(line)
        if match:
            section = match.group(1).strip().lower()
            if section == "boot":
                boot_end = i + 1
            continue
        if section == "boot":
            if _SYSTEMD_KEY.match(line):
                lines[i] = "systemd=true"
                return "\n".join(lines) + "\n"
            if line.strip():
                boot_end = i + 1
    if boot_end is None:
        lines += ([""] if lines and lines[-1].strip() else []) + ["[boot]", "systemd=true"]
    else:
        lines.insert(boot_end, "systemd=true")
    return "\n".join(lines) + "\n"


@deploy("systemd")
def ensure_systemd(settings, facts) -> bool:
    """True when systemd is PID 1 and the deploy can go on; otherwise says the next step."""
    if settings.wsl_systemd:
        # The preflight's facts already hold the file's lines: no second read.
        current = facts["wsl_conf"]
        text = "\n".join(current) + "\n" if current else ""
        if merge_wsl_conf(text) != text:
            file_content(name=f"{WSL_CONF} enables systemd", dest=WSL_CONF, text=merge_wsl_conf(text))
    if facts.get("pid1") == "systemd":
        return True
    if settings.wsl_systemd:
        next_step = (
            f"systemd is set in {WSL_CONF} but is not running yet (PID 1 is "
            f"{facts.get('pid1') or 'unknown'}). Next step: run `wsl.exe --shutdown` from "
            "Windows, open the distro again, then rerun this deploy"
        )
        steps_left(name="Steps left to you", steps=[(next_step, None)])
    else:
        checks_pass(
            name="systemd is PID 1",
            problems=[
                f"systemd: PID 1 is {facts.get('pid1') or 'unknown'} and wsl_systemd is off, "
                "so the engine cannot run as a service. Fix: set wsl_systemd = True, or add "
                f"`[boot] systemd=true` to {WSL_CONF} yourself, then `wsl.exe --shutdown`"
            ],
        )
    return False
