"""The converged stack as the tests and the benchmark see it from outside, independently of the deploy's code."""

import json

from testbed.twin import DEFAULT_PLATFORM, PLATFORMS

ENGINE = ["docker-ce", "docker-ce-cli", "containerd.io", "docker-buildx-plugin", "docker-compose-plugin"]
TOOLKIT = ["nvidia-container-toolkit", "nvidia-container-toolkit-base",
           "libnvidia-container-tools", "libnvidia-container1"]
DOCKER_KEY = "/etc/apt/keyrings/docker.asc"
NVIDIA_KEYRING = "/usr/share/keyrings/nvidia-container-toolkit-keyring.gpg"
DOCKER_LIST = "/etc/apt/sources.list.d/docker.list"
NVIDIA_LIST = "/etc/apt/sources.list.d/nvidia-container-toolkit.list"
NVIDIA_RUNTIME = {"args": [], "path": "nvidia-container-runtime"}


def fingerprints(host, path):
    out = host.check_output(f"gpg --batch --homedir $(mktemp -d) --show-keys --with-colons {path}")
    return [line.split(":")[9] for line in out.splitlines() if line.startswith("fpr:")][:1]


def docker_suite(platform: str) -> str:
    """Where Docker's repository is for a twin of platform: "debian bookworm", "ubuntu resolute"."""
    identity = PLATFORMS[platform].os_release
    return f"{identity['ID']} {identity['VERSION_CODENAME']}" if identity else f"debian {PLATFORMS[platform].suite}"


def assert_converged(host, mirrors, platform: str = DEFAULT_PLATFORM):
    """The whole stack, checked from outside the deploy."""
    for package in ENGINE + TOOLKIT:
        assert host.package(package).is_installed, package
    assert not host.package("nvidia-docker2").is_installed
    docker = host.service("docker")
    assert docker.is_running and docker.is_enabled
    assert fingerprints(host, DOCKER_KEY) == [mirrors.docker_gpg_fingerprint]
    assert fingerprints(host, NVIDIA_KEYRING) == [mirrors.nvidia_gpg_fingerprint]
    assert host.file(DOCKER_LIST).content_string == (
        f"deb [arch=amd64 signed-by={DOCKER_KEY}] {mirrors.docker_download_url}/linux/"
        f"{docker_suite(platform)} stable\n"
    )
    assert host.file(NVIDIA_LIST).content_string == (
        f"deb [signed-by={NVIDIA_KEYRING}] {mirrors.nvidia_repo_url}/stable/deb/amd64 /\n"
    )
    daemon = json.loads(host.file("/etc/docker/daemon.json").content_string)
    assert daemon["runtimes"]["nvidia"] == NVIDIA_RUNTIME
    assert "default-runtime" not in daemon
    runtimes = json.loads(host.check_output("docker info --format '{{json .Runtimes}}'"))
    assert "nvidia" in runtimes
    assert "docker" in host.user("dev").groups
    assert "[boot]\nsystemd=true" in host.file("/etc/wsl.conf").content_string
    assert host.run("apt-get update").rc == 0
