"""Faults, hostile upstreams, drift and bad input: the host is never left worse, nothing is lost."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import testinfra

from testbed.harness import ROOT, TWIN_SETTINGS
from testbed.stack import DOCKER_KEY, DOCKER_LIST, NVIDIA_KEYRING, NVIDIA_LIST, TOOLKIT, assert_converged
from testbed.twin import Twin
from tests.integration.stack import settles
from tests.unit.bad_settings import BAD_VALUES

pytestmark = pytest.mark.integration

BACKUPS = "/var/backups/wsl-gpu-docker"
HOLD_LOCK = (  # stands in for unattended-upgrades holding dpkg's lock on a fresh distro
    "cp /usr/bin/python3 /usr/local/bin/unattended-upgr && nohup /usr/local/bin/unattended-upgr -c "
    "\"import fcntl, time; f = open('/var/lib/dpkg/lock-frontend', 'w'); "
    "fcntl.lockf(f, fcntl.LOCK_EX); time.sleep({seconds})\" >/dev/null 2>&1 & echo $!"
)


def mirror_links(**changes):
    """The mirrors' tree, piece by piece, with some pieces swapped."""
    return {"docker": "docker", "get-docker.sh": "get-docker.sh",
            "nvidia/gpgkey": "nvidia/gpgkey", "nvidia/stable": "nvidia/stable", **changes}


def urls(server):
    return {"docker_install_script_url": f"{server.url}/get-docker.sh",
            "docker_download_url": f"{server.url}/docker",
            "nvidia_repo_url": f"{server.url}/nvidia"}


def commands_sent(twin, mirrors, folder, **settings) -> list[str]:
    """The commands a run sends to the twin, as bench/counted.py (pyinfra's CLI) logs them."""
    inventory, log = folder / "counted-inventory.py", folder / "commands.jsonl"
    inventory.write_text(f"twins = [({twin.pyinfra_target!r}, "
                         f"{ {**mirrors.settings(), **TWIN_SETTINGS, **settings}!r})]\n")
    log.unlink(missing_ok=True)
    run = subprocess.run([sys.executable, "bench/counted.py", "-y", str(inventory), "deploy.py"], cwd=ROOT,
                         env={**os.environ, "BENCH_COMMAND_LOG": str(log)}, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    return [json.loads(line)["command"] for line in log.read_text().splitlines()]


# --- faults -----------------------------------------------------------------------------


def test_a_mirror_that_goes_away_mid_run(make_twin, mirrors, serve, run_deploy):
    server = serve(mirror_links(), mirrors)
    server.stop_after = "/nvidia/gpgkey"  # the Docker steps are done; NVIDIA's key was fetched
    twin = make_twin()
    run = run_deploy(twin, **urls(server))
    assert run.returncode != 0, run
    assert f"apt cannot use {server.url}/nvidia" in run.output
    host = testinfra.get_host(twin.testinfra_target)
    assert host.package("docker-ce").is_installed
    assert not host.file(NVIDIA_LIST).exists and not host.file(NVIDIA_KEYRING).exists
    assert host.run("apt-get update").rc == 0, "no half-added source, no source without its key"

    server.start()
    again = run_deploy(twin, **urls(server))
    assert again.returncode == 0, again
    assert host.package("nvidia-container-toolkit").is_installed
    settles(run_deploy, twin, **urls(server))


def test_a_held_apt_lock_is_waited_for(twin, mirrors, run_deploy):
    twin.exec("apt-get remove -y -qq nvidia-container-toolkit")
    twin.exec(HOLD_LOCK.format(seconds=10))
    run = run_deploy(twin, apt_lock_timeout=120)
    assert run.returncode == 0, run
    assert "apt and dpkg are ready" in " ".join(run.changed), "it waited"
    assert_converged(testinfra.get_host(twin.testinfra_target), mirrors)


def test_a_lock_held_too_long_stops_the_run_naming_its_holder(twin, run_deploy):
    twin.exec("apt-get remove -y -qq nvidia-container-toolkit")
    pid = twin.exec(HOLD_LOCK.format(seconds=300)).stdout.strip()
    try:
        run = run_deploy(twin, apt_lock_timeout=3)
        assert run.returncode != 0, run
        assert f"by process {pid} (unattended-upgr)" in run.output and "apt_lock_timeout" in run.output
        assert not testinfra.get_host(twin.testinfra_target).package("nvidia-container-toolkit").is_installed
    finally:
        twin.exec(f"kill {pid}")
    assert run_deploy(twin).returncode == 0


def test_an_interrupted_dpkg_is_repaired(twin, mirrors, run_deploy):
    twin.exec("cd /tmp && apt-get download -qq nvidia-container-toolkit"
              " && dpkg --unpack /tmp/nvidia-container-toolkit_*.deb")
    assert twin.exec("dpkg --audit").stdout.strip(), "dpkg is left half-done"
    run = run_deploy(twin)
    assert run.returncode == 0, run
    assert twin.exec("dpkg --audit").stdout.strip() == ""
    said = [line for line in run.output.splitlines() if "dpkg was interrupted" in line]
    assert len(said) == 1 and (
        "dpkg was interrupted (1 package left unconfigured): repaired with dpkg --configure -a" in said[0]), run.output
    assert_converged(testinfra.get_host(twin.testinfra_target), mirrors)
    settles(run_deploy, twin)


# A key or a value the engine refuses, and what dockerd says of it (20.10 and 26.1 alike).
REFUSED = {"no-such-option": (True, "don't match any configuration option: no-such-option"),
           "log-level": ("nonsense", "logging level: nonsense")}


@pytest.mark.parametrize("key", sorted(REFUSED))
def test_a_daemon_json_the_engine_refuses_is_rolled_back(key, twin, run_deploy):
    host = testinfra.get_host(twin.testinfra_target)
    before = host.file("/etc/docker/daemon.json").content_string
    value, reason = REFUSED[key]
    bad = {"bridge": "none", "iptables": False, "ip-masq": False, key: value}
    run = run_deploy(twin, docker_daemon_options=bad)
    assert run.returncode != 0, run
    assert "dockerd refused the new /etc/docker/daemon.json" in run.output
    said = run.output.split("dockerd said:", 1)[1]
    assert reason in said, "dockerd's own reason is quoted"
    assert "failed to mount overlay" not in said, "not what dockerd logs on every start"
    assert host.file("/etc/docker/daemon.json").content_string == before
    assert host.service("docker").is_running, "nothing is left stopped"
    assert "nvidia" in host.check_output("docker info --format '{{json .Runtimes}}'")
    rejected = host.check_output("ls -t /etc/docker | grep '^daemon.json.rejected-'").split()
    assert key in host.file(f"/etc/docker/{rejected[0]}").content_string
    twin.exec("systemctl reset-failed docker.service")
    settles(run_deploy, twin)


def test_an_engine_that_fails_to_restart_for_the_toolkit_keeps_its_daemon_json(twin, run_deploy):
    host = testinfra.get_host(twin.testinfra_target)
    before, files = host.file("/etc/docker/daemon.json").content_string, host.check_output("ls /etc/docker")
    # The toolkit comes back, so the engine must restart; something outside daemon.json stops it.
    twin.exec("apt-get remove -y -qq nvidia-container-toolkit && mkdir -p /etc/systemd/system/docker.service.d"
              " && printf '[Service]\\nExecStartPre=/bin/false\\n' > /etc/systemd/system/docker.service.d/broken.conf"
              " && systemctl daemon-reload")
    run = run_deploy(twin)
    assert run.returncode != 0, run
    assert "docker.service did not restart to load the NVIDIA Container Toolkit" in run.output, run
    assert host.file("/etc/docker/daemon.json").content_string == before, "daemon.json was not at fault"
    assert host.check_output("ls /etc/docker") == files, "nothing was moved aside or backed up"

    twin.exec("rm -r /etc/systemd/system/docker.service.d && systemctl daemon-reload"
              " && systemctl reset-failed docker.service")
    again = run_deploy(twin)
    assert again.returncode == 0, again
    assert host.service("docker").is_running
    assert "nvidia" in host.check_output("docker info --format '{{json .Runtimes}}'")
    settles(run_deploy, twin)


def test_a_run_killed_midway_converges_on_the_next(make_twin, mirrors, run_deploy, tmp_path):
    twin = make_twin()

    inventory = tmp_path / "inventory.py"
    inventory.write_text(f"twins = [({twin.pyinfra_target!r}, "
                         f"{ {**mirrors.settings(), **TWIN_SETTINGS}!r})]\n")
    for seconds in (6, 14):  # during the engine's install, then during the toolkit's
        proc = subprocess.Popen([sys.executable, "-m", "pyinfra", "-y", str(inventory), "deploy.py"],
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(seconds)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        # A killed run's commands die with it (Ctrl-C, a dropped SSH session, `wsl --shutdown`);
        # `docker exec` alone would let them run on in the twin.
        twin.exec("pkill -KILL -f '[g]et-docker.sh'; pkill -KILL -x apt-get; pkill -KILL -x dpkg;"
                  " pkill -KILL -x curl; true")
    run = run_deploy(twin)
    assert run.returncode == 0, run
    assert_converged(testinfra.get_host(twin.testinfra_target), mirrors)
    settles(run_deploy, twin)


# --- hostile or broken upstreams ----------------------------------------------------------


@pytest.mark.parametrize("platform", ["debian-12", "debian-13"])  # gpg 2.2 and 2.4 list the key
def test_a_docker_key_with_another_fingerprint_is_refused(platform, make_twin, mirrors, run_deploy):
    twin = make_twin(platform)
    run = run_deploy(twin, docker_gpg_fingerprint=mirrors.nvidia_gpg_fingerprint)
    assert run.returncode != 0, run
    assert (f"docker_gpg_fingerprint expects {mirrors.nvidia_gpg_fingerprint}, "
            f"received {mirrors.docker_gpg_fingerprint}") in run.output
    host = testinfra.get_host(twin.testinfra_target)
    assert not host.file(DOCKER_KEY).exists and not host.file(DOCKER_LIST).exists
    assert not host.package("docker-ce").is_installed
    assert host.run("apt-get update").rc == 0


def test_a_key_that_turned_wrong_takes_its_source_away(twin, mirrors, run_deploy):
    run = run_deploy(twin, nvidia_gpg_fingerprint=mirrors.docker_gpg_fingerprint)
    assert run.returncode != 0, run
    assert f"nvidia_gpg_fingerprint expects {mirrors.docker_gpg_fingerprint}" in run.output
    host = testinfra.get_host(twin.testinfra_target)
    assert not host.file(NVIDIA_LIST).exists, "a source whose key is not trusted is removed"
    assert f"removed {NVIDIA_LIST} (kept as {BACKUPS}/" in run.output
    assert host.run("apt-get update").rc == 0
    assert run_deploy(twin).returncode == 0
    assert_converged(host, mirrors)


def test_a_script_with_another_sha256_is_not_run(make_twin, run_deploy):
    twin = make_twin()
    run = run_deploy(twin, docker_install_script_sha256="0" * 64)
    assert run.returncode != 0, run
    assert "docker_install_script_sha256 expects " + "0" * 64 in run.output
    host = testinfra.get_host(twin.testinfra_target)
    assert not host.file("/var/log/get-docker-stand-in.log").exists
    assert not host.package("docker-ce").is_installed


# --- drift beyond the basics --------------------------------------------------------------

DRIFTS = {
    "docker key replaced": "curl -fsS {url}/nvidia/gpgkey > " + DOCKER_KEY,
    "nvidia key replaced": f"cp {DOCKER_KEY} /tmp/k && gpg --dearmor < /tmp/k > {NVIDIA_KEYRING}",
    "docker.list points elsewhere": f"sed -i 's|{{url}}|http://127.0.0.1:9|' {DOCKER_LIST}",
    "daemon.json is not JSON": "echo '{{\"log-level\": \"warn\",' > /etc/docker/daemon.json",
    "docker stopped and disabled": "systemctl disable --now docker.service docker.socket",
    "a duplicate docker.sources": (
        "printf 'Types: deb\\nURIs: {url}/docker/linux/debian\\nSuites: bookworm\\n"
        "Components: stable\\nSigned-By: /etc/apt/keyrings/docker.gpg\\n'"
        " > /etc/apt/sources.list.d/docker.sources"
    ),
}


@pytest.mark.parametrize("drift", sorted(DRIFTS))
def test_drift_is_repaired_and_then_left_alone(drift, twin, mirrors, run_deploy):
    twin.exec(DRIFTS[drift].format(url=mirrors.url))
    host = testinfra.get_host(twin.testinfra_target)
    repair = run_deploy(twin)
    assert repair.returncode == 0 and repair.changed, repair
    assert_converged(host, mirrors)
    assert not host.file("/etc/apt/sources.list.d/docker.sources").exists
    if drift == "daemon.json is not JSON":
        backups = host.check_output("cat /etc/docker/daemon.json.bak-*")
        assert '{"log-level": "warn",' in backups, "the broken file is backed up first"
    settles(run_deploy, twin)


def test_a_toolkit_at_another_version_is_brought_to_the_pinned_one(twin, mirrors, run_deploy, tmp_path):
    pin = "/etc/apt/preferences.d/nvidia-container-toolkit"
    run = run_deploy(twin, nvidia_toolkit_version="1.17.7-1")
    assert run.returncode == 0, run
    host = testinfra.get_host(twin.testinfra_target)
    assert [host.package(p).version for p in TOOLKIT] == ["1.17.7-1"] * 4
    pin_text = host.file(pin).content_string
    assert pin_text == f"Package: {' '.join(TOOLKIT)}\nPin: version 1.17.7-1\nPin-Priority: 1001\n"
    settles(run_deploy, twin, nvidia_toolkit_version="1.17.7-1")
    pinned_noop = commands_sent(twin, mirrors, tmp_path, nvidia_toolkit_version="1.17.7-1")
    # A converged host is read in one command before any change, the engine's runtimes with it: with
    # nothing planned, the final check takes that answer.
    assert len(pinned_noop) <= 1, pinned_noop

    # A newer release is there, and upgrades (by hand, or unattended-upgrades) leave the pinned one;
    # only the stand-in mirrors are asked, so that nothing else on the twin moves.
    offered = host.check_output("apt-cache madison nvidia-container-toolkit | cut -d'|' -f2").split()
    assert [v for v in offered if v != "1.17.7-1"], offered
    only_ours = "DEBIAN_FRONTEND=noninteractive apt-get -y -q -o Dir::Etc::SourceList=/dev/null"
    for upgrade in ("upgrade", "install --only-upgrade nvidia-container-toolkit"):
        assert host.run(f"{only_ours} {upgrade}").rc == 0, upgrade
        assert [host.package(p).version for p in TOOLKIT] == ["1.17.7-1"] * 4, upgrade
    settles(run_deploy, twin, nvidia_toolkit_version="1.17.7-1")

    # Without the setting the pin goes, kept as a backup; the toolkit stays where it is.
    unpinned = run_deploy(twin)
    assert unpinned.returncode == 0, unpinned
    assert not host.file(pin).exists
    said = [line for line in unpinned.output.splitlines() if f"previous {pin} kept as {BACKUPS}/" in line]
    assert said, unpinned
    assert host.file(said[0].split(" kept as ")[1].strip()).content_string == pin_text
    assert [host.package(p).version for p in TOOLKIT] == ["1.17.7-1"] * 4
    settles(run_deploy, twin)
    # The pin is read with the rest of the state: pinned or not, a converged host gets as many commands.
    assert len(pinned_noop) == len(commands_sent(twin, mirrors, tmp_path)), pinned_noop


# --- nothing a person wrote is lost -------------------------------------------------------


def test_replaced_files_leave_backups_and_the_run_says_where(twin, mirrors, run_deploy):
    mine = {
        "/etc/wsl.conf": "[automount]\noptions = \"metadata\"\n[boot]\nsystemd=false\n",
        "/etc/docker/daemon.json": '{"dns": ["127.0.0.53"], "bridge": "none", "iptables": false}\n',
        DOCKER_LIST: f"deb [signed-by={DOCKER_KEY}] {mirrors.url}/docker/linux/debian bookworm test\n",
        # Replaced by Docker's key, or removed: a file the deploy takes away is kept too.
        DOCKER_KEY: (mirrors.root / "www/nvidia/gpgkey").read_text(),
        "/etc/apt/sources.list.d/nvidia-docker.list":
            f"deb [signed-by={NVIDIA_KEYRING}] {mirrors.nvidia_repo_url}/stable/deb/amd64 /\n",
        "/etc/apt/preferences.d/docker-ce": "Package: docker-ce\nPin: version 5:20.10*\nPin-Priority: 1001\n",
        "/etc/apt/preferences.d/nvidia-container-toolkit":
            "Package: nvidia-container-toolkit\nPin: version 1.17.7-1\nPin-Priority: 1001\n",
    }
    for path, text in mine.items():
        twin.exec(f"cat > {path}", input=text)
    run = run_deploy(twin)
    assert run.returncode == 0, run
    host = testinfra.get_host(twin.testinfra_target)
    for path, text in mine.items():
        said = [line for line in run.output.splitlines() if f"previous {path} kept as " in line]
        assert said, f"the run says where {path} went"
        backup = said[0].split(" kept as ")[1].strip()
        assert host.file(backup).content_string == text
    assert host.file("/etc/wsl.conf").content_string.startswith('[automount]\noptions = "metadata"\n')
    assert json.loads(host.file("/etc/docker/daemon.json").content_string)["dns"] == ["127.0.0.53"]
    assert not host.file("/etc/apt/sources.list.d/nvidia-docker.list").exists
    assert not host.file("/etc/apt/preferences.d/docker-ce").exists
    assert not host.file("/etc/apt/preferences.d/nvidia-container-toolkit").exists
    assert_converged(host, mirrors)
    settles(run_deploy, twin)


# --- bad input ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def untouched(base_image):
    with Twin(base_image) as twin:
        yield twin, twin.snapshot()


@pytest.mark.parametrize("name", sorted(BAD_VALUES))
def test_a_bad_setting_changes_nothing(name, untouched, run_deploy):
    twin, before = untouched
    run = run_deploy(twin, **{name: BAD_VALUES[name]})
    assert run.returncode != 0, run
    assert f"{name} = {BAD_VALUES[name]!r}" in run.output and "Fix:" in run.output
    assert twin.snapshot() == before


def test_a_misspelt_setting_gets_a_did_you_mean_and_changes_nothing(untouched, run_deploy):
    twin, before = untouched
    run = run_deploy(twin, docker_user=["dev"])
    assert run.returncode != 0, run
    assert "unknown setting docker_user: did you mean docker_users?" in run.output
    assert twin.snapshot() == before
