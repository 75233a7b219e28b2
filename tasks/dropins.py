"""The systemd drop-ins the deploy owns for units of others: what each should hold, decided on the snapshot alone."""

from __future__ import annotations

from typing import NamedTuple

from tasks.managed import CLOCK_DROPINS, LOOPBACK_DROPIN, TIME_UNITS
from tasks.operations import sha256
from tasks.preflight import on_wsl

# The same [Unit] lines as the drop-ins of Ubuntu's wsl-setup (systemd/system/<unit>.d/wsl.conf): the unit's
# own ConditionVirtualization=!container cleared, then "not in a container, or in WSL".
CLOCK_TEXT = """\
# Written by wsl-gpu-docker: this time daemon may run under WSL, which systemd counts as a container,
# so that the clock catches up after the computer sleeps.
[Unit]
ConditionVirtualization=
ConditionVirtualization=|!container
ConditionVirtualization=|wsl
"""
# systemd's unit for the interface that WSL's mirrored networking adds; udev announces it as it appears.
LOOPBACK_DEVICE = "sys-subsystem-net-devices-loopback0.device"
# Wants= and After=, not BindsTo=: should loopback0 never appear, the engine starts once the device's job
# times out (DefaultDeviceTimeoutSec, 90 s) instead of never.
LOOPBACK_TEXT = f"""\
# Written by wsl-gpu-docker: with WSL's mirrored networking dockerd looks for loopback0 once, as it
# starts, and sets its rules for 127.0.0.1's published ports by it (moby/moby#53382).
[Unit]
Wants={LOOPBACK_DEVICE}
After={LOOPBACK_DEVICE}
"""
MIRRORED = "mirrored"
# What ConditionVirtualization= names that WSL is: its own id, a container, and any virtualization at all.
_WSL_IS = {"wsl", "container", "yes", "true", "on", "1"}


def runs_under_wsl(conditions: list[str]) -> bool:
    """Whether a unit with these ConditionVirtualization= values, in the order systemd reads them, starts
    under WSL: an empty value clears the ones before; every plain one must hold, and one of those
    starting with "|" (when there are any)."""
    values: list[str] = []
    for value in conditions:
        values = [] if not value.strip() else [*values, value.strip()]

    def holds(value: str) -> bool:
        name = value.lstrip("|")
        return (name.lstrip("!") in _WSL_IS) != name.startswith("!")

    plain = [v for v in values if not v.startswith("|")]
    either = [v for v in values if v.startswith("|")]
    return all(holds(v) for v in plain) and (not either or any(holds(v) for v in either))


class DropIn(NamedTuple):
    """A drop-in of the deploy's for unit: what it should hold (None: absent), and whether it is on disk as
    such and whether systemd has read it, as the snapshot shows."""

    unit: str
    path: str
    text: str | None
    right: bool
    loaded: bool

    @property
    def needs_reload(self) -> bool:
        """systemd must read the units anew: the file changes, or systemd reads another than it should."""
        return not self.right or self.loaded != (self.text is not None)


def _dropin(state: dict, unit: str, path: str, text: str | None) -> DropIn:
    loaded = path in state.get("units", {}).get(unit, {}).get("DropInPaths", [])
    return DropIn(unit, path, text, state.get("files", {}).get(path) == (sha256(text) if text else None), loaded)


def time_daemons(state: dict) -> list[str]:
    """The time daemons installed (their unit loads and is not masked), in TIME_UNITS' order."""
    units = state.get("units", {})
    return [u for u in TIME_UNITS if units.get(u, {}).get("LoadState") == "loaded"
            and not units[u].get("UnitFileState", "").startswith("masked")]


def distro_runs_under_wsl(state: dict, unit: str) -> bool:
    """Whether the unit's own files and drop-ins, the deploy's aside, let it start under WSL."""
    conditions = [value for path, value in state.get("units", {}).get(unit, {}).get("conditions", [])
                  if path != CLOCK_DROPINS.get(unit)]
    return runs_under_wsl(conditions)


def clock_dropins(facts: dict) -> list[DropIn]:
    """The time daemons' drop-ins: wanted on WSL for each daemon installed whose distro keeps it from starting
    there (Debian's, where Ubuntu's wsl-setup ships its own); absent anywhere else."""
    state = facts["stack"]
    wanted = set(time_daemons(state)) if on_wsl(facts) else set()
    return [_dropin(state, unit, path, CLOCK_TEXT if unit in wanted and not distro_runs_under_wsl(state, unit)
                    else None) for unit, path in CLOCK_DROPINS.items()]


def mirrored(facts: dict) -> bool:
    """WSL's networking mode is mirrored, as wslinfo said in the snapshot."""
    return on_wsl(facts) and facts.get("wslinfo_networking") == MIRRORED


def loopback_dropin(facts: dict) -> DropIn:
    """docker.service's order after loopback0: in mirrored mode only, absent otherwise."""
    return _dropin(facts["stack"], "docker.service", LOOPBACK_DROPIN, LOOPBACK_TEXT if mirrored(facts) else None)
