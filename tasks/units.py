"""Drop-ins for others' systemd units: the time daemons under WSL, and the engine after loopback0 in mirrored mode."""

from __future__ import annotations

from pyinfra import host, logger
from pyinfra.api import deploy, operation

from tasks.apt import absent_with_backup
from tasks.dockerinfo import containers_running, running_names
from tasks.dropins import DropIn, clock_dropins, loopback_dropin
from tasks.managed import TIME_UNITS
from tasks.operations import file_content
from tasks.shell import shell_script

# The unit file states of a unit that systemd starts at boot by itself.
_STARTED_AT_BOOT = ("enabled", "enabled-runtime", "static")


@operation(is_idempotent=False)
def units_reloaded(policy: str, start: list[str]):
    """
    systemd reads its units anew and starts the units in start; never while containers run unless policy is
    "now": a daemon-reload takes running containers' GPUs away (NVIDIA/nvidia-docker#1730), as the engine's
    restart (files/engine-apply.sh) knows too.
    """
    yield shell_script("units-reload.sh", POLICY=policy, START=" ".join(start))


def _name(dropin: DropIn) -> str:
    if dropin.text is None:
        return f"{dropin.path} is absent"
    if dropin.unit in TIME_UNITS:
        return f"{dropin.unit} may run under WSL, so that the clock catches up after a sleep"
    return "docker.service starts after loopback0 (WSL's mirrored networking)"


@deploy("systemd drop-ins")
def configure_dropins(settings, facts) -> None:
    """
    Writes or removes each drop-in where the snapshot shows it wrong, then has systemd read them, once no
    container runs, and starts a time daemon that could not start before. The engine is not restarted for
    its order: systemd follows it from the next boot.
    """
    dropins = [*clock_dropins(facts), loopback_dropin(facts)]
    for dropin in dropins:
        if dropin.right:
            continue
        if dropin.text is None:
            absent_with_backup(name=_name(dropin), path=dropin.path)
        else:
            file_content(name=_name(dropin), dest=dropin.path, text=dropin.text,
                         present=dropin.path in facts["stack"]["files"])
    due = [d for d in dropins if d.needs_reload]
    if not due:
        return
    units = facts["stack"]["units"]
    start = [d.unit for d in due if d.text is not None and d.unit in TIME_UNITS
             and units.get(d.unit, {}).get("UnitFileState") in _STARTED_AT_BOOT]
    read = facts["runtimes"]
    if containers_running(read) and settings.engine_restart != "now":
        # What waits still waits: no operation, so that this rerun changes nothing.
        held = ", ".join(running_names(read["output"])) or "running containers"
        host.log_styled(f"systemd reads the drop-ins of {', '.join(d.unit for d in due)} once no container runs "
                        f"(a daemon-reload takes running containers' GPUs away): {held} run now. The next run "
                        'with none running does it, or one with engine_restart = "now"', fg="yellow",
                        log_func=logger.warning)
        return
    units_reloaded(name="systemd reads the deploy's drop-ins" + (f" and starts {', '.join(start)}" if start else ""),
                   policy=settings.engine_restart, start=start)
