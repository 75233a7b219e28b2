"""Doctor's facts of a converged workstation, and one example of each way a check fails or warns.

tools/readme.py writes README.md's troubleshooting table from EXAMPLES; tests/unit/test_doctor.py checks them.
"""

import subprocess
import tempfile
from dataclasses import replace
from email.utils import parsedate_to_datetime
from pathlib import Path

from tasks import runlock, verify
from tasks.daemon import merge_daemon_config, render_daemon_json
from tasks.doctor.checks import CHECKS, run_checks
from tasks.doctor.checks.gpu import check_gpu_container
from tasks.doctor.facts import CDI_HOST_PATH_SED, CDI_REFRESH_OUTPUT, ROUTE_AWK, DoctorFacts, sudo_check_command
from tasks.doctor.registry import crashed
from tasks.masking import masked
from tasks.operations import sha256
from tasks.settings import SettingsError, validate
from tasks.wsl import systemd_off
from testbed import realtext as real
from testbed.facts_examples import GOOD_NATIVE, SMI_NO_DRIVER
from testbed.stack_examples import DEBIAN_UNITS, TIMESYNCD_FILES, UBUNTU_UNITS, stack_state
from testbed.sudo_examples import SUDO_RS_0_2_8, SUDO_RS_0_2_13_UBUNTU, Machine

NOW = int(parsedate_to_datetime(real.APT_RELEASE_DATE_NOBLE).timestamp()) + 86400
SUDO_KEYS = ("sudo_user", "sudo.verdict", "sudo.path", "sudo.version", "sudo.since", "sudo.fix")
UBUNTU = "ubuntu"  # sudo-rs as the alternative for /usr/bin/sudo, beside sudo.ws


def sudo_facts(version_text: str = "", where: str = UBUNTU, *, uid: int = 1000, sudo_user: str = "",
               **sudo) -> dict:
    """The fact's sudo keys from its own command, on a stand-in of alice's machine with a sudo at where
    answering version_text (no sudo without one; tests/unit/test_sudo_check.py's Machine), its paths
    told as on the machine it stands for."""
    with tempfile.TemporaryDirectory() as folder:
        machine = Machine(Path(folder), uid=uid, user="alice")
        if version_text and where == UBUNTU:
            machine.alternatives(version_text)
        elif version_text:
            machine.sudo(version_text, where=where, **sudo)
        command = Path(folder) / "command.sh"
        command.write_text(sudo_check_command())
        out = machine.run(command, env={"SUDO_USER": sudo_user}).stdout.replace(folder, "")
    printed = {k: v for k, v in DoctorFacts().process(out.splitlines()).items() if k.startswith("sudo")}
    return {**dict.fromkeys(SUDO_KEYS), **printed}  # None: not printed, so GOOD's is taken away


def default_route(text: str) -> str:
    """What the fact's awk reads of /proc/net/route: the default route's interface."""
    return subprocess.run(["awk", ROUTE_AWK], input=text, capture_output=True, text=True, check=True).stdout.strip()


def ldconfig_paths(text: str) -> list[str]:
    """What DoctorFacts keeps of `ldconfig -p`: where each libcuda.so.1 entry points."""
    return [line.split()[-1] for line in text.splitlines() if line.split()[:1] == ["libcuda.so.1"]]


# What the deploy writes with the default settings on a host that had no daemon.json.
DEFAULT_DAEMON_JSON = render_daemon_json(merge_daemon_config({}, validate({})))

# The files of a converged workstation's snapshot (HostSnapshot's "stack"), by their sha256.
GOOD_FILES = {
}
# A converged workstation, as doctor's facts read it.
GOOD = {
    "osrelease": real.WSL2_OSRELEASE_5_15_167_4, "dxg": "char", "wsl_lib": ["libcuda.so.1", "nvidia-smi"],
    "linux_driver": [], "distro": "ubuntu", "distro_version": "24.04", "codename": "noble",
    "arch": "amd64", "pid1": "systemd", "user": "alice", "docker_cli": ["/usr/bin/docker"],
    "now": str(NOW), "rtc": str(NOW), "euid": "0",
    "wslinfo_version": real.WSL_VERSION_2_7_3, "wslinfo_networking": real.WSLINFO_NETWORKING_MODE_NAT,
    "smi.rc": "0", "smi": real.NVIDIA_SMI_L_4GPU.splitlines(),
    "libcuda_file": "file", "ld_libcuda": ldconfig_paths(real.LDCONFIG_P_WSL),
    "apt_date": [real.APT_RELEASE_DATE_NOBLE],
    "wsl_conf_exists": "1", "wsl_conf": real.WSL_CONF_SYSTEMD_DOCS.splitlines(),
    "pkg": ["docker-ce 5:27.3.1-1~ubuntu.24.04~noble", "nvidia-container-toolkit 1.17.8-1",
            "nvidia-container-toolkit-base 1.17.8-1"],
    "bin": ["dockerd /usr/bin/dockerd",
            "nvidia-container-runtime-hook /usr/bin/nvidia-container-runtime-hook",
            "nvidia-container-runtime /usr/bin/nvidia-container-runtime", "nvidia-ctk /usr/bin/nvidia-ctk"],
    "toolkit_installed_at": str(NOW - 7200), "engine_unit": "active",
    "exec_start": real.DOCKER_SERVICE_SHOW_EXECSTART_H, "dockerd": [f"812 0 {NOW - 3600}"],
    "daemon_json_exists": "1", "daemon_json_changed_at": str(NOW - 7000),
    "daemon_json": DEFAULT_DAEMON_JSON.splitlines(),
    "docker_info.rc": "0", "docker_info": [real.DOCKER_INFO_RUNTIMES_JSON_WITH_NVIDIA.strip()],
    "docker_host": "", "context_host": ["unix:///var/run/docker.sock"],
    "route_dev": default_route(real.PROC_NET_ROUTE_ETH0), "route_mtu": "1500",
    "iptables": "/usr/sbin/xtables-nft-multi", "iptables_nft.rc": "0", "iptables_nft": "",
    "iptables_legacy.rc": "0", "iptables_legacy": "",
    "docker_group": "docker:x:999:alice", "shell_groups": " 1000 4 27 999",
    "legacy_list": [], "apt_err": [], "users": {"alice": {}}, "settings_error": [],
    "docker_configs": {"recorded": [], "configs": {}},
    # A 64 GB laptop's VM (WSL's default: half) beside four 24 GiB GPUs; alice's profile, without a .wslconfig.
    "mem_total_kb": "32803496", "smi_mem": ["24576"] * 4, "init_environ": "/proc/2",
    "win_profile": "C:\\Users\\alice", "win_home": "/mnt/c/Users/alice", "wslconfig_exists": "0",
    "docker_root": "/var/lib/docker", "disk": "812441620 1055762868 /", "disk_path": "/var/lib/docker",
    "win_disk": "311520412 998831100 /mnt/c",
    # Doctor came through alice's sudo, Ubuntu 26.04's sudo-rs.
    **sudo_facts(SUDO_RS_0_2_13_UBUNTU, sudo_user="alice"),
    # The snapshot's units (systemd-timesyncd with wsl-setup's drop-in) and a config.toml without no-cgroups.
    "stack": {**stack_state(UBUNTU_UNITS, TIMESYNCD_FILES, ""), "files": GOOD_FILES},
    "engine_started_us": "9120611", "loopback0_since_us": "0",
}
# With WSL's mirrored networking: dockerd started (ExecMainStartTimestampMonotonic) 0.6 s before udev announced
# loopback0 (ActiveEnterTimestampMonotonic of its device unit), as moby/moby#53382 tells of a boot.
MIRRORED_EARLY = {"wslinfo_networking": "mirrored", "engine_started_us": "4711962", "loopback0_since_us": "5302118",
                  "loopback0": "1"}
# A native Ubuntu/Debian workstation's own facts (the deploy supports those too).
NATIVE = {k: GOOD_NATIVE[k] for k in ("osrelease", "dxg", "wsl_lib", "distro", "distro_version",
                                      "codename", "nvidia_module", "nvidia_smi", "nvidia_smi_output")}
STALE_ENGINE = {"docker_info": [real.DOCKER_INFO_RUNTIMES_JSON_WITHOUT_NVIDIA.strip()],
                "daemon_json_changed_at": str(NOW - 60)}
# The engine stopped, with docker.socket active: doctor asks it nothing, nor runs the GPU container.
SOCKET_ONLY = {"dockerd": [], "engine_unit": "inactive", "docker_info_skipped": "1", "docker_info.rc": None,
               "docker_info": None, "gpu_asked": True}


def host_paths(spec: str) -> list[str]:
    """What the fact's sed reads of a CDI spec: the files it mounts, one a line."""
    out = subprocess.run(["sed", "-n", CDI_HOST_PATH_SED], input=spec, capture_output=True, text=True,
                         check=True).stdout
    return [line.strip() for line in out.splitlines()]


# What a fresh install gives today: Docker 29.2 and toolkit 1.20, so `--gpus` runs through CDI.
CDI29 = {"pkg": [real.DPKG_DOCKER_CE_29_2_1, real.DPKG_TOOLKIT_1_20_0,
                 "nvidia-container-toolkit-base 1.20.0-1"],
         "bin": GOOD["bin"] + ["nvidia-cdi-hook /usr/bin/nvidia-cdi-hook"],
         "cdi_spec": [CDI_REFRESH_OUTPUT], "cdi_missing": [],
         "cdi_refresh_unit": "/usr/lib/systemd/system/nvidia-cdi-refresh.service"}
# After a Windows driver update: the spec still names the old driver store folder.
STALE_SPEC = {"cdi_spec": [CDI_REFRESH_OUTPUT],
              "cdi_missing": [f"{CDI_REFRESH_OUTPUT} {p}" for p in host_paths(real.CDI_SPEC_WSL_YAML)
                              if p.startswith("/usr/lib/wsl/drivers/")],
              "cdi_refresh_unit": CDI29["cdi_refresh_unit"]}
NO_RUNTIME = {"daemon_json": real.DAEMON_JSON_EXISTING_INPUT.splitlines(),
              "docker_info": [real.DOCKER_INFO_RUNTIMES_JSON_WITHOUT_NVIDIA.strip()]}



def as_alice(*args, **kwargs) -> dict:
    """sudo_facts of doctor run by alice without --sudo."""
    return {"euid": "1000", **sudo_facts(*args, **kwargs)}



def settings_error(data: dict) -> list:
    """What doctor reports of these settings: validate's own findings."""
    try:
        validate(data)
    except SettingsError as error:
        return error.problems
    raise AssertionError(f"{data} are valid settings")


def failed_gpu(text: str) -> dict:
    return {"gpu": {"ok": False, "output": text.splitlines()}}


# What WSL2's clock lags by after a sleep, as apt's own message of it says (4d 3h 29min 57s).
LAG = 4 * 86400 + 3 * 3600 + 29 * 60 + 57


def run(facts: dict, settings: dict, checks=CHECKS) -> list:
    """The checks' results on GOOD with these facts and settings; a fact given as None is one the host
    did not print."""
    merged = {k: v for k, v in {**GOOD, **facts}.items() if v is not None}
    return run_checks(merged, validate(settings), checks)


def results(settings=None, **facts) -> dict:
    """Each check's verdict on GOOD with these facts; a fact given as None is one the host did not print."""
    return {r.check: r for r in run(facts, settings or {})}


def check(name: str, settings=None, **facts):
    return results(settings, **facts)[name]


def gpu(output: str, ok=False):
    return check_gpu_container({**GOOD, "gpu": {"ok": ok, "output": output.splitlines()}}, validate({}))


PROXY = {"http_proxy": "http://proxy.corp.example:3128", "https_proxy": "http://proxy.corp.example:3128"}
USERS_PROXY = {**PROXY, "docker_users_proxy": True}


def users_configs(*configs: dict) -> dict:
    """DockerConfigs' value with alice's file in each of these states (none: not read, python3 missing)."""
    return {"recorded": [], "configs": {"alice": {"user": "alice", "path": "/home/alice/.docker/config.json", **c}
                                        for c in configs}}
# A company proxy with credentials, which the examples show masked.
CORP_PROXY = {"http_proxy": "http://alice:hunter2@proxy.corp.example:3128",
              "https_proxy": "http://alice:hunter2@proxy.corp.example:3128"}


def behind(settings: dict, *lines: str) -> dict:
    """A host whose apt and engine use the proxy of settings, and files/doctor-network.sh's answers
    for the URLs asked, the first ones as lines give them."""
    facts = {"net.dockerd.answers": "1"}
    for name in ("http_proxy", "https_proxy"):
        if settings.get(name):
            facts |= {f"net.apt.{name}": masked(settings[name]), f"net.apt.{name}.sha256": sha256(settings[name]),
                      f"net.dockerd.{name}": settings[name].replace("alice:hunter2", "xxxxx:xxxxx")}
    asked = ["0 200 000 https://download.docker.com/linux/ ",
             "0 200 000 https://nvidia.github.io/libnvidia-container/ ", "0 401 200 https://nvcr.io/v2/ "]
    urls = [line.split()[3] for line in lines]
    return {**facts, "net.reach": [*lines, *(a for a in asked if a.split()[3] not in urls)]}


# One example of each way a check fails or warns: (fact overrides, setting overrides).
EXAMPLES = [
    ({"settings_error": settings_error({"docker_channel": "nightly"})}, {}),
    ({**as_alice(SUDO_RS_0_2_8)}, {}),  # Ubuntu 25.10's sudo-rs
    ({**as_alice()}, {}),
    (sudo_facts(SUDO_RS_0_2_8, sudo_user="alice"), {}),
    ({"smi.rc": "255", "smi": real.ERR_NVML_BLOCKED.splitlines()}, {}),
    ({"smi.rc": "6", "smi": real.ERR_SMI_NO_DEVICES.splitlines()}, {}),
    ({"smi.rc": "124", "smi": []}, {}),  # `timeout 20` ended it: nvidia-smi printed nothing
    ({"wsl_lib": [], "smi.rc": None, "smi": None}, {}),
    ({"osrelease": real.WSL1_OSRELEASE_19041}, {}),
    # Native workstations: the driver, systemd, Docker Desktop.
    ({**NATIVE, "nvidia_module": "", "nvidia_smi": "missing", "nvidia_smi_output": []}, {}),
    ({**NATIVE, "nvidia_smi": "missing", "nvidia_smi_output": []}, {}),
    ({**NATIVE, "nvidia_module": "", "nvidia_smi": "9", "nvidia_smi_output": [SMI_NO_DRIVER]}, {}),
    ({**NATIVE, "nvidia_module": ""}, {}),
    ({**NATIVE, "pid1": "init"}, {}),
    (NATIVE, {"docker_engine": "docker-desktop"}),
    ({"osrelease": real.WSL2_OSRELEASE_5_4_72}, {}),
    ({"dxg": None}, {}),
    # Debian 13, whose systemd-timesyncd has no drop-in to start under WSL.
    ({"rtc": str(NOW + LAG), "distro": "debian", "distro_version": "13", "codename": "trixie",
      "stack": stack_state(DEBIAN_UNITS, TIMESYNCD_FILES, "")}, {}),
    ({"now": str(NOW - 4 * 86400 - 86400), "rtc": ""}, {}),
    ({"distro": "ubuntu", "distro_version": "20.04"}, {}),
    ({"arch": "i386"}, {}),
    ({"linux_driver": ["nvidia-driver-550"]}, {}),
    ({"ld_libcuda": ldconfig_paths(real.LDCONFIG_P_LINUX_DRIVER)}, {}),
    ({"pid1": "init", "wsl_conf": []}, {}),
    ({"pid1": "init", "dockerd": [], "engine_unit": None}, {}),
    ({"wsl_conf": []}, {}),
    ({"wsl_conf": []}, {"wsl_systemd": False}),
    ({"pid1": "init", "wsl_conf": ["[boot]", "systemd=yes"]}, {}),
    ({"pid1": "init", "wsl_conf": ["[boot]", "systemd=yes"]}, {"wsl_systemd": False}),
    ({"wsl_conf": (real.WSL_CONF_SYSTEMD_DOCS + real.WSL_CONF_INTEROP_SECTION.replace(
        "enabled=false", "enabled=no")).splitlines()}, {}),
    ({"wsl_conf": (real.WSL_CONF_SYSTEMD_DOCS + "[automount]\ncgroups=v1\n").splitlines()}, {}),
    ({"docker_cli": [real.DD_CLI_TOOLS_DOCKER]}, {}),
    ({}, {"docker_engine": "docker-desktop"}),
    ({"docker_cli": [real.DD_CLI_TOOLS_DOCKER]}, {"docker_engine": "docker-desktop"}),
    ({"docker_cli": [real.DD_CLI_TOOLS_DOCKER], "pkg": [], "docker_info": STALE_ENGINE["docker_info"]},
     {"docker_engine": "docker-desktop"}),
    ({"pkg": [], "bin": [], "dockerd": []}, {}),
    ({"dockerd": [], "engine_unit": "failed"}, {}),
    ({"iptables_nft.rc": "1", "iptables_nft": real.ERR_IPTABLES_NFT_GENERATION}, {}),
    ({"iptables_nft.rc": "1", "iptables_nft": real.ERR_IPTABLES_NFT_GENERATION, "iptables_legacy.rc": "3",
      "iptables_legacy": real.ERR_IPTABLES_LEGACY_NO_TABLE.replace("\n", " ")}, {}),
    ({"daemon_json": ['{"hosts": ["unix:///var/run/docker.sock"]}']}, {}),
    ({}, {"docker_users": ["bob"]}),
    ({"docker_group": "docker:x:999:"}, {}),
    ({"shell_groups": " 1000 27"}, {}),
    ({"pkg": ["docker-ce 5:27.3.1-1~ubuntu.24.04~noble"]}, {}),
    ({}, {"nvidia_toolkit_version": "1.17.3-1"}),
    ({"bin": ["dockerd /usr/bin/dockerd"]}, {}),
    (STALE_SPEC, {}),
    ({**CDI29, **STALE_SPEC, "cdi_refresh_unit": None}, {}),
    ({"pkg": ["nvidia-container-toolkit 1.12.1-1"]}, {}),
    ({"pkg": ["nvidia-container-toolkit 1.19.1-1"]}, {}),
    ({"stack": stack_state(UBUNTU_UNITS, TIMESYNCD_FILES, real.TOOLKIT_CONFIG_NO_CGROUPS_TRUE)}, {}),
    ({"dockerd": [f"4242 1000 {NOW - 60}"], "engine_unit": "inactive"}, {}),  # rootless only
    ({"dockerd": [f"812 0 {NOW - 3600}", f"4242 1000 {NOW - 60}"]}, {}),  # rootful and rootless
    ({"legacy_list": ["/etc/apt/sources.list.d/nvidia-docker.list"]}, {}),
    ({"apt_err": real.NVIDIA_SIGNED_BY_CONFLICT.splitlines()[:1]}, {}),
    ({"apt_err": [real.APT_LIST_TWICE]}, {}),
    ({"daemon_json": ["{"]}, {}),
    (NO_RUNTIME, {}),
    (STALE_ENGINE, {}),
    ({"docker_info": STALE_ENGINE["docker_info"], "docker_host": "tcp://localhost:2375"}, {}),
    # A `docker` that ignores --format (a wrapper, or not Docker's CLI) answers in text.
    ({"docker_info": real.DOCKER_INFO_RUNTIMES_TEXT_WITHOUT_NVIDIA.splitlines()}, {}),
    ({"docker_info.rc": "1", "docker_info": [real.ERR_DOCKER_SOCKET_PERMISSION], "euid": "1000"}, {}),
    ({"dockerd": [], "engine_unit": "inactive", "docker_info.rc": "1",
      "docker_info": [real.ERR_DOCKER_NOT_RUNNING]}, {}),
    (SOCKET_ONLY, {}),
    (failed_gpu(real.ERR_NO_GPU_DRIVER), {}),
    (failed_gpu(real.ERR_UNKNOWN_RUNTIME), {}),
    (failed_gpu(real.ERR_UNKNOWN_RUNTIME_OLD), {}),
    (failed_gpu(real.ERR_WSL_NO_ADAPTERS), {}),
    (failed_gpu(real.ERR_LIBNVIDIA_ML_EXISTS), {}),
    (failed_gpu(real.ERR_NVML_BLOCKED), {}),
    (failed_gpu(real.ERR_DOCKER_NOT_RUNNING), {}),
    # Behind a company proxy: the layers' proxies, and curl's own words from a HEAD through it.
    ({"net.dockerd.answers": "1", "net.dockerd.http_proxy": "", "net.dockerd.https_proxy": ""}, CORP_PROXY),
    ({"net.apt.http_proxy": "http://proxy.corp.example:3128",
      "net.apt.http_proxy.sha256": sha256("http://proxy.corp.example:3128")}, {}),
    (behind(PROXY, "56 000 407 https://download.docker.com/linux/ curl: (56) CONNECT tunnel failed, response 407"),
     PROXY),
    (behind(CORP_PROXY, "60 000 200 https://download.docker.com/linux/ curl: (60) SSL certificate problem: "
                        "unable to get local issuer certificate"), CORP_PROXY),
    (behind(CORP_PROXY, "7 000 000 https://download.docker.com/linux/ curl: (7) Failed to connect to "
                        "proxy.corp.example port 3128 after 2 ms: Couldn't connect to server"), CORP_PROXY),
    (behind(CORP_PROXY, "56 000 503 https://nvcr.io/v2/ curl: (56) CONNECT tunnel failed, response 503"), CORP_PROXY),
    # nvidia-ctk's daemon.json alone: Docker's 64 MiB /dev/shm.
    ({"daemon_json": real.DAEMON_JSON_NVIDIA_CTK_FRESH.splitlines()}, {}),
    ({"route_dev": default_route(real.PROC_NET_ROUTE_ETH0), "route_mtu": real.SYS_CLASS_NET_ETH0_MTU_TUNNEL,
      "docker0_mtu": "1500"}, {}),
    ({"restart_pending": ["since=2026-12-06 17:30:00 UTC", "why=daemon.json's default-ulimits"]}, {}),
    # docker_users_proxy: a docker user's config.json the deploy cannot change.
    ({"docker_configs": users_configs({"state": "invalid", "reason": "Expecting value: line 1 column 1 (char 0)"})},
     USERS_PROXY),
    ({"docker_configs": users_configs()}, USERS_PROXY),
    ({"docker_configs": users_configs({"state": "nohome"})}, USERS_PROXY),
    # Each further way to fail, after the ones above, whose places the tests' teams name.
    ({"settings_error": settings_error({"docker_chanel": "stable"})}, {}),
    ({"settings_error": settings_error({"docker_install_script_url": "http://get.docker.com/"})}, {}),
    ({"settings_error": settings_error({"docker_mtu": 1400, "docker_daemon_options": {"mtu": 1400}})}, {}),
    ({"pid1": "init", "wsl_conf": []}, {"wsl_systemd": False}),
    ({"wsl_conf": ["[boot]", "systemd=yes"]}, {}),
    ({"wsl_conf": ["[boot]", "systemd=yes"]}, {"wsl_systemd": False}),
    ({"pkg": ["nvidia-container-toolkit 1.14.3-1"]}, {}),
    (MIRRORED_EARLY, {}),
    ({**MIRRORED_EARLY, "engine_started_us": "6004350"}, {}),  # after loopback0, but not ordered so
    # What turns the GPU off in WSL, or keeps its libraries from the linker and its tools from PATH.
    ({"wsl_conf": (real.WSL_CONF_SYSTEMD_DOCS + "[gpu]\nenabled=false\n").splitlines()}, {}),
    ({"wsl_conf": (real.WSL_CONF_SYSTEMD_DOCS + real.WSL_CONF_RANCHER_DATA).splitlines(), "ld_libcuda": []}, {}),
    ({"wsl_conf": (real.WSL_CONF_SYSTEMD_DOCS + "[gpu]\nappendLibPath=false\n").splitlines()}, {}),
    # Safe mode: seen in WSL's init's environment, or asked for in .wslconfig.
    ({"safe_mode_env": "1", "init_environ": "/proc/1", "pid1": "init", "dxg": None, "wsl_lib": [],
      "smi.rc": None, "smi": None, "smi_mem": None}, {}),
    ({"wslconfig_exists": "1", "wslconfig": real.WSLCONFIG_SAFE_MODE.splitlines()}, {}),
    # A 16 GB laptop's VM (half of it) and a 16 GB GPU.
    ({"mem_total_kb": "8038524", "smi_mem": [real.SMI_QUERY_MEMORY_TOTAL_4070TIS]}, {}),
    # The disk under Docker's images, and the Windows drive under the distro's disk.
    ({}, {"doctor_min_free_disk_gb": 1000}),
    ({"win_disk": "9384112 998831100 /mnt/c"}, {}),
]
# The findings that only a deploy run gives, each with the layer the table files it under: the final proof,
# the run lock, systemd left to the user, and doctor's own crash.
DEPLOY_EXAMPLES = [
    ("deploy run", replace(verify.runtime_problem({"ok": False, "output": [real.ERR_DOCKER_NOT_RUNNING]}),
                           check="nvidia runtime")),
    ("deploy run", replace(verify.runtime_problem({"ok": True, "output": real.DOCKER_INFO_RUNTIMES_TEXT_WITHOUT_NVIDIA
                                                   .splitlines()}), check="nvidia runtime")),
    ("deploy run", replace(verify.runtime_problem({"ok": True, "output": [
        real.DOCKER_INFO_RUNTIMES_JSON_WITHOUT_NVIDIA.strip()]}), check="nvidia runtime")),
    ("deploy run", replace(verify.command_failed({"ok": False, "output": real.ERR_NO_GPU_DRIVER.splitlines()}),
                           check="GPU smoke test")),
    ("deploy run", runlock.lock_problem({"lock": "busy", "holder_pid": "4242", "holder_comm": "pyinfra",
                                         "holder_since": "2026-12-06 17:30:00 UTC", "holder_by": "cron or a script",
                                         "waited": "600"})),
    ("deploy run", runlock.lock_problem({"lock": "unavailable"})),
    ("deploy run", systemd_off({"pid1": "init", "wsl_conf": []})),
    ("doctor", crashed("wsl.clock", ValueError("invalid literal for int() with base 10: 'soon'"))),
]
