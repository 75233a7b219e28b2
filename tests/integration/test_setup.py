"""The README's set-up command on a fresh distro: no pip, no venv, a sudo password asked once."""

import os
import pty
import re
import select
import subprocess
import time

import pytest
import testinfra
from conftest import ROOT, TWIN_SETTINGS

pytestmark = pytest.mark.integration

CHECKOUT = "/home/dev/wsl-gpu-docker"
PROMPT = b"sudo password:"


def run_in_terminal(args: list[str], password: str, timeout: float) -> tuple[int, str, int]:
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
        while output.count(PROMPT) > prompts:
            prompts += 1
            os.write(fd, password.encode() + b"\n")
    else:
        os.kill(pid, 9)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), output.decode(errors="replace"), prompts


def test_setup_sh_converges_a_fresh_distro_as_its_sudo_user(make_twin, mirrors):
    twin = make_twin()
    assert twin.exec("python3 -m pip --version", check=False).returncode != 0, "no pip, as on WSL"
    assert twin.exec("python3 -m venv /tmp/v", check=False).returncode != 0, "no venv, as on WSL"
    archive = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, check=True)
    files = subprocess.run(["tar", "-C", str(ROOT), "--null", "-T", "-", "-c"],
                           input=archive.stdout, capture_output=True, check=True).stdout
    subprocess.run(["docker", "exec", "-i", "-u", "dev", twin.id, "sh", "-c",
                    f"mkdir -p {CHECKOUT} && tar -C {CHECKOUT} -x"], input=files, check=True)
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
    assert host.package("nvidia-container-toolkit").is_installed
    assert "nvidia" in host.check_output("docker info --format '{{json .Runtimes}}'")

    status, output, prompts = run_in_terminal(command, password="dev", timeout=300)
    assert status == 0 and prompts <= 1, output[-5000:]
    assert not re.search(r"\] Success", output), "a second run changes nothing"
