"""/etc/wsl.conf read by WSL's own rules, and `[boot] systemd=true` merged into it in place."""

from __future__ import annotations

import re
from dataclasses import dataclass

# WSL's parser (microsoft/WSL src/shared/configfile): names start with a letter and go on with
# letters and digits, matched without regard to case; '#' starts a comment outside quotes.
_SECTION = re.compile(r"^[ \t]*\[([A-Za-z][A-Za-z0-9]*)\][ \t]*(#.*)?$")
_KEY = re.compile(r"^[ \t]*([A-Za-z][A-Za-z0-9]*)[ \t]*=(.*)$")
TRUE, FALSE = ("true", "1"), ("false", "0")
# The keys WSL reads as booleans (Microsoft's wsl.conf reference; WslDistributionConfig.h in microsoft/WSL).
BOOLEAN_KEYS = (
    "automount.enabled", "automount.mountfstab", "automount.ldconfig", "network.generatehosts",
    "network.generateresolvconf", "interop.enabled", "interop.appendwindowspath",
    "boot.systemd", "boot.protectbinfmt", "gpu.enabled", "gpu.appendlibpath", "time.usewindowstimezone",
)
# What WSL's init takes for the GPU's keys when the file leaves them out or gives a value it ignores
# (WslDistributionConfig.h): GpuEnabled, AppendGpuLibPath and LinkOsLibs are all true.
GPU_DEFAULTS = {"gpu.enabled": True, "gpu.appendlibpath": True, "automount.ldconfig": True}


@dataclass(frozen=True)
class Entry:
    """A key as WSL takes it: its value, and the index of the line it stands on."""

    value: str
    line: int


def _value(raw: str) -> str:
    """The value after '=': in quotes, what they hold; else up to a comment, blanks trimmed."""
    raw = raw.strip(" \t")
    if raw.startswith('"'):
        end = raw.find('"', 1)
        return raw[1:end] if end > 0 else raw[1:]
    return raw.split("#", 1)[0].rstrip(" \t")


def read(lines: list[str]) -> dict[str, Entry]:
    """{"section.key" in lower case: Entry}: the first occurrence of each key, which WSL uses."""
    entries: dict[str, Entry] = {}
    section = ""
    for i, line in enumerate(lines):
        match = _SECTION.match(line)
        if match:
            section = match.group(1).lower()
            continue
        match = _KEY.match(line)
        if match:
            name = f"{section}.{match.group(1).lower()}" if section else match.group(1).lower()
            entries.setdefault(name, Entry(_value(match.group(2)), i))
    return entries


def boolean(value: str) -> bool | None:
    """WSL's reading of a boolean value: True, False, or None for one it ignores with a warning."""
    lowered = value.lower()
    return True if lowered in TRUE else False if lowered in FALSE else None


def flag(lines: list[str], key: str, default: bool) -> bool:
    """A boolean key as WSL takes it: its value when WSL reads it as one, else the default."""
    entry = read(lines).get(key)
    value = boolean(entry.value) if entry else None
    return default if value is None else value


def invalid_booleans(lines: list[str]) -> dict[str, str]:
    """{key: value} of boolean keys whose value WSL does not accept, so it keeps their default."""
    entries = read(lines)
    return {k: entries[k].value for k in BOOLEAN_KEYS if k in entries and boolean(entries[k].value) is None}


def cgroup_version(lines: list[str]) -> str:
    """"v1" or "v2": the cgroups WSL mounts, v2 unless [automount] cgroups names v1 (in any case)."""
    entry = read(lines).get("automount.cgroups")
    return "v1" if entry and entry.value.lower() == "v1" else "v2"


def systemd_enabled(lines: list[str]) -> bool:
    """True when WSL starts systemd: the first `systemd` key of [boot] reads as true."""
    entry = read(lines).get("boot.systemd")
    return bool(entry and boolean(entry.value))


def merge_systemd(text: str) -> str:
    """text with [boot] systemd=true: the key WSL reads is set in place, all else kept."""
    lines = text.splitlines()
    entry = read(lines).get("boot.systemd")
    if entry:
        if boolean(entry.value):
            return text
        lines[entry.line] = "systemd=true"
        return "\n".join(lines) + "\n"
    # The key goes after the last line of the first [boot] section, or in a new one at the end.
    boot_end, in_boot = None, False
    for i, line in enumerate(lines):
        match = _SECTION.match(line)
        if match:
            if in_boot:
                break
            in_boot = match.group(1).lower() == "boot"
            boot_end = i + 1 if in_boot else None
        elif in_boot and line.strip():
            boot_end = i + 1
    if boot_end is None:
        lines += ([""] if lines and lines[-1].strip() else []) + ["[boot]", "systemd=true"]
    else:
        lines.insert(boot_end, "systemd=true")
    return "\n".join(lines) + "\n"
