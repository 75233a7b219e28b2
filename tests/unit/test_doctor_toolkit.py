"""Doctor's NVIDIA Container Toolkit layer on real toolkit text, and `--gpus` through CDI with its specs."""

import json

import pytest

from tasks.doctor.checks.toolkit import toolkit_version
from tasks.doctor.facts import CDI_REFRESH_OUTPUT
from tasks.findings import FAIL, INFO, PASS, WARN
from testbed import realtext as real
from testbed.doctor_examples import (
    CDI29,
    GOOD,
    NATIVE,
    NOW,
    STALE_ENGINE,
    STALE_SPEC,
    check,
    gpu,
    host_paths,
    results,
)
from testbed.stack_examples import TIMESYNCD_FILES, UBUNTU_UNITS, stack_state

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


NO_CGROUPS_TRUE = stack_state(UBUNTU_UNITS, TIMESYNCD_FILES, real.TOOLKIT_CONFIG_NO_CGROUPS_TRUE)


def test_no_cgroups_must_match_a_rootful_engine_and_the_deploy_repairs_it():
    r = check("toolkit.no-cgroups", stack=NO_CGROUPS_TRUE)
    assert r.status == FAIL and "no-cgroups = false" in r.fix and r.by_deploy
    assert "no restart" in r.fix and "nvidia-ctk config" not in r.fix  # it would write the file anew
    assert "no-cgroups from true to false" in real.NO_CGROUPS_WSL_FIX
    assert check("toolkit.no-cgroups").status == PASS


def test_no_cgroups_is_read_under_nvidia_container_cli_only_and_commented_out_is_the_default():
    assert NO_CGROUPS_TRUE["no_cgroups"] == "true"
    elsewhere = real.TOOLKIT_CONFIG_NO_CGROUPS_TRUE.replace("[nvidia-container-cli]\n", "") + \
        '[nvidia-container-cli]\n#no-cgroups = true\n  no-cgroups=false # kept\n'
    assert stack_state(UBUNTU_UNITS, config=elsewhere)["no_cgroups"] == "false"
    assert stack_state(UBUNTU_UNITS, config='[nvidia-container-cli]\n#no-cgroups = true\n')["no_cgroups"] is None
    assert stack_state(UBUNTU_UNITS)["no_cgroups"] is None  # no config.toml


def test_no_cgroups_must_be_true_for_a_rootless_engine():
    r = check("toolkit.no-cgroups", dockerd=[f"4242 1000 {NOW - 60}"])
    assert r.status == FAIL and "rootless" in r.found and not r.by_deploy
    assert check("toolkit.no-cgroups", dockerd=[f"4242 1000 {NOW - 60}"], stack=NO_CGROUPS_TRUE).status == PASS


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
