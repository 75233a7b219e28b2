"""What `docker info` says: the one command and the one parse that every caller uses."""

from __future__ import annotations

import json

RUNTIMES_COMMAND = "docker info --format '{{json .Runtimes}}'"


def runtimes(lines: list[str]) -> dict | None:
    """The runtimes the engine lists, from RUNTIMES_COMMAND's output lines; None when it gave none.

    The CLI prints its own warnings beside the JSON, before and after it (a broken
    ~/.docker/config.json, docker/cli#5075; Docker 29's deprecation notices): only a line
    holding a JSON object counts, the last one if several do.
    """
    for line in reversed(lines):
        text = line.strip()
        if not text.startswith("{"):
            continue
        try:
            value = json.loads(text)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return None
