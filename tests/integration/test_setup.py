"""The README's set-up command on a fresh distro: no pip, no venv, a sudo password asked once."""

import json
import os
import pty
import re
import select
import subprocess
import time
from pathlib import Path

import pytest
import testinfra

from tasks.doctor.checks.sudo import check_sudo
from tasks.doctor.facts import DoctorFacts
from tasks.settings import validate
from testbed.harness import CHECKOUT, TWIN_SETTINGS, clone_into
from testbed.stack import assert_converged
from testbed.twin.image import debian_mirror
from testbed.twin.twin import WSL_PATH

pytestmark = pytest.mark.integration

PROMPT = b"sudo password:"
# sudo's own prompt (Debian's sudo 1.9), where setup.sh runs pyinfra as root with the machine's settings.
SUDO_PROMPT = b"password for dev:"
SETTINGS = "/etc/wsl-gpu-docker/settings"
PULL_URL = "https://git.corp.example/team/wsl-gpu-docker.git"


def run_in_terminal(args: list[str], password: str, timeout: float,
                    prompt: bytes = PROMPT) -> tuple[int, str, int]:
    """Run args on a terminal, answering each sudo prompt; returns (exit status, output, prompts)."""
    pid, fd = pty.fork()
    if pid == 0:  # child: the terminal is its stdin, stdout and stderr
        os.execvp(args[0], args)
    output, prompts, deadline = b"", 0, time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 1)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
        while output.count(prompt) > prompts:
            prompts += 1
            os.write(fd, password.encode() + b"\n")
    else:
        os.kill(pid, 9)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), output.decode(errors="replace"), prompts


# What `wsl --install` gives today, Debian's stable release, and the Ubuntu most teams run.
@pytest.mark.parametrize("platform", ["ubuntu-26.04", "debian-13", "ubuntu-24.04"])
def test_setup_sh_converges_a_fresh_distro_as_its_sudo_user(platform, make_twin, mirrors):
    twin = make_twin(platform)
    assert twin.exec("python3 -m pip --version", check=False).returncode != 0, "no pip, as on WSL"
    assert twin.exec("python3 -m venv /tmp/v", check=False).returncode != 0, "no venv, as on WSL"
    clone_into(twin)
    # The mirrors' settings, given the pyinfra way for @local: group data for all hosts.
    settings = {**mirrors.settings(), "docker_daemon_options": TWIN_SETTINGS["docker_daemon_options"]}
    data = "".join(f"{name} = {value!r}\n" for name, value in settings.items())
    twin.exec("mkdir -p /home/dev/data && cat > /home/dev/data/all.py", user="dev", input=data)

    command = ["docker", "exec", "-it", "-u", "dev", "-w", CHECKOUT, twin.id,
               "./setup.sh", "--group-data", "/home/dev/data"]
    status, output, prompts = run_in_terminal(command, password="dev", timeout=600)
    assert status == 0, output[-5000:]
    assert prompts == 1, output[-5000:]
    host = testinfra.get_host(twin.testinfra_target)
    assert "docker" in host.user("dev").groups, "the default docker user is the one who ran it"
    assert_converged(host, mirrors, platform)

    status, output, prompts = run_in_terminal(command, password="dev", timeout=300)
    assert status == 0 and prompts <= 1, output[-5000:]
    assert not re.search(r"\] Success", output), "a second run changes nothing"


def test_setup_sh_turns_pull_mode_on_in_the_machines_settings_and_a_later_plain_run_keeps_it(converged_twin,
                                                                                              mirrors):
    """A converged distro whose own settings cloud-init wrote (root-only, no pull mode yet): setup.sh's options
    keep pull_repo_url and pull_ref there, the timer comes, and the person's plain rerun, which reads them
    through one sudo, keeps it; that rerun installs nothing, so it needs no package index."""
    twin = converged_twin()
    clone_into(twin)
    data = "".join(f"{name} = {value!r}\n" for name, value in {**mirrors.settings(), **TWIN_SETTINGS}.items())
    twin.exec(f"mkdir -p {SETTINGS} && cat > {SETTINGS}/all.py && chmod 600 {SETTINGS}/all.py", input=data)
    host = testinfra.get_host(twin.testinfra_target)

    def setup(*args: str, env: tuple[str, ...] = ()) -> tuple[int, str, int]:
        command = ["docker", "exec", "-it", "-u", "dev", *env, "-w", CHECKOUT, twin.id, "./setup.sh", *args]
        return run_in_terminal(command, password="dev", timeout=600, prompt=SUDO_PROMPT)

    before = twin.snapshot()
    status, output, prompts = setup("--pull-repo-url", "git.corp.example/team", "--pull-ref", "main")
    assert status == 2 and prompts == 0, output
    assert "--pull-repo-url 'git.corp.example/team': pull_repo_url must be a git URL" in output
    assert "nothing was changed" in output
    assert twin.snapshot() == before and twin.exec(f"cat {SETTINGS}/all.py").stdout == data
    assert twin.exec(f"test -e {CHECKOUT}/.venv", check=False).returncode != 0, "no venv"

    status, output, prompts = setup("--pull-repo-url", PULL_URL, "--pull-ref", "v1.4")
    assert status == 0 and prompts == 1, output[-5000:]
    kept = host.file(f"{SETTINGS}/all.py")
    assert kept.user == "root" and kept.mode == 0o600
    assert kept.content_string.startswith(data), "the machine's other settings stay"
    assert f"pull_repo_url = {PULL_URL!r}\npull_ref = 'v1.4'\n" in kept.content_string
    timer = host.service("wsl-gpu-docker-pull.timer")
    assert timer.is_enabled and timer.is_running
    assert json.loads(twin.exec("cat /etc/wsl-gpu-docker/pull.json").stdout)["ref"] == "v1.4"
    assert twin.exec(f"find {CHECKOUT} ! -user dev").stdout == "", "root left nothing in dev's checkout"

    # No index answers, no proxy either: the venv is up to date, so none is asked.
    nowhere = ("-e", "PIP_INDEX_URL=http://127.0.0.1:9/simple", "-e", "https_proxy=http://127.0.0.1:9")
    status, output, prompts = setup(env=nowhere)
    assert status == 0 and prompts == 1, output[-5000:]
    assert not re.search(r"\] Success", output), "a plain rerun changes nothing: pull mode stays on"
    assert timer.is_enabled and timer.is_running
    assert twin.exec(f"find {CHECKOUT} ! -user dev").stdout == ""


@pytest.fixture(scope="module")
def debian13_sudo_rs(tmp_path_factory) -> Path:
    """Debian 13's own sudo-rs package (0.2.5), fetched with a scratch apt configuration: this
    machine's /etc/apt and package lists stay as they are."""
    folder = tmp_path_factory.mktemp("trixie")
    for sub in ("lists/partial", "cache/archives/partial", "sources.list.d"):
        (folder / sub).mkdir(parents=True)
    (folder / "sources.list").write_text("deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] "
                                         f"{debian_mirror()} trixie main\n")
    apt = [f"-oDir::Etc::SourceList={folder}/sources.list", f"-oDir::Etc::SourceParts={folder}/sources.list.d",
           f"-oDir::State::Lists={folder}/lists", f"-oDir::Cache={folder}/cache", "-oAPT::Sandbox::User=root"]
    subprocess.run(["apt-get", *apt, "-qq", "update"], check=True, capture_output=True, timeout=300)
    subprocess.run(["apt-get", *apt, "-qq", "download", "sudo-rs"], cwd=folder, check=True, capture_output=True,
                   timeout=300)
    (deb,) = folder.glob("sudo-rs_0.2.5-*.deb")
    return deb


@pytest.fixture(params=["debian-12", "debian-13"])
def sudo_rs_twin(request, make_twin, debian13_sudo_rs):
    """A twin with Debian 13's sudo-rs 0.2.5 installed and the checkout cloned for dev. On Debian 12
    dpkg refuses the package as it stands (Depends: libc6 >= 2.39; bookworm has 2.36), but its binary
    needs only GLIBC_2.34, so it goes in unchanged with --force-depends-version; on Debian 13 as is."""
    twin = make_twin(platform=request.param)
    deb = debian13_sudo_rs
    force = "--force-depends-version" if request.param == "debian-12" else ""
    subprocess.run(["docker", "cp", str(deb), f"{twin.id}:/var/tmp/{deb.name}"], check=True)
    twin.exec(f"dpkg {force} -i /var/tmp/{deb.name} >/dev/null 2>&1; rm /var/tmp/{deb.name}")
    assert twin.exec("dpkg-query -W -f='${Status} ${Version}' sudo-rs").stdout.startswith("install ok installed 0.2.5")
    clone_into(twin)
    return twin


# How Debian 13 makes sudo-rs the `sudo` a user gets (sudo-rs's README): /usr/lib/cargo/bin first on PATH.
SUDO_RS_FIRST = ["-e", f"PATH=/usr/lib/cargo/bin:{WSL_PATH}"]


def as_dev(twin, command: str) -> subprocess.CompletedProcess:
    """`sh -c command` as dev in the checkout, with sudo-rs as dev's sudo."""
    return subprocess.run(["docker", "exec", "-u", "dev", *SUDO_RS_FIRST, "-w", CHECKOUT, twin.id, "sh", "-c", command],
                          capture_output=True, text=True, timeout=60)


def test_setup_sh_refuses_a_sudo_rs_without_askpass_before_changing_anything(sudo_rs_twin):
    twin = sudo_rs_twin
    assert as_dev(twin, "command -v sudo && sudo --version 2>&1").stdout == "/usr/lib/cargo/bin/sudo\nsudo-rs 0.2.5\n"
    home = "find /home/dev -printf '%y %m %s %p\\n' | sort"
    before, home_before = twin.snapshot(), twin.exec(home).stdout

    command = ["docker", "exec", "-it", "-u", "dev", *SUDO_RS_FIRST, "-w", CHECKOUT, twin.id, "./setup.sh"]
    started = time.monotonic()
    status, output, prompts = run_in_terminal(command, password="dev", timeout=120)
    output = output.replace("\r\n", "\n")
    assert status != 0, output
    assert time.monotonic() - started < 30, "fails fast, before pip or pyinfra"
    assert prompts == 0, "nothing asked for the password"
    assert "Traceback" not in output
    assert "the sudo on PATH (/usr/lib/cargo/bin/sudo) is sudo-rs 0.2.5, which has\nno -A" in output
    assert "echo 'dev ALL=(ALL) NOPASSWD: ALL' | sudo tee /etc/sudoers.d/wsl-gpu-docker" in output
    assert "PATH=/usr/bin:$PATH ./setup.sh" in output

    assert twin.exec(f"test -e {CHECKOUT}/.venv", check=False).returncode != 0, "no venv"
    assert twin.exec(home).stdout == home_before, "nothing new in dev's home (no pip cache, no venv)"
    assert twin.snapshot() == before, "/etc, the keyrings, the packages and the enabled units are as they were"


def test_the_fixes_it_names_work_with_the_real_sudo_rs(sudo_rs_twin):
    twin = sudo_rs_twin
    refusal = as_dev(twin, "sh files/sudo-check.sh")
    assert refusal.returncode == 1, refusal

    # sudo.ws first on PATH, as the message says: the check passes, sudo.ws has -A.
    assert as_dev(twin, "PATH=/usr/bin:$PATH sh files/sudo-check.sh").returncode == 0

    # The drop-in it prints, written as its own command would (root's part done here as root).
    line, path, mode = re.search(r"echo '(.+)' \| sudo tee (\S+) && sudo chmod (\d+) ", refusal.stderr).groups()
    twin.exec(f"echo '{line}' > {path} && chmod {mode} {path}")
    assert as_dev(twin, "sh files/sudo-check.sh").returncode == 0
    # pyinfra's own form of a command with passwordless sudo, through sudo-rs 0.2.5.
    proc = as_dev(twin, "command -v sudo; sudo -H -n sh -c 'id -u'")
    assert proc.stdout == "/usr/lib/cargo/bin/sudo\n0\n", proc


def test_doctors_own_command_finds_the_same_sudo_rs_as_dev_and_through_sudo(sudo_rs_twin):
    """Doctor's one command on the real sudo-rs 0.2.5: as dev (doctor without --sudo), and as root with
    SUDO_USER=dev (doctor under --sudo), where it runs the check as dev with runuser."""
    twin = sudo_rs_twin
    before = twin.snapshot()

    def doctor_facts(*user: str, path: str = f"/usr/lib/cargo/bin:{WSL_PATH}") -> dict:
        proc = subprocess.run(["docker", "exec", *user, "-e", f"PATH={path}", twin.id, "sh", "-c",
                               DoctorFacts().command()], capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        return DoctorFacts().process(proc.stdout.splitlines())

    as_dev, through_sudo = doctor_facts("-u", "dev"), doctor_facts("-e", "SUDO_USER=dev")
    for facts in (as_dev, through_sudo):
        found = {k: facts.get(f"sudo.{k}") for k in ("verdict", "path", "version")}
        assert found == {"verdict": "no-askpass", "path": "/usr/lib/cargo/bin/sudo", "version": "sudo-rs 0.2.5"}
        assert any("echo 'dev ALL=(ALL) NOPASSWD: ALL' | sudo tee" in fix for fix in facts["sudo.fix"]), facts
    assert as_dev["sudo.fix"] == through_sudo["sudo.fix"]
    assert check_sudo(as_dev, validate({})).status == "FAIL"
    assert check_sudo(through_sudo, validate({})).status == "WARN", "came through sudo, yet this one has no -A"
    # With /usr/lib/cargo/bin off PATH dev's sudo is sudo.ws, and doctor coming through it is a PASS.
    ws = doctor_facts("-e", "SUDO_USER=dev", path=WSL_PATH)
    assert (ws["sudo.verdict"], ws["sudo.path"]) == ("askpass", "/usr/bin/sudo")
    assert ws["sudo.version"].startswith("Sudo version 1.9.")
    assert check_sudo(ws, validate({})).status == "PASS"
    assert twin.snapshot() == before, "doctor's command changed nothing"
