"""Pinned versions moved on a converged twin: up and down in one run each, then unpinned and kept."""

import json
import re

import pytest
import testinfra

from testbed.stack import TOOLKIT
from testbed.twin import PLATFORMS
from testbed.twin.mirrors import ENGINES, NVIDIA_VERSIONS
from tests.integration.stack import DOCKER_PIN, TOOLKIT_PIN, engine_pid, engine_starts, journal_cursor, settles

pytestmark = pytest.mark.integration

# apt 3.0 (trixie underneath) and apt 2.6 (bookworm underneath) resolve a moved pin each their own way.
APTS = ["ubuntu-26.04", "ubuntu-24.04"]
# The packages docker_version moves; the rest of the engine's are not versioned with it.
PINNED = ["docker-ce", "docker-ce-cli"]


def engine_versions(platform: str) -> tuple[str, str]:
    """(newer, older): the two docker-ce versions the stand-in mirror holds for platform."""
    [engine] = [e for e in ENGINES if e.suite == PLATFORMS[platform].suite]
    return engine.versions


def docker_version(package_version: str) -> str:
    """docker_version's form of a package's version: "5:20.10.23-1~debian.12~bookworm" -> "20.10.23"."""
    return re.fullmatch(r"5:([^-]+)-.*", package_version)[1]


def installed(host, packages: list[str]) -> dict:
    out = host.check_output("dpkg-query -W -f '${Package} ${Version}\\n' " + " ".join(packages))
    return dict(line.split() for line in out.splitlines())


def candidate(host, package: str) -> str:
    """The version `apt-get install package` would choose now, pins included."""
    return re.search(r"Candidate: (\S+)", host.check_output(f"apt-cache policy {package}"))[1]


def converge(twin, run_deploy, **settings) -> int:
    """One run with settings, which must pass, then one that must change nothing and restart nothing;
    returns how often the first started the engine, counted from the journal."""
    host = testinfra.get_host(twin.testinfra_target)
    # Days of changes packed into minutes: systemd allows docker.service 3 starts in 60 s.
    twin.exec("systemctl reset-failed docker.service", check=False)
    cursor, pid = journal_cursor(host), engine_pid(host)
    run = run_deploy(twin, **settings)
    assert run.returncode == 0 and not run.errors, run
    starts = engine_starts(host, cursor)
    # The engine's pid checks the journal's count: a start it missed would still show as a new pid.
    assert (starts == 0) == (engine_pid(host) == pid), (starts, run)
    assert host.service("docker").is_running, run
    assert "nvidia" in json.loads(host.check_output("docker info --format '{{json .Runtimes}}'"))
    cursor, pid = journal_cursor(host), engine_pid(host)
    settles(run_deploy, twin, **settings)
    assert engine_starts(host, cursor) == 0 and engine_pid(host) == pid, "the rerun restarted the engine"
    return starts


def assert_at(host, docker: str, toolkit: str) -> None:
    assert installed(host, PINNED) == dict.fromkeys(PINNED, docker)
    assert installed(host, TOOLKIT) == dict.fromkeys(TOOLKIT, toolkit)


@pytest.mark.parametrize("platform", APTS)
def test_pinned_versions_move_up_and_down_in_one_run_and_stay_when_unpinned(platform, converged_twin, run_deploy):
    newer, older = engine_versions(platform)
    lowest, middle, newest = NVIDIA_VERSIONS
    twin = converged_twin(platform)  # converged unpinned: the newest of each
    host = testinfra.get_host(twin.testinfra_target)
    assert_at(host, newer, newest)

    # Lowered, both at once: apt downgrades each package to its pin in the one run. The stand-in engine's
    # postinst (Debian's docker.io) starts the engine but never restarts it, as docker-ce's does on a
    # move: the one restart counted here is the one the toolkit's move asks for.
    assert converge(twin, run_deploy, docker_version=docker_version(older), nvidia_toolkit_version=lowest) <= 1
    assert_at(host, older, lowest)
    assert candidate(host, "docker-ce") == older and candidate(host, "nvidia-container-toolkit") == lowest

    # Raised, both at once: each package moves up to its pin.
    assert converge(twin, run_deploy, docker_version=docker_version(newer), nvidia_toolkit_version=middle) <= 1
    assert_at(host, newer, middle)
    assert candidate(host, "docker-ce") == newer and candidate(host, "nvidia-container-toolkit") == middle

    # Lowered again, then unset: the pins go, the versions stay though apt now offers newer ones, and
    # nothing restarts.
    assert converge(twin, run_deploy, docker_version=docker_version(older), nvidia_toolkit_version=lowest) <= 1
    assert_at(host, older, lowest)
    assert converge(twin, run_deploy) == 0
    assert not host.file(DOCKER_PIN).exists and not host.file(TOOLKIT_PIN).exists
    assert_at(host, older, lowest)
    assert candidate(host, "docker-ce") == newer and candidate(host, "nvidia-container-toolkit") == newest
