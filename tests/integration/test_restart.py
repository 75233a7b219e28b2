"""A rerun never stops a running container: reloads where dockerd can, restarts only when idle or when told."""

import json
import re

import pytest
import testinfra

from testbed.harness import TWIN_SETTINGS
from testbed.twin import Twin
from testbed.twin.network import TinyProxy
from tests.integration.stack import engine_pid, journal_cursor, settles

pytestmark = pytest.mark.integration

BASE = TWIN_SETTINGS["docker_daemon_options"]
PENDING = "/var/lib/wsl-gpu-docker/engine-restart-pending"
RESTART = "Engine restart | Docker Engine is restarted to load its new configuration"
RELOAD = "Engine restart | Docker Engine reloads its new configuration, stopping no container"
ULIMITS = {"nofile": {"Name": "nofile", "Hard": 4096, "Soft": 2048}}
# A value for each key the deploy reloads (tasks/restart.py's RELOADABLE_KEYS, default-runtime through
# nvidia_default_runtime), other than what the engine runs with, and how the engine shows it.
RELOADED = {
    "labels": ["team=ml"],
    "debug": True,
    "registry-mirrors": ["https://mirror.corp.invalid"],
    "insecure-registries": ["registry.corp.invalid:5000"],
    "live-restore": True,
    "runtimes": {"spare": {"path": "/usr/bin/true"}},
    "default-shm-size": "2G",  # docker_default_shm_size's default is 1G
    "default-ipc-mode": "shareable",
    "default-cgroupns-mode": "host",
    "max-concurrent-downloads": 7,
    "max-concurrent-uploads": 3,
    "max-download-attempts": 9,
    "shutdown-timeout": 42,
}


@pytest.fixture(scope="module")
def jobs(platform_twin, converged_images):
    """jobs(platform) -> a converged twin of platform whose engine can run containers, one per platform,
    booted from the session's converged image of it."""
    twins: dict[str, Twin] = {}

    def converged(platform: str) -> Twin:
        if platform not in twins:
            twins[platform] = platform_twin(platform, image=converged_images(platform).tag, containers=True).start()
        twin = twins[platform]
        twin.exec("systemctl reset-failed docker.service")
        return twin

    yield converged
    for twin in twins.values():
        twin.remove()


def started(twin, name="job") -> str:
    return twin.exec(f"docker inspect -f '{{{{.State.StartedAt}}}} {{{{.State.Running}}}}' {name}").stdout.strip()


def created(twin) -> dict:
    """The HostConfig the engine's defaults give a new container."""
    cid = twin.exec("docker create local/job:1 /bin/sleep 1").stdout.strip()
    config = json.loads(twin.exec(f"docker inspect -f '{{{{json .HostConfig}}}}' {cid}").stdout)
    twin.exec(f"docker rm {cid}")
    return config


def info(twin) -> dict:
    return json.loads(twin.exec("docker info --format '{{json .}}'").stdout)


def test_a_change_the_engine_cannot_reload_waits_while_a_container_runs(jobs, run_deploy, run_doctor):
    twin = jobs("ubuntu-26.04")
    host = testinfra.get_host(twin.testinfra_target)
    twin.start_job()
    job, pid = started(twin), engine_pid(host)
    assert job.endswith(" true")

    run = run_deploy(twin, docker_daemon_options={**BASE, "default-ulimits": ULIMITS})
    assert run.returncode == 0, run
    assert json.loads(host.file("/etc/docker/daemon.json").content_string)["default-ulimits"] == ULIMITS
    assert engine_pid(host) == pid and started(twin) == job, "a running container was stopped"
    assert not any(u["Name"] == "nofile" for u in created(twin)["Ulimits"] or []), "the engine restarted"
    marker = host.file(PENDING).content_string
    assert "why=daemon.json's default-ulimits" in marker and marker.startswith("since="), marker
    # The host's last words: what waits, for which containers, and how to apply it now.
    last = run.output[run.output.rindex("nvidia runtime: ok"):]
    assert "An engine restart is pending since" in last and "default-ulimits" in last, run.output[-3000:]
    assert "containers running: job" in last and 'engine_restart = "now"' in last, last

    again = settles(run_deploy, twin, docker_daemon_options={**BASE, "default-ulimits": ULIMITS})
    assert "containers running: job" in again.output, again
    assert engine_pid(host) == pid and started(twin) == job

    told = run_doctor(twin, docker_daemon_options={**BASE, "default-ulimits": ULIMITS}).checks(twin)
    assert told["docker.restart-pending"]["status"] == "WARN", told["docker.restart-pending"]
    assert "default-ulimits" in told["docker.restart-pending"]["found"]
    assert engine_pid(host) == pid and started(twin) == job


def test_the_next_run_with_no_container_running_applies_it_once(jobs, run_deploy):
    twin = jobs("ubuntu-26.04")
    host = testinfra.get_host(twin.testinfra_target)
    twin.exec("docker rm -f job")
    pid = engine_pid(host)
    run = run_deploy(twin, docker_daemon_options={**BASE, "default-ulimits": ULIMITS})
    assert run.returncode == 0 and run.changed == [RESTART], run
    assert engine_pid(host) != pid and not host.file(PENDING).exists
    assert {"Name": "nofile", "Hard": 4096, "Soft": 2048} in created(twin)["Ulimits"]
    assert "An engine restart is pending" not in run.output
    restarted = engine_pid(host)
    settles(run_deploy, twin, docker_daemon_options={**BASE, "default-ulimits": ULIMITS})
    assert engine_pid(host) == restarted


def test_engine_restart_now_applies_it_at_once_stopping_the_containers(jobs, run_deploy):
    twin = jobs("ubuntu-26.04")
    host = testinfra.get_host(twin.testinfra_target)
    twin.start_job()
    pid = engine_pid(host)
    wanted = {**BASE, "default-ulimits": {"nofile": {"Name": "nofile", "Hard": 8192, "Soft": 8192}}}
    run = run_deploy(twin, docker_daemon_options=wanted, engine_restart="now")
    assert run.returncode == 0 and RESTART in run.changed, run
    assert engine_pid(host) != pid and started(twin).endswith(" false"), "the maintenance window's restart"
    assert not host.file(PENDING).exists and "An engine restart is pending" not in run.output
    settles(run_deploy, twin, docker_daemon_options=wanted, engine_restart="now")
    twin.exec("docker rm -f job")


TIMESYNCD = "systemd-timesyncd.service"
CLOCK = f"systemd drop-ins | {TIMESYNCD} may run under WSL, so that the clock catches up after a sleep"
UNITS_READ = f"systemd drop-ins | systemd reads the deploy's drop-ins and starts {TIMESYNCD}"


def unit_state(host, unit: str) -> dict:
    shown = host.check_output(f"systemctl show {unit} -p DropInPaths -p NeedDaemonReload")
    return dict(line.split("=", 1) for line in shown.splitlines())


def test_a_drop_in_is_read_by_systemd_only_once_no_container_runs(converged_twin, run_deploy):
    """The time daemon's drop-in (Debian's systemd-timesyncd, under the Ubuntu 26.04 twin, has none of WSL's):
    written at once, but the daemon-reload that would take a running job's GPUs away waits for an idle run."""
    twin = converged_twin("ubuntu-26.04", containers=True)
    host = testinfra.get_host(twin.testinfra_target)
    twin.exec("apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends systemd-timesyncd"
              " >/dev/null")
    twin.start_job()
    job, pid = started(twin), engine_pid(host)
    run = run_deploy(twin)
    assert run.returncode == 0 and run.changed == [CLOCK], run
    assert "once no container runs" in run.output, run
    unit = unit_state(host, TIMESYNCD)
    assert unit["NeedDaemonReload"] == "yes" and unit["DropInPaths"] == "", unit
    assert started(twin) == job and engine_pid(host) == pid
    waits = run_deploy(twin)
    assert waits.returncode == 0 and waits.changed == [] and "once no container runs" in waits.output, waits

    twin.exec("docker rm -f job")
    idle = run_deploy(twin)
    assert idle.returncode == 0 and idle.changed == [UNITS_READ], idle
    unit = unit_state(host, TIMESYNCD)
    assert unit["NeedDaemonReload"] == "no" and unit["DropInPaths"].endswith("wsl-gpu-docker-clock.conf"), unit
    assert engine_pid(host) == pid, "the engine is not restarted for a drop-in of another unit"
    settles(run_deploy, twin)


def test_an_engine_upgrade_waits_while_a_container_runs(jobs, run_deploy):
    twin = jobs("ubuntu-26.04")
    host = testinfra.get_host(twin.testinfra_target)
    installed = host.package("docker-ce").version
    older = "26.1.4"
    twin.start_job()
    job, pid = started(twin), engine_pid(host)
    run = run_deploy(twin, docker_version=older)
    assert run.returncode == 0, run
    assert host.package("docker-ce").version == installed and engine_pid(host) == pid and started(twin) == job
    assert f"Docker Engine stays at {installed} for now" in run.output, run
    settles(run_deploy, twin, docker_version=older)

    twin.exec("docker rm -f job")
    moved = run_deploy(twin, docker_version=older)
    assert moved.returncode == 0, moved
    assert host.package("docker-ce").version.startswith(f"5:{older}")
    settles(run_deploy, twin, docker_version=older)


def reloads_after(host, cursor: str) -> list[str]:
    """systemd's own lines of a `systemctl daemon-reload` after the journal's cursor: it takes GPUs from
    running containers."""
    out = host.check_output(f"journalctl --sync && journalctl --after-cursor='{cursor}' _PID=1 --no-pager -o cat")
    return [line for line in out.splitlines() if line.startswith(("Reload requested", "Reloading requested",
                                                                  "Reloading."))]


def test_a_proxy_change_waits_with_its_daemon_reload_while_a_container_runs(jobs, run_deploy):
    twin = jobs("ubuntu-26.04")
    host = testinfra.get_host(twin.testinfra_target)
    twin.exec("docker rm -f job >/dev/null 2>&1; true")
    twin.start_job()
    job, pid = started(twin), engine_pid(host)
    proxy = TinyProxy().start()
    try:
        behind = {"http_proxy": proxy.url, "https_proxy": proxy.url}
        cursor = journal_cursor(host)
        run = run_deploy(twin, **behind)
        assert run.returncode == 0, run
        assert host.file("/etc/systemd/system/docker.service.d/wsl-gpu-docker-proxy.conf").exists
        assert engine_pid(host) == pid and started(twin) == job and reloads_after(host, cursor) == []
        assert "the proxy's or CAs' files" in host.file(PENDING).content_string
        assert "containers running: job" in run.output, run
        settles(run_deploy, twin, **behind)

        twin.exec("docker rm -f job")
        cursor = journal_cursor(host)
        applied = run_deploy(twin, **behind)
        assert applied.returncode == 0 and applied.changed == [RESTART], applied
        assert len(reloads_after(host, cursor)) >= 1 and engine_pid(host) != pid
        assert f"HTTP_PROXY={proxy.url}" in host.check_output(f"tr '\\0' '\\n' < /proc/{engine_pid(host)}/environ")
        assert not host.file(PENDING).exists
        settles(run_deploy, twin, **behind)
    finally:
        proxy.stop()
    gone = run_deploy(twin)  # no container runs: the proxy goes, and the engine restarts without it
    assert gone.returncode == 0 and RESTART in gone.changed, gone
    settles(run_deploy, twin)


@pytest.mark.parametrize("platform", ["ubuntu-24.04", "ubuntu-26.04"])  # Debian's 20.10 and 26.1 engines
def test_keys_dockerd_reloads_take_effect_with_no_restart(platform, jobs, run_deploy):
    twin = jobs(platform)
    host = testinfra.get_host(twin.testinfra_target)
    twin.exec("docker rm -f job >/dev/null 2>&1; true")
    twin.start_job()
    job, pid = started(twin), engine_pid(host)
    assert created(twin)["ShmSize"] == 1 << 30, "the deploy's default, docker_default_shm_size"
    cursor = journal_cursor(host)
    # docker_default_shm_size unset: the key is docker_daemon_options', as each of the others.
    run = run_deploy(twin, docker_daemon_options={**BASE, **RELOADED}, nvidia_default_runtime=True,
                     docker_default_shm_size=None)
    assert run.returncode == 0, run
    assert RELOAD in run.changed and RESTART not in run.changed, run
    assert engine_pid(host) == pid and started(twin) == job, "a reload must stop nothing"
    assert not host.file(PENDING).exists

    now = info(twin)
    assert "team=ml" in now["Labels"] and now["Debug"] is True and now["LiveRestoreEnabled"] is True
    assert now["RegistryConfig"]["Mirrors"] == ["https://mirror.corp.invalid/"]
    assert now["RegistryConfig"]["IndexConfigs"]["registry.corp.invalid:5000"]["Secure"] is False
    assert now["DefaultRuntime"] == "nvidia" and "spare" in now["Runtimes"]
    config = created(twin)
    assert (config["ShmSize"], config["IpcMode"], config["CgroupnsMode"]) == (2 << 30, "shareable", "host")
    # What docker info does not show, dockerd's own word on the reload does: the configuration it now runs with.
    logged = host.check_output(f"journalctl --sync && journalctl --after-cursor='{cursor}' _SYSTEMD_UNIT=docker.service"
                               " --no-pager -o cat")
    reloaded = [line for line in logged.splitlines() if "Reloaded configuration: " in line]
    assert reloaded, logged[-3000:]
    said = json.loads(re.search(r"Reloaded configuration: (\{.*\})", reloaded[-1].replace('\\"', '"'))[1])
    assert (said["max-concurrent-downloads"], said["max-concurrent-uploads"]) == (7, 3), said
    assert (said["max-download-attempts"], said["shutdown-timeout"]) == (9, 42), said

    settles(run_deploy, twin, docker_daemon_options={**BASE, **RELOADED}, nvidia_default_runtime=True,
            docker_default_shm_size=None)
    assert engine_pid(host) == pid and started(twin) == job


# What NVIDIA's NGC containers ask for (--shm-size=1g --ulimit memlock=-1 --ulimit stack=67108864), with a shm
# other than the default's 1G and the 2G of the reload test, so that the change shows.
NGC = {"docker_default_shm_size": "3G", "docker_default_ulimits": {"memlock": -1, "stack": 67108864}}


def test_the_shm_and_ulimit_defaults_reach_new_containers_after_one_restart(jobs, run_deploy):
    twin = jobs("ubuntu-26.04")
    host = testinfra.get_host(twin.testinfra_target)
    # A twin is a container, whose containers' runtime may not raise memlock above the hard limit containerd
    # passes down (the kernel asks CAP_SYS_RESOURCE for more): that limit stands for NGC's -1 here.
    said = twin.exec("awk '/^Max locked memory/ {print $5}' /proc/$(pgrep -xo containerd)/limits").stdout.strip()
    memlock = -1 if said == "unlimited" else int(said)
    ngc = {**NGC, "docker_default_ulimits": {**NGC["docker_default_ulimits"], "memlock": memlock}}
    shown = "unlimited" if memlock == -1 else str(memlock)
    twin.exec("docker rm -f job ngc >/dev/null 2>&1; true")
    run = run_deploy(twin, **ngc)  # no container runs: the restart that default-ulimits needs happens now
    assert run.returncode == 0, run
    assert "daemon.json | /etc/docker/daemon.json registers the nvidia runtime" in run.changed, run
    assert RESTART in run.changed and RELOAD not in run.changed, run
    twin.start_job("ngc")  # makes the local image there is no registry for
    twin.exec("docker rm -f ngc")
    assert json.loads(host.file("/etc/docker/daemon.json").content_string)["default-ulimits"] == {
        "memlock": {"Name": "memlock", "Hard": memlock, "Soft": memlock},
        "stack": {"Name": "stack", "Hard": 67108864, "Soft": 67108864}}
    assert created(twin)["ShmSize"] == 3 << 30
    # A container the engine starts: its ulimits, its /dev/shm, as the kernel tells them.
    twin.exec("docker run -d --name ngc --network none local/job:1 /bin/sleep 100000")
    try:
        pid = twin.exec("docker inspect -f '{{.State.Pid}}' ngc").stdout.strip()
        limits = host.file(f"/proc/{pid}/limits").content_string
        assert re.search(rf"^Max locked memory +{shown} +{shown}", limits, re.M), limits
        assert re.search(r"^Max stack size +67108864 +67108864 +bytes", limits, re.M), limits
        shm = [line for line in host.file(f"/proc/{pid}/mounts").content_string.splitlines()
               if line.split()[1:2] == ["/dev/shm"]]
        assert len(shm) == 1 and "size=3145728k" in shm[0].split()[3], shm
        ulimits = json.loads(twin.exec("docker inspect -f '{{json .HostConfig.Ulimits}}' ngc").stdout)
        assert sorted(ulimits, key=lambda u: u["Name"]) == [{"Name": "memlock", "Hard": memlock, "Soft": memlock},
                                                            {"Name": "stack", "Hard": 67108864, "Soft": 67108864}]
    finally:
        twin.exec("docker rm -f ngc >/dev/null 2>&1; true")
    settles(run_deploy, twin, **ngc)
