"""What the engine is asked: `docker info`'s commands and the one parse every caller uses, and the GPU container."""

from __future__ import annotations

import json

from tasks.managed import ENGINE_RESTART_PENDING
from tasks.shell import shell_script

RUNTIMES_COMMAND = shell_script("engine-info.sh", ENGINE_RESTART_PENDING)
# Doctor asks for the engine's version and its root dir in the same call, each on a line of its own; the root
# dir, a path and no JSON, is read by files/doctor-facts.sh.
DOCTOR_INFO_COMMAND = ("docker info --format"
                       " '{{json .Runtimes}}{{println}}{{json .ServerVersion}}{{println}}{{.DockerRootDir}}'")


def gpu_container_command(settings) -> str:
    """The GPU smoke test that the deploy's last check (gpu_smoke_test) and doctor (doctor_gpu_container) run."""
    return f"docker run --rm --gpus all {settings.gpu_smoke_test_image} {settings.gpu_smoke_test_command}"


def _last_json(lines: list[str], kind: type):
    """The last line that holds a JSON value of this kind, or None.

    The CLI prints its own warnings beside the JSON, before and after it (a broken
    ~/.docker/config.json, docker/cli#5075; Docker 29's deprecation notices): only a line
    that is such a value counts.
    """
    for line in reversed(lines):
        try:
            value = json.loads(line.strip())
        except ValueError:
            continue
        if isinstance(value, kind):
            return value
    return None


def runtimes(lines: list[str]) -> dict | None:
    """The runtimes the engine lists, from RUNTIMES_COMMAND's or DOCTOR_INFO_COMMAND's output
    lines: the engine's whole info (from its API) or its runtimes alone (from the CLI); None when it
    gave none."""
    value = _last_json(lines, dict)
    return value.get("Runtimes") if value and "Runtimes" in value else value


def containers_running(read: dict | None) -> int:
    """How many containers the engine runs, from CommandResult's value of RUNTIMES_COMMAND (its whole info);
    0 when the engine did not answer or say."""
    value = _last_json(read["output"], dict) if read and read["ok"] else None
    count = value.get("ContainersRunning") if value else None
    return count if isinstance(count, int) else 0


def running_names(lines: list[str]) -> list[str]:
    """The running containers' names, which RUNTIMES_COMMAND lists while a restart is pending: the API's
    container objects or the CLI's names."""
    listed = _last_json(lines, list) or []
    return [c["Names"][0].lstrip("/") if isinstance(c, dict) and c.get("Names") else str(c) for c in listed]


def server_version(lines: list[str]) -> str | None:
    """The engine's version ("29.2.1") from DOCTOR_INFO_COMMAND's lines; None without one."""
    return _last_json(lines, str) or None
