"""The NVIDIA Container Toolkit layer: installed, its hooks, `--gpus`'s path, CDI specs and apt's sources."""

from __future__ import annotations

import re

from packaging.version import InvalidVersion, Version

from tasks import dockerinfo
from tasks.doctor.checks.common import (
    NVML_BLOCKED,
    binaries,
    daemon_config,
    deploy_fix,
    desktop,
    desktop_mode,
    engines,
    no_toolkit,
    not_on_wsl,
    off_wsl,
    packages,
)
from tasks.doctor.facts import CDI_REFRESH_OUTPUT, CDI_REFRESH_UNIT
from tasks.doctor.registry import Skip, check
from tasks.findings import FAIL, INFO, PASS, WARN, Finding
from tasks.managed import DOCKER_LIST, NVIDIA_LIST, TOOLKIT_CONFIG

LAYER = "NVIDIA Container Toolkit"


# (first bad, first fixed, what breaks, where it is told, its finding's id)
KNOWN_BAD_TOOLKITS = [
    ("1.12.1", "1.13.0", "containers hang while nvidia-container-cli segfaults on WSL2",
     "https://github.com/NVIDIA/nvidia-container-toolkit/issues/53", "toolkit.known-bad.cli-segfault"),
    ("0", "1.14.4", "Windows drivers 555 and newer add libnvdxgdmal.so.1, which this toolkit does "
     "not mount: CUDA fails in containers with error 500 'named symbol not found'",
     "https://github.com/NVIDIA/nvidia-container-toolkit/issues/520", "toolkit.known-bad.no-dxgdmal"),
    ("1.19.1", "1.20.0", "video encode and decode crash in containers: DeepStream's nvv4l2decoder and "
     "nvv4l2h264enc die with SIGSEGV", "https://github.com/NVIDIA/nvidia-container-toolkit/issues/1864",
     "toolkit.known-bad.video-crash"),
]


CDI_DOCKER = Version("29.2")


WSL_DRIVER_STORE = "/usr/lib/wsl/drivers"


def toolkit_version(deb_version: str) -> Version | None:
    """1.17.8 of the Debian version 1.17.8-1 (1.15.0rc2 of 1.15.0~rc.2-1)."""
    upstream = deb_version.split(":")[-1].rsplit("-", 1)[0].replace("~", "-")
    try:
        return Version(upstream)
    except InvalidVersion:
        return None


@check("toolkit.installed", skip=[desktop_mode("Docker Desktop brings its own GPU support")],
       gives={"toolkit.installed.missing": FAIL, "toolkit.installed.not-pinned": WARN})
def check_toolkit(facts, settings) -> Finding:
    """nvidia-container-toolkit is installed, at nvidia_toolkit_version when that is set."""
    version = packages(facts).get("nvidia-container-toolkit")
    if not version:
        return Finding(FAIL, "nvidia-container-toolkit is not installed",
                       deploy_fix("installs it and restarts the engine"), by_deploy=True,
                       id="toolkit.installed.missing")
    wanted = settings.nvidia_toolkit_version
    if wanted and version != wanted:
        return Finding(WARN,
                       f"nvidia-container-toolkit {version} is installed; nvidia_toolkit_version is {wanted}",
                       deploy_fix("installs the pinned version"), by_deploy=True, id="toolkit.installed.not-pinned")
    return Finding(PASS, f"nvidia-container-toolkit {version}")


@check("toolkit.hook", skip=[no_toolkit], gives=[FAIL])
def check_hook(facts, settings) -> Finding:
    """The toolkit's runtime and its hook are on the engine's PATH."""
    found = binaries(facts)
    needed = ["nvidia-container-runtime-hook", "nvidia-container-runtime"]
    missing = [b for b in needed if b not in found]
    if missing:
        return Finding(FAIL, f"{', '.join(missing)} not on the engine's PATH",
                       "`sudo apt-get install --reinstall nvidia-container-toolkit "
                       "nvidia-container-toolkit-base`")
    return Finding(PASS, ", ".join(found[b] for b in needed))


def engine_version(facts) -> Version | None:
    """This distro's engine's version: its package's (docker-ce, or Debian's docker.io), else the one the
    engine gave (a dockerd installed without a package)."""
    installed = packages(facts)
    text = installed.get("docker-ce") or installed.get("docker.io") or \
        dockerinfo.server_version(facts.get("docker_info", [])) or ""
    # 29.2.1 of 5:29.2.1-1~ubuntu.24.04~noble, 26.1.5 of 26.1.5+dfsg1-9+b9
    match = re.match(r"(?:\d+:)?(\d+(?:\.\d+)+)", text)
    return Version(match.group(1)) if match else None


def _gpu_path(facts) -> tuple[str | None, str]:
    """How this distro's engine runs `--gpus`: "cdi", "hook", or None when doctor cannot tell; and why."""
    version = engine_version(facts)
    if version is None:
        return None, "no engine version to tell by (see docker.engine)"
    features = (daemon_config(facts) or {}).get("features")
    # CDI is on unless daemon.json turns it off; without it the engine keeps to the runtime hook.
    if isinstance(features, dict) and features.get("cdi") is False:
        return "hook", 'the nvidia runtime hook (daemon.json turns CDI off: "features": {"cdi": false})'
    cdi_hook = binaries(facts).get("nvidia-cdi-hook")
    if version >= CDI_DOCKER and cdi_hook:
        return "cdi", f"CDI (Docker {version} is 29.2+, nvidia-cdi-hook at {cdi_hook})"
    why = "no nvidia-cdi-hook on the engine's PATH" if version >= CDI_DOCKER else \
        "CDI takes over from Docker 29.2"
    return "hook", f"the nvidia runtime hook (Docker {version}: {why})"


@check("toolkit.gpu-path", skip=[desktop_mode("Docker Desktop runs `--gpus` in its own engine"), no_toolkit])
def check_gpu_path(facts, settings) -> Finding:
    """How the engine runs `--gpus`: through CDI or through the nvidia runtime hook."""
    path, how = _gpu_path(facts)
    if path is None:
        return Finding(INFO, how)
    return Finding(PASS, f"`--gpus` runs through {how}")


def _listed(paths: list[str], most: int = 3) -> str:
    return ", ".join(paths[:most]) + (f" and {len(paths) - most} more" if len(paths) > most else "")


def _regenerate(spec: str, facts) -> str:
    """How to write this stale spec anew."""
    if spec == CDI_REFRESH_OUTPUT and facts.get("cdi_refresh_unit"):
        return f"`sudo systemctl restart {CDI_REFRESH_UNIT}`, which writes {spec} anew"
    if spec.rsplit("/", 1)[-1].startswith("nvidia"):
        return f"`sudo nvidia-ctk cdi generate --output={spec}`"
    return f"write {spec} anew with the tool that made it, or remove it"


@check("toolkit.cdi-spec", skip=[desktop_mode("Docker Desktop's engine reads no CDI spec of this distro")],
       gives={"toolkit.cdi-spec.stale-cdi": FAIL, "toolkit.cdi-spec.stale": WARN})
def check_cdi_spec(facts, settings) -> Finding:
    """Every file the CDI specs mount exists, as it stops doing after a Windows driver update."""
    specs = facts.get("cdi_spec", [])
    if not specs:
        return Finding(INFO,
                       f"no CDI spec in /etc/cdi or /var/run/cdi ({CDI_REFRESH_UNIT} of toolkit 1.19.1 and "
                       f"later writes {CDI_REFRESH_OUTPUT})")
    missing: dict[str, list[str]] = {}
    for line in facts.get("cdi_missing", []):
        spec, _, path = line.partition(" ")
        missing.setdefault(spec, []).append(path)
    if not missing:
        return Finding(PASS, f"every file that {', '.join(specs)} mounts exists")
    found = "; ".join(f"{spec} mounts {_listed(paths)}, which {'does' if len(paths) == 1 else 'do'} not exist"
                      for spec, paths in missing.items())
    in_store = any(p.startswith(WSL_DRIVER_STORE + "/") for paths in missing.values() for p in paths)
    if in_store and not off_wsl(facts):
        found += f" (each Windows driver update gives its folder in {WSL_DRIVER_STORE} a new name)"
    fix = "; ".join(_regenerate(spec, facts) for spec in missing)
    path = _gpu_path(facts)[0]
    if path == "cdi":
        return Finding(FAIL,
                       f"{found}: GPU containers fail to start (see toolkit.gpu-path)", fix,
                       id="toolkit.cdi-spec.stale-cdi")
    also = "; `--gpus` runs through the runtime hook" if path == "hook" else ""
    return Finding(WARN,
                   f"{found}: `--device nvidia.com/gpu=...` fails{also} (see toolkit.gpu-path)", fix,
                   id="toolkit.cdi-spec.stale")


def _installed_version(facts) -> Version | None:
    """The installed toolkit's version, None when there is none or it does not read as one."""
    deb = packages(facts).get("nvidia-container-toolkit")
    return toolkit_version(deb) if deb else None


no_toolkit_version = Skip(lambda facts, settings: desktop(settings) or _installed_version(facts) is None,
                          "no toolkit version to check (see toolkit.installed)")


@check("toolkit.known-bad", skip=[no_toolkit_version, not_on_wsl],
       gives={bad[4]: FAIL for bad in KNOWN_BAD_TOOLKITS})
def check_known_bad(facts, settings) -> Finding:
    """The toolkit is no release known to break GPU containers on WSL2."""
    deb, version = packages(facts)["nvidia-container-toolkit"], _installed_version(facts)
    bad = [(why, where, id) for first, fixed, why, where, id in KNOWN_BAD_TOOLKITS
           if Version(first) <= version < Version(fixed)]
    if bad:
        whys = "; ".join(f"{why} ({where})" for why, where, _ in bad)
        return Finding(FAIL, f"nvidia-container-toolkit {deb}: {whys}",
                       "set nvidia_toolkit_version to a fixed release (e.g. \"1.20.1-1\") and rerun the "
                       "deploy, or `sudo apt-get install --only-upgrade nvidia-container-toolkit`", id=bad[0][2])
    return Finding(PASS,
                   f"{deb} is not a toolkit release known to break WSL ({len(KNOWN_BAD_TOOLKITS)} listed)")


@check("toolkit.no-cgroups", skip=[no_toolkit], gives={
    "toolkit.no-cgroups.rootful": FAIL, "toolkit.no-cgroups.rootless": FAIL, "toolkit.no-cgroups.both": WARN})
def check_no_cgroups(facts, settings) -> Finding:
    """no-cgroups in the toolkit's config.toml suits the engine: false when rootful, true when rootless."""
    uids = {uid for _, uid, _ in engines(facts)}
    rootless, rootful = any(uid != 0 for uid in uids), 0 in uids or not uids
    # The snapshot's reading, which the deploy decides on too: absent or commented out, it is false.
    value = (facts.get("stack") or {}).get("no_cgroups") == "true"
    shown = f"no-cgroups = {'true' if value else 'false'} in {TOOLKIT_CONFIG}"
    if rootless and rootful:
        return Finding(WARN,
                       f"{shown}, and both a rootful and a rootless engine run: one of them cannot use "
                       "the GPU",
                       "run one engine only", id="toolkit.no-cgroups.both")
    if rootful and value:
        return Finding(FAIL,
                       f"{shown}, but the engine runs as root: GPU containers fail with \"Failed to "
                       f"initialize NVML: {NVML_BLOCKED}\" (microsoft/WSL#9962)",
                       deploy_fix("sets it to false on that line alone") + ", or set `no-cgroups = false` under "
                       "[nvidia-container-cli] there by hand; the toolkit reads the file for each container it "
                       "sets up, so the engine needs no restart", by_deploy=True, id="toolkit.no-cgroups.rootful")
    if rootless and not value:
        return Finding(FAIL, f"{shown}, but the engine is rootless, which needs true",
                       "`sudo nvidia-ctk config --set nvidia-container-cli.no-cgroups --in-place`",
                       id="toolkit.no-cgroups.rootless")
    kind = "rootless" if rootless else "rootful"
    return Finding(PASS, f"{shown}, right for a {kind} engine")


@check("toolkit.legacy-lists", gives=[FAIL])
def check_legacy_lists(facts, settings) -> Finding:
    """No NVIDIA list file from an older install guide is left beside the current one."""
    lists = facts.get("legacy_list", [])
    if lists:
        return Finding(FAIL,
                       f"{', '.join(lists)} from an older install guide: beside the current list apt fails "
                       "with \"Conflicting values set for option Signed-By\"",
                       deploy_fix("removes them"), by_deploy=True)
    return Finding(PASS, "no legacy NVIDIA list files")


@check("toolkit.apt-sources", gives={"toolkit.apt-sources.error": FAIL, "toolkit.apt-sources.warning": WARN})
def check_apt_sources(facts, settings) -> Finding:
    """apt reads its sources without errors or warnings."""
    errors = [e for e in facts.get("apt_err", []) if e.startswith("E:")]
    said = errors or [w for w in facts.get("apt_err", []) if w.startswith("W:")]
    if not said:
        return Finding(PASS, "apt reads its sources without errors")
    text = " ".join(said)
    fix = "correct or remove the source list apt names"
    if "Conflicting values set for option Signed-By" in text:
        fix = ("remove the older list that names the same repository "
               "(`grep -l nvidia.github.io /etc/apt/sources.list.d/*`)")
    # The deploy removes NVIDIA's legacy lists and any other list that names its repositories.
    ours = bool(facts.get("legacy_list")) or any(
        m in text for m in (settings.nvidia_repo_url, settings.docker_download_url, NVIDIA_LIST, DOCKER_LIST))
    if ours:
        fix += "; " + deploy_fix("removes NVIDIA's legacy lists and other lists naming its repositories")
    return Finding(FAIL if errors else WARN, text, fix, by_deploy=ours,
                   id=f"toolkit.apt-sources.{'error' if errors else 'warning'}")
