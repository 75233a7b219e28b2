"""inventory.py and team.py: this machine until a workstation is listed; team.py's settings reach every host
the SSH way and the @local way alike; every example's settings are valid."""

import json
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tasks.settings import validate

ROOT = Path(__file__).resolve().parents[2]
INVENTORY = ROOT / "inventory.py"
EXAMPLES = ["alice-laptop", "bob-laptop", "render-1", "render-2"]


def hosts(path, cwd: Path = ROOT, *options: str) -> dict:
    """{host name: its data and groups} as pyinfra itself reads the inventory, run from cwd."""
    out = subprocess.run([sys.executable, "-m", "pyinfra", *options, str(path), "debug-inventory", "--json"],
                         cwd=cwd, capture_output=True, text=True, check=True).stdout
    return {host["name"]: host for host in json.loads(out)}


def test_with_no_workstation_listed_the_inventory_is_this_machine():
    assert list(hosts(INVENTORY)) == ["@local"]


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Path:
    """A copy of the checkout's inventory, team.py and what they read, with their examples uncommented, as a
    lead adding hosts and settings would."""
    folder = tmp_path_factory.mktemp("checkout")
    shutil.copytree(ROOT / "tasks", folder / "tasks")
    shutil.copytree(ROOT / "group_data", folder / "group_data")
    shutil.copy(ROOT / "defaults.py", folder)
    (folder / "inventory.py").write_text(INVENTORY.read_text().replace('# ("', '("'))
    (folder / "team.py").write_text(re.sub(r"^(\s*)# (\"[a-z0-9-]+\": )", r"\1\2", (ROOT / "team.py").read_text(),
                                           flags=re.M))
    return folder


@pytest.fixture(scope="module")
def listed(checkout) -> dict:
    return hosts(checkout / "inventory.py", checkout)


def test_listed_workstations_replace_this_machine(listed):
    assert sorted(listed) == sorted(EXAMPLES)


def test_each_host_gets_the_teams_settings_its_own_by_hostname_and_its_groups_connection(listed):
    bob, render = listed["bob-laptop"], listed["render-2"]
    assert "wsl_laptops" in bob["groups"] and bob["data"]["ssh_port"] == 2222
    assert bob["data"]["docker_users"] == ["bob", "ci"]
    assert bob["data"]["min_kernel_version"] == "5.10.43.3", "the team's value"
    assert listed["alice-laptop"]["data"]["min_kernel_version"] == "5.15.153.1", "the host's own beats it"
    assert "linux_workstations" in render["groups"] and "ssh_port" not in render["data"]
    assert render["data"]["nvidia_toolkit_version"] == "1.20.1-1"


def test_an_at_local_run_gets_the_same_team_settings_for_its_hostname_over_the_machines_own_file(checkout):
    mine = socket.gethostname().upper()  # as Windows names a WSL distro's host
    team = checkout / "team.py"
    team.write_text(team.read_text().replace('"render-2": {', f'{mine!r}: {{"docker_channel": "test", '))
    own = checkout / "settings"
    own.mkdir()
    (own / "all.py").write_text('min_kernel_version = "5.15.0"\ndocker_users = ["wsl-user"]\n')
    data = hosts("@local", checkout, "--group-data", str(own))["@local"]["data"]
    assert data["docker_channel"] == "test" and data["nvidia_toolkit_version"] == "1.20.1-1", "its own, by hostname"
    assert data["min_kernel_version"] == "5.10.43.3", "the team's beats the file's"
    assert data["docker_users"] == ["wsl-user"], "the machine's own file still gives what the team does not set"
    validate(data)


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_examples_settings_are_valid(listed, name):
    validate(listed[name]["data"])
