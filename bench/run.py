"""Benchmark on twins: converge and no-op times, commands per run, the floor, and N twins over SSH at once."""

import argparse
import glob
import json
import os
import re
import resource
import secrets
import shlex
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from types import SimpleNamespace

import testinfra

from bench.counted import LOG_ENV
from testbed.harness import ROOT, TWIN_SETTINGS
from testbed.stack import assert_converged
from testbed.twin import PLATFORMS, ClientKey, Mirrors, Twin, ensure_base_image, free_port, ssh_host_data
from testbed.twin.network import TinyProxy
from testbed.twin.ssh import DEV_PASSWORD

NOTHING = Path(__file__).with_name("nothing.py")
# The converge benchmark's floor: the same end state typed by hand, with no checks.
FLOOR = Path(__file__).with_name("floor.sh")
# The figures of the last full run and of the last --noop-only run, which tools/readme.py renders.
RESULTS = Path(__file__).with_name("results.json")
RESULTS_NOOP = Path(__file__).with_name("results-noop.json")
RESULTS_NOOP_PROXY = Path(__file__).with_name("results-noop-proxy.json")
RESULTS_CONVERGE = Path(__file__).with_name("results-converge.json")
# Commands in which apt downloads and installs packages: its updates, installs and Docker's script.
APT = re.compile(r"apt-get\b.*\b(update|install)\b|get-docker\.sh|dpkg --configure")
# The issue asks for a first converge within 1.15 times the floor (floor.sh), and a no-op rerun within 1.3
# times the floor over SSH and @local; 3 times over docker exec.
TARGETS = {"converge_vs_floor": 1.15, "noop_vs_floor": 3.0, "noop_vs_floor_ssh": 1.3, "noop_vs_floor_local": 1.3,
           "noop_commands": 40,
           "ssh_8_vs_1": 2.5}


def cpu_seconds(twin: Twin) -> float:
    """CPU time the twin's processes have used, from its cgroup (v1 or v2)."""
    for path in glob.glob(f"/sys/fs/cgroup/cpuacct/docker/{twin.id}/cpuacct.usage"):
        return int(Path(path).read_text()) / 1e9
    for path in glob.glob(f"/sys/fs/cgroup/**/*{twin.id}*/cpu.stat", recursive=True):
        return int(Path(path).read_text().split()[1]) / 1e6
    return float("nan")


class Run:
    """
    One pyinfra run through bench/counted.py: wall time, every command it sent, and the CPU time
    of pyinfra and of the twins, which bounds the wall time on this machine's cores.
    """

    def __init__(self, inventory: Path, deploy: Path, folder: Path, sudo: bool, twins: list[Twin]):
        log = Path(tempfile.mkstemp(dir=folder, suffix=".jsonl")[1])
        args = [sys.executable, str(ROOT / "bench" / "counted.py"), "-y", *(["--sudo"] if sudo else []),
                str(inventory), str(deploy)]
        twins_before, pyinfra_before = sum(map(cpu_seconds, twins)), _children_cpu()
        start = time.monotonic()
        proc = subprocess.run(args, cwd=ROOT, env={**os.environ, LOG_ENV: str(log)},
                              capture_output=True, text=True, timeout=1800)
        self.seconds = time.monotonic() - start
        self.pyinfra_cpu = _children_cpu() - pyinfra_before
        self.twins_cpu = sum(map(cpu_seconds, twins)) - twins_before
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
        self.commands = [json.loads(line) for line in log.read_text().splitlines()]

    def per_host(self) -> int:
        """Commands sent to each host (the most any host got)."""
        hosts = {}
        for c in self.commands:
            hosts[c["host"]] = hosts.get(c["host"], 0) + 1
        return max(hosts.values(), default=0)

    def split(self) -> dict:
        """Seconds in apt's commands, in the other commands, and in pyinfra itself (the rest)."""
        apt = sum(c["seconds"] for c in self.commands if APT.search(c["command"]))
        other = sum(c["seconds"] for c in self.commands) - apt
        return {"apt": apt, "other_commands": other, "pyinfra": self.seconds - apt - other}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def paired(runs: int, make, make_floor) -> tuple[tuple[float, "Run"], tuple[float, "Run"]]:
    """The median time and the last run of each, their runs taken in turns: a load that comes and goes
    on the machine weighs on both alike."""
    done = [(make(), make_floor()) for _ in range(runs)]
    return tuple((statistics.median(r.seconds for r in side), side[-1]) for side in zip(*done))


def write_inventory(folder: Path, name: str, hosts: list[tuple[str, dict]], data: dict) -> Path:
    path = folder / f"{name}.py"
    path.write_text(f"hosts = ({hosts!r}, {data!r})\n")
    return path


def docker_connector(image: str, settings: dict, folder: Path, repeats: int) -> dict:
    """A fresh twin converged, then no-op reruns and the floor, over the docker connector."""
    with Twin(image) as twin:
        inventory = write_inventory(folder, "docker", [(twin.pyinfra_target, {})], settings)
        converge = Run(inventory, ROOT / "deploy.py", folder, False, [twin])
        (noop, last), (floor, _) = paired(repeats, lambda: Run(inventory, ROOT / "deploy.py", folder, False, [twin]),
                                          lambda: Run(inventory, NOTHING, folder, False, [twin]))
    by_command = {}
    for c in last.commands:
        key = c["command"].strip().splitlines()[0][:90]
        by_command[key] = by_command.get(key, 0) + 1
    return {
        "converge_s": converge.seconds,
        "converge_split_s": converge.split(),
        "converge_commands": len(converge.commands),
        "converge_cpu_s": {"twins": converge.twins_cpu, "pyinfra": converge.pyinfra_cpu},
        "noop_s": noop,
        "noop_commands": len(last.commands),
        "noop_commands_by_text": dict(sorted(by_command.items(), key=lambda kv: -kv[1])),
        "floor_s": floor,
    }


# The venv's packages, which the twin's own python (Debian 12's 3.11, as this machine's) imports.
SITE_PACKAGES = Path(sysconfig.get_paths()["purelib"]).relative_to(ROOT)


def copy_checkout(twin: Twin) -> None:
    """This checkout (its files as they are, not only the committed ones) and its venv's packages, at
    the same path on the twin, so that pyinfra runs there."""
    listed = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z", "-co", "--exclude-standard"],
                            capture_output=True, check=True).stdout
    names = b"".join(n + b"\0" for n in listed.split(b"\0") if n and (ROOT / n.decode()).exists())
    files = subprocess.run(["tar", "-C", str(ROOT), "--null", "-T", "-", "-c", str(SITE_PACKAGES)],
                           input=names, capture_output=True, check=True).stdout
    # dev's own, as a user's clone is: python keeps its bytecode there, as it does on a workstation.
    subprocess.run(["docker", "exec", "-i", twin.id, "sh", "-c",
                    f"mkdir -p {ROOT} && tar -C {ROOT} -x && chown -R dev: {ROOT}"], input=files, check=True)


def local_ready(twin: Twin, settings: dict) -> None:
    """The checkout and the settings on the twin, for local_run."""
    copy_checkout(twin)
    data = "".join(f"{name} = {value!r}\n" for name, value in settings.items())
    twin.exec("mkdir -p /tmp/bench-data && cat > /tmp/bench-data/all.py && chmod -R a+rX /tmp/bench-data",
              input=data)


def local_run(twin: Twin, deploy: Path) -> tuple[float, list[dict]]:
    """deploy run by pyinfra on the twin itself (@local), as `dev` with --sudo, as setup.sh runs it: its wall
    time, taken on the twin (so `docker exec` is not counted), and the commands bench/counted.py logged."""
    done = twin.exec(
        f"cd {ROOT} && rm -f /tmp/bench-commands.jsonl && start=$(date +%s%N) &&"
        f" {LOG_ENV}=/tmp/bench-commands.jsonl PYTHONPATH={SITE_PACKAGES} python3 bench/counted.py -y --sudo"
        f" --group-data /tmp/bench-data @local {deploy.relative_to(ROOT)} > /tmp/bench-out 2>&1"
        " || { tail -c 3000 /tmp/bench-out; exit 1; }; end=$(date +%s%N);"
        " echo $((end - start)); cat /tmp/bench-commands.jsonl 2>/dev/null || true", user="dev")
    nanoseconds, *commands = done.stdout.splitlines()
    return int(nanoseconds) / 1e9, [json.loads(line) for line in commands]


def at_local(twin: Twin, settings: dict, repeats: int) -> dict:
    """
    The no-op rerun and the floor run by pyinfra on the converged twin itself (@local), as `dev` with
    --sudo, as a workstation's user runs the deploy. Timed on the twin, so `docker exec` is not counted.
    """
    local_ready(twin, settings)

    def run(deploy: Path) -> tuple[float, list[dict]]:
        return local_run(twin, deploy)

    run(ROOT / "deploy.py"), run(NOTHING)  # the first runs compile the bytecode: not counted
    pairs = [(run(ROOT / "deploy.py"), run(NOTHING)) for _ in range(repeats)]  # in turns, as paired()
    noops, floors = [p[0] for p in pairs], [p[1] for p in pairs]
    return {"noop_s": statistics.median(t for t, _ in noops), "noop_commands": len(noops[-1][1]),
            # The time the host took to run the commands, sudo included; the rest is pyinfra's.
            "noop_commands_s": statistics.median(sum(c["seconds"] for c in cs) for _, cs in noops),
            "floor_s": statistics.median(t for t, _ in floors)}


def over_ssh(image: str, settings: dict, folder: Path, key: ClientKey, n: int, repeats: int,
             sudo_password: bool = False, local: bool = False) -> dict:
    """
    n fresh twins converged by one run over SSH as a sudo user, then the no-op rerun and the floor.
    Without sudo_password the user needs none, as a team's automation account usually: with one,
    pyinfra runs `sudo -A -k`, which authenticates again for every command.
    """
    label = f"ssh{n}{'-password' if sudo_password else ''}"
    with ExitStack() as stack:
        twins = [stack.enter_context(Twin(image, ssh_port=free_port(), authorized_key=key.public,
                                          sudo_nopasswd=not sudo_password)) for _ in range(n)]
        known_hosts = folder / f"known_hosts_{label}"
        known_hosts.write_text("".join(t.known_hosts() for t in twins))
        hosts = [(f"twin-{i + 1}", ssh_host_data(t, key, known_hosts, DEV_PASSWORD if sudo_password else None))
                 for i, t in enumerate(twins)]
        inventory = write_inventory(folder, label, hosts, settings)
        converge = Run(inventory, ROOT / "deploy.py", folder, True, twins)
        (noop, last), (floor, _) = paired(repeats, lambda: Run(inventory, ROOT / "deploy.py", folder, True, twins),
                                          lambda: Run(inventory, NOTHING, folder, True, twins))
        local_figures = at_local(twins[0], settings, repeats) if local else None
    return {"n": n, "sudo_password": sudo_password, "converge_s": converge.seconds, "local": local_figures,
            # Command times add up to the wall time only for one host: several run at once.
            "converge_split_s": converge.split() if n == 1 else None,
            "converge_cpu_s": {"twins": converge.twins_cpu, "pyinfra": converge.pyinfra_cpu},
            "noop_s": noop, "noop_cpu_s": {"twins": last.twins_cpu, "pyinfra": last.pyinfra_cpu},
            "noop_commands_per_host": last.per_host(), "floor_s": floor}


# --- the first converge against the floor ---------------------------------------------------------

# The steps of a converge's profile: each command is the first step whose files/ scripts (any of them, |
# between) it carries and whose pattern its text matches.
STEPS = [
    ("the snapshot: identity and managed state", "host-snapshot.sh", None),
    ("the upstream checks", "upstreams-answer.sh", None),
    ("Docker's and NVIDIA's keys and sources, each with a scoped apt-get update", "apt-repository.sh", None),
    ("the install script (two apt-get updates, installs)", "docker-install.sh", None),
    ("apt-get install of the toolkit", None, r"apt-get\b.*\binstall\b.*nvidia-container"),
    ("apt-get install, others", None, r"apt-get\b.*\binstall\b"),
    ("a repository's read: apt's and dpkg's locks, its key's fingerprints, its source", "repository-files.sh", None),
    ("apt's and dpkg's locks (apt-state.sh)", "apt-state.sh", None),
    ("daemon.json written, checked by dockerd --validate", "daemon-json-check.sh", None),
    ("the engine restart", "engine-apply.sh", None),
    ("the final check and a restart left pending (command-result.sh)", "command-result.sh", None),
    ("files: sha256 checks", None, r"sha256sum "),
    ("files: writes (each in one command: its text, mode, fsync, rename)", None,
     r"^(mkdir -p |chmod |sync |mv -f |if \[ -n \"\$TMPDIR)|^/"),
    ("the toolkit's packages read (dpkg -l) and the group (usermod)", None,
     r"dpkg -l|systemctl |/etc/group|/etc/passwd|uname -s|usermod|groupadd"),
]


def step_of(command: dict) -> str:
    """The step of a command bench/counted.py logged: by the files/ scripts it carries, else by its words."""
    for name, scripts, pattern in STEPS:
        if scripts and not set(scripts.split("|")) & set(command.get("scripts", [])):
            continue
        if pattern and not re.search(pattern, command["command"] + "\n" + command.get("tail", ""), re.S):
            continue
        return name
    return "other commands"


def profile(run: "Run") -> dict[str, dict]:
    """A converge's time, step by step: the commands of each step (their count and seconds) and pyinfra's own
    time, the wall time no command took (its start, planning, facts' parsing)."""
    steps = {name: {"commands": 0, "seconds": 0.0} for name, _, _ in STEPS}
    for c in run.commands:
        step = steps.setdefault(step_of(c), {"commands": 0, "seconds": 0.0})
        step["commands"] += 1
        step["seconds"] += c["seconds"]
    steps = {name: step for name, step in steps.items() if step["commands"]}
    steps["pyinfra: start, planning, between commands"] = {
        "commands": 0, "seconds": run.seconds - sum(c["seconds"] for c in run.commands)}
    return steps


def floor_arguments(settings: dict) -> list[str]:
    """floor.sh's arguments: the same mirrors, daemon.json (the twin's options and the runtime, as
    `nvidia-ctk runtime configure` adds it), user and proxy as the deploy's."""
    daemon = {**settings["docker_daemon_options"],
              "runtimes": {"nvidia": {"args": [], "path": "nvidia-container-runtime"}}}
    return [f"SCRIPT_URL={settings['docker_install_script_url']}", f"DOWNLOAD_URL={settings['docker_download_url']}",
            f"NVIDIA_URL={settings['nvidia_repo_url']}", f"DAEMON_JSON={json.dumps(daemon, indent=4)}",
            f"USER={settings['docker_users'][0]}", *([f"PROXY={settings['http_proxy']}"] if "http_proxy" in settings
                                                     else [])]


def checked(twin: Twin, mirrors: Mirrors, platform: str) -> None:
    """The end state, checked from outside with the integration tests' own checks: the floor must reach
    the deploy's, or the comparison means nothing."""
    assert_converged(testinfra.get_host(twin.testinfra_target), mirrors, platform)


# Before each timed converge of a round: the disk's pending writes of what came before (the last round's twins,
# removed; this twin's boot) flushed, what both runs read put in memory (warmed), and a pause. The two also take
# turns going first.
SETTLE_S = 5


def warmed(image: str, mirrors: Mirrors) -> None:
    """
    Every file a converge reads on this machine, read into memory: the mirrors' tree, the twin image's layers, this
    checkout with its venv, Python's library and the docker CLI. This machine's kernel pages out what lay unread for
    a minute (a DAMON pageout scheme: regions idle 12 aggregations of 5 s), so the first run of a round read from
    disk what the second then found in memory, whichever it was: with 8 docker rounds, the one that went first took
    4 to 7 s more than the other. Read before each, both runs start alike.
    """
    data = json.loads(subprocess.run(["docker", "image", "inspect", "--format", "{{json .GraphDriver.Data}}", image],
                                     capture_output=True, text=True, check=True).stdout)
    layers = [*data.get("LowerDir", "").split(":"), data.get("UpperDir", "")]
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    roots = [mirrors.root, ROOT, stdlib, *map(Path, filter(None, layers))]
    for path in [*(p for root in roots for p in root.rglob("*")), *_programs()]:
        # The venv's packages are in ROOT; those of the Python it was made from, not.
        if path.is_file() and not path.is_symlink() and not path.is_relative_to(stdlib / "site-packages"):
            with open(path, "rb") as f:
                while f.read(1 << 20):
                    pass


def _programs() -> list[Path]:
    """The programs a run starts on this machine (Python, the docker CLI, ssh) and the libraries they load, with
    those this process has loaded (Python's extensions' own)."""
    programs = [sys.executable, *filter(None, map(shutil.which, ("docker", "ssh")))]
    ldd = subprocess.run(["ldd", *programs], capture_output=True, text=True).stdout
    maps = Path("/proc/self/maps").read_text()
    return [Path(p).resolve() for p in dict.fromkeys([*programs, *re.findall(r"=> (/\S+)", ldd),
                                            *re.findall(r" (/\S+\.so[.\d]*)$", maps, re.M)])]


def settled(image: str, mirrors: Mirrors) -> None:
    os.sync()
    warmed(image, mirrors)
    time.sleep(SETTLE_S)


def converge_round(connector: str, image: str, platform: str, settings: dict, mirrors: Mirrors, folder: Path,
                   key: ClientKey, floor_first: bool) -> tuple[float, float, "Run"]:
    """One round: a fresh twin converged by the deploy and another by floor.sh, the floor first when floor_first,
    through connector ("docker": pyinfra's docker connector and `docker exec`; "ssh": pyinfra over SSH with
    --sudo, and ssh with sudo; "local": pyinfra @local on the twin as dev with --sudo, as setup.sh runs it, and
    sudo there, both timed on the twin). Each twin starts just before its own run, outside the clock, so that
    neither run shares the machine with the other twin's boot; both end states are checked after."""
    opts = {"os_release": PLATFORMS[platform].os_release}
    if connector in ("ssh", "local"):
        opts |= {"authorized_key": key.public, "sudo_nopasswd": True}
    known_hosts = folder / "known_hosts_converge"

    def started() -> Twin:
        return stack.enter_context(Twin(image, ssh_port=free_port() if connector == "ssh" else None, **opts))

    def deployed() -> tuple[Twin, "Run"]:
        twin = started()
        if connector == "ssh":
            known_hosts.write_text(twin.known_hosts())
            inventory = write_inventory(folder, "converge", [("twin", ssh_host_data(twin, key, known_hosts, None))],
                                        settings)
        elif connector == "local":
            local_ready(twin, settings)
            # Its bytecode compiled before the clock, as the no-op figures' first run does.
            twin.exec(f"cd {ROOT} && python3 -m compileall -q {SITE_PACKAGES} tasks bench *.py >/dev/null",
                      user="dev")
        else:
            inventory = write_inventory(folder, "converge", [(twin.pyinfra_target, {})], settings)
        settled(image, mirrors)
        if connector == "local":
            seconds, commands = local_run(twin, ROOT / "deploy.py")
            return twin, SimpleNamespace(seconds=seconds, commands=commands)
        return twin, Run(inventory, ROOT / "deploy.py", folder, connector == "ssh", [twin])

    def floored() -> tuple[Twin, float]:
        twin = started()
        if connector == "ssh":
            known_hosts.write_text(twin.known_hosts())
            floor = ["ssh", "-i", str(key.path), "-p", str(twin.ssh_port), "-o", f"UserKnownHostsFile={known_hosts}",
                     "-o", "StrictHostKeyChecking=yes", "-o", "IdentitiesOnly=yes", "dev@127.0.0.1",
                     "sudo sh -s -- " + " ".join(map(shlex.quote, floor_arguments(settings)))]
        elif connector == "local":
            # Timed on the twin too, as dev with sudo.
            floor = ["docker", "exec", "-i", "-u", "dev", twin.id, "sh", "-c",
                     'start=$(date +%s%N) && sudo sh -s -- "$@" >/dev/null && echo $(($(date +%s%N) - start))',
                     "floor", *floor_arguments(settings)]
        else:
            floor = ["docker", "exec", "-i", twin.id, "sh", "-s", "--", *floor_arguments(settings)]
        settled(image, mirrors)
        start = time.monotonic()
        done = subprocess.run(floor, input=FLOOR.read_text(), text=True, check=True, capture_output=True,
                              timeout=900)
        return twin, int(done.stdout.split()[-1]) / 1e9 if connector == "local" else time.monotonic() - start

    with ExitStack() as stack:
        if floor_first:
            (floor_twin, floor_s), (deploy_twin, run) = floored(), deployed()
        else:
            (deploy_twin, run), (floor_twin, floor_s) = deployed(), floored()
        for twin in (deploy_twin, floor_twin):
            checked(twin, mirrors, platform)
    return run.seconds, floor_s, run


def converge_benchmark(connector: str, image: str, platform: str, settings: dict, mirrors: Mirrors, folder: Path,
                       key: ClientKey, rounds: int) -> dict:
    """rounds of converge_round: the medians, their ratio, and the median profile of the deploy's converges."""
    done = []
    for i in range(rounds):
        # Each goes first in every other round: what the first run of a round meets (the mirrors' caches, the
        # machine's load after the round before) weighs on both alike.
        done.append(converge_round(connector, image, platform, settings, mirrors, folder, key, floor_first=i % 2 == 1))
        print(f"{connector} round {i + 1}: deploy {done[-1][0]:.1f} s, floor {done[-1][1]:.1f} s;"
              f" load average {os.getloadavg()[0]:.1f}", flush=True)
    deploy_s, floor_s = [d for d, _, _ in done], [f for _, f, _ in done]
    profiles = [profile(run) for _, _, run in done]
    steps = {name: {"commands": statistics.median(p.get(name, {"commands": 0})["commands"] for p in profiles),
                    "seconds": statistics.median(p.get(name, {"seconds": 0.0})["seconds"] for p in profiles)}
             for name in dict.fromkeys(name for p in profiles for name in p)}
    return {"connector": connector, "platform": platform, "rounds": rounds, "deploy_s": deploy_s, "floor_s": floor_s,
            "deploy_median_s": statistics.median(deploy_s), "floor_median_s": statistics.median(floor_s),
            "ratio": statistics.median(deploy_s) / statistics.median(floor_s),
            "commands": statistics.median(len(run.commands) for _, _, run in done), "profile": steps}


def converge_table(figures: list[dict]) -> str:
    rows = []
    for f in figures:
        verdict = "met" if f["ratio"] <= TARGETS["converge_vs_floor"] else "MISSED"
        rows.append(f"converge {f['connector']}{' with the proxy' if f['proxy'] else ''}, {f['platform']},"
                    f" {f['rounds']} rounds: deploy"
                    f" {f['deploy_median_s']:.1f} s ({f['commands']:g} commands),"
                    f" floor {f['floor_median_s']:.1f} s: {f['ratio']:.2f} x"
                    f" (<= {TARGETS['converge_vs_floor']}: {verdict})")
        for name, step in f["profile"].items():
            rows.append(f"    {name:<52} {step['commands']:>4g}  {step['seconds']:6.2f} s")
    return "\n".join(rows)


def verdicts(docker: dict | None, ssh: list[dict]) -> dict:
    """Each figure against its target; a run without the docker connector or several twins has fewer."""
    by_n = {s["n"]: s for s in ssh if not s["sudo_password"]}
    one, most = by_n[1], by_n[max(by_n)]
    ratios = {"noop_vs_floor_ssh": (one["noop_s"] / one["floor_s"], TARGETS["noop_vs_floor_ssh"])}
    if one.get("local"):
        local = one["local"]
        ratios["noop_vs_floor_local"] = (local["noop_s"] / local["floor_s"], TARGETS["noop_vs_floor_local"])
    if docker:
        ratios["noop_vs_floor_docker"] = (docker["noop_s"] / docker["floor_s"], TARGETS["noop_vs_floor"])
    ratios["noop_commands"] = (one["noop_commands_per_host"], TARGETS["noop_commands"])
    if most is not one:
        ratios[f"ssh_{most['n']}_vs_1_converge"] = (most["converge_s"] / one["converge_s"], TARGETS["ssh_8_vs_1"])
        ratios[f"ssh_{most['n']}_vs_1_noop"] = (most["noop_s"] / one["noop_s"], TARGETS["ssh_8_vs_1"])
    verdict = {name: {"value": value, "target": limit, "met": value <= limit}
               for name, (value, limit) in ratios.items()}
    if most is not one:
        # The twins share this machine's cores, where real workstations have their own: the least
        # ratio their CPU time allows, however well the run overlaps them.
        cpu = most["converge_cpu_s"]
        verdict[f"ssh_{most['n']}_vs_1_converge"]["cpu_floor"] = \
            (cpu["twins"] + cpu["pyinfra"]) / os.cpu_count() / one["converge_s"]
    return verdict


def _split(split: dict) -> str:
    return (f"in apt's commands {split['apt']:.1f} s, in the others {split['other_commands']:.1f} s, "
            f"in pyinfra {split['pyinfra']:.1f} s; ")


def _cpu(cpu: dict, cores: int) -> str:
    bound = (cpu["twins"] + cpu["pyinfra"]) / cores
    return (f"CPU: twins {cpu['twins']:.1f} s, pyinfra {cpu['pyinfra']:.1f} s,"
            f" so at least {bound:.1f} s on {cores} cores")


def table(figures: dict) -> str:
    d, cores = figures["docker_connector"], figures["machine"]["cpus"]
    rows = [
        ("fresh twin converge (docker connector)", f"{d['converge_s']:.1f} s",
         f"{_split(d['converge_split_s'])}{d['converge_commands']} commands; {_cpu(d['converge_cpu_s'], cores)}"),
        ("no-op rerun (docker connector)", f"{d['noop_s']:.2f} s", f"{d['noop_commands']} commands"),
        ("floor: a deploy that does nothing", f"{d['floor_s']:.2f} s", "same twin, same connector"),
    ] if d else []
    for s in figures["ssh"]:
        password = " (sudo with password)" if s["sudo_password"] else ""
        what = f"{s['n']} twin{'s' if s['n'] > 1 else ''} over SSH{password}"
        split = _split(s["converge_split_s"]) if s["converge_split_s"] else ""
        rows.append((f"{what}: converge", f"{s['converge_s']:.1f} s", split + _cpu(s["converge_cpu_s"], cores)))
        rows.append((f"{what}: no-op rerun", f"{s['noop_s']:.2f} s",
                     f"{s['noop_commands_per_host']} commands per host; floor {s['floor_s']:.2f} s; "
                     + _cpu(s["noop_cpu_s"], cores)))
        if s.get("local"):
            local = s["local"]
            rows.append(("the same twin, @local as dev with --sudo: no-op rerun", f"{local['noop_s']:.2f} s",
                         f"{local['noop_commands']} commands, which took {local['noop_commands_s']:.2f} s;"
                         f" floor {local['floor_s']:.2f} s"))
    for name, v in figures["targets"].items():
        floor = f" (the CPU time alone allows no less than {v['cpu_floor']:.2f})" if "cpu_floor" in v else ""
        rows.append((f"target {name}", f"{v['value']:.2f}",
                     f"<= {v['target']}: {'met' if v['met'] else 'MISSED'}{floor}"))
    width = max(len(r[0]) for r in rows)
    return "\n".join(f"{a:<{width}}  {b:>9}  {c}" for a, b, c in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", help="where to write the figures (default: bench/results.json, with"
                        " --noop-only bench/results-noop.json, with --proxy too bench/results-noop-proxy.json;"
                        " the README's figures come from them)")
    parser.add_argument("--repeats", type=int, default=3, help="no-op and floor runs, of which the median counts")
    parser.add_argument("--ssh", default="1,4,8", help="numbers of twins converged at once over SSH")
    parser.add_argument("--noop-only", action="store_true",
                        help="one twin only, over SSH and @local: its no-op rerun against the floor")
    parser.add_argument("--converge", metavar="CONNECTORS",
                        help="only the first converge against floor.sh, on fresh twins in alternating rounds"
                        " (--repeats of them), through each of these connectors: docker, ssh, local (e.g. docker,ssh);"
                        " writes bench/results-converge.json")
    parser.add_argument("--platform", default="ubuntu-24.04", help="with --converge: the twins' platform")
    parser.add_argument("--proxy", action="store_true",
                        help="every run through Debian's tinyproxy, as http_proxy and https_proxy with credentials"
                        " (with --converge, the floor's too)")
    args = parser.parse_args()

    if args.converge:
        converge_main(args)
        return
    image = ensure_base_image()
    with Mirrors() as mirrors, tempfile.TemporaryDirectory(prefix="wsl-gpu-bench-") as tmp:
        folder = Path(tmp)
        settings = {**mirrors.settings(), **TWIN_SETTINGS}
        # The password is random and masked wherever a run shows it; only the temporary inventories hold it.
        proxy = TinyProxy(user="bench", password=secrets.token_hex(8)).start() if args.proxy else None
        if proxy:
            settings |= {"http_proxy": proxy.url, "https_proxy": proxy.url}
        key = ClientKey(folder)
        if args.noop_only:
            docker = None
            ssh = [over_ssh(image, settings, folder, key, 1, args.repeats, local=True)]
        else:
            docker = docker_connector(image, settings, folder, args.repeats)
            ssh = [over_ssh(image, settings, folder, key, int(n), args.repeats, local=n == "1")
                   for n in args.ssh.split(",")]
            ssh.append(over_ssh(image, settings, folder, key, 1, args.repeats, sudo_password=True))
        if proxy:
            proxy.stop()
    figures = {"proxy": bool(proxy), "machine": {"cpus": os.cpu_count()}, "docker_connector": docker, "ssh": ssh,
               "targets": verdicts(docker, ssh), "command": " ".join(["python -m bench.run", *sys.argv[1:]])}
    default = (RESULTS_NOOP_PROXY if args.proxy else RESULTS_NOOP) if args.noop_only else RESULTS
    results = Path(args.json) if args.json else default
    results.write_text(json.dumps(figures, indent=2) + "\n")
    print(table(figures))


def converge_main(args) -> None:
    """The --converge run. Each connector's figures replace those of the same connector and platform in the
    results, and keep the others: runs of one connector or platform at a time add up."""
    image = ensure_base_image(PLATFORMS[args.platform].suite)
    command = (f"python -m bench.run --converge {args.converge} --platform {args.platform} --repeats {args.repeats}"
               + (" --proxy" if args.proxy else ""))
    figures = []
    with Mirrors() as mirrors, tempfile.TemporaryDirectory(prefix="wsl-gpu-bench-") as tmp:
        folder = Path(tmp)
        settings = {**mirrors.settings(), **TWIN_SETTINGS}
        # As the no-op's --proxy: a random password, which only the temporary inventories and floor.sh's
        # arguments hold.
        proxy = TinyProxy(user="bench", password=secrets.token_hex(8)).start() if args.proxy else None
        if proxy:
            settings |= {"http_proxy": proxy.url, "https_proxy": proxy.url}
        key = ClientKey(folder)
        for connector in args.converge.split(","):
            figure = converge_benchmark(connector, image, args.platform, settings, mirrors, folder, key, args.repeats)
            # The machine's load averages over 1, 5 and 15 minutes as it ends: other runs slow apt's work most.
            figures.append({**figure, "proxy": bool(proxy), "command": command, "load_average": list(os.getloadavg())})
        if proxy:
            proxy.stop()
    results = Path(args.json) if args.json else RESULTS_CONVERGE
    kept = json.loads(results.read_text())["converge"] if results.exists() else []
    done = {(f["connector"], f["platform"], f["proxy"]) for f in figures}
    kept = [f for f in kept if (f["connector"], f["platform"], f.get("proxy", False)) not in done]
    results.write_text(json.dumps({"machine": {"cpus": os.cpu_count()}, "target": TARGETS["converge_vs_floor"],
                                   "converge": kept + figures}, indent=2) + "\n")
    print(converge_table(figures))

if __name__ == "__main__":
    main()
