"""What `docker info` says, read once for the deploy's final check and doctor alike."""

import pytest

from tasks.dockerinfo import runtimes, server_version
from tasks.verify import runtime_problem, runtimes_listed
from testbed import realtext as real

WITH = real.DOCKER_INFO_RUNTIMES_JSON_WITH_NVIDIA.strip()
WITHOUT = real.DOCKER_INFO_RUNTIMES_JSON_WITHOUT_NVIDIA.strip()


@pytest.mark.parametrize("lines", [
    [WITH],
    [real.WARN_DOCKER_CONFIG_UNEXPECTED_EOF, WITH],
    [WITH, real.WARN_DOCKER_CONFIG_UNEXPECTED_EOF],
    [real.WARN_DOCKER_CONFIG_UNEXPECTED_EOF, WITH, "", real.WARN_DOCKER_CONFIG_UNEXPECTED_EOF],
])
def test_the_runtimes_are_found_among_the_clis_warnings(lines):
    assert "nvidia" in runtimes(lines)


@pytest.mark.parametrize("lines", [[], ["null"], [real.WARN_DOCKER_CONFIG_UNEXPECTED_EOF], ["{not json"]])
def test_output_without_runtimes_gives_none(lines):
    assert runtimes(lines) is None


def test_the_deploys_final_check_reads_the_runtimes_beside_a_warning():
    ok = {"ok": True, "output": [real.WARN_DOCKER_CONFIG_UNEXPECTED_EOF, WITH]}
    assert runtime_problem(ok) is None
    missing = runtime_problem({"ok": True, "output": [real.WARN_DOCKER_CONFIG_UNEXPECTED_EOF, WITHOUT]})
    assert "but not nvidia" in missing.found and "runc" in missing.found and missing.id == "verify.no-nvidia"


def test_the_deploys_final_check_reports_output_it_cannot_read_instead_of_crashing():
    problem = runtime_problem({"ok": True, "output": [real.WARN_DOCKER_CONFIG_UNEXPECTED_EOF]})
    assert problem.found.startswith("docker info gave no runtimes: WARNING: Error loading config file")
    assert problem.id == "verify.no-runtimes"


VERSION = real.DOCKER_INFO_SERVER_VERSION_JSON_29_4_0


@pytest.mark.parametrize("lines", [
    [WITH, VERSION],
    [real.WARN_DOCKER29_CGROUP_V1, WITH, VERSION, real.WARN_DOCKER29_CGROUP_V1],
    [real.WARN_DOCKER_CONFIG_UNEXPECTED_EOF, WITH, "", VERSION, ""],
])
def test_the_runtimes_and_the_version_are_read_from_one_call_among_docker_29s_warnings(lines):
    assert "nvidia" in runtimes(lines)
    assert server_version(lines) == "29.4.0" == real.DOCKER_INFO_SERVER_VERSION_29_4_0.split(": ")[1]


@pytest.mark.parametrize("lines", [[WITH], [real.WARN_DOCKER29_CGROUP_V1], ['""'], ["29.4.0"]])
def test_output_without_a_version_gives_none(lines):
    assert server_version(lines) is None


def test_the_engines_own_answer_on_its_socket_gives_its_runtimes():
    assert sorted(runtimes([real.ENGINE_API_INFO_TWIN])) == ["io.containerd.runc.v2", "io.containerd.runtime.v1.linux",
                                                           "nvidia", "runc"]
    assert runtime_problem({"ok": True, "output": [real.ENGINE_API_INFO_TWIN]}) is None
    without = real.ENGINE_API_INFO_TWIN.replace('"nvidia":{"path":"nvidia-container-runtime"},', "")
    assert "but not nvidia" in runtime_problem({"ok": True, "output": [without]}).found


def test_a_passing_check_names_the_runtimes_not_the_engines_whole_answer():
    line = runtimes_listed({"ok": True, "output": [real.ENGINE_API_INFO_TWIN]})
    assert line == "the engine lists io.containerd.runc.v2, io.containerd.runtime.v1.linux, nvidia, runc"
