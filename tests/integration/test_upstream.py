"""NVIDIA's real key and signed index under apt 2.6 (gpgv) and apt 3 (sqv): Debian 12 and 13 twins."""

import re
from typing import NamedTuple

import pytest
import testinfra
from conftest import ROOT, DeployRun, StaticServer
from stack import NVIDIA_KEYRING, NVIDIA_LIST, TOOLKIT, fingerprints
from twin import Twin

from defaults import DEFAULTS

pytestmark = pytest.mark.integration

# Byte-exact copies of NVIDIA's own files (see its README): a key, InRelease and Packages, no .deb.
UPSTREAM = ROOT.parent / "shared" / "upstream"
# The real key's primary fingerprint, as NVIDIA publishes it.
NVIDIA_FINGERPRINT = "C95B321B61E88C1809C4F759DDCAE044F796ECB0"
EXPIRED_SUBKEY = "6ED91CA3AC1160CD"
TRUSTED = f"sha256sum {NVIDIA_KEYRING} {NVIDIA_LIST}; dpkg-query -W"


class Upstream(NamedTuple):
    platform: str
    twin: Twin
    first: DeployRun


@pytest.fixture(scope="module")
def nvidia():
    """NVIDIA's repository root, served as nvidia.github.io/libnvidia-container serves it."""
    server = StaticServer(UPSTREAM / "nvidia").start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def upstream_settings(nvidia):
    return {"nvidia_repo_url": nvidia.url, "nvidia_gpg_fingerprint": DEFAULTS["nvidia_gpg_fingerprint"]}


@pytest.fixture(scope="module", params=["debian-12", "debian-13"])
def upstream(request, platform_twin, run_deploy, upstream_settings):
    """A twin whose first run had Docker from the stand-in mirror and NVIDIA's real repository with
    the deploy's default fingerprint; it stops at the toolkit's download. Shared in file order."""
    with platform_twin(request.param) as twin:
        yield Upstream(request.param, twin, run_deploy(twin, **upstream_settings))


def operation_said(run: DeployRun, name: str) -> str:
    """What the run printed for one operation, from its name to the next operation."""
    return run.output.split(f"Starting operation: {name} ", 1)[1].split("--> ", 1)[0]


def assert_fails_at_the_toolkits_download(run: DeployRun, url: str):
    assert run.returncode != 0, run
    install = operation_said(run, "NVIDIA Container Toolkit | NVIDIA Container Toolkit is installed")
    for package in TOOLKIT:
        assert f"E: Failed to fetch {url}/stable/deb/amd64/./{package}_1.20.1-1_amd64.deb  404" in install, run


def test_nvidias_real_key_and_index_are_trusted(upstream, nvidia):
    host = testinfra.get_host(upstream.twin.testinfra_target)
    assert fingerprints(host, NVIDIA_KEYRING) == [NVIDIA_FINGERPRINT]
    # The key is kept whole, with its subkey that expired in 2021: the primary key signs the index.
    listing = host.check_output(f"gpg --batch --homedir $(mktemp -d) --show-keys --with-colons {NVIDIA_KEYRING}")
    assert f"\nsub:e:2048:1:{EXPIRED_SUBKEY}:" in listing
    assert host.file(NVIDIA_LIST).content_string == (
        f"deb [signed-by={NVIDIA_KEYRING}] {nvidia.url}/stable/deb/amd64 /\n")
    # Fetched afresh, apt asks for Packages.xz first: its 404 is no error, apt falls back to Packages.
    update = host.run("rm -rf /var/lib/apt/lists/* && apt-get update")
    assert update.rc == 0, update.stdout + update.stderr
    index = f"{nvidia.url}/stable/deb/amd64  Packages"
    assert f"{index}\n  404  File not found" in update.stdout and f"{index} [178 kB]" in update.stdout
    policy = host.check_output("apt-cache policy nvidia-container-toolkit")
    assert "Candidate: 1.20.1-1" in policy
    assert re.search(rf"^ +1\.20\.1-1 500\n +500 {re.escape(index)}$", policy, re.M), policy


def test_with_no_package_to_download_the_run_fails_naming_each_and_apt_works(upstream, nvidia):
    assert_fails_at_the_toolkits_download(upstream.first, nvidia.url)
    host = testinfra.get_host(upstream.twin.testinfra_target)
    assert host.package("docker-ce").is_installed and host.service("docker").is_running
    assert not any(host.package(p).is_installed for p in TOOLKIT)
    assert host.check_output("dpkg --audit") == ""
    assert host.run("apt-get update").rc == 0


def test_a_rerun_trusts_the_same_repository_and_fails_at_the_same_download(upstream, nvidia,
                                                                              upstream_settings, run_deploy):
    trusted = upstream.twin.exec(TRUSTED).stdout
    again = run_deploy(upstream.twin, **upstream_settings)
    assert_fails_at_the_toolkits_download(again, nvidia.url)
    assert "apt trusts NVIDIA's repository" not in again.output, "the key and list were found right"
    assert upstream.twin.exec(TRUSTED).stdout == trusted
