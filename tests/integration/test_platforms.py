"""Today's distros end to end, one converged twin each: converge, rerun, doctor, a refused daemon.json, drift."""

import re

import pytest
import testinfra

from testbed.stack import assert_converged
from testbed.twin import PLATFORMS
from tests.integration.stack import assert_a_rerun_changes_nothing, drift_repaired, engine_pid, settles, stops_unchanged

pytestmark = pytest.mark.integration

# What `wsl --install` gives today, Debian's stable release, and the Ubuntu most teams run.
TODAY = ["ubuntu-26.04", "debian-13", "ubuntu-24.04"]
# Debian 13's engine (26.1) checks a daemon.json with `dockerd --validate`; Debian 12's (20.10) cannot.
VALIDATES = {name for name in TODAY if PLATFORMS[name].suite == "trixie"}
WSL1_KERNEL = "4.4.0-19041-Microsoft"


@pytest.fixture(scope="module", params=TODAY)
def today(request, platform_twin, run_deploy):
    """(platform, twin, its first run): a fresh twin of each platform, converged once and shared."""
    twin = platform_twin(request.param).start()
    try:
        yield request.param, twin, run_deploy(twin)
    finally:
        twin.remove()


@pytest.fixture
def converged(today):
    """(platform, twin) once the first run passed; systemd's start limit reset between tests."""
    platform, twin, first = today
    assert first.returncode == 0, first
    twin.exec("systemctl reset-failed docker.service")
    return platform, twin


def test_a_fresh_twin_converges(today, mirrors):
    platform, twin, first = today
    assert first.returncode == 0 and first.changed and not first.errors, first
    host = testinfra.get_host(twin.testinfra_target)
    assert_converged(host, mirrors, platform)
    # The install script brings docker-model-plugin with the engine; the deploy keeps it.
    assert host.package("docker-model-plugin").is_installed


def test_a_second_run_changes_nothing(converged, run_deploy):
    platform, twin = converged
    host = assert_a_rerun_changes_nothing(twin, run_deploy)
    assert host.package("docker-model-plugin").is_installed


def test_doctor_on_the_converged_twin_fails_nothing_and_changes_nothing(converged, run_doctor):
    platform, twin = converged
    before = twin.snapshot()
    run = run_doctor(twin)
    assert twin.snapshot() == before, "doctor changed the twin"
    status = run.status(twin)
    assert [c for c, s in status.items() if s == "FAIL"] == [], run
    assert run.returncode == 0, run
    distro = run.checks(twin)["wsl.distro"]
    assert distro["status"] == "PASS" and distro["found"] == platform.replace("-", " "), run
    for check in ("docker.engine", "toolkit.installed", "daemon-json.runtime", "daemon-json.loaded"):
        assert status[check] == "PASS", (check, run)


def test_a_daemon_json_dockerd_rejects_is_not_kept(converged, run_deploy):
    platform, twin = converged
    host = testinfra.get_host(twin.testinfra_target)
    before, pid = host.file("/etc/docker/daemon.json").content_string, engine_pid(host)
    bad = {"bridge": "none", "iptables": False, "ip-masq": False, "log-level": "nonsense"}
    run = run_deploy(twin, docker_daemon_options=bad)
    assert run.returncode != 0, run
    # dockerd's own reason: "invalid logging level: nonsense" (26.1), "unable to parse logging level" (20.10).
    assert re.search(r"(invalid|unable to parse) logging level: nonsense", run.output), run
    assert "docker_daemon_options" in run.output, run
    assert "failed to mount overlay" not in run.output, "storage-driver noise is not the reason"
    assert host.file("/etc/docker/daemon.json").content_string == before
    assert host.service("docker").is_running, "nothing is left stopped"
    [rejected] = host.check_output("ls /etc/docker | grep '^daemon.json.rejected-'").split()
    assert "nonsense" in host.file(f"/etc/docker/{rejected}").content_string, "the refused file is kept aside"
    if platform in VALIDATES:
        assert engine_pid(host) == pid, "dockerd --validate refused the file: the engine was never stopped"
        assert "the previous one is back" not in run.output, "refused before it was put in place"
    settles(run_deploy, twin)


def test_drift_is_repaired_by_one_run(converged, mirrors, run_deploy):
    platform, twin = converged
    host, _ = drift_repaired(twin, mirrors, run_deploy, platform)
    assert host.package("docker-model-plugin").is_installed
    settles(run_deploy, twin)


TIMESYNCD = "systemd-timesyncd.service"
CLOCK_DROPIN = f"/etc/systemd/system/{TIMESYNCD}.d/wsl-gpu-docker-clock.conf"


def test_debians_time_daemon_gets_the_drop_in_that_lets_it_run_under_wsl_and_then_is_left_alone(converged, run_deploy):
    """Debian 13 ships no drop-in for WSL (Ubuntu's wsl-setup does). `systemd-analyze condition` judges the unit's
    conditions as a process in the twin sees it, WSL by its kernel; the twin's PID 1 took itself for a Docker
    container as it booted, so there the unit's condition still fails and the daemon stays inactive."""
    platform, twin = converged
    if platform != "debian-13":
        pytest.skip("Debian 13's packages are under every twin of today; its own identity is the one shown")
    twin.exec("apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends systemd-timesyncd"
              " >/dev/null")
    host = testinfra.get_host(twin.testinfra_target)
    assert host.run(f"systemd-analyze condition --unit {TIMESYNCD}").rc == 1, "Debian's unit refuses WSL"
    run = run_deploy(twin)
    assert run.returncode == 0, run
    assert run.changed == [
        f"systemd drop-ins | {TIMESYNCD} may run under WSL, so that the clock catches up after a sleep",
        f"systemd drop-ins | systemd reads the deploy's drop-ins and starts {TIMESYNCD}"], run
    judged = host.run(f"systemd-analyze condition --unit {TIMESYNCD} 2>&1")
    assert judged.rc == 0 and "ConditionVirtualization=|wsl succeeded" in judged.stdout, judged.stdout
    shown = host.check_output(f"systemctl show {TIMESYNCD} -p DropInPaths -p NeedDaemonReload")
    assert f"DropInPaths={CLOCK_DROPIN}" in shown.splitlines() and "NeedDaemonReload=no" in shown.splitlines()
    assert host.check_output("systemd-detect-virt") == "wsl"
    again = run_deploy(twin)
    assert again.returncode == 0 and again.changed == [], again


@pytest.mark.parametrize("platform", TODAY)
def test_wsl1_is_refused_before_anything_changes(platform, make_twin, run_deploy):
    twin = make_twin(platform, kernel=WSL1_KERNEL)
    run = stops_unchanged(twin, run_deploy)
    assert f"WSL2: kernel '{WSL1_KERNEL}' is WSL1" in run.output and "wsl --set-version" in run.output
    assert "is not supported" not in run.output, "today's distro is supported"
    assert run.changed == []
