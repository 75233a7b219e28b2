"""The systemd layer: systemd is PID 1, and /etc/wsl.conf asks WSL for it."""

from __future__ import annotations

from tasks.doctor.checks.common import deploy_fix, not_on_wsl, preflight_verdict
from tasks.doctor.registry import check
from tasks.findings import FAIL, PASS, WARN, Finding
from tasks.managed import WSL_CONF
from tasks.wslconf import boolean, read, systemd_enabled

LAYER = "systemd"


@check("systemd.pid1", gives={"systemd.pid1.native": FAIL, "systemd.pid1.wsl-conf": FAIL,
                               "systemd.pid1.wsl-restart": FAIL})
def check_pid1(facts, settings) -> Finding:
    """systemd is PID 1, so the engine can run as a service."""
    pid1 = facts.get("pid1") or "unknown"
    if pid1 == "systemd":
        return Finding(PASS, "systemd is PID 1")
    native = preflight_verdict(facts, settings, "systemd.pid1.native")
    if native:
        return native
    first = "" if systemd_enabled(facts.get("wsl_conf", [])) else \
        deploy_fix(f"sets `[boot] systemd=true` in {WSL_CONF}; then ")
    return Finding(FAIL, f"PID 1 is {pid1}, not systemd: the engine cannot run as a service",
                   f"{first}run `wsl.exe --shutdown` from Windows and open the distro again",
                   id=f"systemd.pid1.wsl-{'conf' if first else 'restart'}")


# Each way /etc/wsl.conf misses systemd: unset or a value WSL ignores; while systemd runs or not; the
# deploy's to fix, or yours with wsl_systemd off.
WSL_CONF_IDS = {f"systemd.wsl-conf.{what}{running}{whose}": WARN if running else FAIL
                for what in ("unset", "ignored") for running in ("", "-running") for whose in ("", "-by-hand")}


@check("systemd.wsl-conf", skip=[not_on_wsl], gives=WSL_CONF_IDS)
def check_wsl_conf(facts, settings) -> Finding:
    """/etc/wsl.conf sets [boot] systemd=true, which WSL reads as it starts the distro."""
    lines = facts.get("wsl_conf", [])
    if systemd_enabled(lines):
        return Finding(PASS, f"{WSL_CONF} sets [boot] systemd=true")
    entry = read(lines).get("boot.systemd")
    if entry and boolean(entry.value) is None:
        found = (f"{WSL_CONF} sets [boot] systemd={entry.value}, which WSL ignores (it reads only true, "
                 "false, 1 and 0), so it leaves systemd off")
        what = "ignored"
        deploy, by_hand = "rewrites that line to systemd=true in place", \
            f"change that line to `systemd=true` in {WSL_CONF}"
    else:
        where = WSL_CONF if facts.get("wsl_conf_exists") else f"{WSL_CONF} is missing, so it"
        found = f"{where} does not set [boot] systemd=true"
        what = "unset"
        deploy, by_hand = "sets it, keeping the rest of the file", \
            f"add `[boot]` and `systemd=true` to {WSL_CONF}"
    status = WARN if facts.get("pid1") == "systemd" else FAIL
    if status == WARN:
        found += " (systemd runs now, but nothing in the distro asks for it)"
    id = f"systemd.wsl-conf.{what}{'-running' if status == WARN else ''}"
    if settings.wsl_systemd:
        return Finding(status, found, deploy_fix(deploy), by_deploy=True, id=id)
    return Finding(status, found,
                   f"{by_hand} (wsl_systemd is off, so the deploy leaves the file alone), then "
                   "`wsl.exe --shutdown`", id=f"{id}-by-hand")
