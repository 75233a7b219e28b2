"""One deploy run at a time on a host: who started a run, and what the snapshot's run lock says of another."""

from __future__ import annotations

import getpass
import os
import socket
import sys

from tasks.findings import FAIL, Finding, failure
from tasks.managed import RUN_LOCK
from tasks.masking import masked

# The findings that stop a run before it reads anything, each a FAIL.
BUSY, NOT_ROOT = "runlock.busy", "runlock.not-root"
IDS = {BUSY: FAIL, NOT_ROOT: FAIL}
# What started the run, when not a person at a terminal: files/cloud-init/first-boot.sh sets it.
STARTED_BY_ENV = "WSL_GPU_DOCKER_STARTED_BY"


def started_by(environ=None, stdin=None) -> str:
    """What started this run and where pyinfra runs, one line for the lock's holder: no secret in it."""
    environ, stdin = os.environ if environ is None else environ, sys.stdin if stdin is None else stdin
    who = environ.get(STARTED_BY_ENV) or ("a person" if stdin and stdin.isatty() else "cron or a script")
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid())
    text = f"{who} (pyinfra pid {os.getpid()} on {socket.gethostname()} as {user})"
    return masked(" ".join(text.split()))


def holder(lock: dict) -> str:
    """The run holding (or that held) the lock, as its lines in the lock file say."""
    pid = lock.get("holder_pid") or "unknown"
    comm = f" ({lock['holder_comm']})" if lock.get("holder_comm") else ""
    since = lock.get("holder_since") or "an unknown time"
    return f"pid {pid}{comm} on this host, since {since}, started by {lock.get('holder_by') or 'an unknown starter'}"


def lock_problem(lock: dict | None) -> Finding | None:
    """Why this run may not go on, or None: the snapshot took the lock (or was not asked to)."""
    if lock is None or lock.get("lock") == "taken":
        return None
    if lock.get("lock") == "busy":
        pid = lock.get("holder_pid") or "PID"
        return failure(BUSY, f"another run of this deploy holds {RUN_LOCK}: {holder(lock)}; this run waited "
                       f"{lock.get('waited', '?')} s (run_lock_timeout) and changed nothing",
                       "wait for that run to end and run again, or raise run_lock_timeout; if it hangs, end it "
                       f"with `sudo kill {pid}`")
    return failure(NOT_ROOT, f"{RUN_LOCK} cannot be opened: the deploy changes the system, so it runs as root",
                   "run it with --sudo (./setup.sh does)")


def waited_note(lock: dict | None) -> str | None:
    """What the run says when it had to wait for another, or None."""
    if not lock or lock.get("lock") != "taken" or "waited" not in lock:
        return None
    return f"Waited {lock['waited']} s for another run of this deploy to end: {holder(lock)}"
