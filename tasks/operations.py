"""Custom operations: a gate that stops a host with a message, steps left, a file written atomically."""

from __future__ import annotations

import hashlib
import time
from io import StringIO
from typing import Callable

from pyinfra import host, logger
from pyinfra.api import FileUploadCommand, FunctionCommand, QuoteString, StringCommand, operation
from pyinfra.facts.files import Sha256File
from pyinfra.operations import files

from tasks.managed import STATE_DIR

# One stamp for every backup a run makes, so that its steps can find each other's backups.
BACKUP_STAMP = time.strftime("%Y%m%d-%H%M%S")
# Where a file others may not read is made before it replaces its dest: root's own folder, on /etc's
# filesystem, so that the last step is a rename.
STAGE_DIR = STATE_DIR
# Where such a file's upload lands first. Over SSH with sudo, pyinfra's connector writes it as the
# login user, with SFTP's default mode (0644), then copies it as root: a folder only that user may
# enter keeps it from the others. Under /run, where only root creates, so that no one else can
# make the folder first.
UPLOAD_DIR = "/run/wsl-gpu-docker-upload"


class NoChange:
    """What a step that has nothing to do returns in place of its operation: it changes nothing, so
    `any_changed` and `will_change` read it as they read an operation that did nothing."""

    will_change = False
    changed = False

    def did_change(self) -> bool:
        return False

    def did_not_change(self) -> bool:
        return True


NO_CHANGE = NoChange()


def ops_planned() -> int:
    """The operations planned for this host so far: a step plans one only where the snapshot shows
    work to do, so an unchanged count means nothing has changed since the snapshot."""
    return host.state.get_meta_for_host(host).ops


def backup_path(path: str, folder: str | None = None) -> str:
    """Where this run keeps path's previous content: beside it, or in folder."""
    head, _, base = path.rpartition("/")
    return f"{folder or head}/{base}.bak-{BACKUP_STAMP}"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def is_private(mode: str) -> bool:
    """A file of this mode (octal text) is not readable by others."""
    return not int(mode, 8) & 0o004


def private_put(text: str, dest: str, mode: str):
    """
    Commands that put text at dest, in a folder they make root's only (0700), with mode: no copy
    of it on the way is readable by others at any moment, whichever connector uploads it.
    """
    name = dest.rpartition("/")[2]
    yield StringCommand("install -d -m 0700", QuoteString(dest.rpartition("/")[0]),
                        f"&& rm -rf {UPLOAD_DIR} && mkdir -m 0700 {UPLOAD_DIR}",
                        f'&& chown "${{SUDO_USER:-$(id -un)}}" {UPLOAD_DIR}')
    yield FileUploadCommand(StringIO(text), dest, remote_temp_filename=f"{UPLOAD_DIR}/{name}")
    yield StringCommand("chmod", mode, QuoteString(dest), f"&& rm -rf {UPLOAD_DIR}")


def _stop(state, host, message):
    host.log_styled(message, fg="red", log_func=logger.error)
    return False


@operation(is_idempotent=True)
def checks_pass(problems: list[str], strict: bool = True, title: str = "checks failed"):
    """
    Stop this host, naming each problem, unless there are none; with strict=False they
    are printed as warnings and the run goes on.
    """
    if not problems:
        host.noop("all checks pass")
        return
    message = "\n".join(f"  - {p}" for p in problems)
    if strict:
        yield FunctionCommand(_stop, [f"{title}:\n{message}"], {})
    elif host.state.is_executing:
        host.log_styled(f"checks failed (preflight_strict is off):\n{message}",
                        fg="yellow", log_func=logger.warning)


@operation(is_idempotent=True)
def steps_left(steps: list[tuple[str, Callable[[], bool] | None]]):
    """Print the steps left to the user; a step with a condition only when it holds by then."""
    if host.state.is_executing:
        due = [text for text, applies in steps if applies is None or applies()]
        lines = "\n".join(f"  {n}. {text}" for n, text in enumerate(due, 1))
        host.log_styled(f"Steps left to you:\n{lines or '  none'}", fg="yellow", log_func=logger.warning)
    yield from ()  # only prints: an operation that changes nothing


@operation()
def file_content(dest: str, text: str, mode: str = "644", backup_dir: str | None = None,
                 check: Callable[[str], str] | None = None, backup: str | None = None):
    """
    dest holds exactly text, written atomically. A different previous file is kept as a
    timestamped backup beside it (or in backup_dir; or at backup, for a caller that needs it
    later), and the run says where. check, given the new file's path, makes the command that
    must pass before the new file replaces dest. A file others may not read is made in STAGE_DIR,
    so its dest must be on STAGE_DIR's filesystem (below its parent folder).
    """
    current = host.get_fact(Sha256File, path=dest)
    if current == sha256(text):
        host.noop(f"{dest} is up to date")
        return
    if is_private(mode):
        if not dest.startswith(f"{STAGE_DIR.rpartition('/')[0]}/"):
            raise ValueError(f"{dest}: a file of mode {mode} is staged in {STAGE_DIR}, on another filesystem")
        candidate = f"{STAGE_DIR}/{dest.rpartition('/')[2]}.new"
        yield from private_put(text, candidate, mode)
    else:
        candidate = f"{dest}.new"
        yield from files.put._inner(src=StringIO(text), dest=candidate, mode=mode)
    if check:
        yield check(candidate)
    if current:
        backup = backup or backup_path(dest, backup_dir)
        if host.state.is_executing:
            host.log_styled(f"previous {dest} kept as {backup}", fg="blue", log_func=logger.info)
        yield StringCommand("install -d", QuoteString(backup.rpartition("/")[0]),
                            "&& cp -p", QuoteString(dest), QuoteString(backup))
    yield StringCommand("mv -f", QuoteString(candidate), QuoteString(dest))
