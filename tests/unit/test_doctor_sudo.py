"""Doctor's sudo layer on real sudo versions: can pyinfra drive the sudo on the user's PATH."""


import pytest

from tasks.findings import FAIL, INFO, PASS, WARN
from testbed.doctor_examples import UBUNTU, as_alice, check, sudo_facts
from testbed.sudo_examples import SUDO_RS_0_2_5, SUDO_RS_0_2_8, SUDO_RS_0_2_13_UBUNTU, SUDO_WS_1_9_13P3

# --- sudo --------------------------------------------------------------------------------

@pytest.mark.parametrize("text, where, version", [
    (SUDO_RS_0_2_13_UBUNTU, UBUNTU, "sudo-rs 0.2.13-0ubuntu1"),
    (SUDO_WS_1_9_13P3, "usr/bin", "Sudo version 1.9.13p3"),
], ids=["sudo-rs 0.2.13 (Ubuntu 26.04)", "sudo.ws 1.9.13p3"])
def test_a_sudo_with_askpass_passes_naming_it(text, where, version):
    r = check("sudo.askpass", **as_alice(text, where))
    assert (r.status, r.found) == (PASS, f"alice's sudo (/usr/bin/sudo) is {version}, which has -A (askpass) "
                                         "for pyinfra's password")


def test_an_old_sudo_rs_that_needs_no_password_passes():
    r = check("sudo.askpass", **as_alice(SUDO_RS_0_2_5, "usr/lib/cargo/bin", stderr=True, passwordless=True))
    assert r.status == PASS and "/usr/lib/cargo/bin/sudo) needs no password" in r.found


@pytest.mark.parametrize("text, where, stderr, fix", [
    (SUDO_RS_0_2_8, UBUNTU, False, "make sudo.ws the sudo again: `sudo update-alternatives --set sudo "
     "/usr/bin/sudo.ws`"),
    (SUDO_RS_0_2_5, "usr/lib/cargo/bin", True, "PATH=/usr/bin:$PATH ./setup.sh`"),
], ids=["0.2.8 (Ubuntu 25.10)", "0.2.5 (Debian 13)"])
def test_an_old_sudo_rs_fails_naming_it_with_the_scripts_fixes(text, where, stderr, fix):
    r = check("sudo.askpass", **as_alice(text, where, **({"stderr": True} if stderr else {})))
    path = "/usr/bin/sudo" if where == UBUNTU else f"/{where}/sudo"
    assert r.status == FAIL and r.found.startswith(
        f"as alice, the sudo on PATH ({path}) is {text.strip()}, which has no -A (askpass; sudo-rs has it since "
        "0.2.11)")
    assert r.fix.startswith(
        "let alice use sudo without a password for the run (a sudoers drop-in): `echo 'alice ALL=(ALL) NOPASSWD: "
        "ALL' | sudo tee /etc/sudoers.d/wsl-gpu-docker && sudo chmod 0440 ")
    assert "afterwards `sudo rm /etc/sudoers.d/wsl-gpu-docker`; or " in r.fix and fix in r.fix
    assert not r.by_deploy


def test_coming_through_sudo_passes_by_itself_unless_the_users_sudo_cannot_take_a_password():
    r = check("sudo.askpass")
    assert r.status == PASS and r.found == ("doctor came through alice's sudo (/usr/bin/sudo, sudo-rs "
                                            "0.2.13-0ubuntu1), so pyinfra drives it")
    # As root, with no runuser on the stand-in's PATH, the script cannot run as alice: doctor got in, though.
    alone = sudo_facts(SUDO_RS_0_2_8, uid=0, sudo_user="alice")
    assert {k: v for k, v in alone.items() if v is not None} == {"sudo_user": "alice", "sudo.fix": []}
    assert check("sudo.askpass", **alone).found == "doctor came through alice's sudo, so pyinfra drives it"
    # A password sudo-rs 0.2.8 remembered let pyinfra's `sudo -n` in, or doctor was started with sudo.
    r = check("sudo.askpass", **sudo_facts(SUDO_RS_0_2_8, sudo_user="alice"))
    assert r.status == WARN and "as alice, the sudo on PATH (/usr/bin/sudo) is sudo-rs 0.2.8" in r.found
    assert "update-alternatives --set sudo /usr/bin/sudo.ws" in r.fix


def test_root_needs_no_sudo_and_no_sudo_at_all_fails():
    r = check("sudo.askpass", **sudo_facts(SUDO_RS_0_2_5, uid=0))
    assert (r.status, r.found) == (PASS, "doctor runs as root, so pyinfra needs no sudo")
    r = check("sudo.askpass", **as_alice())
    assert r.status == FAIL and r.found.startswith("no sudo on alice's PATH")
    assert r.fix == ("run ./setup.sh as root; or as root, install sudo and let alice use it (then log in "
                     "again): `apt-get install sudo && usermod -aG sudo alice`")


def test_a_sudo_that_names_itself_neither_way_or_no_verdict_only_informs():
    r = check("sudo.askpass", **as_alice("usage: sudo -h | -K | -k | -V\n", "usr/bin"))
    assert r.status == INFO and "/usr/bin/sudo answers `sudo --version` with 'usage: sudo -h" in r.found
    assert check("sudo.askpass", **{"euid": "1000", "sudo.verdict": None}).status == INFO
