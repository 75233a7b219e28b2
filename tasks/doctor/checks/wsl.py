"""The WSL layer: WSL2, its kernel, /dev/dxg, the clock, the platform and /etc/wsl.conf's keys."""

from __future__ import annotations

from email.utils import parsedate_to_datetime

from tasks.doctor.checks.common import deploy_fix, not_on_wsl, off_wsl, preflight_or_pass, when
from tasks.doctor.registry import check
from tasks.dropins import clock_dropins, time_daemons
from tasks.findings import FAIL, INFO, PASS, WARN, Finding
from tasks.managed import WSL_CONF
from tasks.preflight import kernel_version, wsl_generation
from tasks.wslconf import cgroup_version, invalid_booleans

LAYER = "WSL"
# How far the clock may trail the hardware clock or apt's newest Release file before doctor says so.
CLOCK_SLACK = 60


@check("wsl.version", skip=[not_on_wsl], gives=[FAIL])
def check_wsl_version(facts, settings) -> Finding:
    """The kernel is WSL2's, not WSL1's."""
    return preflight_or_pass(facts, settings, "wsl.version", f"WSL2 kernel {facts.get('osrelease')}")


@check("wsl.info", skip=[not_on_wsl])
def check_wsl_info(facts, settings) -> Finding:
    """Which WSL release and networking mode wslinfo reports."""
    if "wslinfo_version" not in facts:
        return Finding(INFO, "no wslinfo in this distro, so its WSL is older than the releases "
                       "that have it; `wsl --update` from Windows brings a current one")
    version = facts["wslinfo_version"] or "of a release whose wslinfo has no --version"
    return Finding(INFO,
                   f"WSL {version}, networking mode {facts.get('wslinfo_networking') or 'unknown'} (wslinfo)")


@check("wsl.kernel", gives=[FAIL])
def check_kernel(facts, settings) -> Finding:
    """The WSL2 kernel is at least min_kernel_version."""
    release = facts.get("osrelease", "")
    if wsl_generation(release) != 2:
        return Finding(INFO, f"{release or 'no kernel'} is not a WSL2 kernel (see wsl.version)")
    return preflight_or_pass(facts, settings, "wsl.kernel", f"{kernel_version(release)} is at least "
                             f"{settings.min_kernel_version} (min_kernel_version)")


@check("wsl.dxg", skip=[not_on_wsl], gives=[FAIL])
def check_dxg(facts, settings) -> Finding:
    """/dev/dxg, through which WSL shares the GPU, is a character device (the preflight's check)."""
    return preflight_or_pass(facts, settings, "wsl.dxg", "/dev/dxg is a character device")


def _duration(seconds: int) -> str:
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{days}d"] if days else []
    parts += [f"{hours}h"] if hours or days else []
    return " ".join(parts + [f"{minutes}min", f"{seconds}s"])


def _newest_release(facts) -> int:
    """When apt's newest stored Release file was dated (epoch), 0 without one."""
    dates = []
    for text in facts.get("apt_date", []):
        try:
            dates.append(parsedate_to_datetime(text).timestamp())
        except (TypeError, ValueError):
            continue
    return int(max(dates)) if dates else 0


CLOCK_FIX = ("run `sudo hwclock -s` (microsoft/WSL#4245), or `wsl --shutdown` from Windows and "
             "open the distro again")


def _time_daemon(facts) -> tuple[str, bool]:
    """What doctor says of the time daemon that would set the clock after a sleep, and whether the deploy's
    drop-in would let one run under WSL that cannot now."""
    if not (facts.get("stack") or {}).get("units") or off_wsl(facts):
        return "", False  # not on WSL, or systemd did not answer (not PID 1)
    blocked = [d.unit for d in clock_dropins(facts) if d.text and not (d.right and d.loaded)]
    if blocked:
        return (f"; {', '.join(blocked)} cannot start under WSL, which systemd counts as a container, until the "
                "deploy's drop-in lets it"), True
    daemons = time_daemons(facts["stack"])
    if daemons:
        return f"; {', '.join(daemons)} may run under WSL", False
    return "; no time daemon (systemd-timesyncd, chrony) is installed to set it after a sleep", False


@check("wsl.clock", gives={"wsl.clock.behind-rtc": FAIL, "wsl.clock.behind-apt": FAIL})
def check_clock(facts, settings) -> Finding:
    """The clock is not behind the hardware clock or apt's newest Release file, as after a sleep."""
    daemon, blocked = _time_daemon(facts)
    fix = CLOCK_FIX + ("; then " + deploy_fix("lets the time daemon run under WSL, so that the clock catches up "
                                             "after each sleep") if blocked else "")
    now = int(facts.get("now") or 0)
    # Only WSL's hardware clock is known to hold UTC: a native dual-boot host may keep local time there.
    rtc = 0 if off_wsl(facts) else int(facts.get("rtc") or 0)
    newest = _newest_release(facts)
    if not now or not (rtc or newest):
        return Finding(INFO, "no hardware clock or apt Release file to compare the clock with")
    if rtc - now > CLOCK_SLACK:
        return Finding(
            FAIL,
            f"the clock reads {when(now)}, {_duration(rtc - now)} behind the hardware clock "
            f"({when(rtc)}), as WSL2's does after the computer sleeps: apt refuses any Release file "
            f"dated after it (\"Release file ... is not valid yet\"){daemon}",
            fix, id="wsl.clock.behind-rtc",
        )
    # Release files were fetched by this same clock, so they are ahead of it only if it jumped back.
    if newest - now > CLOCK_SLACK:
        return Finding(
            FAIL,
            f"the clock reads {when(now)}, {_duration(newest - now)} before the newest apt Release "
            f"file ({when(newest)}): apt refuses updates with \"Release file ... is not valid yet\"{daemon}",
            fix, id="wsl.clock.behind-apt",
        )
    compared = ([f"not behind the hardware clock ({when(rtc)})"] if rtc else []) + \
        ([f"not behind apt's newest Release file ({when(newest)})"] if newest else [])
    return Finding(PASS, f"the clock reads {when(now)}, {' and '.join(compared)}{daemon}")


@check("wsl.distro", gives=[FAIL])
def check_distro(facts, settings) -> Finding:
    """The distro and release are a supported platform (the preflight's check)."""
    return preflight_or_pass(facts, settings, "wsl.distro", f"{facts.get('distro')} {facts.get('distro_version')}")


@check("wsl.arch", gives=[FAIL])
def check_arch(facts, settings) -> Finding:
    """The architecture is amd64 or arm64 (the preflight's check)."""
    return preflight_or_pass(facts, settings, "wsl.arch", str(facts.get("arch")))


def _shown(key: str, value: str) -> str:
    """A wsl.conf key as the file has it: [section] name=value."""
    section, _, name = key.partition(".")
    return f"[{section}] {name}={value}"


@check("wsl.conf-booleans", skip=[not_on_wsl], gives=[WARN])
def check_wsl_conf_booleans(facts, settings) -> Finding:
    """Every boolean key of /etc/wsl.conf has a value WSL reads."""
    # [boot] systemd is systemd.wsl-conf's to judge, with the deploy's own fix.
    invalid = {k: v for k, v in invalid_booleans(facts.get("wsl_conf", [])).items() if k != "boot.systemd"}
    if invalid:
        named = ", ".join(_shown(k, v) for k, v in invalid.items())
        each = " of each" if len(invalid) > 1 else ""
        return Finding(WARN,
                       f"{WSL_CONF} sets {named}: WSL takes only true, false, 1 and 0 (it warns \"Invalid "
                       f"boolean value\" as it starts) and keeps the default{each}",
                       "use true or false there, then `wsl.exe --shutdown` from Windows")
    return Finding(PASS, f"every boolean key in {WSL_CONF} reads as true or false")


@check("wsl.cgroups", skip=[not_on_wsl], gives=[WARN])
def check_cgroups(facts, settings) -> Finding:
    """/etc/wsl.conf does not ask for cgroup v1, which Docker 29 deprecates."""
    if cgroup_version(facts.get("wsl_conf", [])) == "v1":
        return Finding(WARN,
                       f"{WSL_CONF} sets [automount] cgroups=v1, so WSL mounts cgroup v1, which Docker 29 "
                       "deprecates: its `docker info` warns \"Support for cgroup v1 is deprecated and planned "
                       "to be removed by no later than May 2029\" (moby/moby#51111)",
                       f"remove `cgroups=v1` from [automount] in {WSL_CONF} (or set cgroups=v2), then "
                       "`wsl.exe --shutdown` from Windows")
    return Finding(PASS, f"WSL mounts cgroup v2 ({WSL_CONF} does not ask for v1)")
