"""inventory.py: this machine until a workstation is listed; every example's settings are valid."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tasks.settings import validate

INVENTORY = Path(__file__).resolve().parents[2] / "inventory.py"
EXAMPLES = ["alice-laptop", "bob-laptop", "render-1", "render-2"]


def hosts(path: Path) -> dict:
    """{host name: its data and groups} as pyinfra itself reads the inventory."""
    out = subprocess.run([sys.executable, "-m", "pyinfra", str(path), "debug-inventory", "--json"],
                         capture_output=True, text=True, check=True).stdout
    return {host["name"]: host for host in json.loads(out)}


def test_with_no_workstation_listed_the_inventory_is_this_machine():
    assert list(hosts(INVENTORY)) == ["@local"]


@pytest.fixture(scope="module")
def listed(tmp_path_factory) -> dict:
    """The inventory with its examples uncommented, as a lead adding hosts would."""
    text = INVENTORY.read_text().replace('# ("', '("')
    path = tmp_path_factory.mktemp("inventory") / "inventory.py"
    path.write_text(text)
    return hosts(path)


def test_listed_workstations_replace_this_machine(listed):
    assert sorted(listed) == sorted(EXAMPLES)


def test_each_host_gets_its_groups_settings_and_its_own_overrides(listed):
    bob, render = listed["bob-laptop"], listed["render-2"]
    assert "wsl_laptops" in bob["groups"] and bob["data"]["ssh_port"] == 2222
    assert bob["data"]["docker_users"] == ["bob", "ci"]
    assert bob["data"]["min_kernel_version"] == "5.10.43.3", "the group's value"
    assert listed["alice-laptop"]["data"]["min_kernel_version"] == "5.15.153.1", "the host's own beats it"
    assert "linux_workstations" in render["groups"] and "ssh_port" not in render["data"]
    assert render["data"]["nvidia_toolkit_version"] == "1.20.1-1"


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_examples_settings_are_valid(listed, name):
    validate(listed[name]["data"])
