"""The harness itself: twins look like WSL2 and the stand-in upstreams install what they should."""

import json
import time
import urllib.error
import urllib.request

import pytest
import testinfra

from testbed.twin.run import run
from testbed.twin.twin import DEFAULT_PATH, WSL2_KERNEL

DAEMON_JSON = {"bridge": "none", "iptables": False, "ip-masq": False}
NVIDIA_KEYRING = "/usr/share/keyrings/nvidia-container-toolkit-keyring.gpg"

pytestmark = pytest.mark.integration


def test_twin_presents_the_wsl2_kernel_gpu_device_and_driver_files(make_twin):
    twin = make_twin(systemd=False, wsl_conf="[boot]\nsystemd=true\n")
    host = testinfra.get_host(twin.testinfra_target)
    assert host.file("/etc/wsl.conf").content_string == "[boot]\nsystemd=true\n"
    assert host.file("/proc/sys/kernel/osrelease").content_string.strip() == WSL2_KERNEL
    assert host.file("/proc/version").content_string.startswith(f"Linux version {WSL2_KERNEL} ")
    assert host.run("test -c /dev/dxg").rc == 0
    assert host.file("/usr/lib/wsl/lib/libcuda.so.1").is_file
    assert host.run("nvidia-smi -L").stdout.startswith("GPU 0: NVIDIA GeForce RTX 3080 (UUID: GPU-")
    assert host.file("/proc/1/comm").content_string.strip() == "sleep"


def test_plain_twin_has_neither_wsl_kernel_nor_gpu(make_twin):
    twin = make_twin(systemd=False, kernel=None, dxg=False, wsl_libs=False)
    host = testinfra.get_host(twin.testinfra_target)
    assert "microsoft" not in host.file("/proc/version").content_string.lower()
    assert not host.file("/dev/dxg").exists


def test_systemd_twin_runs_systemd_as_pid_1(make_twin):
    twin = make_twin()
    assert twin.exec("cat /proc/1/comm").stdout.strip() == "systemd"
    assert twin.exec("systemctl is-system-running", check=False).stdout.strip() == "running"


def test_dev_user_needs_a_password_for_sudo(make_twin):
    twin = make_twin(systemd=False)
    assert twin.exec("id -nG", user="dev").stdout.split() == ["dev", "sudo"]
    assert "password is required" in twin.exec("sudo -n true", user="dev", check=False).stderr


def test_snapshot_is_stable_while_nothing_changes(make_twin):
    twin = make_twin()
    before = twin.snapshot()
    time.sleep(3)
    assert twin.snapshot() == before
    twin.exec("touch /etc/wsl-twin-probe")
    assert set(twin.snapshot()) - set(before) == {"/etc/wsl-twin-probe"}


def test_mirrors_come_back_on_the_same_port(mirrors):
    url = mirrors.docker_install_script_url
    mirrors.stop()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url, timeout=5)
    mirrors.start()
    assert mirrors.docker_install_script_url == url
    assert set(mirrors.settings()) == {
        "docker_install_script_url", "docker_install_script_sha256", "docker_download_url",
        "docker_gpg_fingerprint", "nvidia_repo_url", "nvidia_gpg_fingerprint",
    }
    assert urllib.request.urlopen(url, timeout=5).status == 200


# Each platform's dist offers the engine of the Debian release underneath it.
NEWEST_DOCKER_CE = {
    "debian-12": "5:20.10.24-1~debian.12~bookworm",
    "ubuntu-24.04": "5:20.10.24-1~debian.12~bookworm",
    "debian-13": "5:26.1.5-1~debian.13~trixie",
    "ubuntu-26.04": "5:26.1.5-1~debian.13~trixie",
}


@pytest.mark.parametrize("platform", sorted(NEWEST_DOCKER_CE))
def test_docker_repo_is_signed_and_offers_docker_ce(make_twin, mirrors, platform):
    twin = make_twin(platform, systemd=False)
    base = f"{mirrors.docker_download_url}/linux/$ID"
    twin.exec(
        f". /etc/os-release && curl -fsSL {base}/gpg | gpg --dearmor -o /usr/share/keyrings/docker.gpg"
        f" && echo \"deb [signed-by=/usr/share/keyrings/docker.gpg] {base} $VERSION_CODENAME stable\""
        " > /etc/apt/sources.list.d/docker.list"
    )
    keys = twin.exec("gpg --show-keys --with-colons /usr/share/keyrings/docker.gpg").stdout
    assert f"fpr:::::::::{mirrors.docker_gpg_fingerprint}:" in keys
    twin.exec("apt-get update -qq")
    policy = twin.exec("apt-cache policy docker-ce").stdout
    assert f"Candidate: {NEWEST_DOCKER_CE[platform]}" in policy


def test_get_docker_stand_in_installs_a_working_engine(make_twin, mirrors):
    twin = make_twin()
    twin.exec("mkdir -p /etc/docker && cat > /etc/docker/daemon.json", input=json.dumps(DAEMON_JSON))
    twin.exec(f"curl -fsSL {mirrors.docker_install_script_url} -o /tmp/get-docker.sh")
    assert twin.exec("sha256sum /tmp/get-docker.sh").stdout.split()[0] == mirrors.docker_install_script_sha256
    twin.exec(f"DOWNLOAD_URL={mirrors.docker_download_url} sh /tmp/get-docker.sh")
    host = testinfra.get_host(twin.testinfra_target)
    assert host.package("docker-ce").version == "5:20.10.24-1~debian.12~bookworm"
    for name in ("docker-ce-cli", "containerd.io", "docker-buildx-plugin", "docker-compose-plugin",
                 "docker-model-plugin"):
        assert host.package(name).is_installed
    assert host.file("/etc/apt/sources.list.d/docker.list").content_string == (
        "deb [arch=amd64 signed-by=/etc/apt/keyrings/docker.asc]"
        f" {mirrors.docker_download_url}/linux/debian bookworm stable\n"
    )
    assert len(host.file("/var/log/get-docker-stand-in.log").content_string.splitlines()) == 1
    assert host.service("docker").is_running
    assert host.run("docker info --format '{{.ServerVersion}}'").stdout.strip() == "20.10.24+dfsg1"


def test_nvidia_flat_repo_installs_a_pinned_toolkit(make_twin, mirrors):
    twin = make_twin(systemd=False)
    repo = f"{mirrors.nvidia_repo_url}/stable/deb/amd64"
    twin.exec(
        f"curl -fsSL {mirrors.nvidia_repo_url}/gpgkey | gpg --dearmor -o {NVIDIA_KEYRING}"
        f" && echo 'deb [signed-by={NVIDIA_KEYRING}] {repo} /'"
        " > /etc/apt/sources.list.d/nvidia-container-toolkit.list && apt-get update -qq"
    )
    packages = ["nvidia-container-toolkit", "nvidia-container-toolkit-base",
                "libnvidia-container-tools", "libnvidia-container1"]
    pinned = " ".join(f"{name}=1.17.7-1" for name in packages)
    twin.exec(f"DEBIAN_FRONTEND=noninteractive apt-get install -y -qq {pinned}")
    host = testinfra.get_host(twin.testinfra_target)
    for name in packages:
        assert host.package(name).version == "1.17.7-1"
    assert host.run("nvidia-ctk --version").stdout.strip() == "NVIDIA Container Toolkit CLI version 1.17.7"
    policy = host.run("apt-cache policy nvidia-container-toolkit").stdout
    assert "1.17.8-1" in policy and "Candidate: 1.20.1-1" in policy
    twin.exec(f"DEBIAN_FRONTEND=noninteractive apt-get install -y -qq {' '.join(packages)}")
    for name in packages:
        assert host.package(name).version == "1.20.1-1"
    assert host.run("nvidia-cdi-hook --version").stdout.strip() == "NVIDIA CDI Hook version 1.20.1"


# --- today's distros: Debian 13, and Ubuntu 26.04 over Debian 13's packages ------------------
# Each module-scoped twin serves its read-only checks first; the stand-in script's test, which
# installs an engine, comes last in file order.


@pytest.fixture(scope="module")
def debian_13(platform_twin):
    with platform_twin("debian-13") as twin:
        yield twin


@pytest.fixture(scope="module")
def ubuntu_26_04(platform_twin):
    with platform_twin("ubuntu-26.04") as twin:
        yield twin


def test_a_debian_13_twin_boots_systemd_and_has_apt_3_with_sqv(debian_13):
    host = testinfra.get_host(debian_13.testinfra_target)
    assert host.file("/proc/1/comm").content_string.strip() == "systemd"
    assert host.run("systemctl is-system-running").stdout.strip() == "running"
    assert host.run("apt-get --version").stdout.startswith("apt 3.")
    assert host.file("/usr/bin/sqv").is_file
    assert host.file("/etc/debian_version").content_string.startswith("13.")


def test_an_ubuntu_26_04_twin_says_resolute_in_os_release_and_lsb_release(ubuntu_26_04):
    host = testinfra.get_host(ubuntu_26_04.testinfra_target)
    os_release = ". /etc/os-release && echo $ID $VERSION_ID $VERSION_CODENAME $UBUNTU_CODENAME"
    assert host.check_output(os_release) == "ubuntu 26.04 resolute resolute"
    assert host.check_output(". /etc/os-release && echo $PRETTY_NAME") == "Ubuntu 26.04 LTS"
    assert host.file("/etc/lsb-release").content_string == (
        'DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=26.04\nDISTRIB_CODENAME=resolute\n'
        'DISTRIB_DESCRIPTION="Ubuntu 26.04 LTS"\n'
    )
    assert host.check_output("lsb_release -cs") == "resolute"


def stand_in_installed(twin, mirrors, suite: str, env: str = ""):
    """The stand-in install script, run on twin as a user runs get.docker.com (with env before sh), has
    written Docker's source for suite (a distro and its codename); returns the twin's testinfra host."""
    twin.exec("mkdir -p /etc/docker && cat > /etc/docker/daemon.json", input=json.dumps(DAEMON_JSON))
    twin.exec(f"curl -fsSL {mirrors.docker_install_script_url} | DOWNLOAD_URL={mirrors.docker_download_url}{env} sh")
    host = testinfra.get_host(twin.testinfra_target)
    assert host.file("/etc/apt/sources.list.d/docker.list").content_string == (
        f"deb [arch=amd64 signed-by=/etc/apt/keyrings/docker.asc] {mirrors.docker_download_url}/linux/{suite} stable\n")
    return host


def test_the_stand_in_script_on_debian_13_installs_a_26_1_engine_under_systemd(debian_13, mirrors):
    host = stand_in_installed(debian_13, mirrors, "debian trixie")
    assert host.package("docker-ce").version == "5:26.1.5-1~debian.13~trixie"
    assert host.package("docker-ce-cli").version == "5:26.1.5-1~debian.13~trixie"
    # VERSION unset means the latest, and from 28.2 on the script adds the model plugin.
    assert host.package("docker-model-plugin").is_installed
    docker = host.service("docker")
    assert docker.is_running and docker.is_enabled
    assert host.check_output("ps -o ppid= -p $(systemctl show docker -p MainPID --value)").strip() == "1"
    assert host.check_output("docker info --format '{{.ServerVersion}} {{.Driver}}'") == "26.1.5+dfsg1 vfs"
    assert host.run("dockerd --validate --config-file /etc/docker/daemon.json").rc == 0
    bad = host.run("echo '{\"log-level\": \"nonsense\"}' > /tmp/bad.json"
                   " && dockerd --validate --config-file /tmp/bad.json")
    assert bad.rc != 0 and "invalid logging level: nonsense" in bad.stderr


def test_the_stand_in_script_on_ubuntu_26_04_uses_the_resolute_dist_and_pins_version(ubuntu_26_04, mirrors):
    host = stand_in_installed(ubuntu_26_04, mirrors, "ubuntu resolute", env=" VERSION=26.1.4")
    for name in ("docker-ce", "docker-ce-cli"):
        assert host.package(name).version == "5:26.1.4-1~debian.13~trixie", name
    # A VERSION below 28.2 gets no model plugin, as with the real script.
    assert not host.package("docker-model-plugin").is_installed
    assert host.service("docker").is_running


# --- the session's converged image ----------------------------------------------------------


def test_a_twin_booted_from_the_converged_image_boots_anew_and_looks_the_part(converged_images, converged_twin):
    image = converged_images()
    assert image.first.returncode == 0 and image.first.changed, image.first
    config = json.loads(run(["docker", "image", "inspect", "--format", "{{json .Config}}", image.tag]).stdout)
    assert config["Cmd"] == ["/lib/systemd/systemd"] and f"PATH={DEFAULT_PATH}" in config["Env"], config
    assert config["Labels"]["wsl-twin.platform"] == "debian-12", config
    twin = converged_twin()
    host = testinfra.get_host(twin.testinfra_target)
    # What start() mounts and makes is made again, not taken from the image.
    assert host.file("/proc/sys/kernel/osrelease").content_string.strip() == WSL2_KERNEL
    assert host.run("test -c /dev/dxg").rc == 0
    assert "/usr/lib/wsl/lib" in host.check_output("printenv PATH")
    # The engine started at this boot, under this boot's systemd, and lists the nvidia runtime.
    docker = host.service("docker")
    assert docker.is_running and docker.is_enabled
    assert host.check_output("ps -o ppid= -p $(systemctl show docker -p MainPID --value)").strip() == "1"
    assert host.file("/run/docker.pid").content_string.strip() == host.check_output(
        "systemctl show docker -p MainPID --value")
    assert "nvidia" in json.loads(host.check_output("docker info --format '{{json .Runtimes}}'"))
    # A native twin from the same image keeps no PATH of WSL's.
    native = converged_twin(kernel=None, dxg=False, wsl_libs=False)
    assert "/usr/lib/wsl/lib" not in native.exec("printenv PATH").stdout
