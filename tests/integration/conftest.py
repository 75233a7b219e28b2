"""Integration fixtures: the twin base images, the stand-in upstreams and disposable WSL2 twins."""

import functools
import json
import secrets
import subprocess
import sys
import threading
from pathlib import Path
from typing import NamedTuple

import pytest
import testinfra

from testbed.harness import ROOT, TWIN_SETTINGS
from testbed.stack import assert_converged
from testbed.twin import DEFAULT_PLATFORM, PLATFORMS, Mirrors, Twin, ensure_base_image
from testbed.twin.mirrors import FolderServer
from testbed.twin.network import CompanyCA
from testbed.twin.run import run
from tests.integration.runs import DeployRun, clipped
from tests.integration.stack import assert_a_rerun_changes_nothing
from tests.reports import valid


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
def base_images(docker_engine):
    """base_images(suite) -> the tag of that suite's base image, built the first time a test asks."""
    return functools.cache(ensure_base_image)


@pytest.fixture(scope="session")
def base_image(base_images) -> str:
    """The default platform's base image."""
    return base_images(PLATFORMS[DEFAULT_PLATFORM].suite)


@pytest.fixture(scope="session")
def platform_twin(base_images):
    """platform_twin(platform, **Twin options) -> an unstarted Twin of that platform (twin.PLATFORMS);
    an `os_release` option replaces the platform's identity, an `image` one its base image."""

    def new(platform: str = DEFAULT_PLATFORM, image: str | None = None, **opts) -> Twin:
        chosen = PLATFORMS[platform]
        return Twin(image or base_images(chosen.suite), **{"os_release": chosen.os_release, **opts})

    return new


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
def make_twin(platform_twin):
    """make_twin(platform="debian-12", **Twin options) -> a started Twin of that platform, always
    removed at teardown."""
    twins = []

    def make(platform: str = DEFAULT_PLATFORM, **opts) -> Twin:
        twin = platform_twin(platform, **opts)
        twins.append(twin)
        return twin.start()

    yield make
    for twin in twins:
        twin.remove()


def _pyinfra(tmp_path_factory, twin: Twin, data: dict, flag: str, timeout: int) -> subprocess.CompletedProcess:
    """`pyinfra FLAG --json` of deploy.py on an inventory of the twin alone, with data as its settings."""
    inventory = tmp_path_factory.mktemp("inventory") / "inventory.py"
    inventory.write_text(f"twins = [({twin.pyinfra_target!r}, {data!r})]\n")
    return subprocess.run([sys.executable, "-m", "pyinfra", flag, "--json", str(inventory), "deploy.py"],
                          cwd=ROOT, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="session")
def run_deploy(mirrors, tmp_path_factory):
    """run_deploy(twin, **settings) runs the deploy with the mirrors' and the twin's settings."""

    def run(twin: Twin, **settings) -> DeployRun:
        return DeployRun(_pyinfra(tmp_path_factory, twin, {**mirrors.settings(), **TWIN_SETTINGS, **settings},
                                  "-y", timeout=900))

    return run


class Plan:
    """One `pyinfra deploy.py --dry` run: the operations it says will change the host, and those that may
    (they run only if an earlier one changes something)."""

    def __init__(self, proc: subprocess.CompletedProcess):
        self.returncode = proc.returncode
        self.output = proc.stdout + proc.stderr
        try:
            plan = json.loads(proc.stdout)["plan"]
        except (ValueError, KeyError):
            plan = []
        self.changes = [op["name"] for op in plan if op["hosts_with_change"]]
        self.may_change = [op["name"] for op in plan if op["hosts_with_conditional_change"]]

    def __repr__(self):
        said = f"Plan(rc={self.returncode}, changes={self.changes}, may_change={self.may_change})"
        return f"{said}\n{clipped(self.output)}"


@pytest.fixture(scope="session")
def plan_deploy(mirrors, tmp_path_factory):
    """plan_deploy(twin, **settings): `pyinfra --dry` with the settings run_deploy gives, as a lead runs it
    (without -y, which skips the check for changes and so plans nothing)."""

    def plan(twin: Twin, **settings) -> Plan:
        return Plan(_pyinfra(tmp_path_factory, twin, {**mirrors.settings(), **TWIN_SETTINGS, **settings},
                             "--dry", timeout=600))

    return plan


@pytest.fixture
def twin(converged):
    """The module's converged twin. Its tests pack days of drift into seconds, so systemd's
    limit on engine starts per minute (docker.service: 3 in 60 s) is reset between them."""
    shared, first = converged
    assert first.returncode == 0, first
    shared.exec("systemctl reset-failed docker.service")
    return shared


class ConvergedImage(NamedTuple):
    """A platform's twin converged once per session and committed: its tag and its first run."""

    platform: str
    tag: str
    first: DeployRun


@pytest.fixture(scope="session")
def converged_images(platform_twin, run_deploy, mirrors):
    """converged_images(platform="debian-12") -> that platform's ConvergedImage, made the first time a test
    asks: a fresh twin converges (checked from outside), a rerun changes nothing, the engine is stopped so
    that its files are at rest, and the twin is committed. A twin booted from the image must then
    take a deploy run without a change. The images are this session's: the mirrors' port and the deploy
    under test are in them, so no later session could trust one; they are removed at the end."""
    made: dict[str, ConvergedImage] = {}
    failed: dict[str, str] = {}
    token = secrets.token_hex(4)

    def converged_image(platform: str = DEFAULT_PLATFORM) -> ConvergedImage:
        if platform in failed:  # once is enough: every later test would converge in vain
            pytest.fail(f"{platform}'s converged image failed earlier in this session:\n{failed[platform]}")
        if platform not in made:
            try:
                made[platform] = _converge_and_commit(platform, f"wsl-twin-converged:{platform}-{token}",
                                                      platform_twin, run_deploy, mirrors)
            except Exception as error:
                failed[platform] = str(error)[-6000:]
                raise
        return made[platform]

    yield converged_image
    for image in made.values():
        run(["docker", "image", "rm", "-f", image.tag], check=False)


def _converge_and_commit(platform, tag, platform_twin, run_deploy, mirrors) -> ConvergedImage:
    with platform_twin(platform) as fresh:
        first = run_deploy(fresh)
        assert first.returncode == 0 and first.changed and not first.errors, first
        assert_converged(testinfra.get_host(fresh.testinfra_target), mirrors, platform)
        assert_a_rerun_changes_nothing(fresh, run_deploy)
        # A commit pauses the twin; a stopped engine has written out its state before that. At every
        # start dockerd renames its runtimes folder aside and writes it anew, and the twins' overlayfs
        # refuses to rename a folder of a lower layer ("invalid cross-device link"): the engine would
        # not start from the image. Without the folder it makes one, which renames as any other.
        fresh.exec("systemctl stop docker.socket docker.service containerd.service"
                   " && rm -r /var/lib/docker/runtimes")
        fresh.commit(tag, {"wsl-twin.platform": platform, "wsl-twin.base": fresh.image,
                           "wsl-twin.mirrors": mirrors.url})
    try:
        with platform_twin(platform, image=tag) as booted:
            assert_a_rerun_changes_nothing(booted, run_deploy)
    except BaseException:
        run(["docker", "image", "rm", "-f", tag], check=False)
        raise
    return ConvergedImage(platform, tag, first)


@pytest.fixture
def converged_twin(platform_twin, converged_images):
    """converged_twin(platform="debian-12", **Twin options) -> a started twin booted from that platform's
    converged image (a second or two, not a converge), always removed at teardown."""
    twins = []

    def make(platform: str = DEFAULT_PLATFORM, **opts) -> Twin:
        twin = platform_twin(platform, image=converged_images(platform).tag, **opts)
        twins.append(twin)
        return twin.start()

    yield make
    for twin in twins:
        twin.remove()


@pytest.fixture(scope="module")
def converged(platform_twin, converged_images):
    """(twin, the session's first run): one converged twin, shared by a module's tests in file order; it boots
    from the default platform's converged image (converged_images) instead of converging itself."""
    image = converged_images(DEFAULT_PLATFORM)
    with platform_twin(DEFAULT_PLATFORM, image=image.tag) as twin:
        yield twin, image.first


class StaticServer(FolderServer):
    """Serves a folder on 127.0.0.1; can stop right after serving a given path (a mirror going
    away mid-run) and start again on the same port."""

    def __init__(self, root: Path):
        super().__init__(root)
        self.stop_after = None

    def served(self, path: str) -> None:
        if self.stop_after and path == self.stop_after:
            self.stop_after = None
            threading.Thread(target=self.stop).start()


@pytest.fixture
def serve(tmp_path):
    """serve({relative path: target in the mirrors' tree}) -> a started StaticServer of those."""
    servers = []

    def start(links: dict, mirrors) -> StaticServer:
        root = tmp_path / f"www{len(servers)}"
        for name, target in links.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).symlink_to(mirrors.root / "www" / target)
        servers.append(StaticServer(root).start())
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


class DoctorRun:
    """One `pyinfra doctor.py` run over twins, with the JSON report and the page it wrote."""

    def __init__(self, proc: subprocess.CompletedProcess, report: dict, html: Path):
        self.returncode = proc.returncode
        self.output = proc.stdout + proc.stderr
        self.report = report
        self.html = html  # the page it wrote, doctor-report.html

    def checks(self, twin: Twin) -> dict:
        return {c["check"]: c for c in self.report["hosts"][twin.pyinfra_target]["checks"]}

    def status(self, twin: Twin) -> dict:
        return {name: c["status"] for name, c in self.checks(twin).items()}

    def __repr__(self):
        return f"DoctorRun(rc={self.returncode})\n{clipped(self.output, head=0, tail=12000)}"


@pytest.fixture(scope="session")
def run_doctor(mirrors, tmp_path_factory):
    """run_doctor(twin or [twins], **settings) runs doctor.py over them, as run_deploy does the deploy;
    unreachable= names hosts added to the inventory that refuse the connection."""

    def run(twins, *, unreachable=(), **settings) -> DoctorRun:
        twins = twins if isinstance(twins, list) else [twins]
        folder = tmp_path_factory.mktemp("doctor")
        report, html = folder / "report.json", folder / "report.html"
        data = {**mirrors.settings(), **TWIN_SETTINGS, "doctor_report_path": str(report),
                "doctor_report_html_path": str(html), **settings}
        hosts = [(t.pyinfra_target, data) for t in twins]
        hosts += [(name, {"ssh_hostname": "127.0.0.1", "ssh_port": 1}) for name in unreachable]  # nothing listens
        (folder / "inventory.py").write_text(f"twins = {hosts!r}\n")
        proc = subprocess.run(
            [sys.executable, "-m", "pyinfra", "-y", str(folder / "inventory.py"), "doctor.py"],
            cwd=ROOT, capture_output=True, text=True, timeout=600,
        )
        return DoctorRun(proc, valid(json.loads(report.read_text())) if report.exists() else {"hosts": {}}, html)

    return run


@pytest.fixture(scope="session")
def company_ca():
    """A throwaway company CA, with a certificate for 127.0.0.1: the proxy's TLS and the report receiver's."""
    ca = CompanyCA()
    yield ca
    ca.remove()
