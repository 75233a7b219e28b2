"""/etc/docker/daemon.json registering the nvidia runtime, merged over what the host already has."""

from __future__ import annotations

import json
from pathlib import Path

import jinja2
from pyinfra import host
from pyinfra.api import deploy
from pyinfra.facts.files import FileContents

from tasks.operations import file_content

DAEMON_JSON = "/etc/docker/daemon.json"
# The runtime entry exactly as `nvidia-ctk runtime configure --runtime=docker` writes it.
NVIDIA_RUNTIME = {"args": [], "path": "nvidia-container-runtime"}
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def nvidia_ctk_json(config: dict) -> str:
    """JSON as nvidia-ctk writes it: Go's MarshalIndent, sorted keys, four-space indent."""
    text = json.dumps(config, indent=4, sort_keys=True, ensure_ascii=False)
    # Go's encoder escapes these for HTML safety; match it byte for byte.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


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
    """existing with docker_daemon_options and the nvidia runtime merged in; other keys kept."""
    config = {**existing, **settings.docker_daemon_options}
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


@deploy("daemon.json")
def configure_daemon(settings):
    """Returns the operation that writes daemon.json (None when it is right already), for the
    engine's restart to follow."""
    lines = host.get_fact(FileContents, path=DAEMON_JSON)
    existing = parse_daemon_json(lines)
    if existing is None:
        host.log_styled(f"{DAEMON_JSON} is not a JSON object: it is backed up and rewritten",
                        fg="yellow")
        existing = {}
    text = render_daemon_json(merge_daemon_config(existing, settings))
    if lines is not None and "\n".join(lines) == text:
        return None
    return file_content(name=f"{DAEMON_JSON} registers the nvidia runtime", dest=DAEMON_JSON, text=text)
