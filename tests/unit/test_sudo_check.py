"""files/sudo-check.sh against stand-in sudos that answer `sudo --version` as the real ones do."""

import os
import shutil

import pytest

from testbed.sudo_examples import (
    CHECK,
    ROOT,
    SUDO_RS_0_2_5,
    SUDO_RS_0_2_8,
    SUDO_RS_0_2_13_UBUNTU,
    SUDO_WS_1_9_13P3,
    Machine,
)


@pytest.fixture
def machine(tmp_path) -> Machine:
    return Machine(tmp_path)


@pytest.mark.parametrize("text, stderr", [(SUDO_RS_0_2_5, True), (SUDO_RS_0_2_8, True), (SUDO_RS_0_2_8, False)],
                         ids=["0.2.5 (Debian 13)", "0.2.8 on stderr", "0.2.8 on stdout"])
def test_an_old_sudo_rs_is_refused_naming_it_and_the_fixes(machine, text, stderr):
    sudo = machine.sudo(text, stderr=stderr)
    proc = machine.run()
    assert proc.returncode == 1
    assert proc.stdout == ""
    message = proc.stderr
    assert "stopped before changing anything" in message
    assert f"({sudo}) is {text.strip()}" in message, "which sudo, which version"
    assert "no -A (askpass; sudo-rs has it since 0.2.11)" in message
    assert "echo 'dev ALL=(ALL) NOPASSWD: ALL' | sudo tee /etc/sudoers.d/wsl-gpu-docker" in message
    assert "sudo rm /etc/sudoers.d/wsl-gpu-docker" in message
    # Debian 13's way: sudo-rs is `sudo` only through PATH, and this machine has no /usr/bin/sudo.
    assert f"take {sudo.parent} out of PATH" in message
    assert "PATH=/usr/bin:$PATH ./setup.sh" in message


def test_ubuntus_sudo_rs_alternative_gets_the_update_alternatives_fix(machine):
    sudo = machine.alternatives(SUDO_RS_0_2_8)
    proc = machine.run()
    assert proc.returncode == 1
    assert f"({sudo}) is sudo-rs 0.2.8" in proc.stderr
    assert f"make sudo.ws the sudo again: sudo update-alternatives --set sudo {sudo.parent}/sudo.ws\n" in proc.stderr
    assert "PATH=/usr/bin" not in proc.stderr


def test_without_sudo_ws_the_fix_installs_it_first(machine):
    sudo = machine.alternatives(SUDO_RS_0_2_8, sudo_ws=False)
    proc = machine.run()
    assert proc.returncode == 1
    assert f"sudo apt-get install sudo && sudo update-alternatives --set sudo {sudo.parent}/sudo.ws" in proc.stderr


@pytest.mark.parametrize("text, stderr", [(SUDO_RS_0_2_13_UBUNTU, False), (SUDO_RS_0_2_13_UBUNTU, True),
                                          (SUDO_WS_1_9_13P3, False)],
                         ids=["sudo-rs 0.2.13 (Ubuntu 26.04)", "0.2.13 on stderr", "sudo.ws 1.9.13p3"])
def test_a_sudo_with_askpass_passes_silently(machine, text, stderr):
    machine.sudo(text, stderr=stderr)
    proc = machine.run()
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")
    assert machine.sudo_calls == ["-n -k true", "--version"]


@pytest.mark.parametrize("version, refused", [("0.2.10", True), ("0.2.11", False), ("0.3.0", False),
                                              ("1.0.0", False), ("0.1.9", True)])
def test_askpass_counts_from_0_2_11_by_number_not_by_text(machine, version, refused):
    machine.sudo(f"sudo-rs {version}\n")
    assert machine.run().returncode == (1 if refused else 0)


def test_a_passwordless_old_sudo_rs_passes_without_being_asked_its_version(machine):
    machine.sudo(SUDO_RS_0_2_5, stderr=True, passwordless=True)
    proc = machine.run()
    assert (proc.returncode, proc.stderr) == (0, "")
    assert machine.sudo_calls == ["-n -k true"]


def test_root_needs_no_sudo_at_all(tmp_path):
    machine = Machine(tmp_path, uid=0, user="root")
    machine.sudo(SUDO_RS_0_2_5, stderr=True)
    proc = machine.run()
    assert (proc.returncode, proc.stderr) == (0, "")
    assert machine.sudo_calls == []


def test_no_sudo_on_path_is_refused(machine):
    proc = machine.run()
    assert proc.returncode == 1
    assert "no sudo on PATH" in proc.stderr


def test_setup_sh_stops_before_it_makes_the_venv(machine, tmp_path):
    checkout = tmp_path / "checkout"
    (checkout / "files").mkdir(parents=True)
    shutil.copy2(ROOT / "setup.sh", checkout)
    shutil.copy2(CHECK, checkout / "files")
    machine.sudo(SUDO_RS_0_2_5, stderr=True)
    # Anything setup.sh would run after the check leaves a trace.
    for tool in ("python3", "pip"):
        machine._write(machine.tools / tool, f"#!/bin/sh\necho {tool} >> {tmp_path}/ran\n")
    proc = machine.run(checkout / "setup.sh", cwd=checkout)
    assert proc.returncode != 0
    assert "sudo-rs 0.2.5" in proc.stderr
    assert not (tmp_path / "ran").exists(), "nothing runs after the check"
    assert sorted(os.listdir(checkout)) == ["files", "setup.sh"], "no .venv"


# --- --facts: the same finding as key=value lines, for doctor's sudo.askpass ---------------

@pytest.mark.parametrize("layout", ["debian-13", "ubuntu", "ubuntu without sudo.ws", "no sudo"])
def test_the_facts_carry_the_refusals_cause_and_each_of_its_fixes(machine, layout):
    if layout == "debian-13":
        sudo = machine.sudo(SUDO_RS_0_2_5, stderr=True)
    elif layout != "no sudo":
        sudo = machine.alternatives(SUDO_RS_0_2_8, sudo_ws=layout == "ubuntu")
    facts, message = machine.facts(), machine.run().stderr
    if layout == "no sudo":
        assert facts["verdict"] == "no-sudo" and "path" not in facts and "version" not in facts
    else:
        assert facts["verdict"] == "no-askpass" and facts["path"] == str(sudo)
        assert facts["version"] in message and facts["since"] == "0.2.11"
    # One fix line a fix, and every command doctor shows is the one setup.sh prints.
    assert len(facts["fix"]) == message.count("\n  - ") >= 2
    for fix in facts["fix"]:
        parts = fix.split("`")  # what to do, then its commands between words
        assert f"  - {parts[0].removesuffix(': ')}" in message, fix
        for command in parts[1::2]:
            assert command in message, command


@pytest.mark.parametrize("text, stderr, passwordless, verdict", [
    (SUDO_RS_0_2_13_UBUNTU, False, False, "askpass"), (SUDO_RS_0_2_13_UBUNTU, True, False, "askpass"),
    (SUDO_WS_1_9_13P3, False, False, "askpass"), (SUDO_RS_0_2_5, True, True, "passwordless"),
    ("usage: sudo -h | -K | -k | -V\n", True, False, "unnamed"),
], ids=["sudo-rs 0.2.13", "0.2.13 on stderr", "sudo.ws 1.9.13p3", "passwordless 0.2.5", "unnamed"])
def test_the_facts_of_a_sudo_pyinfra_can_drive_have_no_fix(machine, text, stderr, passwordless, verdict):
    sudo = machine.sudo(text, stderr=stderr, passwordless=passwordless)
    facts = machine.facts()
    assert (facts["verdict"], facts["path"], facts["fix"]) == (verdict, str(sudo), [])
    assert facts.get("version") == (None if passwordless else text.splitlines()[0])
    proc = machine.run()
    assert (proc.returncode, proc.stderr) == (0, ""), "setup.sh goes on"


def test_the_facts_of_root_say_so_without_asking_sudo(tmp_path):
    machine = Machine(tmp_path, uid=0, user="root")
    machine.sudo(SUDO_RS_0_2_5, stderr=True)
    assert machine.facts() == {"verdict": "root", "since": "0.2.11", "fix": []}
    assert machine.sudo_calls == []
