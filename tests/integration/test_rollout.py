"""A team rollout over SSH: one run converges every workstation in parallel; a broken one fails alone."""

import json
import re
import subprocess
import sys

import pytest
import testinfra

from testbed.harness import ROOT, TWIN_SETTINGS
from testbed.stack import assert_converged
from testbed.twin import ClientKey, Twin, free_port, ssh_host_data
from tests.integration.runs import PyinfraRun
from tests.integration.stack import NATIVE, assert_gpu_docker_works, assert_unchanged, tree

pytestmark = pytest.mark.integration

WSL1_ERROR = "WSL2: kernel '4.4.0-19041-Microsoft' is WSL1"


@pytest.fixture(scope="module")
def team(base_image, mirrors, tmp_path_factory):
    """Three workstations serving sshd, and an inventory shaped like inventory.py that lists them."""
    folder = tmp_path_factory.mktemp("rollout")
    key = ClientKey(folder)
    # name: (group, twin options, the host's own settings)
    specs = {
        "wsl-laptop": ("wsl_laptops", {}, {}),
        "wsl1-laptop": ("wsl_laptops", {"kernel": "4.4.0-19041-Microsoft"}, {}),
        "typo-laptop": ("wsl_laptops", {}, {"docker_channel": "nightly"}),
        "gpu-workstation": ("linux_workstations", NATIVE, {}),
    }
    twins = {}
    try:
        for name, (_, options, _) in specs.items():
            twins[name] = Twin(base_image, ssh_port=free_port(), authorized_key=key.public, **options).start()
        known_hosts = folder / "known_hosts"
        known_hosts.write_text("".join(twin.known_hosts() for twin in twins.values()))
        groups = {
            group: ([(name, {**ssh_host_data(twins[name], key, known_hosts), **own})
                     for name, (in_group, _, own) in specs.items() if in_group == group],
                    {**mirrors.settings(), **TWIN_SETTINGS})
            for group in ("wsl_laptops", "linux_workstations")
        }
        inventory = folder / "inventory.py"
        inventory.write_text("".join(f"{group} = {hosts!r}\n" for group, hosts in groups.items()))
        yield twins, inventory
    finally:
        for twin in twins.values():
            twin.remove()


def roll_out(inventory) -> PyinfraRun:
    proc = subprocess.run(
        [sys.executable, "-m", "pyinfra", "-y", "--sudo", "--json", str(inventory), "deploy.py"],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )
    return PyinfraRun(proc)


@pytest.fixture(scope="module")
def first(team):
    _, inventory = team
    return roll_out(inventory)


def test_one_run_over_ssh_converges_every_good_workstation(team, first, mirrors):
    twins, _ = team
    for name in ("wsl-laptop", "gpu-workstation"):
        assert first.changed_on(name) and not first.errors_on(name), first
    assert_converged(testinfra.get_host(twins["wsl-laptop"].testinfra_target), mirrors)
    assert_gpu_docker_works(testinfra.get_host(twins["gpu-workstation"].testinfra_target))


def test_the_broken_workstations_fail_alone_with_their_own_errors(team, first):
    twins, _ = team
    assert first.returncode != 0, first
    assert sorted(first.results["failed_hosts"]) == ["typo-laptop", "wsl1-laptop"], first
    assert first.errors_on("wsl1-laptop") == ["Preflight | Preflight checks pass"], first
    assert re.search(rf"\[wsl1-laptop\] +checks failed:\n  - {re.escape(WSL1_ERROR)}", first.output), first
    assert first.errors_on("typo-laptop") == ["Settings are valid"], first
    assert re.search(r"\[typo-laptop\] +invalid settings:\n  - docker_channel = 'nightly': must be one of",
                     first.output), first
    assert "--> Failed hosts: typo-laptop, wsl1-laptop (the messages above" in first.output, first
    for name in ("wsl1-laptop", "typo-laptop"):
        host = testinfra.get_host(twins[name].testinfra_target)
        assert not host.package("docker-ce").is_installed
        assert not host.file("/etc/docker/daemon.json").exists


def test_a_second_rollout_changes_nothing_anywhere(team, first):
    twins, inventory = team
    before = {name: twin.snapshot() for name, twin in twins.items()}
    again = roll_out(inventory)
    assert sorted(again.results["failed_hosts"]) == ["typo-laptop", "wsl1-laptop"], again
    for name in ("wsl-laptop", "gpu-workstation"):
        assert again.changed_on(name) == [] and again.errors_on(name) == [], again
    assert {name: twin.snapshot() for name, twin in twins.items()} == before


DAEMON_JSON = "daemon.json | /etc/docker/daemon.json registers the nvidia runtime"
RESTART = "Engine restart | Docker Engine is restarted to load its new configuration"


def test_a_dry_rollout_tells_each_host_its_own_drift_and_changes_nothing(team):
    twins, inventory = team
    twins["wsl-laptop"].exec("rm /etc/docker/daemon.json")
    before = {name: tree(twin) for name, twin in twins.items()}
    proc = subprocess.run([sys.executable, "-m", "pyinfra", "--sudo", "--dry", "--json", str(inventory), "deploy.py"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    plan = json.loads(proc.stdout)["plan"]

    def planned(host: str, key: str = "hosts_with_change") -> list[str]:
        return [op["name"] for op in plan if host in op[key]]

    assert planned("wsl-laptop") == [DAEMON_JSON], proc.stdout
    assert planned("wsl-laptop", "hosts_with_conditional_change") == [RESTART], proc.stdout
    assert planned("gpu-workstation") == [] == planned("gpu-workstation", "hosts_with_conditional_change")
    for name, twin in twins.items():
        assert_unchanged(twin, before[name])

    real = roll_out(inventory)
    assert real.changed_on("wsl-laptop") == [DAEMON_JSON, RESTART], real
    assert real.changed_on("gpu-workstation") == [] and real.errors_on("gpu-workstation") == [], real
