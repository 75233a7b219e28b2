"""The whole deploy, planned with `pyinfra --dry` from facts captured on twins: which operations each host gets."""

import json
import subprocess
import sys

import pytest

from testbed.harness import ROOT

SCENARIOS = sorted(path.stem for path in (ROOT / "tests" / "dry").glob("*.json"))
DAEMON_JSON = "daemon.json | /etc/docker/daemon.json registers the nvidia runtime"
RESTART = "Engine restart | Docker Engine is restarted to load its new configuration"
INSTALL = ["systemd | /etc/wsl.conf enables systemd", DAEMON_JSON,
           "Docker Engine | Docker Engine is installed by its install script",
           "NVIDIA Container Toolkit | NVIDIA Container Toolkit is installed"]


class Plan:
    """pyinfra's --dry plan for one host: the operations that will change it, and those that may."""

    def __init__(self, plan: list[dict]):
        self.changes = [op["name"] for op in plan if op["hosts_with_change"]]
        self.may_change = [op["name"] for op in plan if op["hosts_with_conditional_change"]]

    def __repr__(self):
        return f"Plan(changes={self.changes}, may_change={self.may_change})"


@pytest.fixture(scope="module")
def plans(tmp_path_factory) -> dict:
    """{scenario: its Plan}, every scenario's dry run at once; @local stands for the twin, whose facts
    tests/factrun.py answers from tests/dry/<scenario>.json, so nothing here is touched."""
    folder = tmp_path_factory.mktemp("dry")
    runs = {scenario: dry_run(folder, scenario) for scenario in SCENARIOS}
    return finished(runs)


def dry_run(folder, scenario: str, name: str | None = None, **settings) -> subprocess.Popen:
    """The dry run of scenario's facts, with its settings and these over them, started."""
    fixture = ROOT / "tests" / "dry" / f"{scenario}.json"
    inventory = folder / f"{name or scenario}.py"
    merged = {**json.loads(fixture.read_text())["settings"], **settings}
    inventory.write_text(f"hosts = [('@local', {merged!r})]\n")
    return subprocess.Popen(
        [sys.executable, "-m", "tests.factrun", "replay", str(fixture), "--dry", "--json", str(inventory),
         "deploy.py"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finished(runs: dict) -> dict:
    """{name: its Plan} once each run has ended well."""
    plans = {}
    for scenario, run in runs.items():
        out, err = run.communicate(timeout=120)
        assert run.returncode == 0, err[-3000:]
        plans[scenario] = Plan(json.loads(out)["plan"])
    return plans


def test_the_scenarios_are_a_fresh_host_of_two_platforms_a_converged_a_drifted_and_a_killed_one():
    assert SCENARIOS == ["debian-12-converged", "debian-12-daemon-json-missing", "debian-12-engine-half-configured",
                         "debian-12-fresh", "ubuntu-26.04-fresh"]


def test_a_converged_host_gets_no_change(plans):
    plan = plans["debian-12-converged"]
    assert plan.changes == [] and plan.may_change == [], plan


def test_a_host_whose_daemon_json_is_gone_gets_it_written_and_the_engine_restarted(plans):
    plan = plans["debian-12-daemon-json-missing"]
    assert plan.changes == [DAEMON_JSON] and plan.may_change == [RESTART], plan


def test_an_engine_a_killed_run_left_half_configured_has_dpkg_repaired_and_is_installed_again(plans):
    """The converged host's facts, but docker-ce's dpkg status is `iF` (half-configured) and dpkg has work
    left: the snapshot counts only `ii` packages, so the engine is as good as absent."""
    plan = plans["debian-12-engine-half-configured"]
    assert plan.changes[:2] == ["Docker Engine | apt and dpkg are ready",
                                "Docker Engine | Docker Engine is installed by its install script"], plan
    assert "Docker Engine | Docker Engine packages are installed" not in plan.changes, "the script installs them"
    assert DAEMON_JSON not in plan.changes and plan.may_change == [], plan


@pytest.mark.parametrize("scenario", ["debian-12-fresh", "ubuntu-26.04-fresh"])
def test_a_fresh_host_gets_the_install(plans, scenario):
    plan = plans[scenario]
    assert [name for name in plan.changes if name in INSTALL] == INSTALL, plan
    assert plan.may_change == [RESTART], plan


@pytest.fixture(scope="module")
def own_keys_plans(tmp_path_factory) -> dict:
    """Plans with the settings that write daemon.json keys of their own: NGC's shm and ulimits, and mtu set
    twice (by docker_mtu and by docker_daemon_options)."""
    folder = tmp_path_factory.mktemp("dry-own-keys")
    ngc = {"docker_default_shm_size": "2G", "docker_default_ulimits": {"memlock": -1, "stack": 67108864},
           "docker_mtu": 1400}
    return finished({
        "ngc": dry_run(folder, "debian-12-daemon-json-missing", "ngc", **ngc),
        "twice": dry_run(folder, "debian-12-converged", "twice", docker_mtu=1400,
                         docker_daemon_options={"bridge": "none", "iptables": False, "ip-masq": False, "mtu": 1400}),
    })


def test_shm_ulimits_and_mtu_settings_are_planned_into_daemon_json(own_keys_plans):
    plan = own_keys_plans["ngc"]
    assert plan.changes == [DAEMON_JSON] and plan.may_change == [RESTART], plan


def test_a_daemon_key_set_twice_stops_the_host_before_any_fact_is_read(own_keys_plans):
    plan = own_keys_plans["twice"]
    assert plan.changes == ["Settings are valid"] and plan.may_change == [], plan
