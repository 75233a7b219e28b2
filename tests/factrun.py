"""pyinfra's CLI with every fact's output recorded to a JSON file, or answered from one with no host touched.

    python -m tests.factrun record FILE <pyinfra arguments>   # run on a real host, FILE's "facts": what each read
    python -m tests.factrun replay FILE <pyinfra arguments>   # every fact from FILE's "facts"; only with --dry
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pyinfra.api import facts
from pyinfra.api.exceptions import MissingCommandError
from pyinfra.api.facts import _MISSING_COMMAND_MARKER


def fact_args(kwargs: dict | None) -> dict:
    """A fact's own arguments, as JSON has them (pyinfra's global `_` arguments left out)."""
    own = {k: v for k, v in (kwargs or {}).items() if not k.startswith("_")}
    return json.loads(json.dumps(own, default=str))


def record(path: Path) -> None:
    """Each fact's command runs as usual; its arguments, exit status and output are kept."""
    readings: list[dict] = []
    original = facts._get_fact

    def recording(state, host, cls, args=None, kwargs=None, *rest):
        run = host.run_shell_command

        def run_and_keep(command, **options):
            status, output = run(command, **options)
            readings.append({"fact": cls.name, "command_args": fact_args(kwargs), "status": status,
                             "output": output.stdout_lines})
            return status, output

        host.run_shell_command = run_and_keep
        try:
            return original(state, host, cls, args, kwargs, *rest)
        finally:
            del host.run_shell_command
            path.write_text(json.dumps({"facts": readings}, indent=1) + "\n")

    facts._get_fact = recording


def replay(path: Path) -> None:
    """Each fact is processed from the output recorded for it, as pyinfra would from the host's."""
    readings = json.loads(path.read_text())["facts"]

    def answering(state, host, cls, args=None, kwargs=None, *rest):
        wanted = {"fact": cls.name, "command_args": fact_args(kwargs)}
        found = [r for r in readings if {k: r[k] for k in wanted} == wanted]
        if not found:
            raise KeyError(f"{path} has no reading of {wanted}: rerun tools/capture_facts.py")
        status, output = found[0]["status"], found[0]["output"]
        if status and output == [_MISSING_COMMAND_MARKER]:
            raise MissingCommandError(cls.requires_command)
        fact = cls()
        fact.command(**{k: v for k, v in (kwargs or {}).items() if not k.startswith("_")})  # some keep state
        return fact.process(output) if status and output else fact.default()

    facts._get_fact = answering


if __name__ == "__main__":
    mode, file, *pyinfra_args = sys.argv[1:]
    if mode == "replay" and "--dry" not in pyinfra_args:
        sys.exit("replay runs only with --dry: the host must not be touched")
    {"record": record, "replay": replay}[mode](Path(file))
    from pyinfra_cli.main import main

    sys.argv = ["pyinfra", *pyinfra_args]
    main()
