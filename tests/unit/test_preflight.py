"""Preflight decisions on real WSL and native kernel strings, driver answers and host facts."""

import pytest
from packaging.version import Version

from tasks.preflight import desktop_cli, kernel_version, missing_users, preflight_problems, wsl_generation
from tasks.settings import validate
from testbed import realtext as real
from testbed.facts_examples import GOOD_FACTS, GOOD_NATIVE, NVRM_OPEN, NVRM_PROPRIETARY, SMI_NO_DRIVER

WSL2 = [
    real.WSL2_OSRELEASE_5_15_167_4, real.WSL2_OSRELEASE_5_15_90_1, real.WSL2_OSRELEASE_5_10_102_1,
    real.WSL2_OSRELEASE_5_4_72, real.WSL2_OSRELEASE_4_19_128, real.WSL2_OSRELEASE_6_6_87_2,
    real.WSL2_OSRELEASE_6_1_38_NO_SUFFIX,
]
WSL1 = [real.WSL1_OSRELEASE_19041, real.WSL1_OSRELEASE_22621, real.WSL1_OSRELEASE_18362]


# Native kernel releases, VERBATIM from `uname -a` in NVIDIA/nvidia-docker#1266 (Ubuntu 18.04) and
# #954 (Ubuntu), and Debian 12's "6.1.0-27-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.115-1 (2024-11-01)"
# quoted in a bbs.kanxue.com article on Dirty COW.
NATIVE = ["5.3.0-46-generic", "4.15.0-47-generic", "6.1.0-27-amd64"]


def problems(settings=None, **facts):
    """The preflight's problems, as the deploy prints them."""
    return [str(p) for p in preflight_problems({**GOOD_FACTS, **facts}, validate(settings or {}))]


def native_problems(settings=None, **facts):
    return [str(p) for p in preflight_problems({**GOOD_NATIVE, **facts}, validate(settings or {}))]


@pytest.mark.parametrize("release", WSL2)
def test_wsl2_kernels_are_wsl2(release):
    assert wsl_generation(release) == 2


@pytest.mark.parametrize("release", WSL1)
def test_wsl1_kernels_are_wsl1(release):
    assert wsl_generation(release) == 1


def test_a_native_kernel_is_not_wsl():
    assert wsl_generation("6.1.0-27-amd64") is None


def test_kernel_versions_compare_as_versions_not_strings():
    assert kernel_version(real.WSL2_OSRELEASE_5_15_167_4) == Version("5.15.167.4")
    # As strings "5.10.102.1" < "5.10.43.3"; as versions it is newer.
    assert kernel_version(real.WSL2_OSRELEASE_5_10_102_1) > Version(real.MS_CUDA_MIN_KERNEL)
    assert kernel_version(real.WSL2_OSRELEASE_5_4_72) < Version(real.MS_CUDA_MIN_KERNEL)


@pytest.mark.parametrize("line", [real.WSL2_PROC_VERSION_5_4_72, real.WSL2_PROC_VERSION_6_6_87_2])
def test_the_release_inside_proc_version_is_wsl2(line):
    assert wsl_generation(line.split()[2]) == 2


def test_a_good_host_passes():
    assert problems() == []


def test_wsl1_names_the_fix():
    [problem] = problems(osrelease=real.WSL1_OSRELEASE_19041)
    assert "WSL1" in problem and "wsl --set-version <distro> 2" in problem


def test_an_old_kernel_fails_and_min_kernel_version_moves_the_bar():
    [problem] = problems(osrelease=real.WSL2_OSRELEASE_5_4_72)
    assert "5.4.72" in problem and "min_kernel_version" in problem and "wsl --update" in problem
    assert problems({"min_kernel_version": "5.4"}, osrelease=real.WSL2_OSRELEASE_5_4_72) == []


@pytest.mark.parametrize("dxg,found", [(None, "missing"), ("other", "not a character device")])
def test_dev_dxg_must_be_a_character_device(dxg, found):
    [problem] = problems(dxg=dxg)
    assert "/dev/dxg" in problem and found in problem


def test_the_windows_driver_files_are_required():
    [problem] = problems(wsl_lib=["libcuda.so.1"])
    assert "nvidia-smi missing from /usr/lib/wsl/lib" in problem


def test_a_linux_driver_inside_wsl_is_refused():
    [problem] = problems(linux_driver=["nvidia-driver-550", "libnvidia-compute-550"])
    assert "sudo apt-get purge nvidia-driver-550 libnvidia-compute-550" in problem


@pytest.mark.parametrize("distro,version,ok", [
    ("ubuntu", "22.04", True), ("ubuntu", "24.04", True), ("debian", "12", True),
    ("ubuntu", "20.04", False), ("fedora", "40", False), ("debian", "11", False),
])
def test_supported_distros(distro, version, ok):
    found = problems(distro=distro, distro_version=version)
    assert (found == []) == ok
    if not ok:
        assert f"{distro} {version} is not supported" in found[0]


def test_unsupported_arch():
    [problem] = problems(arch="armhf")
    assert "armhf" in problem


def test_docker_desktop_is_detected_by_where_docker_resolves():
    assert desktop_cli([real.DD_CLI_TOOLS_DOCKER]) == real.DD_CLI_TOOLS_DOCKER
    assert desktop_cli(["/usr/bin/docker"]) is None
    assert desktop_cli([real.DD_WINDOWS_SHIM_PATH]) is None


def test_desktop_integration_conflicts_with_docker_ce():
    [problem] = problems(docker_cli=["/usr/bin/docker", real.DD_CLI_TOOLS_DOCKER])
    assert "WSL integration" in problem and "docker-desktop" in problem


def test_desktop_engine_needs_the_integration():
    assert problems({"docker_engine": "docker-desktop"}, docker_cli=[real.DD_CLI_TOOLS_DOCKER]) == []
    [problem] = problems({"docker_engine": "docker-desktop"})
    assert "no Desktop integration" in problem


# --- native Linux ------------------------------------------------------------------------


@pytest.mark.parametrize("release", NATIVE)
def test_native_kernels_are_not_wsl(release):
    assert wsl_generation(release) is None


@pytest.mark.parametrize("module", [NVRM_OPEN, NVRM_PROPRIETARY, "loaded"])
def test_a_native_host_with_a_working_driver_passes(module):
    assert native_problems(nvidia_module=module) == []


@pytest.mark.parametrize("release", NATIVE)
def test_native_hosts_skip_the_wsl_checks(release):
    # No /dev/dxg, no Windows driver files, a kernel far below min_kernel_version: none matters.
    assert native_problems(osrelease=release) == []


def test_a_native_driver_is_not_mistaken_for_a_linux_driver_inside_wsl():
    assert native_problems(linux_driver=["nvidia-driver-550", "libnvidia-compute-550"]) == []


@pytest.mark.parametrize("distro,version,fix", [
    ("ubuntu", "24.04", "sudo ubuntu-drivers install"),
    ("debian", "12", "sudo apt install nvidia-driver firmware-misc-nonfree"),
])
def test_no_native_driver_names_how_to_install_one(distro, version, fix):
    [problem] = native_problems(distro=distro, distro_version=version, nvidia_module="",
                                nvidia_smi="missing", nvidia_smi_output=[])
    assert problem.startswith("NVIDIA driver: none is installed") and fix in problem
    assert "reboot" in problem


def test_debian_needs_the_non_free_components_for_the_driver():
    [problem] = native_problems(nvidia_module="", nvidia_smi="missing", nvidia_smi_output=[])
    assert "contrib non-free non-free-firmware" in problem


def test_nvidia_smi_failing_is_quoted_with_a_reboot_fix():
    [problem] = native_problems(nvidia_module="", nvidia_smi="9", nvidia_smi_output=[SMI_NO_DRIVER])
    assert "`nvidia-smi -L` fails (exit 9): NVIDIA-SMI has failed" in problem
    assert "reboot" in problem and "Secure Boot" in problem


def test_a_loaded_module_without_nvidia_smi_is_incomplete():
    [problem] = native_problems(nvidia_smi="missing", nvidia_smi_output=[])
    assert "nvidia-smi is missing" in problem and "565.57.01" in problem


def test_nvidia_smi_without_the_module_is_reported():
    [problem] = native_problems(nvidia_module="")
    assert "kernel module is not loaded" in problem and "/proc/driver/nvidia/version" in problem


def test_native_linux_needs_systemd_as_pid_1():
    [problem] = native_problems(pid1="init")
    assert problem.startswith("systemd: PID 1 is init")


def test_docker_desktop_is_for_wsl_only():
    [problem] = native_problems({"docker_engine": "docker-desktop"})
    assert "only inside WSL" in problem and 'docker_engine = "docker-ce"' in problem


def test_native_hosts_still_need_a_supported_distro():
    [problem] = native_problems(distro="fedora", distro_version="40")
    assert "fedora 40 is not supported" in problem


def test_docker_users_must_exist():
    assert missing_users(["alice"], ["root", "alice"]) == []
    [problem] = map(str, missing_users(["bob"], ["root", "alice"]))
    assert "user 'bob' does not exist" in problem
