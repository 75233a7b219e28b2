"""apt that cannot be left broken: a verified key and source added together, lock waits, dpkg repair."""

from __future__ import annotations

import shlex

from pyinfra import host
from pyinfra.api import FactBase, StringCommand, operation
from pyinfra.facts.files import Sha256File

from tasks.facts import APT_LOCKS, PRIMARY_FINGERPRINTS, KeyFingerprints
from tasks.operations import backup_path, file_content, sha256
from tasks.proxy import PROXY_ENV

SOURCES_DIR = "/etc/apt/sources.list.d"
# Backups of apt files go here: apt warns about any stray file in its own folders.
APT_BACKUPS = "/var/backups/wsl-gpu-docker"


# The proxy settings, exported for the commands after it, from the root-only file (never a command line).
WITH_PROXY = f"if [ -r {PROXY_ENV} ]; then set -a; . {PROXY_ENV}; set +a; fi;"


def curl(url: str, dest: str) -> str:
    """curl fetching url to dest (a shell word), through the proxy set; from an https URL it
    follows no redirect to plain http."""
    https_only = "--proto-redir =https " if url.startswith("https://") else ""
    return f"{WITH_PROXY} curl -fsSL --retry 2 {https_only}-o {dest} {shlex.quote(url)}"


class AptState(FactBase):
    """
    Returns {"lock_holders": ["PID NAME", ...], "dpkg_interrupted": bool, "sources": {path: text}}:
    who holds apt's and dpkg's locks, whether dpkg was left half-done, and our sources' rivals.
    """

    def command(self, mentioning: list[str]):
        patterns = " ".join(f"-e {shlex.quote(m)}" for m in mentioning)
        return f"""
for f in {' '.join(APT_LOCKS)}; do
  [ -e "$f" ] || continue
  ino=$(stat -c %i "$f")
  awk -v ino="$ino" '{{n=split($6, a, ":"); if (a[n] == ino) print $5}}' /proc/locks
done | sort -u | while read -r pid; do echo "lock=$pid $(cat /proc/$pid/comm 2>/dev/null)"; done
if [ -n "$(dpkg --audit 2>/dev/null)" ] || [ -n "$(ls -A /var/lib/dpkg/updates 2>/dev/null)" ]; then
  echo dpkg=interrupted
fi
grep -lsF {patterns} {SOURCES_DIR}/*.list {SOURCES_DIR}/*.sources | sed 's/^/source=/'
true
"""

    def default(self):
        return {"lock_holders": [], "dpkg_interrupted": False, "sources": []}

    def process(self, output):
        state = self.default()
        for line in output:
            key, _, value = line.partition("=")
            if key == "lock":
                state["lock_holders"].append(value.strip())
            elif key == "dpkg":
                state["dpkg_interrupted"] = True
            elif key == "source":
                state["sources"].append(value)
        return state


@operation()
def package_manager_ready(timeout: int):
    """
    No other process holds apt's or dpkg's locks (waiting up to timeout seconds for them), and
    dpkg has nothing half-done from an interrupted run.
    """
    state = host.get_fact(AptState, mentioning=[])
    if state["lock_holders"]:
        locks = " ".join(APT_LOCKS)
        yield StringCommand(
            f"end=$(($(date +%s) + {timeout})); while :; do held=$(for f in {locks}; do",
            '[ -e "$f" ] && ino=$(stat -c %i "$f") &&',
            "awk -v ino=\"$ino\" '{n=split($6, a, \":\"); if (a[n] == ino) print $5}' /proc/locks;",
            "done | sort -u); [ -z \"$held\" ] && exit 0;",
            "[ $(date +%s) -ge $end ] && break; sleep 2; done;",
            "for p in $held; do echo \"apt/dpkg lock held for over "
            f"{timeout} s (apt_lock_timeout) by process $p ($(cat /proc/$p/comm 2>/dev/null)):",
            "$(tr '\\0' ' ' < /proc/$p/cmdline 2>/dev/null)\" >&2; done;",
            "echo 'Fix: wait for it to finish (unattended-upgrades often runs on a fresh distro),",
            "or raise apt_lock_timeout, then rerun' >&2; exit 1",
        )
    if state["dpkg_interrupted"]:
        yield "DEBIAN_FRONTEND=noninteractive dpkg --configure -a --force-confdef --force-confold"
    if not state["lock_holders"] and not state["dpkg_interrupted"]:
        host.noop("apt and dpkg are free, and dpkg has nothing half-done")


@operation()
def absent_with_backup(path: str, backup_dir: str = APT_BACKUPS):
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


def pin_is_right(state, path: str, pin: str | None) -> bool:
    """path (as StackState read it) holds pin, or is absent when there is no pin."""
    return state["files"].get(path) == (sha256(pin) if pin else None)


def pin_kept(what: str, version: str | None, path: str, pin: str | None):
    """The operation that makes path hold pin; with none it removes path, keeping a backup."""
    if pin:
        return file_content(name=f"{what} is pinned to {version}", dest=path, text=pin,
                            backup_dir=APT_BACKUPS)
    return absent_with_backup(name=f"{what} is not pinned", path=path)


def repository_is_right(state, key_path, fingerprint, list_path, line, url) -> bool:
    """The key and the source are as wanted, and no other source file names the repository."""
    rivals = [p for p in state["mentions"].get(url, []) if p != list_path]
    return (state["keys"].get(key_path) == [fingerprint]
            and state["files"].get(list_path) == sha256(line + "\n") and not rivals)


@operation()
def repository(key_url: str, key_path: str, fingerprint: str, setting: str, line: str,
               list_path: str, repo_url: str, lock_timeout: int, dearmor: bool = False):
    """
    apt trusts repo_url through key_path (a key with this fingerprint) and list_path (line).
    A new key or source is verified together, with a scoped `apt-get update`, before either is
    installed: a refused key, an unreachable mirror or a badly signed list changes nothing, and
    a source whose key turned wrong is removed. Rival files naming repo_url are removed.
    """
    key_ok = host.get_fact(KeyFingerprints, path=key_path) == [fingerprint]
    text = line + "\n"
    list_sha = host.get_fact(Sha256File, path=list_path)
    list_ok = list_sha == sha256(text)
    rivals = [p for p in host.get_fact(AptState, mentioning=[repo_url])["sources"] if p != list_path]
    for path in rivals:  # they duplicate list_path
        yield from absent_with_backup._inner(path=path)
    if key_ok and list_ok:
        if not rivals:
            host.noop(f"apt trusts {repo_url} through {key_path}")
        return

    list_backup = backup_path(list_path, APT_BACKUPS)
    q = shlex.quote

    def copy_aside(path, backup):
        return f"if [ -e {q(path)} ]; then install -d {APT_BACKUPS}; cp -p {q(path)} {q(backup)}; fi"

    # apt tells an armored key from a binary one by its name: the candidate keeps the name.
    candidate = f"$t/{key_path.rsplit('/', 1)[1]}"
    # apt reads the candidate key as its unprivileged _apt user.
    steps = ["set -e; t=$(mktemp -d); trap 'rm -rf \"$t\"' EXIT; chmod 0755 \"$t\"; mkdir \"$t/parts\""]
    if key_ok:
        steps.append(f"cp {q(key_path)} \"{candidate}\"")
    else:
        convert = f"gpg --batch --yes --dearmor -o \"{candidate}\" \"$t/download\"" if dearmor \
            else f"cp \"$t/download\" \"{candidate}\""
        # A source that depends on a key we no longer trust must go, or apt trusts the wrong key.
        drop_source = (
            f"if [ -e {q(list_path)} ] && [ -e {q(key_path)} ]; then install -d {APT_BACKUPS};"
            f" mv -f {q(list_path)} {q(list_backup)};"
            f" echo 'removed {list_path} (kept as {list_backup}): its key is not {fingerprint}' >&2; fi"
        )
        steps += [
            curl(key_url, '"$t/download"') +
            f" || {{ echo 'could not download the key from {key_url}' >&2; {drop_source}; exit 1; }}",
            f"got=$(gpg --batch --homedir \"$t\" --show-keys --with-colons \"$t/download\" 2>/dev/null | {PRIMARY_FINGERPRINTS} | tr '\\n' ' ' | sed 's/ $//')",
            f"if [ \"$got\" != {fingerprint} ]; then echo \"refusing the key from {key_url}:"
            f" {setting} expects {fingerprint}, received ${{got:-no key}}\" >&2; {drop_source}; exit 1; fi",
            convert,
        ]
    steps += [
        f"printf '%s\\n' {q(line.replace(key_path, '@KEY@'))} | sed \"s|@KEY@|{candidate}|\" > \"$t/verify.list\"",
        "if ! apt-get update --error-on=any -o Dir::Etc::SourceList=\"$t/verify.list\""
        " -o Dir::Etc::SourceParts=\"$t/parts\" -o APT::Get::List-Cleanup=0"
        f" -o DPkg::Lock::Timeout={lock_timeout} > \"$t/log\" 2>&1; then"
        # apt 2 (gpgv) and apt 3 (sqv) word a refused signature apart, then both call the repository unsigned.
        " if grep -q \"^E: The repository '.*' is not signed\" \"$t/log\"; then"
        f" echo 'apt refused the signature of {repo_url}: its index has no valid signature by the key"
        f" {fingerprint}, so its key and source are left as they were:' >&2;"
        f" else echo 'apt cannot use {repo_url}, so its key and source are left as they were:' >&2; fi;"
        " grep -E '^(E|W|Err):' \"$t/log\" >&2 || tail -5 \"$t/log\" >&2; exit 1; fi",
    ]
    if not key_ok:
        key_backup = backup_path(key_path, APT_BACKUPS)
        if host.get_fact(Sha256File, path=key_path) and host.state.is_executing:
            host.log_styled(f"previous {key_path} kept as {key_backup}", fg="blue")
        steps += [
            copy_aside(key_path, key_backup),
            f"install -d -m 0755 \"$(dirname {q(key_path)})\" && install -m 0644 \"{candidate}\" {q(key_path)}.new"
            f" && mv -f {q(key_path)}.new {q(key_path)}",
        ]
    if not list_ok:
        if list_sha and host.state.is_executing:
            host.log_styled(f"previous {list_path} kept as {list_backup}", fg="blue")
        steps += [
            copy_aside(list_path, list_backup),
            f"printf '%s\\n' {q(line)} > {q(list_path)}.new && chmod 0644 {q(list_path)}.new"
            f" && mv -f {q(list_path)}.new {q(list_path)}",
        ]
    yield StringCommand("; ".join(steps))
