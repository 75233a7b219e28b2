"""Native Ubuntu and Debian workstations with an NVIDIA GPU: no WSL layers, the same stack from Docker up."""

import pytest
import testinfra

from testbed.stack import DOCKER_KEY, DOCKER_LIST
from testbed.twin import NATIVE_KERNEL, UBUNTU_NOBLE
from tests.integration.stack import NATIVE, assert_gpu_docker_works, settles, stops_unchanged

pytestmark = pytest.mark.integration


def test_a_native_ubuntu_workstation_converges_and_then_changes_nothing(make_twin, mirrors, run_deploy):
    twin = make_twin(os_release=UBUNTU_NOBLE, **NATIVE)
    first = run_deploy(twin)
    assert first.returncode == 0 and first.changed and not first.errors, first
    assert "systemd | " not in " ".join(first.changed), first
    host = testinfra.get_host(twin.testinfra_target)
    assert_gpu_docker_works(host)
    # Its Linux driver (nvidia-driver-550) stays: only inside WSL would it be refused.
    assert host.package("nvidia-driver-550").is_installed
    assert host.file(DOCKER_LIST).content_string == (
        f"deb [arch=amd64 signed-by={DOCKER_KEY}] {mirrors.docker_download_url}/linux/ubuntu noble stable\n"
    )

    before = twin.snapshot()
    settles(run_deploy, twin)
    assert twin.snapshot() == before


def test_a_driver_not_loaded_or_not_installed_stops_the_run_with_the_fix(make_twin, run_deploy):
    twin = make_twin(os_release=UBUNTU_NOBLE, **NATIVE)
    twin.unload_nvidia_module()
    before = twin.snapshot()
    unloaded = run_deploy(twin)
    assert unloaded.returncode != 0, unloaded
    assert ("NVIDIA driver: `nvidia-smi -L` fails (exit 9): NVIDIA-SMI has failed because it "
            "couldn't communicate with the NVIDIA driver.") in unloaded.output
    assert "reboot" in unloaded.output
    assert twin.snapshot() == before

    twin.exec("dpkg --purge nvidia-driver-550 nvidia-utils-550")
    missing = stops_unchanged(twin, run_deploy)
    assert "NVIDIA driver: none is installed" in missing.output
    assert "sudo ubuntu-drivers install" in missing.output


def test_a_native_debian_workstation_without_a_driver_is_told_to_use_non_free(make_twin, run_deploy):
    twin = make_twin(kernel=NATIVE_KERNEL, dxg=False, wsl_libs=False)
    before = twin.snapshot()
    run = run_deploy(twin)
    assert run.returncode != 0, run
    assert "contrib non-free non-free-firmware" in run.output
    assert "sudo apt install nvidia-driver firmware-misc-nonfree" in run.output
    assert run.changed == [] and twin.snapshot() == before
