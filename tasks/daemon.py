"""/etc/docker/daemon.json registering the nvidia runtime, merged over what the host already has."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

import jinja2
from pyinfra import host
from pyinfra.api import deploy
from pyinfra.api.operation import OperationMeta

from tasks.managed import DAEMON_JSON
from tasks.operations import BACKUP_STAMP, NO_CHANGE, NoChange, backup_path, file_content
from tasks.shell import shell_script

# Where a new daemon.json that dockerd refuses is kept for a look, beside the one it left alone.
DAEMON_JSON_REJECTED = f"{DAEMON_JSON}.rejected-{BACKUP_STAMP}"
# The runtime entry exactly as `nvidia-ctk runtime configure --runtime=docker` writes it.
NVIDIA_RUNTIME = {"args": [], "path": "nvidia-container-runtime"}
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# The ulimits Docker knows by name (go-units' ParseUlimit), and -1, its word for unlimited.
ULIMIT_NAMES = frozenset({"core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile",
                          "nproc", "rss", "rtprio", "rttime", "sigpending", "stack"})
UNLIMITED = -1
# Docker's own /dev/shm when neither --shm-size nor default-shm-size says otherwise.
DOCKER_SHM_DEFAULT = 64 << 20
# A size as dockerd reads default-shm-size (go-units' RAMInBytes): binary units, case-insensitive. go-units'
# pattern takes "1.2.3" too, which its ParseFloat then refuses: one decimal point at most here.
_RAM_SIZE = re.compile(r"^(\d+(?:\.\d+)?) ?([kmgtp])?i?b?$", re.IGNORECASE)


def ram_in_bytes(value) -> int | None:
    """A size as dockerd reads default-shm-size ("1G", "512m", "1gb", 1073741824), in bytes; None if it cannot."""
    match = _RAM_SIZE.match(str(value)) if isinstance(value, (str, int)) and not isinstance(value, bool) else None
    if not match:
        return None
    return int(float(match[1]) * 1024 ** " kmgtp".index((match[2] or " ").lower()))


def ulimit_pair(value) -> tuple[int, int] | None:
    """A docker_default_ulimits value as (soft, hard): a number for both, or "soft:hard" as `--ulimit` takes it;
    None when it is neither."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value, value
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]+(:-?[0-9]+)?", value.strip()):
        soft, _, hard = value.strip().partition(":")
        return int(soft), int(hard or soft)
    return None


def daemon_ulimits(ulimits: dict) -> dict:
    """docker_default_ulimits as daemon.json's default-ulimits holds them ({"memlock": {"Name": ..., "Hard": ...,
    "Soft": ...}}, go-units' Ulimit)."""
    return {name: {"Name": name, "Hard": ulimit_pair(value)[1], "Soft": ulimit_pair(value)[0]}
            for name, value in ulimits.items()}


# The daemon.json keys that settings of their own write, each by its setting; docker_daemon_options must then
# leave them alone.
OWN_DAEMON_KEYS = {"default-shm-size": "docker_default_shm_size", "default-ulimits": "docker_default_ulimits",
                   "mtu": "docker_mtu"}


def own_keys(settings) -> dict:
    """The daemon.json keys of OWN_DAEMON_KEYS whose setting is set, with the values they write."""
    keys = {key: getattr(settings, name) for key, name in OWN_DAEMON_KEYS.items()}
    keys = {key: value for key, value in keys.items() if value is not None and value != {}}
    if "default-ulimits" in keys:
        keys["default-ulimits"] = daemon_ulimits(keys["default-ulimits"])
    return keys


def go_number(value: int | float) -> str:
    """A JSON number as nvidia-ctk writes it back: Go decodes every number into a float64 and
    encodes that in its shortest round-trip digits, plain between 1e-6 and 1e21, else with an
    exponent (encoding/json's floatEncoder)."""
    number = float(value)
    shortest = Decimal(repr(number)).normalize()  # repr: the fewest digits that read back the same
    if number == 0 or 1e-6 <= abs(number) < 1e21:
        return format(shortest, "f")
    sign, digits, exponent = shortest.as_tuple()
    first, rest = str(digits[0]), "".join(map(str, digits[1:]))
    # Go pads the exponent to two digits, then strips the pad from a negative one (e-07 -> e-7);
    # a positive one is 21 or more here.
    return f"{'-' * sign}{first}{'.' * bool(rest)}{rest}e{exponent + len(rest):+d}"


# Go's encoder escapes these too, for HTML and JavaScript safety; json.dumps leaves them.
_GO_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                             "\u2028": "\\u2028", "\u2029": "\\u2029"})


def nvidia_ctk_json(value, indent: str = "") -> str:
    """JSON as nvidia-ctk writes it: Go's MarshalIndent (sorted keys, four-space indent) of what
    Go's Unmarshal read, so that a file written here is one nvidia-ctk leaves byte for byte."""
    inner = indent + "    "
    if isinstance(value, dict) and value:
        items = [f"{nvidia_ctk_json(k)}: {nvidia_ctk_json(v, inner)}" for k, v in sorted(value.items())]
    elif isinstance(value, list) and value:
        items = [nvidia_ctk_json(v, inner) for v in value]
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        return go_number(value)
    else:  # strings, true/false/null and empty containers
        return json.dumps(value, ensure_ascii=False).translate(_GO_ESCAPES)
    opening, closing = "{}" if isinstance(value, dict) else "[]"
    return f"{opening}\n{inner}" + f",\n{inner}".join(items) + f"\n{indent}{closing}"


def parse_daemon_json(lines: list[str] | None) -> dict | None:
    """The host's daemon.json as a dict; {} when absent or empty, None when it is not a JSON object."""
    text = "\n".join(lines or []).strip()
    if not text:
        return {}
    try:
        config = json.loads(text)
    except ValueError:
        return None
    return config if isinstance(config, dict) else None


def merge_daemon_config(existing: dict, settings) -> dict:
    """existing with docker_daemon_options, the keys of settings of their own (own_keys) and the nvidia runtime
    merged in; other keys kept."""
    config = {**existing, **settings.docker_daemon_options, **own_keys(settings)}
    config["runtimes"] = {**(existing.get("runtimes") or {}),
                          **settings.docker_daemon_options.get("runtimes", {}),
                          "nvidia": NVIDIA_RUNTIME}
    if settings.nvidia_default_runtime:
        config["default-runtime"] = "nvidia"
    elif config.get("default-runtime") == "nvidia":
        del config["default-runtime"]
    return config


def render_daemon_json(config: dict) -> str:
    """The file's bytes; like nvidia-ctk's, with no trailing newline."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES))
    env.filters["nvidia_ctk_json"] = nvidia_ctk_json
    return env.get_template("daemon.json.j2").render(config=config)


class DaemonJson(NamedTuple):
    """daemon.json's operation (NO_CHANGE when the file is right), and where it keeps the file it
    replaces, so that the engine's restart can put that one back."""

    change: OperationMeta | NoChange
    backup: str | None
    config: dict | None = None  # what the file holds once written


@deploy("daemon.json")
def configure_daemon(settings, facts) -> DaemonJson:
    """Writes daemon.json where it is not right, for the engine's restart to follow."""
    lines = facts["daemon_json_file"]  # HostSnapshot read it with the host's identity
    existing = parse_daemon_json(lines)
    if existing is None:
        host.log_styled(f"{DAEMON_JSON} is not a JSON object: it is backed up and rewritten",
                        fg="yellow")
        existing = {}
    config = merge_daemon_config(existing, settings)
    text = render_daemon_json(config)
    if lines is not None and "\n".join(lines) == text:
        return DaemonJson(NO_CHANGE, None, config)
    backup = backup_path(DAEMON_JSON)
    # The installed dockerd, if it can, checks the new file before it is put in place.
    change = file_content(name=f"{DAEMON_JSON} registers the nvidia runtime", dest=DAEMON_JSON, text=text,
                          backup=backup, check=lambda new: shell_script("daemon-json-check.sh", new, DAEMON_JSON,
                                                                        DAEMON_JSON_REJECTED),
                          present=lines is not None)
    return DaemonJson(change, backup, config)
