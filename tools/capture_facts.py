"""Regenerate the fact fixtures (tests/facts/) and the dry-deploy fixtures (tests/dry/) from twins.

Run as root on a machine tests/run has prepared: `.venv/bin/python -m tools.capture_facts`. For each
scenario it runs `pyinfra --dry deploy.py` on a twin through tests/factrun.py, which records what every
fact read. The values in tests/facts/ are what the facts make of it today: review their diff.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from importlib import import_module
from pathlib import Path

from tasks.facts import HostSnapshot
from tasks.managed import DAEMON_JSON
from testbed.harness import ROOT, TWIN_SETTINGS
from testbed.twin import PLATFORMS, Mirrors, Twin, ensure_base_image

# The mirrors serve on this port, so that the settings, and the facts' arguments, stay the same.
PORT = 18471
# The facts of ours that tests/facts/ keeps, read from the host as they are.
KEPT = ("tasks.facts.HostSnapshot", "tasks.facts.StackState", "tasks.apt.AptState", "tasks.apt.RepositoryState")


def pyinfra(*args: str) -> None:
    proc = subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")


def first_readings(readings: list[dict]) -> list[dict]:
    """Each fact's first reading with its arguments: a dry run changes nothing, so a second reads the same."""
    seen, first = set(), []
    for reading in readings:
        key = (reading["fact"], json.dumps(reading["command_args"]))
        if key not in seen:
            seen.add(key)
            first.append(reading)
    return first


def with_stack_state(readings: list[dict]) -> list[dict]:
    """readings, each HostSnapshot reading followed by StackState's part of it: HostSnapshot's command carries
    StackState's, whose output is the lines of HostSnapshot's "[stack]" section."""
    out = []
    for reading in readings:
        out.append(reading)
        if reading["fact"] == "tasks.facts.HostSnapshot" and "[stack]" in reading["output"]:
            lines = reading["output"][reading["output"].index("[stack]") + 1:]
            end = next((n for n, line in enumerate(lines) if line in HostSnapshot._SECTIONS), len(lines))
            out.append({"fact": "tasks.facts.StackState", "command_args": {}, "output": lines[:end]})
    return out


def capture(twin: Twin, settings: dict, scenario: str) -> None:
    """Record the dry run's facts on twin; write tests/dry/<scenario>.json and its tests/facts/ cases."""
    with tempfile.TemporaryDirectory() as folder:
        inventory, readings = Path(folder) / "inventory.py", Path(folder) / "readings.json"
        inventory.write_text(f"twins = [({twin.pyinfra_target!r}, {settings!r})]\n")
        pyinfra("tests.factrun", "record", str(readings), "--dry", str(inventory), "deploy.py")
        facts = first_readings(json.loads(readings.read_text())["facts"])
    (ROOT / "tests" / "dry" / f"{scenario}.json").write_text(
        json.dumps({"settings": settings, "facts": facts}, indent=1, sort_keys=True) + "\n")
    kept = [reading for reading in with_stack_state(facts) if reading["fact"] in KEPT]
    for n, reading in enumerate(kept):
        module, _, name = reading["fact"].rpartition(".")
        fact = getattr(import_module(module), name)()
        same = [r for r in kept[:n] if r["fact"] == reading["fact"]]
        case = ROOT / "tests" / "facts" / name / f"{scenario}{f'-{len(same) + 1}' if same else ''}.json"
        case.parent.mkdir(parents=True, exist_ok=True)
        case.write_text(json.dumps({"command_args": reading["command_args"], "output": reading["output"],
                                    "value": fact.process(reading["output"])}, indent=1, sort_keys=True) + "\n")


def converge(twin: Twin, settings: dict) -> None:
    with tempfile.TemporaryDirectory() as folder:
        inventory = Path(folder) / "inventory.py"
        inventory.write_text(f"twins = [({twin.pyinfra_target!r}, {settings!r})]\n")
        pyinfra("pyinfra", "-y", str(inventory), "deploy.py")


def new_twin(platform: str) -> Twin:
    chosen = PLATFORMS[platform]
    return Twin(ensure_base_image(chosen.suite), os_release=chosen.os_release)


def main() -> None:
    mirrors = Mirrors()
    mirrors.port = PORT
    with mirrors:
        settings = {**mirrors.settings(), **TWIN_SETTINGS}
        for platform in ("debian-12", "ubuntu-26.04"):
            with new_twin(platform) as twin:
                capture(twin, settings, f"{platform}-fresh")
        with new_twin("debian-12") as twin:
            converge(twin, settings)
            capture(twin, settings, "debian-12-converged")
            twin.exec(f"rm {DAEMON_JSON}")
            capture(twin, settings, "debian-12-daemon-json-missing")


if __name__ == "__main__":
    main()
