"""files/sudo-check.sh against stand-in sudos that answer `sudo --version` as the real ones do."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECK = ROOT / "files" / "sudo-check.sh"

# VERBATIM  Debian 13's sudo-rs_0.2.5-5+deb13u1_amd64.deb: /usr/lib/cargo/bin/sudo --version, on stderr
SUDO_RS_0_2_5 = "sudo-rs 0.2.5\n"
# DERIVED   sudo-rs's src/sudo/mod.rs prints "sudo-rs {VERSION}", the crate's version; Ubuntu 25.10's
#           package is "based on v0.2.8" (sudo-rs README); its build may add the package revision
SUDO_RS_0_2_8 = "sudo-rs 0.2.8\n"
# VERBATIM  trifectatechfoundation/sudo-rs#1567: `sudo --version` on a clean Ubuntu 26.04 (on stdout:
#           src/sudo/mod.rs uses println there now, DERIVED)
SUDO_RS_0_2_13_UBUNTU = "sudo-rs 0.2.13-0ubuntu1\n"
# VERBATIM  Debian 12's sudo 1.9.13p3: `sudo --version` as a user (the twin image), on stdout
SUDO_WS_1_9_13P3 = (
    "Sudo version 1.9.13p3\n"
    "Sudoers policy plugin version 1.9.13p3\n"
    "Sudoers file grammar version 50\n"
    "Sudoers I/O plugin version 1.9.13p3\n"
    "Sudoers audit plugin version 1.9.13p3\n"
)
# VERBATIM  sudo.ws, and sudo-rs 0.2.5 (the Debian 13 binary), to `sudo -n true` without a cached password
NEEDS_PASSWORD = {"sudo": "sudo: a password is required", "sudo-rs": "sudo-rs: interactive authentication is required"}


class Machine:
    """A PATH of stand-ins: `sudo` (answers --version, `sudo -n ...` and logs every call), `id`, and the
    few real tools the check uses, so no real sudo or other program of this machine is in reach."""

    def __init__(self, root: Path, uid: int = 1000, user: str = "dev"):
        self.root, self.log = root, root / "sudo-calls"
        self.tools = root / "tools"
        self.tools.mkdir(parents=True)
        for tool in ("sh", "dirname", "readlink", "head"):
            (self.tools / tool).symlink_to(shutil.which(tool))
        self._write(self.tools / "id", f'#!/bin/sh\n[ "$1" = -un ] && echo {user} || echo {uid}\n')
        self.path = [self.tools]

    def sudo(self, version_text: str, *, where: str = "usr/lib/cargo/bin", stderr: bool = False,
             passwordless: bool = False) -> Path:
        """Put a stand-in sudo at root/where/sudo, first on PATH; returns its path."""
        sudo = self.root / where / "sudo"
        sudo.parent.mkdir(parents=True, exist_ok=True)
        name = version_text.split()[0]
        refusal = f"echo '{NEEDS_PASSWORD.get(name, NEEDS_PASSWORD['sudo'])}' >&2; exit 1"
        self._write(sudo, f"""#!/bin/sh
printf '%s\\n' "$*" >> {self.log}
if [ "$1" = --version ]; then
    printf %s '{version_text}' >&{2 if stderr else 1}
    exit 0
fi
{"exit 0" if passwordless else refusal}
""")
        self.path.insert(0, sudo.parent)
        return sudo

    def alternatives(self, version_text: str, *, sudo_ws: bool = True) -> Path:
        """Ubuntu's layout: usr/bin/sudo -> etc/alternatives/sudo -> usr/lib/cargo/bin/sudo (sudo-rs)."""
        target = self.sudo(version_text)
        self.path.remove(target.parent)
        (self.root / "etc/alternatives").mkdir(parents=True)
        (self.root / "etc/alternatives/sudo").symlink_to(target)
        (self.root / "usr/bin").mkdir(parents=True)
        (self.root / "usr/bin/sudo").symlink_to(self.root / "etc/alternatives/sudo")
        if sudo_ws:
            self._write(self.root / "usr/bin/sudo.ws", "#!/bin/sh\nexit 1\n")
        self.path.insert(0, self.root / "usr/bin")
        return self.root / "usr/bin/sudo"

    def run(self, script: Path = CHECK, cwd: Path | None = None, *args: str,
            env: dict | None = None) -> subprocess.CompletedProcess:
        env = {"PATH": ":".join(map(str, self.path)), "HOME": str(self.root), **(env or {})}
        return subprocess.run(["/bin/sh", str(script), *args], env=env, cwd=cwd, capture_output=True,
                              text=True, timeout=30)

    def facts(self) -> dict:
        """What `sudo-check.sh --facts` says, as {key: value}, every fix= line in "fix"."""
        proc = self.run(CHECK, None, "--facts")
        assert (proc.returncode, proc.stderr) == (0, ""), proc
        facts: dict = {"fix": []}
        for line in proc.stdout.splitlines():
            key, _, value = line.partition("=")
            facts["fix"].append(value) if key == "fix" else facts.setdefault(key, value)
        return facts

    @property
    def sudo_calls(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []

    @staticmethod
    def _write(path: Path, text: str) -> None:
        path.write_text(text)
        path.chmod(0o755)


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
