"""Doctor's lowest layers on real WSL and driver text: the Windows driver, WSL, a Linux driver, systemd."""

from email.utils import parsedate_to_datetime

import pytest

from tasks.doctor.checks import run_checks
from tasks.doctor.checks.wsl import GPU_KEYS
from tasks.findings import FAIL, INFO, PASS, WARN
from tasks.settings import validate
from tasks.wslconf import GPU_DEFAULTS, flag, invalid_booleans, merge_systemd, systemd_enabled
from testbed import realtext as real
from testbed.doctor_examples import GOOD, LAG, NATIVE, NOW, check, ldconfig_paths, results
from testbed.stack_examples import DEBIAN_UNITS, TIMESYNCD_FILES, stack_state

# --- Windows driver ----------------------------------------------------------------------

def test_nvidia_smi_lists_the_gpus():
    r = check("driver.nvidia-smi")
    assert r.status == PASS and "GPU 3: NVIDIA GeForce RTX 3090" in r.found


def test_gpu_access_blocked_is_recognised():
    r = check("driver.nvidia-smi", **{"smi.rc": "255", "smi": real.ERR_NVML_BLOCKED.splitlines()})
    assert r.status == FAIL and "GPU access blocked by the operating system" in r.found
    assert "TCC" in r.fix and "WDDM" in r.fix


def test_no_devices_found_is_a_failure_with_what_it_said():
    r = check("driver.nvidia-smi", **{"smi.rc": "6", "smi": real.ERR_SMI_NO_DEVICES.splitlines()})
    assert r.status == FAIL and "No devices were found" in r.found


def test_a_missing_nvidia_smi_points_at_the_windows_driver():
    facts = dict(GOOD, wsl_lib=["libcuda.so.1"])
    del facts["smi.rc"]
    r = {x.check: x for x in run_checks(facts, validate({}))}["driver.nvidia-smi"]
    assert r.status == FAIL and "NVIDIA driver for Windows" in r.fix


def test_libcuda_not_a_symbolic_link_is_harmless_info():
    r = check("driver.libcuda-link")
    message = real.ERR_LIBCUDA_NOT_SYMLINK.split(": ", 1)[1]
    assert r.status == INFO and message in r.found and "harmless" in r.found
    assert real.ERR_LIBCUDA_NOT_SYMLINK_REAL.endswith(message)


# --- WSL ---------------------------------------------------------------------------------

@pytest.mark.parametrize("release", [real.WSL1_OSRELEASE_19041, real.WSL1_OSRELEASE_22621])
def test_wsl1_fails_and_the_kernel_check_steps_aside(release):
    r = results(osrelease=release)
    assert r["wsl.version"].status == FAIL and "WSL1" in r["wsl.version"].found
    assert "wsl --set-version <distro> 2" in r["wsl.version"].fix
    assert r["wsl.kernel"].status == INFO


def test_an_old_kernel_fails():
    r = check("wsl.kernel", osrelease=real.WSL2_OSRELEASE_5_4_72)
    assert r.status == FAIL and "wsl --update" in r.fix
    assert check("wsl.kernel").status == PASS


def test_a_missing_dev_dxg_fails():
    r = check("wsl.dxg", dxg=None)
    assert r.status == FAIL and "/dev/dxg is missing" in r.found


def test_wslinfo_tells_wsls_version_and_networking_mode():
    r = check("wsl.info")
    assert r.status == INFO and r.found == "WSL 2.7.3.0, networking mode nat (wslinfo)"
    assert real.WSLINFO_NETWORKING_MODE_NAT in real.WSLINFO_NETWORKING_MODES
    # WSL 2.2.3 to the release that renamed it answer only --wsl-version, which the fact asks next.
    older = real.WSLINFO_WSL_VERSION_2_2_2.splitlines()[1]
    assert check("wsl.info", wslinfo_version=older, wslinfo_networking="mirrored").found.startswith(
        "WSL 2.2.2.0, networking mode mirrored")
    assert "has no --version" in check("wsl.info", wslinfo_version="").found


def test_without_wslinfo_doctor_says_wsl_predates_it_and_off_wsl_it_steps_aside():
    r = check("wsl.info", wslinfo_version=None, wslinfo_networking=None)
    assert r.status == INFO and "no wslinfo" in r.found and "wsl --update" in r.found
    assert "not WSL's" in check("wsl.info", **NATIVE, wslinfo_version=None).found


def test_boolean_keys_wsl_ignores_are_named_with_their_values():
    text = real.WSL_CONF_SYSTEMD_DOCS + real.WSL_CONF_INTEROP_SECTION.replace("enabled=false", "enabled=no")
    assert check("wsl.conf-booleans", wsl_conf=text.splitlines()).status == WARN
    text = text.replace("appendWindowsPath = false", "appendWindowsPath = off")
    r = check("wsl.conf-booleans", wsl_conf=text.splitlines())
    assert r.status == WARN and "[interop] enabled=no, [interop] appendwindowspath=off" in r.found
    assert "Invalid boolean value" in r.found and "Invalid boolean value" in real.WSL_INVALID_BOOLEAN_WARNING
    assert r.fix.startswith("use true or false") and not r.by_deploy
    conf = (real.WSL_CONF_SYSTEMD_DOCS + real.WSL_CONF_INTEROP_SECTION).splitlines()
    assert check("wsl.conf-booleans", wsl_conf=conf).status == PASS
    # [boot] systemd is systemd.wsl-conf's finding, with the deploy's fix.
    assert check("wsl.conf-booleans", wsl_conf=["[boot]", "systemd=yes"]).status == PASS


def test_cgroup_v1_asked_of_wsl_warns_that_docker_29_deprecates_it():
    conf = real.WSL_CONF_SYSTEMD_DOCS + "[automount]\ncgroups = v1\n"
    r = check("wsl.cgroups", wsl_conf=conf.splitlines())
    assert r.status == WARN and "[automount] cgroups=v1" in r.found
    assert real.WARN_DOCKER29_CGROUP_V1.split("WARNING: ")[1].split(" (")[0] in r.found
    assert "remove `cgroups=v1`" in r.fix and "wsl.exe --shutdown" in r.fix
    assert check("wsl.cgroups").status == PASS
    assert check("wsl.cgroups", wsl_conf=["[automount]", "cgroups=v2"]).status == PASS
    assert check("wsl.cgroups", **NATIVE, wsl_conf=["[automount]", "cgroups=v1"]).status == INFO


def test_a_clock_behind_the_hardware_clock_fails_though_apts_release_files_are_not_ahead():
    # After a sleep: the Release files were fetched earlier by this same clock, so they are behind it.
    r = check("wsl.clock", rtc=str(NOW + LAG))
    assert r.status == FAIL and "4d 3h 29min 57s behind the hardware clock" in r.found
    assert "invalid for another 4d 3h 29min 57s" in real.ERR_APT_NOT_VALID_YET
    assert "2024-04-26 15:10:33 UTC" in r.found and "(2024-04-30 18:40:30 UTC)" in r.found
    assert "is not valid yet" in r.found and "sudo hwclock -s" in real.WSL_CLOCK_WORKAROUND
    assert "sudo hwclock -s" in r.fix
    assert check("wsl.clock", rtc="").status == PASS, "apt's dates alone cannot see this lag"


def test_the_clock_says_whether_a_time_daemon_may_run_under_wsl_and_that_the_deploy_lets_debians():
    debian = stack_state(DEBIAN_UNITS, TIMESYNCD_FILES)
    r = check("wsl.clock", rtc=str(NOW + LAG), stack=debian)
    assert r.status == FAIL and "systemd-timesyncd.service cannot start under WSL" in r.found
    assert "sudo hwclock -s" in r.fix and "lets the time daemon run under WSL" in r.fix
    r = check("wsl.clock", rtc=str(NOW + LAG))  # Ubuntu's, with wsl-setup's drop-in
    assert "systemd-timesyncd.service may run under WSL" in r.found and "rerun the deploy" not in r.fix
    assert "may run under WSL" in check("wsl.clock").found
    none = stack_state({**DEBIAN_UNITS, "systemd-timesyncd.service": real.SYSTEMCTL_SHOW_NOT_FOUND})
    assert "no time daemon" in check("wsl.clock", stack=none).found
    assert "timesyncd" not in check("wsl.clock", **NATIVE, stack=debian).found


def test_a_clock_that_agrees_with_the_hardware_clock_passes_naming_both_comparisons():
    for rtc in (NOW, NOW + 30, NOW - 3600):
        r = check("wsl.clock", rtc=str(rtc))
        assert r.status == PASS and "hardware clock" in r.found and "Release file" in r.found, rtc


def test_without_a_hardware_clock_apts_release_files_are_the_comparison():
    behind = int(parsedate_to_datetime(real.APT_RELEASE_DATE_NOBLE).timestamp()) - LAG
    r = check("wsl.clock", rtc="", now=str(behind))
    assert r.status == FAIL and "4d 3h 29min 57s before the newest apt Release file" in r.found
    assert "is not valid yet" in r.found and "sudo hwclock -s" in r.fix
    r = check("wsl.clock", rtc="")
    assert r.status == PASS and "Release file" in r.found and "hardware clock" not in r.found
    assert check("wsl.clock", rtc="", apt_date=[]).status == INFO


def test_a_clock_that_jumped_back_with_the_hardware_clock_still_fails_on_apts_release_files():
    behind = int(parsedate_to_datetime(real.APT_RELEASE_DATE_NOBLE).timestamp()) - LAG
    r = check("wsl.clock", rtc=str(behind), now=str(behind))
    assert r.status == FAIL and "before the newest apt Release file" in r.found
    assert check("wsl.clock", apt_date=["Fri, 18 Sep 2026  9:51:49 UTC"], now="1789725109",
                 rtc="1789725109").status == PASS


def test_a_native_hosts_hardware_clock_is_not_compared_since_it_may_keep_local_time():
    r = check("wsl.clock", **NATIVE, rtc=str(NOW + 2 * 3600))
    assert r.status == PASS and "hardware clock" not in r.found


# --- WSL's GPU keys, safe mode and the VM's memory -------------------------------------

def test_the_gpu_keys_are_wsls_own_with_its_defaults():
    assert {k.lower() for k in real.WSL_CONFIG_GPU_KEYS} == set(GPU_DEFAULTS) == set(GPU_KEYS)
    assert all(GPU_DEFAULTS.values())
    for key in GPU_DEFAULTS:
        section, name = key.split(".")
        assert flag([], key, True) and flag([f"[{section}]", f"{name}=yes"], key, True), "ignored: the default"
        assert not flag([f"[{section.upper()}]", f"{name.upper()} = FALSE # off"], key, True)
        assert not flag([f"[{section}]", f"{name}=0"], key, True)
        assert flag([f"[{section}]", f"{name}=false"], "other.key", True)
    assert invalid_booleans(real.WSL_CONF_LDCONFIG_FASLE.splitlines()) == {"automount.ldconfig": "fasle"}


def test_gpu_support_turned_off_fails_and_names_the_key_to_remove():
    r = check("wsl.gpu-conf", wsl_conf=["[gpu]", "enabled=false", "appendLibPath=0"])
    assert r.status == FAIL and r.id == "wsl.gpu-conf.gpu-off"
    assert "[gpu] enabled=false" in r.found and "also sets [gpu] appendLibPath=0" in r.found
    assert "remove `enabled=false` from [gpu] and `appendLibPath=0` from [gpu]" in r.fix
    assert "wsl.exe --shutdown" in r.fix
    assert check("wsl.gpu-conf").status == PASS
    assert check("wsl.gpu-conf", wsl_conf=["[gpu]", "enabled=off"]).status == PASS, "WSL ignores off"
    assert check("wsl.gpu-conf", **NATIVE, wsl_conf=["[gpu]", "enabled=false"]).status == INFO


def test_ldconfig_off_warns_and_says_when_the_linker_indeed_lacks_libcuda():
    conf = real.WSL_CONF_RANCHER_DATA.splitlines()
    r = check("wsl.gpu-conf", wsl_conf=conf, ld_libcuda=[])
    assert r.status == WARN and r.id == "wsl.gpu-conf.ldconfig-off"
    assert "[automount] ldconfig=false" in r.found and "/etc/ld.so.conf.d/ld.wsl.conf" in r.found
    assert "indeed lists no libcuda.so.1" in r.found
    assert "indeed" not in check("wsl.gpu-conf", wsl_conf=conf).found
    assert check("wsl.gpu-conf", wsl_conf=real.WSL_CONF_LDCONFIG_FASLE.splitlines()).status == PASS


def test_the_libraries_left_off_path_warn():
    r = check("wsl.gpu-conf", wsl_conf=["[GPU]", "AppendLibPath = false"])
    assert r.status == WARN and r.id == "wsl.gpu-conf.path-off" and "nvidia-smi" in r.found


def test_safe_mode_seen_in_wsls_init_fails_with_the_wslconfig_fix():
    r = check("wsl.safe-mode", safe_mode_env="1", init_environ="/proc/1")
    assert r.status == FAIL and r.id == "wsl.safe-mode" and "WSL2_SAFE_MODE=1" in r.found
    assert "(/proc/1)" in r.found and "no GPU" in r.found and "no systemd" in r.found
    assert "safeMode=true" in r.fix and ".wslconfig" in r.fix
    r = check("wsl.safe-mode", safe_mode_log=real.WSL_SAFE_MODE_KMSG)
    assert r.status == FAIL and "SAFE MODE ENABLED - many features will be disabled" in r.found
    assert check("wsl.safe-mode").status == PASS
    assert check("wsl.safe-mode", **NATIVE, safe_mode_env="1").status == INFO


def test_safe_mode_asked_in_wslconfig_or_inferred_warns_and_says_it_is_an_inference():
    r = check("wsl.safe-mode", wslconfig_exists="1", wslconfig=real.WSLCONFIG_SAFE_MODE.splitlines())
    assert r.status == WARN and r.id == "wsl.safe-mode.likely"
    assert "/mnt/c/Users/alice/.wslconfig sets [wsl2] safeMode=true" in r.found
    r = check("wsl.safe-mode", dxg=None, pid1="init")
    assert r.status == WARN and "could not confirm" in r.found and "as in WSL's safe mode" in r.found
    # Only one of the two signs is not safe mode's.
    assert check("wsl.safe-mode", dxg=None).status == PASS
    assert check("wsl.safe-mode", pid1="init").status == PASS
    assert check("wsl.safe-mode", dxg=None, pid1="init", wsl_conf=[]).status == PASS


def test_a_vm_with_less_memory_than_the_gpu_warns_with_wslconfigs_memory():
    r = check("wsl.memory", mem_total_kb="8038524", smi_mem=[real.SMI_QUERY_MEMORY_TOTAL_4070TIS])
    assert r.status == WARN and "7.7 GiB" in r.found and "16.0 GiB" in r.found
    assert "there is no /mnt/c/Users/alice/.wslconfig" in r.found and "half of Windows' memory" in r.found
    assert "`memory=16GB` or more" in r.fix and "[wsl2]" in r.fix and "wsl.exe --shutdown" in r.fix
    r = check("wsl.memory")
    assert r.status == PASS and "31.3 GiB" in r.found and "24.0 GiB" in r.found


def test_the_memory_check_tells_what_wslconfig_says_or_why_it_could_not_be_read():
    r = check("wsl.memory", wslconfig_exists="1", wslconfig=real.WSLCONFIG_MEMORY_999GB.splitlines())
    assert "/mnt/c/Users/alice/.wslconfig sets [wsl2] memory=999GB" in r.found
    r = check("wsl.memory", wslconfig_exists="1", wslconfig=real.WSLCONFIG_SAFE_MODE.splitlines())
    assert "sets no [wsl2] memory=" in r.found
    r = check("wsl.memory", wslconfig_exists=None)
    assert "could not be read: /mnt/c/Users/alice is not mounted" in r.found
    r = check("wsl.memory", win_home=None, win_profile=None, wslconfig_exists=None)
    assert "%UserProfile%\\.wslconfig could not be read: no Windows profile found" in r.found
    assert r.status == PASS


def test_no_gpu_memory_to_compare_is_info():
    assert check("wsl.memory", smi_mem=None).status == INFO
    assert check("wsl.memory", smi_mem=["[N/A]"]).status == INFO
    assert check("wsl.memory", mem_total_kb=None).status == INFO
    # Several GPUs: the largest is compared.
    assert check("wsl.memory", mem_total_kb="20000000", smi_mem=["8192", "24576"]).status == WARN


# --- a Linux driver inside WSL -----------------------------------------------------------

def test_a_linux_driver_package_fails_with_purge():
    r = check("linux-driver.packages", linux_driver=["nvidia-driver-550", "libnvidia-compute-550"])
    assert r.status == FAIL and r.fix == "`sudo apt-get purge nvidia-driver-550 libnvidia-compute-550`"


def test_libcuda_resolving_outside_the_windows_driver_fails():
    r = check("linux-driver.libcuda", ld_libcuda=ldconfig_paths(
        real.LDCONFIG_P_WSL + "\n" + real.LDCONFIG_P_LINUX_DRIVER))
    assert r.status == FAIL and "/lib/x86_64-linux-gnu/libcuda.so.1" in r.found
    assert "dpkg -S /lib/x86_64-linux-gnu/libcuda.so.1" in r.fix
    assert check("linux-driver.libcuda").status == PASS


# --- systemd -----------------------------------------------------------------------------

def test_wsl_conf_parsing_agrees_with_the_deploys_merge():
    assert systemd_enabled(real.WSL_CONF_SYSTEMD_DOCS.splitlines())
    for text in ["", "[user]\ndefault=alice\n", "[boot]\nsystemd=false\n", "[other]\nsystemd=true\n"]:
        assert not systemd_enabled(text.splitlines()), text
        assert systemd_enabled(merge_systemd(text).splitlines()), text


def test_systemd_off_fails_and_the_deploy_sets_wsl_conf():
    r = results(pid1="init", wsl_conf_exists=None, wsl_conf=[])
    assert r["systemd.pid1"].status == FAIL and "wsl.exe --shutdown" in r["systemd.pid1"].fix
    assert "rerun the deploy" in r["systemd.pid1"].fix and not r["systemd.pid1"].by_deploy
    assert r["systemd.wsl-conf"].status == FAIL and r["systemd.wsl-conf"].by_deploy
    assert "is missing" in r["systemd.wsl-conf"].found


def test_systemd_set_but_not_running_needs_only_a_shutdown():
    r = check("systemd.pid1", pid1="init")
    assert r.fix == "run `wsl.exe --shutdown` from Windows and open the distro again"


@pytest.mark.parametrize("value", ["yes", "on", '"yes"'])
def test_a_systemd_value_wsl_ignores_keeps_systemd_off_and_the_deploy_rewrites_that_line(value):
    conf = ["[boot]", f"systemd={value}"]
    r = check("systemd.wsl-conf", pid1="init", wsl_conf=conf)
    shown = value.strip('"')
    assert r.status == FAIL and f"systemd={shown}, which WSL ignores" in r.found
    assert "leaves systemd off" in r.found
    assert r.by_deploy and "rewrites that line to systemd=true in place" in r.fix
    r = check("systemd.wsl-conf", {"wsl_systemd": False}, pid1="init", wsl_conf=conf)
    assert not r.by_deploy and r.fix.startswith("change that line to `systemd=true` in /etc/wsl.conf")
    assert check("systemd.wsl-conf", wsl_conf=conf).status == WARN, "systemd runs, but the file does not ask"


def test_wsl_conf_without_systemd_warns_while_systemd_runs_and_honours_wsl_systemd():
    r = check("systemd.wsl-conf", wsl_conf=["[user]", "default=alice"])
    assert r.status == WARN and r.by_deploy
    r = check("systemd.wsl-conf", {"wsl_systemd": False}, wsl_conf=[])
    assert not r.by_deploy and "wsl_systemd is off" in r.fix
