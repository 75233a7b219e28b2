"""Integration fixtures: the twin base image, the stand-in upstreams and disposable WSL2 twins."""

import subprocess
import sys
from pathlib import Path

import pytest

# tests/ is not a package: put it on the path so the harness imports as `twin`.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from twin import Mirrors, Twin, ensure_base_image  # noqa: E402


def _docker_answers() -> bool:
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.fixture(scope="session", autouse=True)
def docker_engine() -> None:
    if not _docker_answers():
        pytest.skip("no Docker engine: `docker info` does not answer (run .ci/setup-host.sh as root)")


@pytest.fixture(scope="session")
def base_image(docker_engine) -> str:
    return ensure_base_image()


@pytest.fixture(scope="session")
def mirrors(docker_engine):
    stand_ins = Mirrors().start()
    yield stand_ins
    stand_ins.stop()


@pytest.fixture(autouse=True)
def _mirrors_back_up(request):
    """A test that takes the mirrors away must not leave them down for the next one."""
    yield
    if "mirrors" in request.fixturenames:
        request.getfixturevalue("mirrors").start()


@pytest.fixture
def make_twin(base_image):
    """make_twin(**Twin options) -> a started Twin, always removed at teardown."""
    twins = []

    def make(**opts) -> Twin:
        twin = Twin(base_image, **opts)
        twins.append(twin)
        return twin.start()

    yield make
    for twin in twins:
        twin.remove()
