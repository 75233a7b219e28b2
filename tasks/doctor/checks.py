"""Doctor's checks, bottom to top: each a pure function of gathered facts and settings."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from packaging.version import InvalidVersion, Version

from tasks import dockerinfo
from tasks.daemon import DAEMON_JSON, parse_daemon_json
from tasks.docker import DOCKER_LIST, docker_users
from tasks.doctor.facts import CDI_REFRESH_OUTPUT, CDI_REFRESH_UNIT, TOOLKIT_CONFIG
from tasks.facts import WSL_LIB
from tasks.preflight import desktop_cli, kernel_version, missing_users, preflight_problems, wsl_generation
from tasks.toolkit import NVIDIA_LIST
from tasks.wslconf import WSL_CONF, boolean, cgroup_version, invalid_booleans, read, systemd_enabled

PASS, WARN, FAIL, INFO = "PASS", "WARN", "FAIL", "INFO"
DEPLOY = "rerun the deploy (deploy.py)"
RESTART = "`sudo systemctl restart docker`"
# How far the clock may trail the hardware clock or apt's newest Release file before doctor says so.
CLOCK_SLACK = 60
# Toolkit releases that break GPU containers on WSL2, and only there: (first bad, first fixed, what, where).
KNOWN_BAD_TOOLKITS = [
    ("1.12.1", "1.13.0", "containers hang while nvidia-container-cli segfaults on WSL2",
     "https://github.com/NVIDIA/nvidia-container-toolkit/issues/53"),
    ("0", "1.14.4", "Windows drivers 555 and newer add libnvdxgdmal.so.1, which this toolkit does "
     "not mount: CUDA fails in containers with error 500 'named symbol not found'",
     "https://github.com/NVIDIA/nvidia-container-toolkit/issues/520"),
    ("1.19.1", "1.20.0", "video encode and decode crash in containers: DeepStream's nvv4l2decoder and "
     "nvv4l2h264enc die with SIGSEGV", "https://github.com/NVIDIA/nvidia-container-toolkit/issues/1864"),
]
NVML_BLOCKED = "GPU access blocked by the operating system"
# From this release the engine hands `--gpus` to its CDI driver (moby/moby#50228).
CDI_DOCKER = Version("29.2")
WSL_DRIVER_STORE = "/usr/lib/wsl/drivers"


@dataclass(frozen=True)
class Result:
    """One check's verdict: what was found, and for anything not PASS, the fix."""

    check: str
    status: str
    found: str
    fix: str = ""
    by_deploy: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


def _deploy_fix(what: str) -> str:
    return f"{DEPLOY}, which {what}"


def _split(problem: str) -> tuple[str, str, str]:
    """(check, found, fix) of a preflight problem 'check: found. Fix: fix'."""
    check, _, rest = problem.partition(": ")
    found, _, fix = rest.partition(" Fix: ")
    return check, found.rstrip("."), fix


def _preflight(facts: dict, settings, name: str) -> tuple[str, str] | None:
    """The preflight's (found, fix) for its check `name`, or None when that check passes."""
    for problem in preflight_problems(facts, settings):
        check, found, fix = _split(problem)
        if check == name:
            return found, fix
    return None


def _off_wsl(facts, settings) -> bool:
    """A kernel that is not WSL's, which the preflight accepts: WSL's own checks do not apply."""
    return wsl_generation(facts.get("osrelease", "")) is None and not _preflight(facts, settings, "WSL2")


def _not_wsl(check: str, facts) -> Result:
    return Result(check, INFO, f"kernel {facts.get('osrelease') or 'unknown'} is not WSL's: does not apply")


def _from_preflight(check: str, name: str, ok, wsl_only: bool = True):
    """A check that is the preflight's check `name`; ok(facts) says what passed."""
    def run(facts, settings) -> Result:
        problem = _preflight(facts, settings, name)
        if problem:
            return Result(check, FAIL, *problem)
        if wsl_only and _off_wsl(facts, settings):
            return _not_wsl(check, facts)
        return Result(check, PASS, ok(facts))

    return run


def _desktop_mode(settings) -> bool:
    return settings.docker_engine == "docker-desktop"


def _packages(facts) -> dict:
    return dict(line.split(" ", 1) for line in facts.get("pkg", []) if " " in line)


def _binaries(facts) -> dict:
    return dict(line.split(" ", 1) for line in facts.get("bin", []) if " " in line)


def _daemon_config(facts) -> dict | None:
    return parse_daemon_json(facts.get("daemon_json")) if facts.get("daemon_json_exists") else {}


def _engines(facts) -> list[tuple[int, int, int]]:
    """(pid, uid, started at) of each running dockerd."""
    engines = []
    for line in facts.get("dockerd", []):
        try:
            pid, uid, started = (int(x) for x in line.split())
        except ValueError:
            continue
        engines.append((pid, uid, started))
    return engines


def _when(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _duration(seconds: int) -> str:
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{days}d"] if days else []
    parts += [f"{hours}h"] if hours or days else []
    return " ".join(parts + [f"{minutes}min", f"{seconds}s"])


# Preflight checks that doctor reports under its own names; any other is preflight.other.
PREFLIGHT_CHECKS = {"WSL2", "kernel version", "GPU device", "Windows driver libraries",
                    "Linux NVIDIA driver", "distro", "architecture", "Docker Desktop", "systemd"}


# --- settings ----------------------------------------------------------------------------

def check_settings(facts, settings) -> Result:
    error = facts.get("settings_error")
    if error:
        return Result("settings", FAIL, f"{error} (the checks below use the defaults instead)",
                      "correct the settings named, in inventory.py")
    return Result("settings", PASS, "every setting is valid")


# --- sudo --------------------------------------------------------------------------------

def check_sudo(facts, settings) -> Result:
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
            return Result("sudo.askpass", WARN,
                          f"doctor came through sudo, but {no_askpass}: a password sudo still remembered let "
                          "doctor in, or doctor was started with sudo; the deploy fails once sudo asks for one",
                          fixes)
        named = ", ".join(x for x in (path, version) if x)
        named = f" ({named})" if named else ""
        return Result("sudo.askpass", PASS, f"doctor came through {user}'s sudo{named}, so pyinfra drives it")
    if verdict == "root":
        return Result("sudo.askpass", PASS, "doctor runs as root, so pyinfra needs no sudo")
    if verdict == "passwordless":
        return Result("sudo.askpass", PASS,
                      f"{user}'s sudo ({path}) needs no password, so pyinfra never needs -A")
    if verdict == "askpass":
        return Result("sudo.askpass", PASS,
                      f"{user}'s sudo ({path}) is {version}, which has -A (askpass) for pyinfra's password")
    if verdict == "no-askpass":
        return Result("sudo.askpass", FAIL, no_askpass, fixes)
    if verdict == "no-sudo":
        return Result("sudo.askpass", FAIL, f"no sudo on {user}'s PATH, so pyinfra's --sudo cannot run",
                      fixes)
    if verdict == "unnamed":
        return Result("sudo.askpass", INFO, f"cannot tell: {path} answers `sudo --version` with "
                      f"{version or 'nothing'!r}, which names neither sudo.ws nor sudo-rs")
    return Result("sudo.askpass", INFO, "cannot tell: files/sudo-check.sh gave no verdict")


# --- preflight ---------------------------------------------------------------------------

def check_other_preflight(facts, settings) -> Result:
    others = [_split(p) for p in preflight_problems(facts, settings) if _split(p)[0] not in PREFLIGHT_CHECKS]
    if others:
        return Result("preflight.other", FAIL, "; ".join(f"{c}: {found}" for c, found, _ in others),
                      "; ".join(fix for _, _, fix in others))
    return Result("preflight.other", PASS, "the deploy's preflight finds nothing beyond the checks below")


# --- Windows driver ----------------------------------------------------------------------

NVML_BLOCKED_FIX = (
    "WSL gets only GPUs that Windows drives in WDDM mode: a data-center GPU in TCC mode is "
    "blocked (microsoft/WSL#9952), so switch it to WDDM or use another GPU; remove any Linux "
    "nvidia-utils or driver package inside WSL; update the NVIDIA driver for Windows, run "
    "`wsl --update`, then `wsl --shutdown`"
)
WINDOWS_DRIVER_FIX = (
    "update the NVIDIA driver for Windows (with WSL support), run `wsl --update`, then `wsl --shutdown`"
)


def check_nvidia_smi(facts, settings) -> Result:
    if _off_wsl(facts, settings):
        return _not_wsl("driver.nvidia-smi", facts)
    if "smi.rc" not in facts:
        _, fix = _preflight(facts, settings, "Windows driver libraries") or ("", WINDOWS_DRIVER_FIX)
        return Result("driver.nvidia-smi", FAIL, f"{WSL_LIB}/nvidia-smi is missing", fix)
    output = "\n".join(facts.get("smi", []))
    if facts["smi.rc"] == "0" and output.startswith("GPU "):
        return Result("driver.nvidia-smi", PASS, "; ".join(facts["smi"]))
    if NVML_BLOCKED in output:
        return Result("driver.nvidia-smi", FAIL,
                      f"nvidia-smi -L says: Failed to initialize NVML: {NVML_BLOCKED}", NVML_BLOCKED_FIX)
    if facts["smi.rc"] == "124":
        return Result("driver.nvidia-smi", FAIL, "nvidia-smi -L did not answer within 20 s",
                      WINDOWS_DRIVER_FIX)
    said = " / ".join(facts.get("smi", [])[-3:]) or f"nothing (exit status {facts['smi.rc']})"
    return Result("driver.nvidia-smi", FAIL, f"nvidia-smi -L lists no GPU; it says: {said}",
                  WINDOWS_DRIVER_FIX)


check_driver_libraries = _from_preflight(
    "driver.libraries", "Windows driver libraries", lambda f: f"libcuda.so.1 and nvidia-smi are in {WSL_LIB}")


def check_libcuda_link(facts, settings) -> Result:
    if _off_wsl(facts, settings):
        return _not_wsl("driver.libcuda-link", facts)
    kind = facts.get("libcuda_file")
    if kind == "file":
        return Result("driver.libcuda-link", INFO,
                      f"{WSL_LIB}/libcuda.so.1 is a file, so ldconfig prints \"{WSL_LIB}/libcuda.so.1 "
                      "is not a symbolic link\" on every package install: harmless (microsoft/WSL#11229)")
    if kind == "link":
        return Result("driver.libcuda-link", PASS, f"{WSL_LIB}/libcuda.so.1 is a symbolic link")
    return Result("driver.libcuda-link", INFO, f"no {WSL_LIB}/libcuda.so.1 (see driver.libraries)")


# --- WSL ---------------------------------------------------------------------------------

def check_wsl_version(facts, settings) -> Result:
    problem = _preflight(facts, settings, "WSL2")
    if problem:
        return Result("wsl.version", FAIL, *problem)
    if _off_wsl(facts, settings):
        return _not_wsl("wsl.version", facts)
    return Result("wsl.version", PASS, f"WSL2 kernel {facts['osrelease']}")


def check_kernel(facts, settings) -> Result:
    release = facts.get("osrelease", "")
    if wsl_generation(release) != 2:
        return Result("wsl.kernel", INFO, f"{release or 'no kernel'} is not a WSL2 kernel (see wsl.version)")
    problem = _preflight(facts, settings, "kernel version")
    if problem:
        return Result("wsl.kernel", FAIL, *problem)
    return Result("wsl.kernel", PASS,
                  f"{kernel_version(release)} is at least {settings.min_kernel_version} (min_kernel_version)")


check_dxg = _from_preflight("wsl.dxg", "GPU device", lambda f: "/dev/dxg is a character device")


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


def check_clock(facts, settings) -> Result:
    now = int(facts.get("now") or 0)
    # Only WSL's hardware clock is known to hold UTC: a native dual-boot host may keep local time there.
    rtc = 0 if _off_wsl(facts, settings) else int(facts.get("rtc") or 0)
    newest = _newest_release(facts)
    if not now or not (rtc or newest):
        return Result("wsl.clock", INFO, "no hardware clock or apt Release file to compare the clock with")
    if rtc - now > CLOCK_SLACK:
        return Result(
            "wsl.clock", FAIL,
            f"the clock reads {_when(now)}, {_duration(rtc - now)} behind the hardware clock "
            f"({_when(rtc)}), as WSL2's does after the computer sleeps: apt refuses any Release file "
            "dated after it (\"Release file ... is not valid yet\")",
            CLOCK_FIX,
        )
    # Release files were fetched by this same clock, so they are ahead of it only if it jumped back.
    if newest - now > CLOCK_SLACK:
        return Result(
            "wsl.clock", FAIL,
            f"the clock reads {_when(now)}, {_duration(newest - now)} before the newest apt Release "
            f"file ({_when(newest)}): apt refuses updates with \"Release file ... is not valid yet\"",
            CLOCK_FIX,
        )
    compared = ([f"not behind the hardware clock ({_when(rtc)})"] if rtc else []) + \
        ([f"not behind apt's newest Release file ({_when(newest)})"] if newest else [])
    return Result("wsl.clock", PASS, f"the clock reads {_when(now)}, {' and '.join(compared)}")


def check_wsl_info(facts, settings) -> Result:
    if _off_wsl(facts, settings):
        return _not_wsl("wsl.info", facts)
    if "wslinfo_version" not in facts:
        return Result("wsl.info", INFO, "no wslinfo in this distro, so its WSL is older than the releases "
                      "that have it; `wsl --update` from Windows brings a current one")
    version = facts["wslinfo_version"] or "of a release whose wslinfo has no --version"
    return Result("wsl.info", INFO,
                  f"WSL {version}, networking mode {facts.get('wslinfo_networking') or 'unknown'} (wslinfo)")


check_distro = _from_preflight("wsl.distro", "distro", lambda f: f"{f['distro']} {f['distro_version']}",
                               wsl_only=False)
check_arch = _from_preflight("wsl.arch", "architecture", lambda f: f["arch"], wsl_only=False)


def _shown(key: str, value: str) -> str:
    """A wsl.conf key as the file has it: [section] name=value."""
    section, _, name = key.partition(".")
    return f"[{section}] {name}={value}"


def check_wsl_conf_booleans(facts, settings) -> Result:
    if _off_wsl(facts, settings):
        return _not_wsl("wsl.conf-booleans", facts)
    # [boot] systemd is systemd.wsl-conf's to judge, with the deploy's own fix.
    invalid = {k: v for k, v in invalid_booleans(facts.get("wsl_conf", [])).items() if k != "boot.systemd"}
    if invalid:
        named = ", ".join(_shown(k, v) for k, v in invalid.items())
        each = " of each" if len(invalid) > 1 else ""
        return Result("wsl.conf-booleans", WARN,
                      f"{WSL_CONF} sets {named}: WSL takes only true, false, 1 and 0 (it warns \"Invalid "
                      f"boolean value\" as it starts) and keeps the default{each}",
                      "use true or false there, then `wsl.exe --shutdown` from Windows")
    return Result("wsl.conf-booleans", PASS, f"every boolean key in {WSL_CONF} reads as true or false")


def check_cgroups(facts, settings) -> Result:
    if _off_wsl(facts, settings):
        return _not_wsl("wsl.cgroups", facts)
    if cgroup_version(facts.get("wsl_conf", [])) == "v1":
        return Result("wsl.cgroups", WARN,
                      f"{WSL_CONF} sets [automount] cgroups=v1, so WSL mounts cgroup v1, which Docker 29 "
                      "deprecates: its `docker info` warns \"Support for cgroup v1 is deprecated and planned "
                      "to be removed by no later than May 2029\" (moby/moby#51111)",
                      f"remove `cgroups=v1` from [automount] in {WSL_CONF} (or set cgroups=v2), then "
                      "`wsl.exe --shutdown` from Windows")
    return Result("wsl.cgroups", PASS, f"WSL mounts cgroup v2 ({WSL_CONF} does not ask for v1)")

# --- a Linux driver inside WSL -----------------------------------------------------------

check_linux_driver = _from_preflight(
    "linux-driver.packages", "Linux NVIDIA driver", lambda f: "no Linux NVIDIA driver package is installed")


def check_linker_libcuda(facts, settings) -> Result:
    if _off_wsl(facts, settings):
        return _not_wsl("linux-driver.libcuda", facts)
    paths = facts.get("ld_libcuda", [])
    foreign = [p for p in paths if not p.startswith("/usr/lib/wsl/")]
    if foreign:
        return Result(
            "linux-driver.libcuda", FAIL,
            f"the linker resolves libcuda.so.1 to {', '.join(foreign)}, not to the Windows "
            f"driver's {WSL_LIB}",
            f"`dpkg -S {foreign[0]}` names the Linux driver or CUDA driver package that brought it: "
            "`sudo apt-get purge` that package, then `sudo ldconfig`",
        )
    if paths:
        return Result("linux-driver.libcuda", PASS, f"the linker resolves libcuda.so.1 to {paths[0]}")
    return Result("linux-driver.libcuda", INFO, "libcuda.so.1 is not in the linker's cache (ldconfig -p)")


# --- systemd -----------------------------------------------------------------------------

def check_pid1(facts, settings) -> Result:
    pid1 = facts.get("pid1") or "unknown"
    if pid1 == "systemd":
        return Result("systemd.pid1", PASS, "systemd is PID 1")
    native = _preflight(facts, settings, "systemd")
    if native:
        return Result("systemd.pid1", FAIL, *native)
    first = "" if systemd_enabled(facts.get("wsl_conf", [])) else \
        _deploy_fix(f"sets `[boot] systemd=true` in {WSL_CONF}; then ")
    return Result("systemd.pid1", FAIL, f"PID 1 is {pid1}, not systemd: the engine cannot run as a service",
                  f"{first}run `wsl.exe --shutdown` from Windows and open the distro again")


def check_wsl_conf(facts, settings) -> Result:
    if _off_wsl(facts, settings):
        return _not_wsl("systemd.wsl-conf", facts)
    lines = facts.get("wsl_conf", [])
    if systemd_enabled(lines):
        return Result("systemd.wsl-conf", PASS, f"{WSL_CONF} sets [boot] systemd=true")
    entry = read(lines).get("boot.systemd")
    if entry and boolean(entry.value) is None:
        found = (f"{WSL_CONF} sets [boot] systemd={entry.value}, which WSL ignores (it reads only true, "
                 "false, 1 and 0), so it leaves systemd off")
        deploy, by_hand = "rewrites that line to systemd=true in place", \
            f"change that line to `systemd=true` in {WSL_CONF}"
    else:
        where = WSL_CONF if facts.get("wsl_conf_exists") else f"{WSL_CONF} is missing, so it"
        found = f"{where} does not set [boot] systemd=true"
        deploy, by_hand = "sets it, keeping the rest of the file", \
            f"add `[boot]` and `systemd=true` to {WSL_CONF}"
    status = WARN if facts.get("pid1") == "systemd" else FAIL
    if status == WARN:
        found += " (systemd runs now, but nothing in the distro asks for it)"
    if settings.wsl_systemd:
        return Result("systemd.wsl-conf", status, found, _deploy_fix(deploy), by_deploy=True)
    return Result("systemd.wsl-conf", status, found,
                  f"{by_hand} (wsl_systemd is off, so the deploy leaves the file alone), then "
                  "`wsl.exe --shutdown`")


# --- Docker Engine -----------------------------------------------------------------------

def check_desktop(facts, settings) -> Result:
    problem = _preflight(facts, settings, "Docker Desktop")
    if problem:
        return Result("docker.desktop", FAIL, *problem)
    desktop = desktop_cli(facts.get("docker_cli", []))
    if desktop and "docker-ce" in _packages(facts):
        return Result("docker.desktop", WARN,
                      f"Docker Desktop's integration provides docker ({desktop}) and Docker Engine is "
                      "installed in this distro too: two engines, and `docker` talks to Desktop's",
                      "`sudo apt-get purge docker-ce docker-ce-cli` or turn the integration off "
                      "(Docker Desktop > Settings > Resources > WSL integration)")
    if desktop:
        return Result("docker.desktop", PASS, f"Docker Desktop's integration provides docker ({desktop})")
    return Result("docker.desktop", PASS, "no Docker Desktop integration in this distro")


def check_engine(facts, settings) -> Result:
    if _desktop_mode(settings):
        return Result("docker.engine", INFO, "docker_engine is docker-desktop: Desktop runs the engine")
    packages, binaries = _packages(facts), _binaries(facts)
    version = packages.get("docker-ce") or packages.get("docker.io")
    if not version and "dockerd" not in binaries:
        return Result("docker.engine", FAIL, "Docker Engine is not installed",
                      _deploy_fix("installs it"), by_deploy=True)
    what = f"Docker Engine {version}" if version else f"dockerd ({binaries['dockerd']})"
    rootful = [pid for pid, uid, _ in _engines(facts) if uid == 0]
    if rootful:
        return Result("docker.engine", PASS, f"{what} is running (pid {rootful[0]})")
    if facts.get("pid1") != "systemd":
        return Result("docker.engine", FAIL, f"{what} is installed but not running, and systemd is not PID 1",
                      "make systemd PID 1 first (see systemd.pid1), then rerun the deploy")
    return Result("docker.engine", FAIL,
                  f"{what} is installed but not running "
                  f"(docker.service is {facts.get('engine_unit') or 'unknown'})",
                  _deploy_fix("enables and starts docker.service; if it fails to start, "
                              "`journalctl -u docker.service` says why"),
                  by_deploy=True)


def check_iptables(facts, settings) -> Result:
    if _desktop_mode(settings):
        return Result("docker.iptables", INFO, "Docker Desktop's engine brings its own firewall")
    tried = {b: facts[f"iptables_{b}.rc"] == "0" for b in ("nft", "legacy") if f"iptables_{b}.rc" in facts}
    said = "; ".join(f"iptables-{b}: {'works' if ok else facts.get(f'iptables_{b}', '').strip()}"
                     for b, ok in tried.items())
    config = _daemon_config(facts) or {}
    if config.get("iptables") is False:
        return Result("docker.iptables", INFO, "daemon.json sets \"iptables\": false: dockerd uses none")
    if not tried:
        return Result("docker.iptables", INFO, "iptables is not installed (Docker Engine brings it)")
    if all("you must be root" in facts.get(f"iptables_{b}", "") for b in tried) and facts.get("euid") != "0":
        return Result("docker.iptables", INFO, "testing iptables needs root: run doctor with --sudo")
    path = facts.get("iptables", "")
    selected = "nft" if "nft" in path else "legacy" if "legacy" in path else None
    working = [b for b, ok in tried.items() if ok]
    if selected in working:
        return Result("docker.iptables", PASS, f"the selected iptables-{selected} works ({said})")
    if working:
        other = working[0]
        return Result(
            "docker.iptables", FAIL,
            f"the selected iptables ({path or 'none'}) fails, iptables-{other} works: dockerd cannot "
            f"set up its networks ({said})",
            f"`sudo update-alternatives --set iptables /usr/sbin/iptables-{other}` and "
            f"`sudo update-alternatives --set ip6tables /usr/sbin/ip6tables-{other}`, then {RESTART}",
        )
    return Result("docker.iptables", FAIL, f"no iptables backend works in this kernel ({said})",
                  "run `wsl --update` for a WSL kernel with netfilter, then `wsl --shutdown`; or set "
                  "\"iptables\": false in docker_daemon_options (containers then get no NAT)")


def _argv(exec_start: str) -> list[str]:
    """dockerd's argv from `systemctl show -p ExecStart`: { path=... ; argv[]=... ; ... }."""
    match = re.search(r"argv\[\]=([^;]*)", exec_start)
    return shlex.split(match.group(1)) if match else []


def check_hosts(facts, settings) -> Result:
    if _desktop_mode(settings):
        return Result("docker.hosts", INFO, "Docker Desktop's engine is configured in Docker Desktop")
    hosts = (_daemon_config(facts) or {}).get("hosts")
    if not hosts:
        return Result("docker.hosts", PASS, f"{DAEMON_JSON} sets no hosts")
    argv = _argv(facts.get("exec_start", ""))
    flags = [f"{a} {argv[i + 1]}" if a in ("-H", "--host") and i + 1 < len(argv) else a
             for i, a in enumerate(argv) if a.startswith(("-H", "--host"))]
    if not flags:
        return Result("docker.hosts", PASS, f"{DAEMON_JSON} sets hosts {hosts}; docker.service passes no -H")
    return Result(
        "docker.hosts", FAIL,
        f"{DAEMON_JSON} sets hosts {hosts} and docker.service starts dockerd with {' '.join(flags)}: "
        "dockerd refuses to start (\"the following directives are specified both as a flag and in the "
        "configuration file: hosts\")",
        "drop hosts from daemon.json (docker_daemon_options), or clear the flag: `sudo systemctl edit "
        "docker.service` with `[Service]`, `ExecStart=` and `ExecStart=/usr/bin/dockerd`, then "
        f"{RESTART}",
    )


# --- the docker group --------------------------------------------------------------------

def _group(facts) -> tuple[str | None, list[str]]:
    """(gid, members) of the docker group; (None, []) when there is none."""
    fields = (facts.get("docker_group") or "").split(":")
    if len(fields) < 4:
        return None, []
    return fields[2], [m for m in fields[3].split(",") if m]


def check_group(facts, settings) -> Result:
    if _desktop_mode(settings):
        return Result("group.members", INFO, "Docker Desktop's integration manages access to its engine")
    users = docker_users(settings, facts)
    missing = missing_users(users, facts.get("users", {}))
    if missing:
        found = "; ".join(_split(m)[1] for m in missing)
        return Result("group.members", FAIL, found, _split(missing[0])[2])
    if not users:
        return Result("group.members", INFO,
                      "no docker users: docker_users is unset and the deploy runs as root")
    gid, members = _group(facts)
    outside = [u for u in users if u not in members]
    if gid is None or outside:
        found = "there is no docker group" if gid is None else \
            f"{', '.join(outside)} {'is' if len(outside) == 1 else 'are'} not in the docker group"
        return Result("group.members", FAIL, found,
                      _deploy_fix("adds them; then open a new shell"), by_deploy=True)
    return Result("group.members", PASS, f"{', '.join(users)} in the docker group")


def check_group_active(facts, settings) -> Result:
    user = facts.get("user") or "unknown"
    if user == "root":
        return Result("group.active", INFO, "doctor runs as root, which needs no docker group")
    gid, members = _group(facts)
    if gid is None or user not in members:
        return Result("group.active", INFO, f"{user} is not in the docker group (see group.members)")
    if "shell_groups" not in facts:
        return Result("group.active", INFO, f"cannot tell which groups {user}'s shell has")
    if gid in facts["shell_groups"].split():
        return Result("group.active", PASS, f"{user}'s shell already has the docker group")
    return Result(
        "group.active", WARN,
        f"{user} is in the docker group, but this shell started before that: docker says "
        "\"permission denied while trying to connect to the Docker daemon socket\"",
        "open a new shell (or run `newgrp docker`); `wsl.exe --terminate <distro>` closes every old one",
    )


# --- NVIDIA Container Toolkit ------------------------------------------------------------

def toolkit_version(deb_version: str) -> Version | None:
    """1.17.8 of the Debian version 1.17.8-1 (1.15.0rc2 of 1.15.0~rc.2-1)."""
    upstream = deb_version.split(":")[-1].rsplit("-", 1)[0].replace("~", "-")
    try:
        return Version(upstream)
    except InvalidVersion:
        return None


def check_toolkit(facts, settings) -> Result:
    if _desktop_mode(settings):
        return Result("toolkit.installed", INFO, "Docker Desktop brings its own GPU support")
    version = _packages(facts).get("nvidia-container-toolkit")
    if not version:
        return Result("toolkit.installed", FAIL, "nvidia-container-toolkit is not installed",
                      _deploy_fix("installs it and restarts the engine"), by_deploy=True)
    wanted = settings.nvidia_toolkit_version
    if wanted and version != wanted:
        return Result("toolkit.installed", WARN,
                      f"nvidia-container-toolkit {version} is installed; nvidia_toolkit_version is {wanted}",
                      _deploy_fix("installs the pinned version"), by_deploy=True)
    return Result("toolkit.installed", PASS, f"nvidia-container-toolkit {version}")


def check_hook(facts, settings) -> Result:
    if _desktop_mode(settings) or "nvidia-container-toolkit" not in _packages(facts):
        return Result("toolkit.hook", INFO, "no toolkit in this distro (see toolkit.installed)")
    binaries = _binaries(facts)
    needed = ["nvidia-container-runtime-hook", "nvidia-container-runtime"]
    missing = [b for b in needed if b not in binaries]
    if missing:
        return Result("toolkit.hook", FAIL, f"{', '.join(missing)} not on the engine's PATH",
                      "`sudo apt-get install --reinstall nvidia-container-toolkit "
                      "nvidia-container-toolkit-base`")
    return Result("toolkit.hook", PASS, ", ".join(binaries[b] for b in needed))


def engine_version(facts) -> Version | None:
    """This distro's engine's version: its package's (docker-ce, or Debian's docker.io), else the one the
    engine gave (a dockerd installed without a package)."""
    packages = _packages(facts)
    text = packages.get("docker-ce") or packages.get("docker.io") or \
        dockerinfo.server_version(facts.get("docker_info", [])) or ""
    # 29.2.1 of 5:29.2.1-1~ubuntu.24.04~noble, 26.1.5 of 26.1.5+dfsg1-9+b9
    match = re.match(r"(?:\d+:)?(\d+(?:\.\d+)+)", text)
    return Version(match.group(1)) if match else None


def _gpu_path(facts) -> tuple[str | None, str]:
    """How this distro's engine runs `--gpus`: "cdi", "hook", or None when doctor cannot tell; and why."""
    version = engine_version(facts)
    if version is None:
        return None, "no engine version to tell by (see docker.engine)"
    features = (_daemon_config(facts) or {}).get("features")
    # CDI is on unless daemon.json turns it off; without it the engine keeps to the runtime hook.
    if isinstance(features, dict) and features.get("cdi") is False:
        return "hook", 'the nvidia runtime hook (daemon.json turns CDI off: "features": {"cdi": false})'
    cdi_hook = _binaries(facts).get("nvidia-cdi-hook")
    if version >= CDI_DOCKER and cdi_hook:
        return "cdi", f"CDI (Docker {version} is 29.2+, nvidia-cdi-hook at {cdi_hook})"
    why = "no nvidia-cdi-hook on the engine's PATH" if version >= CDI_DOCKER else \
        "CDI takes over from Docker 29.2"
    return "hook", f"the nvidia runtime hook (Docker {version}: {why})"


def check_gpu_path(facts, settings) -> Result:
    if _desktop_mode(settings):
        return Result("toolkit.gpu-path", INFO, "Docker Desktop runs `--gpus` in its own engine")
    if "nvidia-container-toolkit" not in _packages(facts):
        return Result("toolkit.gpu-path", INFO, "no toolkit in this distro (see toolkit.installed)")
    path, how = _gpu_path(facts)
    if path is None:
        return Result("toolkit.gpu-path", INFO, how)
    return Result("toolkit.gpu-path", PASS, f"`--gpus` runs through {how}")


def _listed(paths: list[str], most: int = 3) -> str:
    return ", ".join(paths[:most]) + (f" and {len(paths) - most} more" if len(paths) > most else "")


def _regenerate(spec: str, facts) -> str:
    """How to write this stale spec anew."""
    if spec == CDI_REFRESH_OUTPUT and facts.get("cdi_refresh_unit"):
        return f"`sudo systemctl restart {CDI_REFRESH_UNIT}`, which writes {spec} anew"
    if spec.rsplit("/", 1)[-1].startswith("nvidia"):
        return f"`sudo nvidia-ctk cdi generate --output={spec}`"
    return f"write {spec} anew with the tool that made it, or remove it"


def check_cdi_spec(facts, settings) -> Result:
    if _desktop_mode(settings):
        return Result("toolkit.cdi-spec", INFO, "Docker Desktop's engine reads no CDI spec of this distro")
    specs = facts.get("cdi_spec", [])
    if not specs:
        return Result("toolkit.cdi-spec", INFO,
                      f"no CDI spec in /etc/cdi or /var/run/cdi ({CDI_REFRESH_UNIT} of toolkit 1.19.1 and "
                      f"later writes {CDI_REFRESH_OUTPUT})")
    missing: dict[str, list[str]] = {}
    for line in facts.get("cdi_missing", []):
        spec, _, path = line.partition(" ")
        missing.setdefault(spec, []).append(path)
    if not missing:
        return Result("toolkit.cdi-spec", PASS, f"every file that {', '.join(specs)} mounts exists")
    found = "; ".join(f"{spec} mounts {_listed(paths)}, which {'does' if len(paths) == 1 else 'do'} not exist"
                      for spec, paths in missing.items())
    in_store = any(p.startswith(WSL_DRIVER_STORE + "/") for paths in missing.values() for p in paths)
    if in_store and not _off_wsl(facts, settings):
        found += f" (each Windows driver update gives its folder in {WSL_DRIVER_STORE} a new name)"
    fix = "; ".join(_regenerate(spec, facts) for spec in missing)
    path = _gpu_path(facts)[0]
    if path == "cdi":
        return Result("toolkit.cdi-spec", FAIL,
                      f"{found}: GPU containers fail to start (see toolkit.gpu-path)", fix)
    also = "; `--gpus` runs through the runtime hook" if path == "hook" else ""
    return Result("toolkit.cdi-spec", WARN,
                  f"{found}: `--device nvidia.com/gpu=...` fails{also} (see toolkit.gpu-path)", fix)


def check_known_bad(facts, settings) -> Result:
    deb = _packages(facts).get("nvidia-container-toolkit")
    version = toolkit_version(deb) if deb else None
    if _desktop_mode(settings) or version is None:
        return Result("toolkit.known-bad", INFO, "no toolkit version to check (see toolkit.installed)")
    if _off_wsl(facts, settings):
        return _not_wsl("toolkit.known-bad", facts)
    bad = [(why, where) for first, fixed, why, where in KNOWN_BAD_TOOLKITS
           if Version(first) <= version < Version(fixed)]
    if bad:
        whys = "; ".join(f"{why} ({where})" for why, where in bad)
        return Result("toolkit.known-bad", FAIL, f"nvidia-container-toolkit {deb}: {whys}",
                      "set nvidia_toolkit_version to a fixed release (e.g. \"1.20.1-1\") and rerun the "
                      "deploy, or `sudo apt-get install --only-upgrade nvidia-container-toolkit`")
    return Result("toolkit.known-bad", PASS,
                  f"{deb} is not a toolkit release known to break WSL ({len(KNOWN_BAD_TOOLKITS)} listed)")


def check_no_cgroups(facts, settings) -> Result:
    if _desktop_mode(settings) or "nvidia-container-toolkit" not in _packages(facts):
        return Result("toolkit.no-cgroups", INFO, "no toolkit in this distro (see toolkit.installed)")
    uids = {uid for _, uid, _ in _engines(facts)}
    rootless, rootful = any(uid != 0 for uid in uids), 0 in uids or not uids
    value = facts.get("no_cgroups") == "true"
    shown = f"no-cgroups = {'true' if value else 'false'} in {TOOLKIT_CONFIG}"
    if rootless and rootful:
        return Result("toolkit.no-cgroups", WARN,
                      f"{shown}, and both a rootful and a rootless engine run: one of them cannot use "
                      "the GPU",
                      "run one engine only")
    if rootful and value:
        return Result("toolkit.no-cgroups", FAIL,
                      f"{shown}, but the engine runs as root: GPU containers fail with \"Failed to "
                      f"initialize NVML: {NVML_BLOCKED}\" (microsoft/WSL#9962)",
                      "`sudo nvidia-ctk config --set nvidia-container-cli.no-cgroups=false --in-place`, "
                      f"then {RESTART}")
    if rootless and not value:
        return Result("toolkit.no-cgroups", FAIL, f"{shown}, but the engine is rootless, which needs true",
                      "`sudo nvidia-ctk config --set nvidia-container-cli.no-cgroups --in-place`")
    kind = "rootless" if rootless else "rootful"
    return Result("toolkit.no-cgroups", PASS, f"{shown}, right for a {kind} engine")


def check_legacy_lists(facts, settings) -> Result:
    lists = facts.get("legacy_list", [])
    if lists:
        return Result("toolkit.legacy-lists", FAIL,
                      f"{', '.join(lists)} from an older install guide: beside the current list apt fails "
                      "with \"Conflicting values set for option Signed-By\"",
                      _deploy_fix("removes them"), by_deploy=True)
    return Result("toolkit.legacy-lists", PASS, "no legacy NVIDIA list files")


def check_apt_sources(facts, settings) -> Result:
    errors = [e for e in facts.get("apt_err", []) if e.startswith("E:")]
    said = errors or [w for w in facts.get("apt_err", []) if w.startswith("W:")]
    if not said:
        return Result("toolkit.apt-sources", PASS, "apt reads its sources without errors")
    text = " ".join(said)
    fix = "correct or remove the source list apt names"
    if "Conflicting values set for option Signed-By" in text:
        fix = ("remove the older list that names the same repository "
               "(`grep -l nvidia.github.io /etc/apt/sources.list.d/*`)")
    # The deploy removes NVIDIA's legacy lists and any other list that names its repositories.
    ours = bool(facts.get("legacy_list")) or any(
        m in text for m in (settings.nvidia_repo_url, settings.docker_download_url, NVIDIA_LIST, DOCKER_LIST))
    if ours:
        fix += "; " + _deploy_fix("removes NVIDIA's legacy lists and other lists naming its repositories")
    return Result("toolkit.apt-sources", FAIL if errors else WARN, text, fix, by_deploy=ours)


# --- daemon.json -------------------------------------------------------------------------

def check_daemon_json(facts, settings) -> Result:
    if _desktop_mode(settings):
        return Result("daemon-json.valid", INFO, "Docker Desktop keeps its engine's configuration")
    if not facts.get("daemon_json_exists"):
        return Result("daemon-json.valid", INFO, f"{DAEMON_JSON} is absent (see daemon-json.runtime)")
    if _daemon_config(facts) is None:
        try:
            json.loads("\n".join(facts.get("daemon_json", [])))
            why = "it is JSON but not an object"
        except ValueError as e:
            why = str(e)
        return Result("daemon-json.valid", FAIL,
                      f"{DAEMON_JSON} is not a JSON object: {why}; dockerd will not start",
                      _deploy_fix("keeps it as a backup beside it and rewrites it"), by_deploy=True)
    return Result("daemon-json.valid", PASS, f"{DAEMON_JSON} is a JSON object")


def _registered(facts) -> bool:
    runtimes = (_daemon_config(facts) or {}).get("runtimes")
    return isinstance(runtimes, dict) and "nvidia" in runtimes


def check_runtime_registered(facts, settings) -> Result:
    if _desktop_mode(settings):
        return Result("daemon-json.runtime", INFO, "Docker Desktop registers its own runtimes")
    if _registered(facts):
        entry = _daemon_config(facts)["runtimes"]["nvidia"]
        return Result("daemon-json.runtime", PASS, f"registers the nvidia runtime: {json.dumps(entry)}")
    return Result("daemon-json.runtime", FAIL, f"{DAEMON_JSON} registers no nvidia runtime",
                  _deploy_fix("adds it as `nvidia-ctk runtime configure --runtime=docker` does, and "
                              "restarts the engine"), by_deploy=True)


def check_runtime_loaded(facts, settings) -> Result:
    if facts.get("docker_info_skipped"):
        engine = check_engine(facts, settings)
        return Result("daemon-json.loaded", FAIL,
                      "docker.service is stopped: not asked, since docker.socket would start it",
                      engine.fix or "start the engine (see docker.engine)", by_deploy=engine.by_deploy)
    if "docker_info.rc" not in facts:
        return Result("daemon-json.loaded", INFO, "no docker CLI to ask the engine (see docker.engine)")
    output = " ".join(facts.get("docker_info", []))
    if facts["docker_info.rc"] != "0":
        if "permission denied" in output:
            return Result("daemon-json.loaded", WARN, f"cannot ask the engine: {output[-300:]}",
                          "run doctor with --sudo, and see group.active")
        engine = check_engine(facts, settings)
        return Result("daemon-json.loaded", FAIL, f"the engine does not answer: {output[-300:]}",
                      engine.fix or "start the engine (see docker.engine)", by_deploy=engine.by_deploy)
    listed = dockerinfo.runtimes(facts.get("docker_info", []))
    if listed is None:
        return Result("daemon-json.loaded", FAIL, f"docker info gave no runtimes: {output[-300:]}",
                      "check that `docker` talks to this distro's engine")
    runtimes = sorted(listed)
    if "nvidia" in runtimes:
        return Result("daemon-json.loaded", PASS, f"docker info lists runtimes {runtimes}")
    found = f"docker info lists runtimes {runtimes}, not nvidia"
    if _desktop_mode(settings):
        return Result("daemon-json.loaded", FAIL, found,
                      "update Docker Desktop and use its WSL 2 based engine, which brings GPU support")
    if not _registered(facts):
        return Result("daemon-json.loaded", FAIL, f"{found}: daemon.json registers none",
                      _deploy_fix("registers it and restarts the engine"), by_deploy=True)
    started = [s for _, uid, s in _engines(facts) if uid == 0]
    changed = int(facts.get("daemon_json_changed_at") or 0)
    if started and changed > started[0]:
        toolkit = int(facts.get("toolkit_installed_at") or 0)
        also = f"; the toolkit was installed at {_when(toolkit)}" if toolkit > started[0] else ""
        return Result("daemon-json.loaded", FAIL,
                      f"{found}: the engine started at {_when(started[0])}, before daemon.json last changed "
                      f"at {_when(changed)}{also}: it was not restarted",
                      RESTART)
    # The context's endpoint is the line that is a URL: the CLI may print warnings beside it.
    urls = [line for line in facts.get("context_host", []) if re.fullmatch(r"[a-z]+://\S+", line)]
    endpoint = facts.get("docker_host") or (urls[-1] if urls else "unknown")
    return Result("daemon-json.loaded", FAIL,
                  f"{found}, although daemon.json registers it and the engine started after it changed: "
                  f"`docker` talks to another engine ({endpoint})",
                  "point `docker` at this distro's engine: unset DOCKER_HOST, `docker context use default`; "
                  "with Docker Desktop's integration on, `docker` is Desktop's (see docker.desktop)")


# --- GPU container -----------------------------------------------------------------------

GPU_ERRORS = [
    ("could not select device driver", FAIL,
     "the engine has no GPU device driver: the toolkit is missing or the engine was not restarted after it",
     "see toolkit.installed and daemon-json.loaded: rerun the deploy, or " + RESTART),
    ("unknown or invalid runtime name: nvidia", FAIL,
     "the engine has not loaded the nvidia runtime",
     RESTART + " (see daemon-json.loaded)"),
    ("Unknown runtime specified nvidia", FAIL,
     "the engine has not loaded the nvidia runtime",
     RESTART + " (see daemon-json.loaded)"),
    ("WSL environment detected but no adapters were found", FAIL,
     "the toolkit finds no GPU adapter: WSL shares no GPU with this distro",
     WINDOWS_DRIVER_FIX + " (see driver.nvidia-smi and wsl.dxg)"),
    ("libnvidia-ml.so.1: file exists", WARN,
     "the image ships its own libnvidia-ml.so.1, which clashes with the driver's: the image's fault, "
     "not this host's (NVIDIA/nvidia-container-toolkit#289)",
     "use an image without NVIDIA driver libraries (the default gpu_smoke_test_image), or rebuild it "
     "without them"),
    (NVML_BLOCKED, FAIL,
     f"inside the container: {NVML_BLOCKED}",
     "see toolkit.no-cgroups: `sudo nvidia-ctk config --set nvidia-container-cli.no-cgroups=false "
     "--in-place`"),
]


def gpu_command(settings) -> str:
    return f"docker run --rm --gpus all {settings.gpu_smoke_test_image} {settings.gpu_smoke_test_command}"


def check_gpu_container(facts, settings) -> Result:
    result = facts.get("gpu")
    if result is None and facts.get("gpu_asked"):
        engine = check_engine(facts, settings)
        return Result("gpu.container", FAIL, "not run: docker.service is stopped (see docker.engine)",
                      engine.fix or "start the engine (see docker.engine)", by_deploy=engine.by_deploy)
    if result is None:
        return Result("gpu.container", INFO,
                      "not run: set doctor_gpu_container = True (or pass --data doctor_gpu_container=true) "
                      f"to run `{gpu_command(settings)}`")
    output = "\n".join(result["output"])
    if result["ok"]:
        return Result("gpu.container", PASS, " / ".join(result["output"][-3:]) or "the GPU container ran")
    for needle, status, found, fix in GPU_ERRORS:
        if needle in output:
            return Result("gpu.container", status, found, fix)
    return Result("gpu.container", FAIL, "the GPU container failed: " + " / ".join(result["output"][-4:]),
                  "see the checks above; `docker run` says why in its last lines")


CHECKS = [
    check_settings, check_sudo, check_other_preflight,
    check_nvidia_smi, check_driver_libraries, check_libcuda_link,
    check_wsl_version, check_wsl_info, check_kernel, check_dxg, check_clock, check_distro, check_arch,
    check_wsl_conf_booleans, check_cgroups,
    check_linux_driver, check_linker_libcuda,
    check_pid1, check_wsl_conf,
    check_desktop, check_engine, check_iptables, check_hosts,
    check_group, check_group_active,
    check_toolkit, check_hook, check_gpu_path, check_cdi_spec, check_known_bad, check_no_cgroups,
    check_legacy_lists, check_apt_sources,
    check_daemon_json, check_runtime_registered, check_runtime_loaded,
    check_gpu_container,
]
LAYERS = {
    "settings": "settings", "sudo": "sudo", "preflight": "preflight", "driver": "Windows driver",
    "wsl": "WSL", "linux-driver": "Linux driver", "systemd": "systemd", "docker": "Docker Engine",
    "group": "docker group", "toolkit": "NVIDIA Container Toolkit", "daemon-json": "daemon.json",
    "gpu": "GPU container",
}


def layer(check: str) -> str:
    return LAYERS[check.split(".")[0]]


def run_checks(facts: dict, settings) -> list[Result]:
    return [check(facts, settings) for check in CHECKS]
