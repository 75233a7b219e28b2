"""One run at a time on a host: the second waits for the first; a held lock stops a run; a dead one blocks no one."""

import re
import subprocess
import sys

import pytest
import testinfra

from tasks.managed import DAEMON_JSON, RUN_LOCK
from testbed.harness import ROOT, TWIN_SETTINGS
from testbed.stack import assert_converged
from testbed.twin import ClientKey, free_port, ssh_host_data
from tests.integration.runs import DeployRun
from tests.integration.stack import settles

pytestmark = pytest.mark.integration

PLATFORM = "ubuntu-26.04"
NAME = "lock-twin"
# Stands for another run holding the lock: its lines in the lock file as a run writes them, then it sleeps.
HOLD = (
    "nohup python3 -c \"import fcntl, os, time; f = open('" + RUN_LOCK + "', 'a'); fcntl.flock(f, fcntl.LOCK_EX); "
    "f.truncate(0); f.write(f'pid={{os.getpid()}}\\ncomm=python3\\nby={by}\\n'); f.flush(); time.sleep(300)\""
    " >/dev/null 2>&1 & echo $!"
)


class SshRun(DeployRun):
    """One `pyinfra -y --sudo --json` run of deploy.py over SSH, started now; wait() for its end, which
    reads it."""

    def __init__(self, inventory):
        self.proc = subprocess.Popen([sys.executable, "-m", "pyinfra", "-y", "--sudo", "--json", str(inventory),
                                      "deploy.py"], cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)  # no terminal: "cron or a script"

    def wait(self) -> "SshRun":
        out, err = self.proc.communicate(timeout=900)
        super().__init__(subprocess.CompletedProcess(self.proc.args, self.proc.returncode, out, err))
        return self


@pytest.fixture(scope="module")
def lock_twin(platform_twin, mirrors, tmp_path_factory):
    """A fresh Ubuntu 26.04 twin that serves sshd, and an inventory that reaches it as a passwordless sudo user."""
    folder = tmp_path_factory.mktemp("lock")
    key = ClientKey(folder)
    with platform_twin(PLATFORM, ssh_port=free_port(), authorized_key=key.public, sudo_nopasswd=True) as twin:
        (folder / "known_hosts").write_text(twin.known_hosts())
        data = {**ssh_host_data(twin, key, folder / "known_hosts", sudo_password=None), **mirrors.settings(),
                **TWIN_SETTINGS}
        (folder / "inventory.py").write_text(f"hosts = [({NAME!r}, {data!r})]\n")
        yield twin, folder / "inventory.py"


def lock_is_free(twin) -> bool:
    return twin.exec(f"flock -w 1 {RUN_LOCK} true", check=False).returncode == 0


def test_two_runs_started_at_once_take_turns_and_both_succeed(lock_twin, mirrors):
    twin, inventory = lock_twin
    runs = [SshRun(inventory), SshRun(inventory)]
    first, second = (run.wait() for run in runs)
    assert first.returncode == 0, first
    assert second.returncode == 0, second
    waited = [run for run in runs if "Waited " in run.output]
    assert len(waited) == 1, runs
    (other,) = [run for run in runs if run is not waited[0]]
    said = re.search(r"Waited (\d+) s for another run of this deploy to end: pid \d+ \(sshd[-\w]*\) on this host, "
                     r"since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, started by cron or a script \(pyinfra pid (\d+) on ",
                     waited[0].output)
    assert said and int(said[2]) == other.proc.pid, waited[0]
    assert other.changed, other
    assert waited[0].changed == [], "it read the host once the first was done: nothing left to do"
    assert lock_is_free(twin), "the lock went with the runs"
    assert_converged(testinfra.get_host(twin.testinfra_target), mirrors, PLATFORM)
    again = SshRun(inventory).wait()
    assert again.returncode == 0 and again.changed == [] and "Waited " not in again.output, again


def test_a_run_that_waits_past_run_lock_timeout_stops_naming_the_holder_and_changes_nothing(lock_twin, run_deploy):
    twin, _ = lock_twin
    twin.exec(f"rm {DAEMON_JSON}")  # work for a run to do
    before = twin.snapshot()
    pid = twin.exec(HOLD.format(by="the timer (pyinfra pid 4242 on laptop as dev)")).stdout.strip()
    try:
        run = run_deploy(twin, run_lock_timeout=2)
        assert run.returncode != 0, run
        assert re.search(rf"another run of this deploy holds {RUN_LOCK}: pid {pid} \(python3\) on this host, since "
                         r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, started by the timer \(pyinfra pid 4242 on laptop as "
                         r"dev\); this run waited 2 s \(run_lock_timeout\)", run.output), run
        assert "raise run_lock_timeout" in run.output and f"`sudo kill {pid}`" in run.output, run
        assert run.changed == [], run
        assert twin.snapshot() == before, "nothing on the host changed"
        assert not lock_is_free(twin)
    finally:
        twin.exec(f"kill -KILL {pid}", check=False)


def test_a_holder_killed_with_sigkill_blocks_no_one(lock_twin, run_deploy):
    twin, _ = lock_twin
    pid = twin.exec(HOLD.format(by="a person")).stdout.strip()
    assert not lock_is_free(twin)
    twin.exec(f"kill -KILL {pid}")
    run = run_deploy(twin, run_lock_timeout=0)
    assert run.returncode == 0, run
    assert testinfra.get_host(twin.testinfra_target).file(DAEMON_JSON).exists, "it did its work"
    settles(run_deploy, twin)
