"""NVIDIA's real key and signed index, and apt 3's sqv beside apt 2.6's gpgv: Debian 12 and 13 twins."""

import re
from typing import NamedTuple

import pytest
import testinfra

from defaults import DEFAULTS
from testbed.stack import NVIDIA_KEYRING, NVIDIA_LIST, TOOLKIT, fingerprints
from testbed.twin import Twin
from tests.integration.conftest import ROOT, StaticServer
from tests.integration.runs import DeployRun

pytestmark = pytest.mark.integration

# Byte-exact copies of NVIDIA's own files (see its README): a key, InRelease and Packages, no .deb.
UPSTREAM = ROOT.parent / "shared" / "upstream"
# The real key's primary fingerprint, as NVIDIA publishes it.
NVIDIA_FINGERPRINT = "C95B321B61E88C1809C4F759DDCAE044F796ECB0"
EXPIRED_SUBKEY = "6ED91CA3AC1160CD"
# What each apt says of an index signed by a key it was not given: gpgv names the key's long ID,
# sqv its fingerprint.
MISSING_KEY = {
    "debian-12": "The following signatures couldn't be verified because the public key is not available:"
                 " NO_PUBKEY {key_id}",
    "debian-13": "Sub-process /usr/bin/sqv returned an error code (1), error message is:"
                 " Missing key {fingerprint}, which is needed to verify signature.",
}
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


@pytest.fixture(scope="module", params=sorted(MISSING_KEY))
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


def test_a_list_signed_by_the_wrong_key_leaves_apt_working(upstream, mirrors, serve, run_deploy):
    # The mirror serves Docker's key as NVIDIA's, so the key passes, but NVIDIA's key signed the list.
    twin = upstream.twin
    server = serve({"nvidia/gpgkey": "docker/linux/debian/gpg", "nvidia/stable": "nvidia/stable"}, mirrors)
    trusted = twin.exec(TRUSTED).stdout
    run = run_deploy(twin, nvidia_repo_url=f"{server.url}/nvidia",
                     nvidia_gpg_fingerprint=mirrors.docker_gpg_fingerprint)
    assert run.returncode != 0, run
    assert f"apt refused the signature of {server.url}/nvidia: its index has no valid signature by the key" \
           f" {mirrors.docker_gpg_fingerprint}" in run.output, run
    signer = mirrors.nvidia_gpg_fingerprint
    assert MISSING_KEY[upstream.platform].format(key_id=signer[-16:], fingerprint=signer) in run.output, run
    assert twin.exec("apt-get update").returncode == 0
    assert twin.exec(TRUSTED).stdout == trusted, "nothing was installed; NVIDIA's key and list stay"


def test_a_rerun_trusts_the_same_repository_and_fails_at_the_same_download(upstream, nvidia,
                                                                              upstream_settings, run_deploy):
    trusted = upstream.twin.exec(TRUSTED).stdout
    again = run_deploy(upstream.twin, **upstream_settings)
    assert_fails_at_the_toolkits_download(again, nvidia.url)
    assert "apt trusts NVIDIA's repository" not in again.output, "the key and list were found right"
    assert upstream.twin.exec(TRUSTED).stdout == trusted
