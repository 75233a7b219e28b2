"""The docker users' ~/.docker/config.json, run on the host by python3: what the snapshot reads of it, and
the deploy's `proxies.default` merged in or taken out again, every other key kept.

    state RECORD USER...    a `recorded=NAME` line for each user in RECORD, then a `config=JSON` line for
                            each USER ("-": the one running the deploy, never root) and recorded user
    apply USER on|off RECORD PROXY_ENV BACKUP
                            USER's file gets PROXY_ENV's proxy as proxies.default (on) or loses it (off);
                            RECORD, root's list of the users whose file holds it, follows

Of a file only a verdict and the digest of its proxies.default leave the host: it may hold registry tokens.
"""

import contextlib
import hashlib
import json
import os
import pwd
import stat
import sys
import tempfile
import time

# proxy.env's names (tasks/proxy.py) and the keys Docker's client reads for them.
KEYS = (("http_proxy", "httpProxy"), ("https_proxy", "httpsProxy"), ("no_proxy", "noProxy"))
# Another run's temp file older than this (seconds) was left by a killed run; a younger one may still be in
# flight (STALE_MINUTES in tasks/operations.py).
STALE_SECONDS = 60


def digest(value) -> str:
    """What the deploy compares with the digest of the proxies.default it wants."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def load(data: bytes) -> dict:
    """The config as docker reads it (an empty file is {}); ValueError says why docker cannot."""
    text = data.decode()
    config = json.loads(text) if text.strip() else {}
    if not isinstance(config, dict):
        raise ValueError("it is not a JSON object")
    if not isinstance(config.get("proxies", {}), dict):
        raise ValueError("its proxies is not a JSON object")
    return config


def merged(config: dict, default) -> dict:
    """config with proxies.default set to default, or taken out (None); every other key stays where it is."""
    config, proxies = dict(config), dict(config.get("proxies", {}))
    if default is None:
        proxies.pop("default", None)
    else:
        proxies["default"] = default
    if proxies:
        config["proxies"] = proxies
    else:
        config.pop("proxies", None)
    return config


def config_path(home: str) -> str:
    return os.path.join(home, ".docker", "config.json")


def state(user: str) -> dict:
    """The verdict on user's file: nouser, nohome, absent, invalid (with the reason) or json (with the
    digest of its proxies.default, None without one)."""
    try:
        home = pwd.getpwnam(user).pw_dir
    except KeyError:
        return {"user": user, "state": "nouser"}
    found = {"user": user, "path": config_path(home)}
    if not os.path.isdir(home):
        return {**found, "state": "nohome"}
    try:
        with open(found["path"], "rb") as f:
            config = load(f.read())
    except FileNotFoundError:
        return {**found, "state": "absent", "digest": None}
    except OSError as error:
        return {**found, "state": "invalid", "reason": error.strerror}
    except ValueError as error:  # a JSON error names where, never what the file holds
        return {**found, "state": "invalid", "reason": str(error)}
    default = config.get("proxies", {}).get("default")
    return {**found, "state": "json", "digest": None if default is None else digest(default)}


def recorded(record: str) -> list:
    try:
        with open(record) as f:
            return f.read().split()
    except FileNotFoundError:
        return []


def invoking_user():
    name = os.environ.get("SUDO_USER") or pwd.getpwuid(os.getuid()).pw_name
    return None if name == "root" else name


def proxy_default(proxy_env: str) -> dict:
    """proxies.default from the root-only proxy.env: the credentials never travel on a command line."""
    values = {}
    with open(proxy_env) as f:
        for line in f:
            name, _, value = line.strip().partition("=")
            values[name] = value.strip('"')
    return {key: values[name] for name, key in KEYS if values.get(name)}


def stale_temps_removed(folder: str, base: str) -> None:
    """The temps of base (a backup's go with its file's) that killed runs left in folder."""
    family = f".{base.partition('.bak-')[0]}."
    for name in os.listdir(folder):
        if name.startswith(family) and name.endswith("~"):
            with contextlib.suppress(FileNotFoundError):
                if time.time() - os.lstat(os.path.join(folder, name)).st_mtime > STALE_SECONDS:
                    os.remove(os.path.join(folder, name))


def replaced(path: str, data: bytes, mode: int = 0o600, owner: tuple | None = None) -> None:
    """path holds data, with mode (root's, or owner's (uid, gid)), replaced as every file the deploy owns is
    (files/lib/replace.sh): a temp file beside it, named for this run and ending in `~`, fsynced, renamed into
    place, then its folder fsynced. No moment shows more than mode allows: the temp is made 0600."""
    folder, base = os.path.split(path)
    stale_temps_removed(folder, base)
    fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{base}.", suffix="~")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            if owner:
                os.fchown(f.fileno(), *owner)
            os.fchmod(f.fileno(), mode)
            os.fsync(f.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(temp)
        raise
    folder_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(folder_fd)
    finally:
        os.close(folder_fd)


def write(path: str, config: dict, previous, user, secret: bool, backup: str) -> None:
    """path holds config, written as docker's CLI writes it (atomically, through a symlink, with the previous
    file's owner and mode, 0600 when new); a previous file is kept at backup first."""
    folder = os.path.dirname(path)
    if previous is not None:
        os.makedirs(os.path.dirname(backup), exist_ok=True)
        replaced(backup, previous)
        print(f"previous {path} kept as {backup}")
        st = os.stat(path)
        uid, gid, mode = st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)
    else:
        if not os.path.isdir(folder):
            os.mkdir(folder, 0o700)
            os.chmod(folder, 0o700)
            os.chown(folder, user.pw_uid, user.pw_gid)
        uid, gid, mode = user.pw_uid, user.pw_gid, 0o600
    text = json.dumps(config, indent="\t", ensure_ascii=False) + "\n"
    # A proxy password is for the user alone, whatever the file's mode was.
    replaced(path, text.encode(), mode & 0o700 if secret else mode, (uid, gid))


def apply(name: str, on: bool, record: str, proxy_env: str, backup: str) -> None:
    try:
        user = pwd.getpwnam(name)
    except KeyError:
        user = None  # gone from the host: only the record keeps them
    if user:
        path = os.path.realpath(config_path(user.pw_dir))
        try:
            with open(path, "rb") as f:
                previous = f.read()
        except FileNotFoundError:
            previous = None
        try:
            config = load(previous) if previous is not None else {}
        except ValueError as error:
            sys.exit(f"{path} is not valid JSON ({error}), so the deploy leaves it alone. Fix: correct it or move "
                     "it away (docker reads it too), then rerun the deploy")
        default = proxy_default(proxy_env) if on else None
        new = merged(config, default)
        if new != config:
            secret = any("@" in value.split("://", 1)[-1] for value in (default or {}).values())
            write(path, new, previous, user, secret, backup)
    users = [u for u in recorded(record) if u != name] + ([name] if on else [])
    if users:
        os.makedirs(os.path.dirname(record), mode=0o700, exist_ok=True)
        replaced(record, "".join(f"{u}\n" for u in users).encode())
    elif os.path.exists(record):
        os.remove(record)


def main(mode: str, *args: str) -> None:
    if mode == "state":
        record, *users = args
        kept = recorded(record)
        for name in kept:
            print(f"recorded={name}")
        names = [invoking_user() if u == "-" else u for u in users] + kept
        for name in dict.fromkeys(n for n in names if n):
            print("config=" + json.dumps(state(name), sort_keys=True))
    else:
        name, on, record, proxy_env, backup = args
        apply(name, on == "on", record, proxy_env, backup)


if __name__ == "__main__":
    main(*sys.argv[1:])
