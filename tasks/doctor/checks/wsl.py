"""The WSL layer: WSL2, its kernel, /dev/dxg, safe mode, the clock, the platform, /etc/wsl.conf's keys and the VM's
memory."""

from __future__ import annotations

from email.utils import parsedate_to_datetime

from tasks.doctor.checks.common import deploy_fix, not_on_wsl, off_wsl, preflight_or_pass, when
from tasks.doctor.registry import check
from tasks.dropins import clock_dropins, time_daemons
from tasks.facts import WSL_LIB
from tasks.findings import FAIL, INFO, PASS, WARN, Finding
from tasks.managed import WSL_CONF
from tasks.preflight import kernel_version, wsl_generation
from tasks.wslconf import GPU_DEFAULTS, boolean, cgroup_version, flag, invalid_booleans, read, systemd_enabled

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


WSLCONFIG = "%UserProfile%\\.wslconfig"
SHUTDOWN = "`wsl.exe --shutdown` from Windows"


def wslconfig(facts) -> tuple[dict, str]:
    """The Windows user's .wslconfig as WSL reads it ({"wsl2.memory": Entry}), and where it was read, or
    {} and why it could not be: doctor reads it through the automount of the user's profile, never writes it."""
    home = facts.get("win_home")
    if not home:
        return {}, (f"{WSLCONFIG} could not be read: no Windows profile found (WSL's init keeps it in its "
                    "environment, which only root reads, and Windows interop gave none)")
    path = f"{home}/.wslconfig"
    if facts.get("wslconfig_exists") == "1":
        return read(facts.get("wslconfig", [])), path
    if facts.get("wslconfig_exists") == "0":
        return {}, f"there is no {path}"
    return {}, f"{path} could not be read: {home} is not mounted (automount off, or the drive not shared)"


def safe_mode_seen(facts) -> str | None:
    """What shows that WSL started this VM in safe mode, or None."""
    if facts.get("safe_mode_env") == "1":
        return f"the environment of WSL's init ({facts.get('init_environ', 'PID 1')}) holds WSL2_SAFE_MODE=1"
    if facts.get("safe_mode_log"):
        return f"the kernel log says \"{facts['safe_mode_log'].split('WARNING: ')[-1]}\""
    return None


@check("wsl.safe-mode", skip=[not_on_wsl], gives={"wsl.safe-mode": FAIL, "wsl.safe-mode.likely": WARN})
def check_safe_mode(facts, settings) -> Finding:
    """WSL did not start the VM in safe mode (.wslconfig's safeMode=true), which gives no GPU and no systemd."""
    fix = (f"remove `safeMode=true` from [wsl2] in {WSLCONFIG} (or turn Safe mode off in WSL Settings), "
           f"then {SHUTDOWN} and open the distro again")
    seen = safe_mode_seen(facts)
    if seen:
        return Finding(FAIL, f"WSL started this VM in safe mode ({seen}): it gives the distro no GPU, runs "
                       "no systemd and leaves /etc/wsl.conf's boot command, automount and ldconfig off", fix,
                       id="wsl.safe-mode")
    config, where = wslconfig(facts)
    asked = config.get("wsl2.safemode")
    no_gpu = facts.get("dxg") != "char"
    no_systemd = facts.get("pid1") != "systemd" and systemd_enabled(facts.get("wsl_conf", []))
    if asked and boolean(asked.value):
        return Finding(WARN, f"{where} sets [wsl2] safeMode={asked.value}: WSL starts the VM in safe mode, "
                       "with no GPU and no systemd", fix, id="wsl.safe-mode.likely")
    if no_gpu and no_systemd:
        # An inference: WSL's init says so only to root (its environment) or in the kernel log.
        return Finding(WARN, "no /dev/dxg and no systemd although /etc/wsl.conf asks for it, as in WSL's safe "
                       "mode; doctor could not confirm it (run it as root: WSL's init then shows "
                       "WSL2_SAFE_MODE=1 in its environment)", fix, id="wsl.safe-mode.likely")
    return Finding(PASS, "WSL did not start this VM in safe mode")


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


# How /etc/wsl.conf's GPU keys read in WSL's own spelling; each one off, its id and what it costs.
GPU_KEYS = {
    "gpu.enabled": ("[gpu] enabled", "wsl.gpu-conf.gpu-off", FAIL,
                    f"WSL shares no GPU with this distro: it mounts no {WSL_LIB} (libcuda.so.1, nvidia-smi), so "
                    "neither CUDA programs nor `docker run --gpus all` find the driver"),
    "automount.ldconfig": ("[automount] ldconfig", "wsl.gpu-conf.ldconfig-off", WARN,
                           f"WSL neither writes /etc/ld.so.conf.d/ld.wsl.conf nor runs ldconfig as it starts, "
                           f"so the linker may not know {WSL_LIB}: CUDA programs run in the distro itself "
                           "(PyTorch, TensorFlow outside containers) fail to load libcuda.so.1"),
    "gpu.appendlibpath": ("[gpu] appendLibPath", "wsl.gpu-conf.path-off", WARN,
                          f"WSL leaves {WSL_LIB} off the shells' PATH, so `nvidia-smi` is \"command not found\" "
                          f"(it is {WSL_LIB}/nvidia-smi)"),
}


@check("wsl.gpu-conf", skip=[not_on_wsl], gives={id: status for _, id, status, _ in GPU_KEYS.values()})
def check_gpu_conf(facts, settings) -> Finding:
    """/etc/wsl.conf leaves WSL's GPU support on, the driver's folder in the linker's cache and on PATH."""
    lines = facts.get("wsl_conf", [])
    entries = read(lines)
    off = [k for k in GPU_KEYS if not flag(lines, k, GPU_DEFAULTS[k])]
    if not off:
        return Finding(PASS, f"{WSL_CONF} leaves [gpu] enabled, [gpu] appendLibPath and [automount] ldconfig "
                       "on (WSL's defaults)")
    # The first in GPU_KEYS' order is the one that matters most: without the GPU, the others change nothing.
    shown, id, status, cost = GPU_KEYS[off[0]]
    also = [f"{GPU_KEYS[k][0]}={entries[k].value}" for k in off[1:]]
    found = f"{WSL_CONF} sets {shown}={entries[off[0]].value}: {cost}"
    if off[0] == "automount.ldconfig" and not facts.get("ld_libcuda"):
        found += "; `ldconfig -p` indeed lists no libcuda.so.1"
    if also:
        found += f" (it also sets {', '.join(also)})"
    keys = [f"`{GPU_KEYS[k][0].split()[1]}={entries[k].value}` from {GPU_KEYS[k][0].split()[0]}" for k in off]
    return Finding(status, found, f"remove {' and '.join(keys)} in {WSL_CONF} (WSL's default is true), or set "
                   f"{'them' if len(keys) > 1 else 'it'} to true; then {SHUTDOWN}", id=id)


def _gib(kib: float) -> str:
    return f"{kib / 2**20:.1f} GiB"


@check("wsl.memory", skip=[not_on_wsl], gives=[WARN])
def check_memory(facts, settings) -> Finding:
    """The VM has at least as much memory as the largest GPU has VRAM, so a model that fills it can load."""
    config, where = wslconfig(facts)
    memory = config.get("wsl2.memory")
    if memory:
        said = f"{where} sets [wsl2] memory={memory.value}"
    elif facts.get("wslconfig_exists") == "1":
        said = f"{where} sets no [wsl2] memory=, so WSL gives the VM half of Windows' memory"
    else:
        said = f"{where}; without [wsl2] memory= WSL gives the VM half of Windows' memory"
    try:
        ram = int(facts.get("mem_total_kb") or 0)
        vram = max((int(v.strip().split()[0]) for v in facts.get("smi_mem", []) if v.strip()), default=0)
    except ValueError:
        return Finding(INFO, f"nvidia-smi gave no GPU memory doctor reads ({'; '.join(facts['smi_mem'])}); {said}")
    if not ram or not vram:
        return Finding(INFO, f"no GPU memory to compare with (see driver.nvidia-smi); {said}")
    ram_kib, vram_kib = ram, vram * 1024
    compared = f"the VM has {_gib(ram_kib)} of memory (MemTotal), the largest GPU {_gib(vram_kib)}"
    if ram_kib < vram_kib:
        return Finding(WARN, f"{compared}: a model that fills the GPU does not fit in the VM's memory on its "
                       f"way there, and loading it fails or is killed; {said}",
                       f"give the VM more: in {WSLCONFIG} (from Windows), under [wsl2], set "
                       f"`memory={-(-vram_kib // 2**20)}GB` or more, within what Windows has, then {SHUTDOWN}")
    return Finding(PASS, f"{compared}; {said}")
