"""Doctor's checks on real WSL, NVIDIA and Docker text; its report; the README's rows from its examples."""

import ast
import inspect
import json
import re
from email.utils import parsedate_to_datetime

import pytest

from tasks import preflight
from tasks.users import docker_users
from tasks.doctor.checks import CHECKS, LAYERS, layer, run_checks
from tasks.doctor.checks.gpu import GPU_ERRORS, check_gpu_container
from tasks.doctor.checks.toolkit import toolkit_version
from tasks.doctor.facts import CDI_REFRESH_OUTPUT, LISTS, DoctorFacts
from tasks.doctor.registry import FAIL, INFO, PASS, WARN
from tasks.doctor.report import report_json, summary, table
from tasks.facts import parse_lines
from tasks.shell import script_text
from tasks.preflight import missing_users, preflight_problems
from tasks.settings import SettingsError, validate
from tasks.wslconf import merge_systemd, systemd_enabled
from tests.unit import realtext as real
from tests.unit.doctor_examples import (CDI29, EXAMPLES, GOOD, LAG, NATIVE, NO_RUNTIME, NOW, SOCKET_ONLY, STALE_ENGINE,
                                        STALE_SPEC, UBUNTU, as_alice, host_paths, ldconfig_paths, run, sudo_facts)
from tests.unit.facts_examples import SMI_NO_DRIVER
from tests.unit.sudo_examples import SUDO_RS_0_2_5, SUDO_RS_0_2_8, SUDO_RS_0_2_13_UBUNTU, SUDO_WS_1_9_13P3
from tools import readme
from tools.readme import cell, example_rows


def results(settings=None, **facts) -> dict:
    """Each check's verdict on GOOD with these facts; a fact given as None is one the host did not print."""
    return {r.check: r for r in run(facts, settings or {})}


def check(name: str, settings=None, **facts):
    return results(settings, **facts)[name]


def gpu(output: str, ok=False):
    return check_gpu_container({**GOOD, "gpu": {"ok": ok, "output": output.splitlines()}}, validate({}))


# --- the whole list ----------------------------------------------------------------------

def test_a_converged_workstation_passes_every_check():
    bad = [r for r in results().values() if r.status in (FAIL, WARN)]
    assert bad == []


def test_a_native_workstation_passes_and_the_wsl_checks_step_aside():
    r = results(**NATIVE)
    assert [x for x in r.values() if x.status in (FAIL, WARN)] == []
    for name in ("wsl.version", "wsl.dxg", "driver.nvidia-smi", "linux-driver.packages", "systemd.wsl-conf",
                 "wsl.info", "wsl.conf-booleans", "wsl.cgroups", "toolkit.known-bad"):
        assert r[name].status == INFO and "not WSL's" in r[name].found, name
    assert r["toolkit.gpu-path"].status == PASS, "the engine's --gpus path is the same on native Linux"


def test_a_native_driver_problem_is_the_preflights_other_failure():
    r = check("preflight.other", **{**NATIVE, "nvidia_module": "", "nvidia_smi": "9",
                                    "nvidia_smi_output": [SMI_NO_DRIVER]})
    assert r.status == FAIL and r.found.startswith("NVIDIA driver: `nvidia-smi -L` fails (exit 9)")
    assert "reboot" in r.fix


def test_checks_have_unique_names_and_run_bottom_to_top():
    names = [r.check for r in run_checks(GOOD, validate({}))]
    assert len(names) == len(set(names)) == len(CHECKS)
    layers = list(dict.fromkeys(layer(n) for n in names))
    assert layers == list(LAYERS.values())


# --- sudo --------------------------------------------------------------------------------

@pytest.mark.parametrize("text, where, version", [
    (SUDO_RS_0_2_13_UBUNTU, UBUNTU, "sudo-rs 0.2.13-0ubuntu1"),
    (SUDO_WS_1_9_13P3, "usr/bin", "Sudo version 1.9.13p3"),
], ids=["sudo-rs 0.2.13 (Ubuntu 26.04)", "sudo.ws 1.9.13p3"])
def test_a_sudo_with_askpass_passes_naming_it(text, where, version):
    r = check("sudo.askpass", **as_alice(text, where))
    assert (r.status, r.found) == (PASS, f"alice's sudo (/usr/bin/sudo) is {version}, which has -A (askpass) "
                                         "for pyinfra's password")


def test_an_old_sudo_rs_that_needs_no_password_passes():
    r = check("sudo.askpass", **as_alice(SUDO_RS_0_2_5, "usr/lib/cargo/bin", stderr=True, passwordless=True))
    assert r.status == PASS and "/usr/lib/cargo/bin/sudo) needs no password" in r.found


@pytest.mark.parametrize("text, where, stderr, fix", [
    (SUDO_RS_0_2_8, UBUNTU, False, "make sudo.ws the sudo again: `sudo update-alternatives --set sudo "
     "/usr/bin/sudo.ws`"),
    (SUDO_RS_0_2_5, "usr/lib/cargo/bin", True, "PATH=/usr/bin:$PATH ./setup.sh`"),
], ids=["0.2.8 (Ubuntu 25.10)", "0.2.5 (Debian 13)"])
def test_an_old_sudo_rs_fails_naming_it_with_the_scripts_fixes(text, where, stderr, fix):
    r = check("sudo.askpass", **as_alice(text, where, **({"stderr": True} if stderr else {})))
    path = "/usr/bin/sudo" if where == UBUNTU else f"/{where}/sudo"
    assert r.status == FAIL and r.found.startswith(
        f"as alice, the sudo on PATH ({path}) is {text.strip()}, which has no -A (askpass; sudo-rs has it since "
        "0.2.11)")
    assert r.fix.startswith(
        "let alice use sudo without a password for the run (a sudoers drop-in): `echo 'alice ALL=(ALL) NOPASSWD: "
        "ALL' | sudo tee /etc/sudoers.d/wsl-gpu-docker && sudo chmod 0440 ")
    assert "afterwards `sudo rm /etc/sudoers.d/wsl-gpu-docker`; or " in r.fix and fix in r.fix
    assert not r.by_deploy


def test_coming_through_sudo_passes_by_itself_unless_the_users_sudo_cannot_take_a_password():
    r = check("sudo.askpass")
    assert r.status == PASS and r.found == ("doctor came through alice's sudo (/usr/bin/sudo, sudo-rs "
                                            "0.2.13-0ubuntu1), so pyinfra drives it")
    # As root, with no runuser on the stand-in's PATH, the script cannot run as alice: doctor got in, though.
    alone = sudo_facts(SUDO_RS_0_2_8, uid=0, sudo_user="alice")
    assert {k: v for k, v in alone.items() if v is not None} == {"sudo_user": "alice", "sudo.fix": []}
    assert check("sudo.askpass", **alone).found == "doctor came through alice's sudo, so pyinfra drives it"
    # A password sudo-rs 0.2.8 remembered let pyinfra's `sudo -n` in, or doctor was started with sudo.
    r = check("sudo.askpass", **sudo_facts(SUDO_RS_0_2_8, sudo_user="alice"))
    assert r.status == WARN and "as alice, the sudo on PATH (/usr/bin/sudo) is sudo-rs 0.2.8" in r.found
    assert "update-alternatives --set sudo /usr/bin/sudo.ws" in r.fix


def test_root_needs_no_sudo_and_no_sudo_at_all_fails():
    r = check("sudo.askpass", **sudo_facts(SUDO_RS_0_2_5, uid=0))
    assert (r.status, r.found) == (PASS, "doctor runs as root, so pyinfra needs no sudo")
    r = check("sudo.askpass", **as_alice())
    assert r.status == FAIL and r.found.startswith("no sudo on alice's PATH")
    assert r.fix == ("run ./setup.sh as root; or as root, install sudo and let alice use it (then log in "
                     "again): `apt-get install sudo && usermod -aG sudo alice`")


def test_a_sudo_that_names_itself_neither_way_or_no_verdict_only_informs():
    r = check("sudo.askpass", **as_alice("usage: sudo -h | -K | -k | -V\n", "usr/bin"))
    assert r.status == INFO and "/usr/bin/sudo answers `sudo --version` with 'usage: sudo -h" in r.found
    assert check("sudo.askpass", **{"euid": "1000", "sudo.verdict": None}).status == INFO


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


# --- Docker Engine -----------------------------------------------------------------------

def test_desktop_integration_conflicts_with_docker_ce():
    r = check("docker.desktop", docker_cli=[real.DD_CLI_TOOLS_DOCKER])
    assert r.status == FAIL and "Resources > WSL integration" in r.fix


def test_desktop_mode_without_integration_fails_and_with_both_engines_warns():
    assert check("docker.desktop", {"docker_engine": "docker-desktop"}).status == FAIL
    r = check("docker.desktop", {"docker_engine": "docker-desktop"}, docker_cli=[real.DD_CLI_TOOLS_DOCKER])
    assert r.status == WARN and "two engines" in r.found


def test_desktop_mode_steps_the_engine_checks_aside():
    r = results({"docker_engine": "docker-desktop"}, docker_cli=[real.DD_CLI_TOOLS_DOCKER], pkg=[])
    for name in ("docker.engine", "toolkit.installed", "daemon-json.runtime", "group.members",
                 "toolkit.gpu-path", "toolkit.cdi-spec"):
        assert r[name].status == INFO, name


def test_an_absent_or_stopped_engine_is_the_deploys_to_fix():
    r = check("docker.engine", pkg=[], bin=[], dockerd=[])
    assert r.status == FAIL and r.by_deploy and "not installed" in r.found
    r = check("docker.engine", dockerd=[], engine_unit="inactive")
    assert r.status == FAIL and r.by_deploy and "docker.service is inactive" in r.found
    r = check("docker.engine", dockerd=[], pid1="init")
    assert r.status == FAIL and not r.by_deploy


def test_the_iptables_backend_that_works_is_found_by_testing():
    r = check("docker.iptables", **{"iptables_nft.rc": "1", "iptables_nft": real.ERR_IPTABLES_NFT_GENERATION})
    assert r.status == FAIL and "iptables-legacy works" in r.found
    assert "update-alternatives --set iptables /usr/sbin/iptables-legacy" in r.fix
    legacy_fails = real.ERR_IPTABLES_LEGACY_NO_TABLE.replace("\n", " ")
    r = check("docker.iptables", iptables="/usr/sbin/xtables-legacy-multi",
              **{"iptables_legacy.rc": "3", "iptables_legacy": legacy_fails})
    assert r.status == FAIL and "/usr/sbin/iptables-nft" in r.fix
    r = check("docker.iptables", **{"iptables_nft.rc": "1", "iptables_nft": real.ERR_IPTABLES_NFT_GENERATION,
                                     "iptables_legacy.rc": "3", "iptables_legacy": legacy_fails})
    assert r.status == FAIL and "no iptables backend works" in r.found


def test_iptables_is_not_judged_when_dockerd_does_not_use_it_or_doctor_is_not_root():
    daemon = json.dumps({"iptables": False, "runtimes": {"nvidia": {"path": "nvidia-container-runtime"}}})
    assert check("docker.iptables", daemon_json=[daemon]).status == INFO
    denied = ("iptables v1.8.9 (nf_tables): Could not fetch rule set generation id: "
              "Permission denied (you must be root)")
    r = check("docker.iptables", euid="1000", **{"iptables_nft.rc": "4", "iptables_nft": denied,
                                                  "iptables_legacy.rc": "4", "iptables_legacy": denied})
    assert r.status == INFO and "--sudo" in r.found


def test_a_hosts_key_that_clashes_with_the_services_h_flag_fails():
    hosts = json.loads(real.ERR_DAEMON_HOSTS_CONFLICT.split("from file: ")[1].rstrip(")").replace(
        "[", '["').replace("]", '"]'))
    r = check("docker.hosts", daemon_json=[json.dumps({"hosts": hosts})])
    assert r.status == FAIL and "-H" in r.found and "ExecStart=" in r.fix
    assert "the following directives are specified both as a flag and in the configuration file" in r.found
    flagless = real.DOCKER_SERVICE_SHOW_EXECSTART_H.replace(" -H fd://", "")
    with_hosts = [json.dumps({"hosts": hosts})]
    assert check("docker.hosts", daemon_json=with_hosts, exec_start=flagless).status == PASS
    assert check("docker.hosts").status == PASS


# --- `--gpus` through CDI, and CDI specs --------------------------------------------------

def test_a_fresh_install_of_today_runs_gpus_through_cdi_and_passes():
    r = results(**CDI29)
    assert [x for x in r.values() if x.status in (FAIL, WARN)] == []
    assert r["toolkit.gpu-path"].status == PASS
    assert r["toolkit.gpu-path"].found == (
        "`--gpus` runs through CDI (Docker 29.2.1 is 29.2+, nvidia-cdi-hook at /usr/bin/nvidia-cdi-hook)")
    assert "`nvidia.cdi`" in real.MOBY_GPUS_THROUGH_CDI and "`nvidia-cdi-hook`" in real.MOBY_GPUS_THROUGH_CDI
    assert r["toolkit.cdi-spec"].status == PASS and CDI_REFRESH_OUTPUT in r["toolkit.cdi-spec"].found


def test_older_engines_without_the_cdi_hook_or_with_cdi_off_keep_to_the_runtime_hook():
    assert check("toolkit.gpu-path").found == (
        "`--gpus` runs through the nvidia runtime hook (Docker 27.3.1: CDI takes over from Docker 29.2)")
    r = check("toolkit.gpu-path", pkg=CDI29["pkg"])
    assert r.status == PASS
    assert "runtime hook (Docker 29.2.1: no nvidia-cdi-hook on the engine's PATH)" in r.found
    cdi_off = json.loads(real.DAEMON_JSON_NVIDIA_CTK_FRESH) | {"features": {"cdi": False}}
    r = check("toolkit.gpu-path", **{**CDI29, "daemon_json": [json.dumps(cdi_off)]})
    assert "runtime hook (daemon.json turns CDI off" in r.found
    debian = check("toolkit.gpu-path", pkg=["docker.io 26.1.5+dfsg1-9+b9"] + GOOD["pkg"][1:])
    assert "(Docker 26.1.5:" in debian.found


def test_a_dockerd_without_a_package_is_judged_by_the_version_it_gives_among_docker_29s_warnings():
    info = [real.WARN_DOCKER29_CGROUP_V1, real.DOCKER_INFO_RUNTIMES_JSON_WITH_NVIDIA.strip(),
            real.DOCKER_INFO_SERVER_VERSION_JSON_29_4_0, real.WARN_DOCKER29_CGROUP_V1]
    pkg = [p for p in CDI29["pkg"] if not p.startswith("docker-ce ")]
    r = results(**{**CDI29, "pkg": pkg, "docker_info": info})
    assert "CDI (Docker 29.4.0 is 29.2+" in r["toolkit.gpu-path"].found
    assert r["daemon-json.loaded"].status == PASS
    assert r["docker.engine"].status == PASS and "dockerd (/usr/bin/dockerd)" in r["docker.engine"].found
    unknown = results(**{**CDI29, "pkg": pkg, "docker_info": [real.WARN_DOCKER29_CGROUP_V1]})
    path, loaded = unknown["toolkit.gpu-path"], unknown["daemon-json.loaded"]
    assert path.status == INFO and "no engine version" in path.found
    assert loaded.status == FAIL and "gave no runtimes" in loaded.found


def test_docker_29s_warnings_around_the_runtimes_are_skipped():
    info = [real.WARN_DOCKER29_CGROUP_V1, real.DOCKER_INFO_RUNTIMES_JSON_WITHOUT_NVIDIA.strip(),
            real.DOCKER_INFO_SERVER_VERSION_JSON_29_4_0, "", real.WARN_DOCKER29_CGROUP_V1]
    r = check("daemon-json.loaded", **{**STALE_ENGINE, "docker_info": info})
    assert r.status == FAIL and "lists runtimes ['io.containerd.runc.v2', 'runc'], not nvidia" in r.found


def test_the_gpu_containers_errors_are_told_apart_beside_docker_29s_warnings():
    r = gpu("\n".join([real.WARN_DOCKER29_CGROUP_V1, real.ERR_UNKNOWN_RUNTIME, real.WARN_DOCKER29_CGROUP_V1]))
    assert r.status == FAIL and "not loaded the nvidia runtime" in r.found


@pytest.mark.parametrize("spec, paths", [
    (real.CDI_SPEC_WSL_YAML, ["/usr/lib/wsl/lib/libdxcore.so",
                              "/usr/lib/wsl/drivers/nvmdi.inf_amd64_f55cb1d07ac1033f/libcuda.so.1.1",
                              "/usr/lib/wsl/drivers/nvmdi.inf_amd64_f55cb1d07ac1033f/libcuda_loader.so"]),
    (real.CDI_SPEC_WSL_YAML_HOSTPATH_FIRST, [
        "/usr/lib/wsl/lib/libdxcore.so",
        "/usr/lib/wsl/drivers/nvfrwi.inf_amd64_63d60f682af8cba2/libcuda.so.1.1",
        "/usr/lib/wsl/drivers/nvfrwi.inf_amd64_63d60f682af8cba2/libcuda_loader.so"]),
    (real.CDI_SPEC_WSL_JSON, ["/usr/lib/wsl/lib/libdxcore.so"]),
])
def test_the_fact_reads_every_host_path_of_a_spec_and_no_container_path(spec, paths):
    assert host_paths(spec) == paths


def test_a_stale_spec_is_named_with_its_missing_paths_and_the_refresh_unit_rewrites_it():
    r = check("toolkit.cdi-spec", **STALE_SPEC)
    assert r.status == WARN, "the engine runs --gpus through the runtime hook: only --device fails"
    gone = "/usr/lib/wsl/drivers/nvmdi.inf_amd64_f55cb1d07ac1033f/"
    assert r.found.startswith(f"{CDI_REFRESH_OUTPUT} mounts {gone}libcuda.so.1.1, {gone}libcuda_loader.so, "
                              "which do not exist")
    assert "each Windows driver update gives its folder in /usr/lib/wsl/drivers a new name" in r.found
    assert r.fix == ("`sudo systemctl restart nvidia-cdi-refresh.service`, which writes "
                     f"{CDI_REFRESH_OUTPUT} anew")
    assert CDI_REFRESH_OUTPUT in real.CDI_REFRESH_UNIT_OUTPUT_LINE
    assert "Driver upgrades" in real.CDI_REFRESH_DOCS


def test_a_stale_spec_fails_when_gpus_runs_through_cdi_and_nvidia_ctk_writes_it_without_the_unit():
    r = check("toolkit.cdi-spec", **{**CDI29, **STALE_SPEC, "cdi_refresh_unit": None})
    assert r.status == FAIL and "GPU containers fail to start" in r.found
    assert r.fix == "`sudo nvidia-ctk cdi generate --output=/var/run/cdi/nvidia.yaml`"


def test_each_stale_spec_gets_its_own_fix_and_many_paths_are_counted():
    paths = host_paths(real.CDI_SPEC_WSL_YAML_HOSTPATH_FIRST) + host_paths(real.CDI_SPEC_WSL_YAML)
    r = check("toolkit.cdi-spec", cdi_spec=["/etc/cdi/nvidia.yaml", "/etc/cdi/vendor.json"],
              cdi_missing=[f"/etc/cdi/nvidia.yaml {p}" for p in paths] + [
                  "/etc/cdi/vendor.json /opt/gone.so"],
              cdi_refresh_unit=STALE_SPEC["cdi_refresh_unit"])
    assert "/etc/cdi/nvidia.yaml mounts " in r.found and " and 3 more, which do not exist" in r.found
    assert "/etc/cdi/vendor.json mounts /opt/gone.so, which does not exist" in r.found
    assert r.fix == ("`sudo nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml`; "
                     "write /etc/cdi/vendor.json anew with the tool that made it, or remove it")


def test_without_specs_or_in_desktop_mode_the_spec_check_only_informs():
    assert check("toolkit.cdi-spec").status == INFO
    r = check("toolkit.cdi-spec", {"docker_engine": "docker-desktop"}, docker_cli=[real.DD_CLI_TOOLS_DOCKER],
              **STALE_SPEC)
    assert r.status == INFO
    native = check("toolkit.cdi-spec", **NATIVE, **STALE_SPEC)
    assert native.status == WARN and "driver store" not in native.found


# --- the docker group --------------------------------------------------------------------

def test_a_user_outside_the_docker_group_is_the_deploys_to_fix():
    r = check("group.members", docker_group="docker:x:999:")
    assert r.status == FAIL and r.by_deploy and "alice is not in the docker group" in r.found


def test_a_listed_user_who_does_not_exist_fails_with_the_preflights_fix():
    r = check("group.members", {"docker_users": ["alice", "bob"]})
    assert r.status == FAIL and "'bob' does not exist" in r.found and "correct docker_users" in r.fix


def test_membership_not_yet_active_in_this_shell_warns():
    r = check("group.active", shell_groups=" 1000 4 27")
    assert r.status == WARN and "newgrp docker" in r.fix
    assert "permission denied while trying to connect to the Docker daemon socket" in \
        real.ERR_DOCKER_SOCKET_PERMISSION
    assert check("group.active").status == PASS


def test_without_a_user_shell_above_doctor_the_group_activity_is_unknown():
    facts = dict(GOOD)
    del facts["shell_groups"]
    r = {x.check: x for x in run_checks(facts, validate({}))}["group.active"]
    assert r.status == INFO


# --- NVIDIA Container Toolkit ------------------------------------------------------------

def test_a_missing_toolkit_is_the_deploys_to_fix():
    r = results(pkg=["docker-ce 5:27.3.1-1~ubuntu.24.04~noble"])
    assert r["toolkit.installed"].status == FAIL and r["toolkit.installed"].by_deploy
    assert r["toolkit.hook"].status == INFO


def test_the_hook_must_be_on_the_engines_path():
    r = check("toolkit.hook", bin=["dockerd /usr/bin/dockerd"])
    assert r.status == FAIL and "nvidia-container-runtime-hook" in r.found and "--reinstall" in r.fix


@pytest.mark.parametrize("deb,issue,quote,version", [
    ("1.12.1-1", "issues/53", real.TOOLKIT_1_12_1_WSL, "1.12.1"),
    ("1.14.3-1", "issues/520", real.TOOLKIT_555_FIXED_IN, "1.14.4"),
    ("1.19.1-1", "issues/1864", real.TOOLKIT_1_19_1_WSL, "1.19.1-1"),
])
def test_known_bad_toolkit_versions_fail_naming_their_issue(deb, issue, quote, version):
    assert version in quote
    r = check("toolkit.known-bad", pkg=[f"nvidia-container-toolkit {deb}"])
    assert r.status == FAIL and issue in r.found and '"1.20.1-1"' in r.fix


@pytest.mark.parametrize("deb", ["1.14.4-1", "1.15.0-1", "1.17.8-1", "1.18.0-1",
                                 real.DPKG_TOOLKIT_1_20_0.split()[1]])
def test_fixed_toolkit_versions_pass(deb):
    assert check("toolkit.known-bad", pkg=[f"nvidia-container-toolkit {deb}"]).status == PASS


def test_releases_that_break_only_wsl_are_not_held_against_a_native_workstation():
    r = check("toolkit.known-bad", **NATIVE, pkg=["nvidia-container-toolkit 1.19.1-1"])
    assert r.status == INFO and "not WSL's" in r.found


def test_toolkit_versions_read_debian_and_rc_forms():
    assert str(toolkit_version("1.17.8-1")) == "1.17.8"
    assert str(toolkit_version("1.15.0~rc.2-1")) == "1.15.0rc2"


def test_no_cgroups_must_match_a_rootful_engine():
    no_cgroups = re.search(r"^no-cgroups = (\w+)", real.TOOLKIT_CONFIG_NO_CGROUPS_TRUE, re.M).group(1)
    r = check("toolkit.no-cgroups", no_cgroups=no_cgroups)
    assert r.status == FAIL and "no-cgroups=false" in r.fix
    assert "no-cgroups from true to false" in real.NO_CGROUPS_WSL_FIX
    assert check("toolkit.no-cgroups").status == PASS


def test_no_cgroups_must_be_true_for_a_rootless_engine():
    r = check("toolkit.no-cgroups", dockerd=[f"4242 1000 {NOW - 60}"])
    assert r.status == FAIL and "rootless" in r.found
    assert check("toolkit.no-cgroups", dockerd=[f"4242 1000 {NOW - 60}"], no_cgroups="true").status == PASS


def test_legacy_lists_are_the_deploys_to_remove():
    r = check("toolkit.legacy-lists", legacy_list=["/etc/apt/sources.list.d/nvidia-docker.list"])
    assert r.status == FAIL and r.by_deploy and "Conflicting values set for option Signed-By" in r.found


def test_apts_signed_by_conflict_is_reported_with_its_own_words():
    errors = real.NVIDIA_SIGNED_BY_CONFLICT.splitlines()
    r = check("toolkit.apt-sources", apt_err=errors)
    assert r.status == FAIL and r.found.startswith("E: Conflicting values set for option Signed-By")
    assert "grep -l nvidia.github.io" in r.fix and r.by_deploy
    elsewhere = errors[0].replace("https://nvidia.github.io/libnvidia-container", "https://example.org/repo")
    assert not check("toolkit.apt-sources", apt_err=[elsewhere]).by_deploy


def test_apts_warnings_about_a_list_twice_are_a_warning():
    r = check("toolkit.apt-sources", apt_err=[real.APT_LIST_TWICE])
    assert r.status == WARN and r.by_deploy and "configured multiple times" in r.found


# --- daemon.json -------------------------------------------------------------------------

def test_daemon_json_that_is_not_json_fails_and_the_deploy_rewrites_it():
    r = check("daemon-json.valid", daemon_json=real.DAEMON_JSON_NVIDIA_CTK_FRESH.splitlines()[:-1])
    assert r.status == FAIL and r.by_deploy and "not a JSON object" in r.found


def test_the_clis_own_warning_beside_the_runtimes_is_not_mistaken_for_them():
    runtimes = [real.WARN_DOCKER_CONFIG_UNEXPECTED_EOF, real.DOCKER_INFO_RUNTIMES_JSON_WITH_NVIDIA.strip()]
    assert check("daemon-json.loaded", docker_info=runtimes).status == PASS
    r = check("daemon-json.loaded", docker_info=["null"])
    assert r.status == FAIL and "docker info gave no runtimes: null" in r.found


def test_a_runtime_not_registered_is_the_deploys_to_fix():
    r = results(**NO_RUNTIME)
    assert r["daemon-json.runtime"].status == FAIL and r["daemon-json.runtime"].by_deploy
    assert r["daemon-json.loaded"].status == FAIL and r["daemon-json.loaded"].by_deploy


def test_an_engine_not_restarted_after_daemon_json_changed_needs_a_restart():
    r = check("daemon-json.loaded", **STALE_ENGINE)
    assert r.status == FAIL and not r.by_deploy and "not restarted" in r.found
    assert r.fix == "`sudo systemctl restart docker`"


def test_a_cli_talking_to_another_engine_is_named():
    r = check("daemon-json.loaded", docker_info=STALE_ENGINE["docker_info"],
              docker_host="tcp://127.0.0.1:2375")
    assert r.status == FAIL and "another engine (tcp://127.0.0.1:2375)" in r.found


def test_the_contexts_endpoint_is_found_among_docker_29s_warnings():
    context = [real.WARN_DOCKER29_CGROUP_V1, "tcp://127.0.0.1:2375", real.WARN_DOCKER_CONFIG_UNEXPECTED_EOF]
    r = check("daemon-json.loaded", docker_info=STALE_ENGINE["docker_info"], context_host=context)
    assert r.status == FAIL and "another engine (tcp://127.0.0.1:2375)" in r.found
    r = check("daemon-json.loaded", docker_info=STALE_ENGINE["docker_info"], context_host=context[:1])
    assert "another engine (unknown)" in r.found


def test_an_engine_that_does_not_answer_or_refuses_the_user():
    r = check("daemon-json.loaded", dockerd=[], engine_unit="inactive",
              **{"docker_info.rc": "1", "docker_info": [real.ERR_DOCKER_NOT_RUNNING]})
    assert r.status == FAIL and r.by_deploy and "Is the docker daemon running?" in r.found
    r = check("daemon-json.loaded", **{"docker_info.rc": "1",
                                       "docker_info": [real.ERR_DOCKER_SOCKET_PERMISSION]})
    assert r.status == WARN and "--sudo" in r.fix


def test_a_stopped_engine_behind_docker_socket_is_not_asked_so_not_started():
    r = results(**SOCKET_ONLY)
    assert r["daemon-json.loaded"].status == FAIL and r["daemon-json.loaded"].by_deploy
    assert "docker.socket would start it" in r["daemon-json.loaded"].found
    assert r["gpu.container"].status == FAIL and "not run" in r["gpu.container"].found


# --- GPU container -----------------------------------------------------------------------

def test_the_gpu_container_runs_only_when_asked():
    r = check("gpu.container")
    assert r.status == INFO and "doctor_gpu_container" in r.found


@pytest.mark.parametrize("text,status,words", [
    (real.ERR_NO_GPU_DRIVER, FAIL, "no GPU device driver"),
    (real.ERR_UNKNOWN_RUNTIME, FAIL, "not loaded the nvidia runtime"),
    (real.ERR_UNKNOWN_RUNTIME_OLD, FAIL, "not loaded the nvidia runtime"),
    (real.ERR_WSL_NO_ADAPTERS, FAIL, "no GPU adapter"),
    (real.ERR_LIBNVIDIA_ML_EXISTS, WARN, "the image's fault"),
    (real.ERR_NVML_BLOCKED, FAIL, "GPU access blocked"),
    ("docker: Error response from daemon: pull access denied for no-such-image", FAIL, "pull access denied"),
])
def test_gpu_container_errors_are_told_apart(text, status, words):
    r = gpu(text)
    assert r.status == status and words in r.found and r.fix


def test_a_gpu_container_that_runs_passes():
    assert gpu("= 4 GPU benchmark done", ok=True).status == PASS


# --- facts, settings and output ----------------------------------------------------------

def test_fact_lines_parse_into_values_and_lists():
    facts = parse_lines(["now=1", "smi.rc=0", "smi=GPU 0: x", "smi=GPU 1: y", "daemon_json={",
                         "daemon_json=}", "user=alice"], LISTS)
    assert facts["now"] == "1" and facts["smi.rc"] == "0" and facts["smi"] == ["GPU 0: x", "GPU 1: y"]
    assert facts["daemon_json"] == ["{", "}"] and facts["legacy_list"] == [] and set(LISTS) <= set(facts)


def test_the_fact_command_has_every_placeholder_filled_and_never_fails():
    command = DoctorFacts().command()
    assert not re.search(r"@[A-Z_]+@", command)
    assert script_text("doctor-facts.sh").rstrip().endswith("true")


def test_doctor_settings_are_validated_with_the_others():
    assert validate({}).doctor_report_path == "doctor-report.json"
    assert validate({"doctor_report_path": None}).doctor_report_path is None
    with pytest.raises(SettingsError, match="did you mean doctor_gpu_container"):
        validate({"doctor_gpu_containers": True})
    with pytest.raises(SettingsError, match="doctor_gpu_container = 'yes'"):
        validate({"doctor_gpu_container": "yes"})


def test_a_bad_setting_is_a_failed_check_not_a_crash():
    r = check("settings", settings_error="invalid settings:\n  - docker_channel = 'nightly': ...")
    assert r.status == FAIL and "docker_channel" in r.found


def test_the_table_shows_each_finding_and_the_fix_under_it():
    text = table("laptop-7", list(results(**NO_RUNTIME).values()))
    plain = re.sub(r"\x1b\[[0-9;]*m", "", text)
    assert plain.splitlines()[0].startswith("Doctor: laptop-7 (2 FAIL, 0 WARN")
    assert re.search(r"^ +FAIL +daemon-json\.runtime +/etc/docker/daemon\.json registers no", plain, re.M)
    assert "fix (by the deploy): rerun the deploy" in plain


def test_the_team_report_says_which_hosts_fail_which_checks():
    reports = {"laptop-1": list(results().values()), "laptop-2": list(results(**NO_RUNTIME).values()),
               "laptop-3": list(results(**STALE_ENGINE).values())}
    report = report_json(reports, ["laptop-4"])
    assert report["hosts"]["laptop-1"]["failed"] == []
    assert report["fails"]["daemon-json.loaded"] == ["laptop-2", "laptop-3"]
    assert report["fails"]["daemon-json.runtime"] == ["laptop-2"]
    json.dumps(report)
    text = re.sub(r"\x1b\[[0-9;]*m", "", summary(report))
    assert "daemon-json.loaded fails on 2: laptop-2, laptop-3" in text
    assert "laptop-4: not reached, no report" in text


# --- the README's troubleshooting table, written from the examples -----------------------

def test_every_failure_names_its_fix_and_deploy_fixes_say_so():
    for r in example_rows():
        assert r.fix, r
        assert not r.by_deploy or "rerun the deploy" in r.fix, r


def test_the_readme_troubleshooting_table_is_the_checks_own_fixes():
    assert readme.section(readme.README.read_text(), "doctor") == readme.troubleshooting_table(), (
        "README.md's troubleshooting table is out of date: run `python3 -m tools.readme`")


def test_every_way_a_check_fails_or_warns_has_a_readme_row():
    # Each check declares what it gives besides PASS and INFO (and gives nothing else: the registry
    # refuses it); the examples must bring each of those, so each has a README row.
    reached = {(r.check, r.status) for r in example_rows()}
    declared = {(c.name, status) for c in CHECKS for status in c.gives}
    missed = sorted(declared - reached)
    assert missed == [], f"no entry of EXAMPLES (tests/unit/doctor_examples.py) brings {missed}"
    assert reached <= declared
    for needle, status, found, fix in GPU_ERRORS:
        told = [results(settings, **facts)["gpu.container"] for facts, settings in EXAMPLES
                if needle in "\n".join(facts.get("gpu", {}).get("output", []))]
        assert any((r.status, r.found, r.fix) == (status, found, fix) for r in told), needle


def test_every_check_that_can_fail_has_a_readme_row():
    never_fail = {c.name for c in CHECKS if not c.gives}
    assert never_fail == {"driver.libcuda-link", "wsl.info", "toolkit.gpu-path"}
    assert {r.check for r in example_rows()} | never_fail == {c.name for c in CHECKS}


def preflight_failure_texts() -> int:
    """How many ways the preflight can fail: the Problems that tasks/preflight.py makes."""
    tree = ast.parse(inspect.getsource(preflight))
    return sum(1 for node in ast.walk(tree)
               if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Problem")


def test_the_readme_covers_every_preflight_failure_with_the_same_fix():
    section, seen = readme.section(readme.README.read_text(), "doctor"), set()
    for facts, settings in EXAMPLES:
        facts, settings = {**GOOD, **facts}, validate(settings)
        problems = preflight_problems(facts, settings)
        for problem in problems + missing_users(docker_users(settings, facts), facts["users"]):
            seen.add(problem)
            assert cell(problem.fix) in section, problem
    assert len(seen) >= preflight_failure_texts(), (
        "a preflight failure has no example in EXAMPLES, so the README's table misses it")
