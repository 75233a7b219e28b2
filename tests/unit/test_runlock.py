"""One run at a time: files/lib/run-lock.sh run by plain sh on a lock in a tmp dir, and what the run says of it."""

import io
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tasks.facts import HostSnapshot
from tasks.managed import RUN_LOCK
from tasks.runlock import STARTED_BY_ENV, lock_problem, started_by, waited_note
from tasks.shell import FILES, shell_script

# Stands for pyinfra: runs the lock's part of the snapshot, prints what it said, then lives until its
# stdin closes. Its shell's parent chain (sh, then this python) ends at it: it is the run's anchor.
# With times > 1 it takes it again in as many commands, as a run that read the host twice would.
ANCHOR = """
import subprocess, sys
for _ in range(int(sys.argv[1])):
    out = subprocess.run(["sh", "-c", '. "$0"; run_lock "$@"; echo "rc=$?"; echo "$RUN_LOCK"', *sys.argv[2:]],
                         capture_output=True, text=True, timeout=60)
    print(out.stdout + out.stderr + "--", flush=True)
sys.stdin.read()
"""


class Run:
    """One anchor process that takes (or tries to take) the lock: its pid and, once it has, what the script said."""

    def __init__(self, lock, seconds: int, by: str, times: int = 1):
        self.proc = subprocess.Popen([sys.executable, "-c", ANCHOR, str(times), str(FILES / "lib/run-lock.sh"),
                                      str(lock), str(seconds), by],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self._said = None

    @property
    def said(self) -> dict:
        if self._said is None:
            lines = []
            while (line := self.proc.stdout.readline().rstrip("\n")) != "--":
                lines.append(line)
            self._said = {key: value for key, _, value in (line.partition("=") for line in lines)}
        return self._said

    @property
    def comm(self) -> str:
        return Path(f"/proc/{self.proc.pid}/comm").read_text().strip()

    def end(self, sig=None) -> None:
        if sig:
            self.proc.send_signal(sig)
        else:
            self.proc.stdin.close()
        self.proc.wait(timeout=10)


def held(lock) -> bool:
    """Whether a lock on the file is held (not only waited for): /proc/locks names it by inode."""
    inode = os.stat(lock).st_ino
    return any(line.split()[5].endswith(f":{inode}") for line in open("/proc/locks") if "->" not in line)


def holding(lock) -> list[int]:
    """The processes with the lock file open."""
    pids = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:  # a process may end while it is read
            if any(os.readlink(f"/proc/{pid}/fd/{fd}") == str(lock) for fd in os.listdir(f"/proc/{pid}/fd")):
                pids.append(int(pid))
        except OSError:
            continue
    return pids


def free_within(lock, seconds: float) -> float:
    start = time.monotonic()
    while held(lock):
        assert time.monotonic() - start < seconds, f"still held by {holding(lock)}"
        time.sleep(0.05)
    return time.monotonic() - start


@pytest.fixture
def lock(tmp_path):
    return tmp_path / "wsl-gpu-docker.lock"


def test_a_run_keeps_the_lock_while_it_lives_and_the_next_one_waits_for_it_and_names_it(lock):
    first = Run(lock, 5, "a person (pyinfra pid 1 on laptop as dev)")
    assert first.said["rc"] == "0" and first.said["lock"] == "taken" and "waited" not in first.said
    by = "by=a person (pyinfra pid 1 on laptop as dev)"
    assert lock.read_text() == f"pid={first.proc.pid}\ncomm={first.comm}\n{by}\n", "the run's own lines"
    assert held(lock), "its command returned, the lock stays with the run"

    second = Run(lock, 1, "cron or a script")
    assert second.said["rc"] == "1" and second.said["lock"] == "busy" and second.said["waited"] == "1"
    assert second.said["holder_pid"] == str(first.proc.pid) and second.said["holder_comm"] == first.comm
    assert second.said["holder_by"] == "a person (pyinfra pid 1 on laptop as dev)"
    assert time.strptime(second.said["holder_since"], "%Y-%m-%d %H:%M:%S UTC")
    second.end()

    third = Run(lock, 10, "the timer")
    time.sleep(0.5)
    first.end()
    assert third.said["lock"] == "taken" and 0 <= int(third.said["waited"]) <= 2, third.said
    assert third.said["holder_pid"] == str(first.proc.pid)
    third.end()
    assert free_within(lock, 1.5) < 1.5, "the holder goes within ~0.1 s of its run"


def test_a_run_takes_it_again_at_once_and_keeps_one_holder(lock):
    run = Run(lock, 5, "a person", times=2)
    assert run.said["lock"] == "taken"
    run._said = None
    started = time.monotonic()
    assert run.said == {"rc": "0", "lock": "taken"} and time.monotonic() - started < 1
    assert len(holding(lock)) == 1
    run.end()
    free_within(lock, 1.5)


def test_a_run_killed_with_sigkill_no_longer_blocks(lock):
    first = Run(lock, 5, "a person")
    assert first.said["lock"] == "taken"
    first.end(signal.SIGKILL)
    free_within(lock, 1.5)
    second = Run(lock, 0, "a person")
    assert second.said["lock"] == "taken", second.said
    second.end()


def test_a_holder_killed_with_sigkill_lets_go_at_once(lock):
    first = Run(lock, 5, "a person")
    assert first.said["lock"] == "taken"
    (pid,) = holding(lock)  # the detached holder alone: the script and its python let go
    deadline = time.monotonic() + 1  # setsid forks it, then it becomes tail
    while Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0] != b"tail":
        assert time.monotonic() < deadline
        time.sleep(0.01)
    os.kill(pid, signal.SIGKILL)
    free_within(lock, 0.5)
    second = Run(lock, 0, "a person")
    assert second.said["lock"] == "taken", second.said
    second.end()
    first.end()


def test_a_lock_that_cannot_be_opened_is_said(tmp_path):
    run = Run(tmp_path / "no-such-folder/lock", 5, "a person")
    assert run.said["rc"] == "1" and run.said["lock"] == "unavailable"
    run.end()


def snapshot(lock, seconds: int = 0) -> list[str]:
    """host-snapshot.sh with stand-in commands, as HostSnapshot sends it with a lock (None: as doctor, without)."""
    command = shell_script("host-snapshot.sh", HOST="echo distro=debian", DAEMON_JSON="echo exists",
                           STACK="echo pkg=ii docker-ce 1", RUNTIMES="true", DOCKER_CONFIG="",
                           **({"LOCK": str(lock), "LOCK_WAIT": str(seconds), "STARTED_BY": "a person"} if lock else {}))
    # Under a python of its own, its anchor, which ends with it: the lock does not outlive it.
    run = [sys.executable, "-c", "import subprocess, sys; subprocess.run(sys.argv[1:])", "sh", "-c", command]
    return subprocess.run(run, capture_output=True, text=True, timeout=30).stdout.splitlines()


def test_the_snapshot_takes_the_lock_first_and_reads_nothing_while_another_run_holds_it(lock):
    free = HostSnapshot().process(snapshot(lock, 0))
    assert free["lock"] == {"lock": "taken"} and free["distro"] == "debian"
    assert free["stack"]["packages"] == {"docker-ce": "1"}
    free_within(lock, 1.5)
    holder = subprocess.Popen(["flock", str(lock), "sleep", "30"])
    try:
        time.sleep(0.2)
        output, doctors = snapshot(lock, 0), snapshot(None)
    finally:
        holder.kill()
    assert output[0] == "[lock]" and "lock=busy" in output and not any(line.startswith("distro=") for line in output)
    busy = HostSnapshot().process(output)
    assert busy["lock"]["lock"] == "busy" and "distro" not in busy
    read = HostSnapshot().process(doctors)
    assert read["lock"] is None and read["distro"] == "debian", "doctor reads on, taking no lock"


def test_doctor_takes_no_lock_and_the_deploy_names_what_started_it():
    assert RUN_LOCK not in HostSnapshot().command()
    command = HostSnapshot().command(lock_wait=600)
    assert f"LOCK={RUN_LOCK} LOCK_WAIT=600 'STARTED_BY=" in command
    assert f" (pyinfra pid {os.getpid()} on {socket.gethostname()} as " in command


# --- what the run says ------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_what_started_a_run():
    where = f"(pyinfra pid {os.getpid()} on {socket.gethostname()} as "
    assert started_by({STARTED_BY_ENV: "the first boot (cloud-init)"}, Terminal()).startswith(
        f"the first boot (cloud-init) {where}")
    assert started_by({}, Terminal()).startswith(f"a person {where}")
    assert started_by({}, io.StringIO()).startswith(f"cron or a script {where}")
    assert "\n" not in started_by({STARTED_BY_ENV: "the\ntimer"}, io.StringIO())
    # cloud-init's first boot says so, under the name read here.
    first_boot = (FILES / "cloud-init/first-boot.sh").read_text()
    assert f"\n{STARTED_BY_ENV}=$boot\nexport {STARTED_BY_ENV}\n" in first_boot


BUSY = {"lock": "busy", "waited": "2", "holder_pid": "4242", "holder_comm": "pyinfra",
        "holder_by": "the timer (pyinfra pid 4242 on laptop as dev)", "holder_since": "2026-12-06 17:50:01 UTC"}


def test_a_busy_lock_stops_the_run_naming_the_holder_and_the_fixes():
    found = lock_problem(BUSY)
    message = str(found)
    assert found.id == "runlock.busy" and found.status == "FAIL"
    assert (f"another run of this deploy holds {RUN_LOCK}: pid 4242 (pyinfra) on this host, since "
            "2026-12-06 17:50:01 UTC, started by the timer (pyinfra pid 4242 on laptop as dev)") in message
    assert "waited 2 s (run_lock_timeout)" in message
    assert "raise run_lock_timeout" in message and "`sudo kill 4242`" in message


def test_a_taken_lock_or_none_asked_lets_the_run_go_on_and_a_wait_is_told():
    assert lock_problem({"lock": "taken"}) is None and lock_problem(None) is None
    assert waited_note({"lock": "taken"}) is None and waited_note(None) is None
    note = waited_note({**BUSY, "lock": "taken", "waited": "12"})
    assert note.startswith("Waited 12 s for another run of this deploy to end: pid 4242 (pyinfra)")
    unavailable = lock_problem({"lock": "unavailable"})
    assert "--sudo" in str(unavailable) and unavailable.id == "runlock.not-root"


def test_a_run_started_by_the_lock_s_holder_takes_it_at_once_as_its_own(lock):
    # Stands for the pull timer's runner: a shell that holds the lock and starts a deploy (the anchor) as its child.
    script = FILES / "lib/run-lock.sh"
    starter = (f'. "{script}"; run_lock "$0" 5 "the pull timer" || exit 9; '
               f'"$1" -c "$2" 1 "{script}" "$0" 2 "a deploy" < /dev/null')
    started = time.monotonic()
    out = subprocess.run(["sh", "-c", starter, str(lock), sys.executable, ANCHOR],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out
    said = dict(line.partition("=")[::2] for line in out.stdout.splitlines() if "=" in line)
    assert said["rc"] == "0" and said["lock"] == "taken" and "waited" not in said, out.stdout
    assert time.monotonic() - started < 2, "it did not wait for its own starter"
    assert lock.read_text().endswith("by=the pull timer\n"), "the starter stays the holder"
