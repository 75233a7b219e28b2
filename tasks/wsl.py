"""systemd for the distro: `[boot] systemd=true` in /etc/wsl.conf, keeping all else in the file."""

from __future__ import annotations

from pyinfra.api import deploy

from tasks.findings import FAIL, Finding, failure
from tasks.managed import WSL_CONF
from tasks.operations import checks_pass, file_content, steps_left
from tasks.wslconf import invalid_booleans, merge_systemd

# The finding that stops a run whose distro runs without systemd while wsl_systemd keeps the deploy out.
SYSTEMD_OFF = "systemd.pid1.wsl-systemd-off"
IDS = {SYSTEMD_OFF: FAIL}


def systemd_off(facts) -> Finding:
    """Why the run stops when systemd is not PID 1 and wsl_systemd keeps the deploy from asking WSL for it."""
    ignored = invalid_booleans(facts["wsl_conf"]).get("boot.systemd")
    why = (f" ({WSL_CONF} sets systemd={ignored}, which WSL ignores: its booleans are true, "
           "false, 1 and 0)" if ignored is not None else "")
    return failure(SYSTEMD_OFF, f"PID 1 is {facts.get('pid1') or 'unknown'} and wsl_systemd is off{why}, so the "
                   "engine cannot run as a service", f"set wsl_systemd = True, or set `[boot] systemd=true` in "
                   f"{WSL_CONF} yourself, then `wsl.exe --shutdown`", "systemd")


@deploy("systemd")
def ensure_systemd(settings, facts) -> bool:
    """True when systemd is PID 1 and the deploy can go on; otherwise says the next step."""
    if settings.wsl_systemd:
        # The preflight's facts already hold the file's lines: no second read.
        current = facts["wsl_conf"]
        text = "\n".join(current) + "\n" if current else ""
        merged = merge_systemd(text)
        if merged != text:
            file_content(name=f"{WSL_CONF} enables systemd", dest=WSL_CONF, text=merged,
                         present=bool(facts.get("wsl_conf_exists")))
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
        checks_pass(name="systemd is PID 1", problems=[systemd_off(facts)])
    return False
