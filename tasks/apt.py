"""apt that cannot be left broken: a verified key and source added together, lock waits, dpkg repair."""

from __future__ import annotations

import shlex
from typing import NamedTuple

from pyinfra import host, logger
from pyinfra.api import FactBase, FunctionCommand, operation
from pyinfra.facts.files import Sha256File

from tasks.facts import SOURCES_DIR
from tasks.managed import BACKUP_DIR, PROXY_ENV
from tasks.operations import backup_path, content_is_right, file_content, sha256
from tasks.shell import shell_script


class AptState(FactBase):
    """
    Returns {"lock_holders": ["PID NAME", ...], "dpkg_interrupted": None or {"packages": N, "journal": M},
    "sources": [path, ...]}: who holds apt's and dpkg's locks, what an interrupted dpkg left (the packages
    it did not configure, its journal's entries not applied), and our sources' rivals.
    """

    def command(self, mentioning: list[str]):
        return shell_script("apt-state.sh", SOURCES_DIR, *mentioning)

    def default(self):
        return {"lock_holders": [], "dpkg_interrupted": None, "sources": []}

    def process(self, output):
        state = self.default()
        for line in output:
            key, _, value = line.partition("=")
            if key == "lock":
                state["lock_holders"].append(value.strip())
            elif key == "dpkg":
                packages, journal = (int(n) for n in value.split())
                state["dpkg_interrupted"] = {"packages": packages, "journal": journal}
            elif key == "source":
                state["sources"].append(value)
        return state


class RepositoryState(FactBase):
    """
    Returns AptState's answer for repo_url, and "key": key_path's primary-key fingerprints ([] if absent),
    "key_file": whether it exists, "list": list_path's sha256 (None if absent), in one command: what the
    `repository` operation reads when it runs.
    """

    def command(self, key_path: str, list_path: str, repo_url: str):
        return (f"{AptState().command([repo_url])} && "
                f"{shell_script('repository-files.sh', key_path, list_path)}")

    def default(self):
        return {**AptState().default(), "key": [], "key_file": False, "list": None}

    def process(self, output):
        state = {**self.default(), **AptState().process(output)}
        for line in output:
            key, _, value = line.partition("=")
            if key == "key":
                state["key"].append(value.strip())
            elif key == "key_file":
                state["key_file"] = True
            elif key == "list":
                state["list"] = value.strip()
        return state


def dpkg_repaired_line(left: dict) -> str:
    """The one line a run says when it repaired what an interrupted dpkg left (AptState's dpkg_interrupted)."""
    packages, journal = left["packages"], left["journal"]
    parts = ([f"{packages} package{'' if packages == 1 else 's'} left unconfigured"] if packages else []) + (
        [f"{journal} journal {'entry' if journal == 1 else 'entries'} not applied"] if journal else [])
    return (f"dpkg was interrupted ({', '.join(parts) or 'as dpkg --audit shows'}): "
            "repaired with dpkg --configure -a")


def _said(state, host, line: str) -> bool:
    host.log_styled(line, fg="yellow", log_func=logger.warning)
    return True


@operation()
def package_manager_ready(timeout: int):
    """
    No other process holds apt's or dpkg's locks (waiting up to timeout seconds for them), and
    dpkg has nothing half-done from an interrupted run: that is repaired as unattended-upgrades does
    (its AutoFixInterruptedDpkg), and the run says so in one line.
    """
    if (yield from _made_ready(host.get_fact(AptState, mentioning=[]), timeout)):
        host.noop("apt and dpkg are free, and dpkg has nothing half-done")


def _made_ready(state: dict, timeout: int):
    """The commands that wait for the lock holders and repair what an interrupted dpkg left, as AptState's
    state shows them; none when apt and dpkg are free, which it returns."""
    if state["lock_holders"]:
        yield shell_script("apt-lock-wait.sh", str(timeout))
    if state["dpkg_interrupted"]:
        yield shell_script("dpkg-repair.sh", str(timeout))
        yield FunctionCommand(_said, [dpkg_repaired_line(state["dpkg_interrupted"])], {})
    return not state["lock_holders"] and not state["dpkg_interrupted"]


@operation()
def absent_with_backup(path: str, backup_dir: str = BACKUP_DIR):
    """path is absent; a file there is first moved to backup_dir, and the run says where."""
    if host.get_fact(Sha256File, path=path) is None:
        host.noop(f"{path} is absent")
        return
    backup = backup_path(path, backup_dir)
    if host.state.is_executing:
        host.log_styled(f"previous {path} kept as {backup}", fg="blue")
    yield f"install -d {shlex.quote(backup_dir)} && mv -f {shlex.quote(path)} {shlex.quote(backup)}"


def apt_pin(packages: list[str], version: str) -> str:
    """apt preferences holding packages at version (apt's glob allowed): priority 1001 keeps
    `apt upgrade` and unattended-upgrades off them, and lets apt downgrade to it."""
    return f"Package: {' '.join(packages)}\nPin: version {version}\nPin-Priority: 1001\n"


def pin_kept(state, what: str, version: str | None, path: str, pin: str | None):
    """The operation that makes path hold pin, where state (the snapshot) shows it does not; with none it removes
    path, keeping a backup."""
    if pin:
        return file_content(name=f"{what} is pinned to {version}", dest=path, text=pin,
                            backup_dir=BACKUP_DIR, present=path in state["files"])
    return absent_with_backup(name=f"{what} is not pinned", path=path)


class AptSource(NamedTuple):
    """A repository apt trusts through a key of its own: where the key comes from, the fingerprint it must
    have (setting's value), the source's line and file, the repository's URL, and whether the key is
    armored (dearmor) where apt wants it binary. The `repository` operation takes its fields."""

    key_url: str
    key_path: str
    fingerprint: str
    setting: str
    line: str
    list_path: str
    repo_url: str
    dearmor: bool = False


def repository_is_right(state, source: AptSource) -> bool:
    """The key and the source are as wanted, and no other source file names the repository."""
    rivals = [path for path, lines in state["sources"].items()
              if path != source.list_path and any(source.repo_url in line for line in lines)]
    return (state["keys"].get(source.key_path) == [source.fingerprint]
            and content_is_right(state, source.list_path, source.line + "\n") and not rivals)


@operation()
def repository(key_url: str, key_path: str, fingerprint: str, setting: str, line: str,
               list_path: str, repo_url: str, lock_timeout: int, dearmor: bool = False):
    """
    apt trusts repo_url through key_path (a key with this fingerprint) and list_path (line).
    A new key or source is verified together, with a scoped `apt-get update`, before either is
    installed: a refused key, an unreachable mirror or a badly signed list changes nothing, and
    a source whose key turned wrong is removed. Rival files naming repo_url are removed. First, as
    package_manager_ready does, it waits for apt's and dpkg's locks and repairs an interrupted dpkg:
    one read tells all of it.
    """
    state = host.get_fact(RepositoryState, key_path=key_path, list_path=list_path, repo_url=repo_url)
    free = yield from _made_ready(state, lock_timeout)
    key_ok = state["key"] == [fingerprint]
    list_sha = state["list"]
    list_ok = list_sha == sha256(line + "\n")
    rivals = [p for p in state["sources"] if p != list_path]
    for path in rivals:  # they duplicate list_path
        yield from absent_with_backup._inner(path=path)
    if key_ok and list_ok:
        if not rivals and free:
            host.noop(f"apt trusts {repo_url} through {key_path}")
        return

    key_backup, list_backup = backup_path(key_path, BACKUP_DIR), backup_path(list_path, BACKUP_DIR)
    if not key_ok and state["key_file"] and host.state.is_executing:
        host.log_styled(f"previous {key_path} kept as {key_backup}", fg="blue")
    if not list_ok and list_sha and host.state.is_executing:
        host.log_styled(f"previous {list_path} kept as {list_backup}", fg="blue")
    flag = {True: "1", False: "0"}
    yield shell_script("apt-repository.sh", KEY_URL=key_url, KEY_PATH=key_path, FINGERPRINT=fingerprint,
                       SETTING=setting, LINE=line, LIST_PATH=list_path, REPO_URL=repo_url,
                       LOCK_TIMEOUT=str(lock_timeout), DEARMOR=flag[dearmor], KEY_OK=flag[key_ok],
                       LIST_OK=flag[list_ok], BACKUPS=BACKUP_DIR, KEY_BACKUP=key_backup, LIST_BACKUP=list_backup,
                       PROXY_ENV=PROXY_ENV)
