"""Custom operations: a gate that stops a host with a message, steps left, a file replaced atomically."""

from __future__ import annotations

import hashlib
import secrets
import time
from io import StringIO
from shlex import quote
from typing import Callable

from pyinfra import host, logger
from pyinfra.api import FileUploadCommand, FunctionCommand, QuoteString, StringCommand, operation
from pyinfra.facts.files import Sha256File

from tasks.findings import Finding, line
from tasks.managed import UPLOAD_DIR
from tasks.shell import shell_script

# One stamp for every backup a run makes, so that its steps can find each other's backups.
BACKUP_STAMP = time.strftime("%Y%m%d-%H%M%S")
# Names this run's temp files: two runs, even started in the same second, never write the same one.
RUN_TOKEN = secrets.token_hex(6)
# Another run's temp file older than this was left by a run that was killed; a younger one may be
# in flight in a run beside this one, which would fail to rename it if it were removed.
STALE_MINUTES = 1
# A file readable by all and at most this long is written by the one command that carries its text, where a
# longer one is uploaded: a command is one argument of `sh -c`, which Linux caps at 128 KiB (MAX_ARG_STRLEN).
INLINE_MAX = 32 * 1024


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


def content_is_right(state, path: str, text: str | None) -> bool:
    """path, as StackState read it before any change, holds exactly text, or is absent when text is None."""
    return state["files"].get(path) == (sha256(text) if text is not None else None)


def is_private(mode: str) -> bool:
    """A file of this mode (octal text) is not readable by others."""
    return not int(mode, 8) & 0o004


def temp_path(path: str) -> str:
    """Where this run writes path's new content (or a copy) before renaming it into place: beside it,
    so that the rename is atomic, and named for this run. The name ends in `~`, which apt skips without
    a word (its Dir::Ignore-Files-Silently) as every reader of *.conf, *.list or *.crt files skips it,
    so that one a killed run leaves behind is harmless."""
    head, _, base = path.rpartition("/")
    return f"{head}/.{base}.{RUN_TOKEN}~"


def stale_temps_removed(path: str, folder: str | None = None) -> str:
    """The command that removes, from path's folder (or folder), what killed runs left of temp_path(path)
    and of its backups' temps there (`.<name>.*~`)."""
    head, _, base = path.rpartition("/")
    return (f"find {quote(folder or head)} -maxdepth 1 -name {quote(f'.{base}.*~')}"
            f" -mmin +{STALE_MINUTES} -delete")


def private_put(text: str, dest: str, mode: str):
    """
    Commands that upload text to dest, a new file, with mode: no copy of it on the way is readable by
    others at any moment, whichever connector uploads it. dest, and where SSH with sudo lands the upload
    first (in a folder of this run's that only the login user may enter), are made empty and 0600
    before: an upload into an existing file keeps its mode (SFTP's open, `cp`), and a `cp` that copies
    its source's mode copies 0600.
    """
    upload = f"{UPLOAD_DIR}.{RUN_TOKEN}"
    landing = f"{upload}/{dest.rpartition('/')[2]}"
    yield shell_script("private-upload.sh", "before", dest, upload, landing)
    yield FileUploadCommand(StringIO(text), dest, remote_temp_filename=landing)
    yield shell_script("private-upload.sh", "after", dest, mode, upload)


def stop(state, host, message):
    """A FunctionCommand's function that fails this host, naming why in red: the gate of every check."""
    host.log_styled(message, fg="red", log_func=logger.error)
    return False


@operation(is_idempotent=True)
def checks_pass(problems: list[Finding], strict: bool = True, title: str = "checks failed"):
    """
    Stop this host, naming each problem, unless there are none; with strict=False they
    are printed as warnings and the run goes on.
    """
    if not problems:
        host.noop("all checks pass")
        return
    message = "\n".join(f"  - {line(p)}" for p in problems)
    if strict:
        yield FunctionCommand(stop, [f"{title}:\n{message}"], {})
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
                 check: Callable[[str], str] | None = None, backup: str | None = None, present: bool | None = None):
    """
    dest holds exactly text, replaced as Puppet's replace_file does: written to temp_path(dest), fsynced,
    checked, renamed into place, then its folder fsynced, so that a crash at any moment leaves dest
    either as it was or as it should be, never empty. Temps that killed runs left beside dest go first.
    A different previous file is kept as a timestamped backup beside it (or in backup_dir; or at backup,
    for a caller that needs it later), itself copied to a temp name, fsynced and renamed, and the run
    says where. check, given the new file's path, makes the command that must pass before the new file
    replaces dest. A file others may not read is readable by no one else at any moment (private_put). A file all
    may read (up to INLINE_MAX) takes one command, which carries its text. present is whether dest exists, for a
    caller whose snapshot, read before any change, has shown that dest differs from text: then dest is not read
    again. Without it (None), dest's digest is read when the operation runs, and a dest right by then is left.
    """
    if present is None:
        current = host.get_fact(Sha256File, path=dest)
        if current == sha256(text):
            host.noop(f"{dest} is up to date")
            return
        present = current is not None
    folder = dest.rpartition("/")[0]
    temp = temp_path(dest)
    made = ["mkdir -p", QuoteString(folder), "&&", stale_temps_removed(dest)]
    # Its mode, fsync and check: each only after the one before has passed.
    written = ["sync", QuoteString(temp), *(["&&", check(temp)] if check else [])]
    kept = []
    if present:
        backup = backup or backup_path(dest, backup_dir)
        if host.state.is_executing:
            host.log_styled(f"previous {dest} kept as {backup}", fg="blue", log_func=logger.info)
        copy, backups = temp_path(backup), backup.rpartition("/")[0]
        kept = ["&& install -d", QuoteString(backups), "&&", stale_temps_removed(dest, backups),
                "&& cp -p", QuoteString(dest), QuoteString(copy), "&& sync", QuoteString(copy),
                "&& mv -f", QuoteString(copy), QuoteString(backup), "&& sync", QuoteString(backups)]
    moved = ["&& mv -f", QuoteString(temp), QuoteString(dest), "&& sync", QuoteString(folder)]
    if is_private(mode):
        yield StringCommand(*made)
        yield from private_put(text, temp, mode)
        yield StringCommand(*written, *kept, *moved)
    elif len(text.encode()) > INLINE_MAX:
        yield StringCommand(*made)
        yield FileUploadCommand(StringIO(text), temp, remote_temp_filename=host.get_temp_filename(temp))
        yield StringCommand("chmod", mode, QuoteString(temp), "&&", *written, *kept, *moved)
    else:
        # Small and readable by all: the text travels inside the one command that writes it, no upload.
        yield StringCommand(*made, "&& printf %s", QuoteString(text), ">", QuoteString(temp), "&& chmod", mode,
                            QuoteString(temp), "&&", *written, *kept, *moved)
