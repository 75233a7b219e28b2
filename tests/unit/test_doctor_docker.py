"""Doctor's Docker layers on real Docker text: the engine, the docker group, daemon.json, the GPU container."""

import json

import pytest

from tasks.daemon import merge_daemon_config, render_daemon_json
from tasks.doctor.checks import run_checks
from tasks.dropins import LOOPBACK_TEXT
from tasks.findings import FAIL, INFO, PASS, WARN
from tasks.managed import LOOPBACK_DROPIN
from tasks.operations import sha256
from tasks.settings import validate
from testbed import realtext as real
from testbed.doctor_examples import (
    GOOD,
    MIRRORED_EARLY,
    NATIVE,
    NO_RUNTIME,
    SOCKET_ONLY,
    STALE_ENGINE,
    check,
    default_route,
    gpu,
    results,
)
from testbed.stack_examples import TIMESYNCD_FILES, UBUNTU_UNITS, stack_state

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


def test_too_little_room_under_dockers_root_dir_warns_with_prune_and_on_wsl_compact():
    r = check("docker.disk", {"doctor_min_free_disk_gb": 1000})
    assert r.status == WARN and r.id == "docker.disk.low"
    assert "/var/lib/docker (DockerRootDir) is on /, with 831.9 GB free" in r.found
    assert "doctor_min_free_disk_gb (1000 GB)" in r.found
    assert "`docker system prune`" in r.fix and "`docker builder prune -a`" in r.fix
    assert "ext4.vhdx" in r.fix and "microsoft/WSL#13075" in r.fix
    assert real.WSL_SET_SPARSE_UNSAFE.replace("wsl.exe", "wsl").replace("DistributionName", "distro") in r.fix
    native = check("docker.disk", {"doctor_min_free_disk_gb": 1000}, **NATIVE)
    assert native.status == WARN and "ext4.vhdx" not in native.fix
    assert check("docker.disk").status == PASS
    assert check("docker.disk", {"doctor_min_free_disk_gb": 0}).status == PASS


def test_the_root_dir_is_dockers_own_or_its_default():
    r = check("docker.disk", docker_root="/data/docker", disk="52428800 104857600 /data")
    assert r.status == PASS and r.found.startswith("/data/docker (DockerRootDir) is on /data, with 53.7 GB free")
    r = check("docker.disk", docker_root=None)
    assert "(Docker's default root dir)" in r.found
    assert check("docker.disk", disk=None).status == INFO
    assert check("docker.disk", {"docker_engine": "docker-desktop"}, docker_cli=[real.DD_CLI_TOOLS_DOCKER]).status \
        == INFO


def test_a_nearly_full_windows_drive_under_the_distro_warns():
    r = check("docker.disk", win_disk="9384112 998831100 /mnt/c")
    assert r.status == WARN and r.id == "docker.disk.windows-low"
    assert "C: (/mnt/c)" in r.found and "9.6 GB free" in r.found and "Optimize-VHD" in r.fix
    r = check("docker.disk")
    assert r.status == PASS and "(/mnt/c) has 319.0 GB free" in r.found
    assert "/mnt/c" not in check("docker.disk", win_disk=None).found


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


def test_dockers_64_mib_shm_warns_naming_the_setting_and_the_deploys_1g_passes():
    r = check("daemon-json.shm", daemon_json=real.DAEMON_JSON_NVIDIA_CTK_FRESH.splitlines())
    assert r.status == WARN and "/dev/shm of 64 MiB (Docker's default, no default-shm-size)" in r.found
    assert '"Bus error"' in r.found and 'docker_default_shm_size = "1G"' in r.fix and "--shm-size=1g" in r.fix
    assert not r.by_deploy, "the deploy's default sets it; a host that unset it chose to"
    good = check("daemon-json.shm")
    assert good.status == PASS
    assert good.found.startswith("containers get a /dev/shm of 1024 MiB (default-shm-size '1G')")
    assert check("daemon-json.shm", {"docker_engine": "docker-desktop"}).status == INFO


@pytest.mark.parametrize("value,status,mib", [("64m", WARN, "64"), ("32M", WARN, "32"), ("65m", PASS, "65"),
                                             ("2gb", PASS, "2048"), (1073741824, PASS, "1024")])
def test_the_shm_in_effect_is_read_as_dockerd_reads_it(value, status, mib):
    r = check("daemon-json.shm", daemon_json=[json.dumps({"default-shm-size": value, "runtimes": {}})])
    assert (r.status, f"/dev/shm of {mib} MiB" in r.found) == (status, True), r


def test_a_shm_size_dockerd_cannot_read_warns_and_a_file_that_is_not_json_is_left_to_its_check():
    r = check("daemon-json.shm", daemon_json=['{"default-shm-size": "lots"}'])
    assert r.status == WARN and "'lots' is not a size dockerd reads" in r.found
    assert check("daemon-json.shm", daemon_json=["{"]).status == INFO


def test_the_default_ulimits_in_effect_are_reported():
    rendered = render_daemon_json(merge_daemon_config({}, validate(
        {"docker_default_ulimits": {"memlock": -1, "stack": 67108864, "nofile": "1024:4096"}})))
    r = check("daemon-json.shm", daemon_json=rendered.splitlines())
    assert r.status == PASS and r.found.endswith("default ulimits: memlock unlimited, nofile 1024:4096, stack 67108864")
    assert check("daemon-json.shm").found.endswith("default ulimits: dockerd's own (no default-ulimits)")


def test_a_default_route_below_1500_with_the_engines_1500_warns_naming_docker_mtu():
    assert default_route(real.PROC_NET_ROUTE_ETH0) == "eth0"
    r = check("daemon-json.mtu", route_mtu=real.SYS_CLASS_NET_ETH0_MTU_TUNNEL, docker0_mtu="1500")
    mtu = real.SYS_CLASS_NET_ETH0_MTU_TUNNEL
    assert r.status == WARN and f"eth0, the default route's interface, has MTU {mtu}; containers get 1500" in r.found
    assert "docker0's is 1500" in r.found and "moby#13475" in r.found
    assert f"set docker_mtu = {mtu}" in r.fix and f"com.docker.network.driver.mtu={mtu}" in r.fix


def test_an_engine_mtu_at_or_below_the_routes_passes_and_no_route_is_info():
    low = real.SYS_CLASS_NET_ETH0_MTU_TUNNEL
    fitted = [json.dumps({"mtu": int(low), "runtimes": {}})]
    assert check("daemon-json.mtu", route_mtu=low, daemon_json=fitted).status == PASS
    assert "containers get 1400 (daemon.json's mtu)" in check("daemon-json.mtu", route_mtu="1500",
                                                               daemon_json=['{"mtu": 1400}']).found
    assert check("daemon-json.mtu").status == PASS, "1500 on both"
    assert check("daemon-json.mtu", route_mtu="9000").status == PASS, "jumbo frames: larger is no stall"
    assert check("daemon-json.mtu", route_dev=None, route_mtu=None).status == INFO
    no_bridge = check("daemon-json.mtu", route_mtu=low, daemon_json=['{"bridge": "none"}'])
    assert no_bridge.status == INFO and "no default bridge" in no_bridge.found
    assert check("daemon-json.mtu", {"docker_engine": "docker-desktop"}, route_mtu=low).status == INFO
# --- loopback0 under WSL's mirrored networking --------------------------------------------------------------

def ordered_stack() -> dict:
    """The snapshot of a host whose docker.service has the deploy's loopback drop-in, read by systemd."""
    show = {**UBUNTU_UNITS, "docker.service": UBUNTU_UNITS["docker.service"].replace(
        "DropInPaths=\n", f"DropInPaths={LOOPBACK_DROPIN}\n")}
    stack = stack_state(show, TIMESYNCD_FILES)
    stack["files"] = {LOOPBACK_DROPIN: sha256(LOOPBACK_TEXT)}
    return stack


def test_an_engine_started_before_loopback0_is_told_with_the_order_and_a_shutdown():
    r = check("docker.loopback", **MIRRORED_EARLY)
    assert r.status == WARN and r.id == "docker.loopback.before" and "0.6 s before loopback0" in r.found
    assert "moby/moby#53382" in r.found and "orders docker.service after loopback0" in r.fix and r.by_deploy
    assert "wsl --shutdown" in r.fix, "a restart of the engine keeps its stale rules: only a new boot mends them"
    ordered = check("docker.loopback", **MIRRORED_EARLY, stack=ordered_stack())
    assert ordered.status == WARN and not ordered.by_deploy and ordered.fix.startswith("`wsl --shutdown`")


def test_an_engine_started_after_loopback0_passes_once_it_is_ordered_so():
    later = {**MIRRORED_EARLY, "engine_started_us": "6004350"}
    r = check("docker.loopback", **later)
    assert r.status == WARN and r.id == "docker.loopback.unordered" and r.by_deploy
    r = check("docker.loopback", **later, stack=ordered_stack())
    assert r.status == PASS and "0.7 s after loopback0" in r.found


def test_loopback0_is_looked_at_in_mirrored_mode_only_and_unknown_times_are_said():
    assert real.WSLINFO_NETWORKING_MODE_NAT == GOOD["wslinfo_networking"]
    assert check("docker.loopback").status == INFO
    assert check("docker.loopback", **{**MIRRORED_EARLY, "engine_started_us": "0"}).status == INFO
    r = check("docker.loopback", **{**MIRRORED_EARLY, "loopback0_since_us": "0"})
    assert r.status == INFO and "no device unit" in r.found
    r = check("docker.loopback", **{**MIRRORED_EARLY, "loopback0_since_us": "0", "loopback0": None})
    assert r.status == INFO and "does not exist yet" in r.found
    assert check("docker.loopback", {"docker_engine": "docker-desktop"}, **MIRRORED_EARLY).status == INFO


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


def test_a_restart_left_waiting_for_running_containers_is_told_with_its_fix():
    r = check("docker.restart-pending", restart_pending=["since=2026-12-06 17:30:00 UTC",
                                                         "why=daemon.json's default-ulimits", "why=the proxy's files"])
    assert r.status == WARN and "since 2026-12-06 17:30:00 UTC" in r.found
    assert "daemon.json's default-ulimits; the proxy's files" in r.found
    assert 'engine_restart = "now"' in r.fix and "rerun the deploy" in r.fix
    assert check("docker.restart-pending").status == PASS
