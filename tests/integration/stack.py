"""The converged stack as the tests see it from outside, independently of the deploy's code."""

import json

import testinfra

from testbed.stack import ENGINE, NVIDIA_LIST, TOOLKIT, assert_converged
from testbed.twin import DEFAULT_PLATFORM, NATIVE_KERNEL

LEGACY_LIST = "/etc/apt/sources.list.d/nvidia-docker.list"
DOCKER_PIN = "/etc/apt/preferences.d/docker-ce"
TOOLKIT_PIN = "/etc/apt/preferences.d/nvidia-container-toolkit"


# The folders where the deploy replaces files, through temps of its own beside them (`.NAME.RUN~`) where
# the fixed `NAME.new` of before was.
REPLACED_IN = ["/etc", "/etc/apt/apt.conf.d", "/etc/apt/sources.list.d", "/etc/apt/preferences.d",
               "/etc/apt/keyrings", "/usr/share/keyrings", "/etc/docker", "/etc/wsl-gpu-docker",
               "/var/backups/wsl-gpu-docker"]


def temps_left(host) -> list[str]:
    """What a run left of its temps where it replaces files: nothing, after a run that was not killed."""
    return host.run(f"find {' '.join(REPLACED_IN)} -maxdepth 1 \\( -name '*~' -o -name '*.new' \\)"
                    " 2>/dev/null").stdout.split()


def engine_pid(host):
    return host.check_output("systemctl show docker -p MainPID --value")


def journal_cursor(host) -> str:
    """Where the twin's journal ends now, for engine_starts() to count from."""
    out = host.check_output("journalctl --sync && journalctl -n 1 --show-cursor --no-pager -o cat")
    return out.rsplit("-- cursor: ", 1)[1].strip()


def engine_starts(host, cursor: str) -> int:
    """How many times systemd started docker.service after the journal's cursor: each restart is one."""
    out = host.check_output(f"journalctl --sync && journalctl --after-cursor='{cursor}' _PID=1 UNIT=docker.service"
                            " --no-pager -o cat")
    return sum(line.startswith("Started ") for line in out.splitlines())


def desktop_integration(twin, says: str = "") -> None:
    """Docker Desktop's docker CLI in the distro, as its WSL integration puts it; it prints `says`."""
    cli = "/mnt/wsl/docker-desktop/cli-tools/usr/bin/docker"
    twin.exec(f"mkdir -p {cli.rsplit('/', 1)[0]} && cat > {cli} && chmod +x {cli} && ln -s {cli} /usr/bin/docker",
              input=f"#!/bin/sh\n{says}\n")


# A native workstation: its own kernel, no /dev/dxg, no Windows driver files, a Linux NVIDIA driver.
NATIVE = {"kernel": NATIVE_KERNEL, "dxg": False, "wsl_libs": False, "nvidia_driver": True}


def assert_gpu_docker_works(host):
    """The stack from Docker up, checked from outside; nothing of WSL's."""
    for package in ENGINE + TOOLKIT:
        assert host.package(package).is_installed, package
    docker = host.service("docker")
    assert docker.is_running and docker.is_enabled
    assert "nvidia" in json.loads(host.check_output("docker info --format '{{json .Runtimes}}'"))
    assert "docker" in host.user("dev").groups
    assert not host.file("/etc/wsl.conf").exists
    assert host.run("apt-get update").rc == 0


def drift_repaired(twin, mirrors, run_deploy, platform: str = DEFAULT_PLATFORM):
    """Drift through the stack (daemon.json, docker.list, the toolkit, the docker group, a legacy list) that
    one run repairs, checked from outside: (the twin's testinfra host, that run)."""
    twin.exec(
        "rm /etc/docker/daemon.json /etc/apt/sources.list.d/docker.list"
        " && apt-get remove -y -qq nvidia-container-toolkit && gpasswd -d dev docker"
        f" && cp {NVIDIA_LIST} {LEGACY_LIST}"
    )
    host = testinfra.get_host(twin.testinfra_target)
    assert not host.package("nvidia-container-toolkit").is_installed
    pid = engine_pid(host)
    repair = run_deploy(twin)
    assert repair.returncode == 0, repair
    assert {"daemon.json | /etc/docker/daemon.json registers the nvidia runtime",
            "NVIDIA Container Toolkit | NVIDIA Container Toolkit is installed",
            "Engine restart | Docker Engine is restarted to load its new configuration",
            } <= set(repair.changed), repair
    assert_converged(host, mirrors, platform)
    assert not host.file(LEGACY_LIST).exists
    assert engine_pid(host) != pid, "daemon.json changed, so the engine must have restarted"
    return host, repair


def stops_unchanged(twin, run_deploy, **settings):
    """A run that fails and changes nothing on the twin; returns it, for what it says."""
    before = twin.snapshot()
    run = run_deploy(twin, **settings)
    assert run.returncode != 0, run
    assert twin.snapshot() == before
    return run


def settles(run_deploy, twin, **settings):
    """The next run changes nothing; returns it, for what it says."""
    again = run_deploy(twin, **settings)
    assert again.returncode == 0 and again.changed == [], again
    return again


def assert_a_rerun_changes_nothing(twin, run_deploy):
    """A rerun on a converged twin: no operation changes, files and packages stay, the engine keeps running."""
    host = testinfra.get_host(twin.testinfra_target)
    before, pid = twin.snapshot(), engine_pid(host)
    again = run_deploy(twin)
    assert again.returncode == 0, again
    assert again.changed == [] and again.results["totals"]["success"] == 0, again
    assert twin.snapshot() == before
    assert engine_pid(host) == pid, "the engine was restarted with nothing changed"
    return host


# Everything on the twin's root filesystem but what changes by itself: the kernel's and the boot's
# filesystems, scratch space, logs and journals.
UNTRACKED = ["/proc", "/sys", "/dev", "/run", "/tmp", "/var/tmp", "/var/log"]
TREE_SCRIPT = ("find / -xdev \\( " + " -o ".join(f"-path {p}" for p in UNTRACKED) + " \\) -prune -o "
               "-printf '%p %y %m %U:%G %s %i %T@ %C@ %l\\n' | sort")


def tree(twin) -> list[str]:
    """Every path's type, mode, owner, size, inode, mtime and ctime: a write, a chmod or a rename anywhere
    changes its line (ctime moves whenever a file's bytes or metadata do)."""
    return twin.exec(TREE_SCRIPT).stdout.splitlines()


def assert_unchanged(twin, before: list[str]):
    after = tree(twin)
    gone, new = sorted(set(before) - set(after)), sorted(set(after) - set(before))
    assert not gone and not new, f"changed: {gone[:20]} -> {new[:20]}"
