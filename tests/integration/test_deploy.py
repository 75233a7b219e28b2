"""The deploy on WSL2 twins: a fresh twin converges, reruns change nothing, drift is repaired."""

import json
import shlex

import pytest
import testinfra

from testbed import realtext as real
from testbed.stack import DOCKER_KEY, DOCKER_LIST, NVIDIA_RUNTIME, TOOLKIT, assert_converged
from tests.integration.stack import (
    assert_a_rerun_changes_nothing,
    assert_unchanged,
    desktop_integration,
    drift_repaired,
    engine_pid,
    settles,
    stops_unchanged,
    temps_left,
    tree,
)

pytestmark = pytest.mark.integration


def test_a_fresh_twin_converges(converged, mirrors):
    twin, first = converged
    assert first.returncode == 0, first
    assert first.changed and not first.errors, first
    host = testinfra.get_host(twin.testinfra_target)
    assert_converged(host, mirrors)
    assert temps_left(host) == []
    [script_run] = host.file("/var/log/get-docker-stand-in.log").content_string.splitlines()
    assert f"DOWNLOAD_URL={mirrors.docker_download_url} CHANNEL=stable VERSION=" in script_run
    assert "Steps left to you:\n  1. open a new shell" in first.output


def test_a_second_run_changes_nothing(twin, run_deploy):
    host = assert_a_rerun_changes_nothing(twin, run_deploy)
    assert len(host.file("/var/log/get-docker-stand-in.log").content_string.splitlines()) == 1


def matches(plan, run) -> None:
    """The real run changed what the dry run said it would, and of what it said may change only some."""
    said = f"planned {plan.changes}, may {plan.may_change}; changed {run.changed}"
    assert [name for name in run.changed if name not in plan.may_change] == plan.changes, said
    assert set(run.changed) <= set(plan.changes) | set(plan.may_change), said


def test_a_dry_run_of_the_converged_twin_plans_nothing_and_changes_nothing(twin, plan_deploy):
    before = tree(twin)
    plan = plan_deploy(twin)
    assert plan.returncode == 0 and plan.changes == [] and plan.may_change == [], plan
    assert_unchanged(twin, before)


def test_a_dry_run_tells_the_drift_that_the_real_run_then_repairs(twin, mirrors, plan_deploy, run_deploy):
    twin.exec("rm /etc/docker/daemon.json && apt-get remove -y -qq nvidia-container-toolkit && gpasswd -d dev docker")
    before = tree(twin)
    plan = plan_deploy(twin)
    assert plan.returncode == 0, plan
    assert_unchanged(twin, before)
    assert {"daemon.json | /etc/docker/daemon.json registers the nvidia runtime",
            "NVIDIA Container Toolkit | NVIDIA Container Toolkit is installed",
            "Docker Engine | dev is in the docker group"} <= set(plan.changes), plan

    repair = run_deploy(twin)
    assert repair.returncode == 0, repair
    matches(plan, repair)
    assert "Engine restart | Docker Engine is restarted to load its new configuration" in repair.changed
    assert_converged(testinfra.get_host(twin.testinfra_target), mirrors)
    settles(run_deploy, twin)


def test_a_dry_run_of_a_fresh_twin_plans_the_install_and_changes_nothing(converged, make_twin, plan_deploy):
    _, install = converged  # the real run on a fresh twin of the same platform
    fresh = make_twin()
    before = tree(fresh)
    plan = plan_deploy(fresh)
    assert plan.returncode == 0, plan
    assert_unchanged(fresh, before)
    assert "Docker Engine | Docker Engine is installed by its install script" in plan.changes, plan
    assert set(install.changed) <= set(plan.changes) | set(plan.may_change), (plan.changes, install.changed)
    # Planned from the fresh host's facts, the check also shows as a change; in the real run it changes nothing.
    assert set(plan.changes) - set(install.changed) == {"Verify | The engine lists the nvidia runtime"}, plan
    host = testinfra.get_host(fresh.testinfra_target)
    assert not host.package("docker-ce").is_installed and not host.file("/etc/docker/daemon.json").exists


def test_drift_is_repaired_by_one_run(twin, mirrors, run_deploy):
    host, _ = drift_repaired(twin, mirrors, run_deploy)
    assert temps_left(host) == [], "daemon.json, docker.list and the legacy list's backup left no temp"
    assert len(host.file("/var/log/get-docker-stand-in.log").content_string.splitlines()) == 1

    settled = run_deploy(twin)
    assert settled.returncode == 0 and settled.changed == [], settled


def test_the_engine_is_not_restarted_for_a_source_or_group_change(twin, mirrors, run_deploy):
    twin.exec("rm /etc/apt/sources.list.d/docker.list && gpasswd -d dev docker")
    host = testinfra.get_host(twin.testinfra_target)
    pid = engine_pid(host)
    repair = run_deploy(twin)
    assert repair.returncode == 0 and repair.changed, repair
    assert_converged(host, mirrors)
    assert engine_pid(host) == pid
    settles(run_deploy, twin)


# The toolkit's config.toml as a user left it for a rootless engine: NVIDIA's rendered defaults with no-cgroups
# set, a line and a comment of the user's, another section, and no newline at the end. The stand-in toolkit
# writes no config.toml of its own.
CONFIG_TOML = "/etc/nvidia-container-runtime/config.toml"
ROOTLESS_CONFIG = (real.TOOLKIT_CONFIG_NO_CGROUPS_TRUE + 'ldconfig = "@/sbin/ldconfig"  # mine, keep it\n\n'
                   '[nvidia-container-runtime]\n#debug = "/var/log/nvidia-container-runtime.log"\nlog-level = "info"')
NO_CGROUPS = f"NVIDIA Container Toolkit | {CONFIG_TOML} sets no-cgroups = false for the rootful engine"


def test_no_cgroups_true_is_set_false_on_its_line_alone_with_no_restart_and_then_left_alone(twin, run_deploy):
    twin.exec(f"mkdir -p {CONFIG_TOML.rsplit('/', 1)[0]} && printf %s {shlex.quote(ROOTLESS_CONFIG)} > {CONFIG_TOML}")
    host = testinfra.get_host(twin.testinfra_target)
    pid = engine_pid(host)
    run = run_deploy(twin)
    assert run.returncode == 0 and run.changed == [NO_CGROUPS], run
    fixed = host.file(CONFIG_TOML)
    assert fixed.content_string == ROOTLESS_CONFIG.replace("no-cgroups = true", "no-cgroups = false")
    assert fixed.mode == 0o644 and fixed.user == "root"
    backups = host.check_output("ls /var/backups/wsl-gpu-docker | grep '^config.toml.bak-'").split()
    assert [host.file(f"/var/backups/wsl-gpu-docker/{b}").content_string for b in backups] == [ROOTLESS_CONFIG]
    assert engine_pid(host) == pid, "the toolkit reads config.toml for each container: no restart"
    assert temps_left(host) == []
    again = run_deploy(twin)
    assert again.returncode == 0 and again.changed == [], again
    assert host.file(CONFIG_TOML).content_string == fixed.content_string


LOOPBACK_DROPIN = "/etc/systemd/system/docker.service.d/wsl-gpu-docker-loopback.conf"
LOOPBACK = "sys-subsystem-net-devices-loopback0.device"
RELOAD = "systemd drop-ins | systemd reads the deploy's drop-ins"


def docker_unit(host) -> dict:
    shown = host.check_output("systemctl show docker.service -p Wants -p After -p DropInPaths -p NeedDaemonReload")
    return dict(line.split("=", 1) for line in shown.splitlines())


def test_with_mirrored_networking_the_engine_is_ordered_after_loopback0_and_not_otherwise(converged_twin, run_deploy,
                                                                                         run_doctor):
    """A twin whose wslinfo reports mirrored mode (no loopback0 appears in a twin: the order is what is shown).
    The engine keeps running throughout: its order takes effect at the next boot."""
    twin = converged_twin(wslinfo="mirrored")
    host = testinfra.get_host(twin.testinfra_target)
    pid = engine_pid(host)
    run = run_deploy(twin)
    assert run.returncode == 0, run
    assert run.changed == ["systemd drop-ins | docker.service starts after loopback0 (WSL's mirrored networking)",
                           RELOAD], run
    unit = docker_unit(host)
    assert LOOPBACK in unit["Wants"].split() and LOOPBACK in unit["After"].split(), unit
    assert LOOPBACK_DROPIN in unit["DropInPaths"].split() and unit["NeedDaemonReload"] == "no", unit
    assert "BindsTo" not in host.file(LOOPBACK_DROPIN).content_string
    assert engine_pid(host) == pid and host.service("docker").is_running
    again = run_deploy(twin)
    assert again.returncode == 0 and again.changed == [], again
    # Doctor reads when dockerd started from systemd; a twin's udev announces no loopback0.
    loopback = run_doctor(twin).checks(twin)["docker.loopback"]
    assert loopback["status"] == "INFO" and "loopback0 does not exist yet" in loopback["found"], loopback

    twin.exec("sed -i 's/echo .mirrored./echo nat/' /usr/bin/wslinfo")
    assert host.check_output("wslinfo --networking-mode") == "nat"
    back = run_deploy(twin)
    assert back.returncode == 0 and back.changed == [f"systemd drop-ins | {LOOPBACK_DROPIN} is absent", RELOAD], back
    unit = docker_unit(host)
    assert not host.file(LOOPBACK_DROPIN).exists and LOOPBACK not in unit["After"].split(), unit
    assert LOOPBACK_DROPIN not in unit["DropInPaths"].split() and unit["NeedDaemonReload"] == "no", unit
    assert engine_pid(host) == pid
    settled = run_deploy(twin)
    assert settled.returncode == 0 and settled.changed == [], settled


def test_daemon_json_keeps_a_users_keys_and_the_previous_file(twin, mirrors, run_deploy):
    mine = '{"log-level": "warn", "bridge": "none", "iptables": false, "ip-masq": false}\n'
    twin.exec("cat > /etc/docker/daemon.json", input=mine)
    host = testinfra.get_host(twin.testinfra_target)
    pid = engine_pid(host)
    run = run_deploy(twin)
    assert run.returncode == 0, run
    daemon = json.loads(host.file("/etc/docker/daemon.json").content_string)
    assert daemon["log-level"] == "warn" and daemon["runtimes"]["nvidia"] == NVIDIA_RUNTIME
    backups = host.check_output("ls /etc/docker | grep '^daemon.json.bak-'").split()
    assert [host.file(f"/etc/docker/{b}").content_string for b in backups] == [mine]
    assert f"previous /etc/docker/daemon.json kept as /etc/docker/{backups[0]}" in run.output
    assert temps_left(host) == [], "neither the new daemon.json nor its backup left a temp"
    assert engine_pid(host) != pid
    assert_converged(host, mirrors)
    settles(run_deploy, twin)


def test_the_smoke_test_runs_a_gpu_container_and_reports_its_result(twin, run_deploy):
    # No container can run inside a twin: the failure proves the command ran and is reported.
    run = run_deploy(twin, gpu_smoke_test=True, gpu_smoke_test_image="no-such-image:nbody")
    assert run.returncode != 0, run
    assert "GPU smoke test: failed:" in run.output and "no-such-image" in run.output


def test_an_ubuntu_twin_gets_dockers_ubuntu_repo_and_a_pinned_engine(make_twin, mirrors, run_deploy):
    from testbed.twin import UBUNTU_NOBLE

    twin = make_twin(os_release=UBUNTU_NOBLE)
    run = run_deploy(twin, docker_version="20.10.24")
    assert run.returncode == 0, run
    host = testinfra.get_host(twin.testinfra_target)
    assert host.file(DOCKER_LIST).content_string == (
        f"deb [arch=amd64 signed-by={DOCKER_KEY}] {mirrors.docker_download_url}/linux/ubuntu "
        "noble stable\n"
    )
    assert "VERSION=20.10.24" in host.file("/var/log/get-docker-stand-in.log").content_string
    assert "Pin: version 5:20.10.24*" in host.file("/etc/apt/preferences.d/docker-ce").content_string
    assert host.package("docker-ce").version.startswith("5:20.10.24")
    settles(run_deploy, twin, docker_version="20.10.24")

    # A team moves its pin: the installed engine follows, here down to the older release.
    moved = run_deploy(twin, docker_version="20.10.23")
    assert moved.returncode == 0, moved
    assert "Pin: version 5:20.10.23*" in host.file("/etc/apt/preferences.d/docker-ce").content_string
    for package in ("docker-ce", "docker-ce-cli"):
        assert host.package(package).version == "5:20.10.23-1~debian.12~bookworm", package
    assert host.service("docker").is_running
    assert "nvidia" in host.check_output("docker info --format '{{json .Runtimes}}'")
    settled = run_deploy(twin, docker_version="20.10.23")
    assert settled.returncode == 0 and settled.changed == [], settled


def test_a_wsl1_twin_stops_at_preflight_unchanged(make_twin, run_deploy):
    twin = make_twin(kernel="4.4.0-19041-Microsoft")
    run = stops_unchanged(twin, run_deploy)
    assert "WSL2: kernel '4.4.0-19041-Microsoft' is WSL1" in run.output
    assert "wsl --set-version <distro> 2" in run.output
    assert run.changed == []


def without_systemd(make_twin, run_deploy, wsl_conf: str, wanted: str):
    """A twin whose systemd is off, with wsl_conf: the run passes and leaves wsl.conf as wanted, and the next
    changes nothing. Returns (the run, the twin's testinfra host)."""
    twin = make_twin(systemd=False, wsl_conf=wsl_conf)
    run = run_deploy(twin)
    assert run.returncode == 0, run
    host = testinfra.get_host(twin.testinfra_target)
    assert host.file("/etc/wsl.conf").content_string == wanted
    settles(run_deploy, twin)
    return run, host


def test_without_systemd_the_run_ends_with_the_next_step(make_twin, run_deploy):
    run, host = without_systemd(make_twin, run_deploy, "[user]\ndefault=dev\n",
                                "[user]\ndefault=dev\n\n[boot]\nsystemd=true\n")
    assert "wsl.exe --shutdown" in run.output
    assert not host.package("docker-ce").is_installed


def test_a_systemd_key_that_wsl_reads_as_false_is_switched_on_in_place(make_twin, run_deploy):
    # WSL matches names without regard to case and takes the first key: a line added below would lose.
    without_systemd(make_twin, run_deploy, "[Boot]\nSystemd=false\ncommand = echo hi\n",
                    "[Boot]\nsystemd=true\ncommand = echo hi\n")


def test_docker_desktop_integration_stops_a_docker_ce_run_unchanged(make_twin, run_deploy):
    twin = make_twin()
    desktop_integration(twin)
    run = stops_unchanged(twin, run_deploy)
    assert "Docker Desktop: its WSL integration provides docker" in run.output
    assert "Resources > WSL integration" in run.output


def test_with_docker_desktop_chosen_nothing_is_installed_and_its_engine_is_verified(make_twin, run_deploy):
    twin = make_twin()
    desktop_integration(twin, says=f"echo '{real.DOCKER_INFO_RUNTIMES_JSON_WITH_NVIDIA.strip()}'")
    before = twin.snapshot()
    run = run_deploy(twin, docker_engine="docker-desktop")
    assert run.returncode == 0, run
    assert "nvidia runtime: ok" in run.output, run
    assert twin.snapshot() == before, "Desktop's engine is Desktop's: nothing is installed or written"
    settles(run_deploy, twin, docker_engine="docker-desktop")

    twin.exec("rm /usr/bin/docker")
    desktop_integration(twin, says=f"echo '{real.DOCKER_INFO_RUNTIMES_JSON_WITHOUT_NVIDIA.strip()}'")
    stale = run_deploy(twin, docker_engine="docker-desktop")
    assert stale.returncode != 0 and "but not nvidia" in stale.output, stale


def test_with_preflight_strict_off_failures_warn_and_the_run_goes_on(make_twin, mirrors, run_deploy):
    twin = make_twin(dxg=False)  # an image build or a test machine: no GPU
    run = run_deploy(twin, preflight_strict=False)
    assert run.returncode == 0, run
    assert "checks failed (preflight_strict is off)" in run.output and "/dev/dxg" in run.output, run
    assert_converged(testinfra.get_host(twin.testinfra_target), mirrors)
    settles(run_deploy, twin, preflight_strict=False)


def test_with_wsl_systemd_off_and_no_systemd_the_run_stops_and_leaves_wsl_conf(make_twin, run_deploy):
    twin = make_twin(systemd=False, wsl_conf="[user]\ndefault=dev\n")
    run = stops_unchanged(twin, run_deploy, wsl_systemd=False)
    assert "PID 1 is sleep and wsl_systemd is off" in run.output, run


def test_with_wsl_systemd_off_a_systemd_value_wsl_ignores_is_named(make_twin, run_deploy):
    twin = make_twin(systemd=False, wsl_conf="[boot]\nsystemd=yes\n")
    before = twin.snapshot()
    run = run_deploy(twin, wsl_systemd=False)
    assert run.returncode != 0, run
    assert "/etc/wsl.conf sets systemd=yes, which WSL ignores: its booleans are true, false, 1 and 0" \
        in run.output, run
    assert twin.snapshot() == before


def test_a_bad_setting_stops_the_run_before_anything_changes(make_twin, run_deploy):
    twin = make_twin()
    run = stops_unchanged(twin, run_deploy, docker_channel="nightly")
    assert "docker_channel = 'nightly'" in run.output and "Fix:" in run.output


def test_pinned_toolkit_and_options(make_twin, mirrors, run_deploy):
    twin = make_twin()
    run = run_deploy(twin, nvidia_toolkit_version="1.17.7-1", nvidia_docker2=True,
                     nvidia_default_runtime=True)
    assert run.returncode == 0, run
    host = testinfra.get_host(twin.testinfra_target)
    for package in TOOLKIT:
        assert host.package(package).version == "1.17.7-1", package
    assert host.package("nvidia-docker2").is_installed
    assert json.loads(host.file("/etc/docker/daemon.json").content_string)["default-runtime"] == "nvidia"
    assert host.check_output("docker info --format '{{.DefaultRuntime}}'") == "nvidia"
    settles(run_deploy, twin, nvidia_toolkit_version="1.17.7-1", nvidia_docker2=True,
            nvidia_default_runtime=True)
