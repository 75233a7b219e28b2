"""Our operations on fake facts, as pyinfra tests its own: tests/operations/<op>/<case>.json, facts in, commands out."""

import json
import shlex
from pathlib import Path

import pytest
from pyinfra.api import Config, FileUploadCommand, FunctionCommand, Inventory, State, StringCommand
from pyinfra.api.util import get_kwargs_str
from pyinfra.context import ctx_host, ctx_state

from tasks import apt, operations, userproxy
from tasks.shell import FILES, script_text

OPERATIONS = {op.__name__: op for op in (operations.file_content, operations.checks_pass,
                                         apt.package_manager_ready, apt.absent_with_backup,
                                         userproxy.docker_config_proxies)}
CASES = sorted(Path(__file__).parent.glob("*/*.json"))


def as_line(line: str):
    """A shell line, or a files/ script sent whole (tasks/shell.py) as ["files/<name>", *args]."""
    words = shlex.split(line) if line.startswith(("sh -c ", "python3 -c ")) else []
    if words[:1] == ["sh"] and len(words) > 3 and words[2] == script_text(words[3]):
        return [f"files/{words[3]}", *words[4:]]
    python = [path.name for path in FILES.glob("*.py") if words[:1] == ["python3"] and path.read_text() == words[2]]
    return [f"files/{python[0]}", *words[3:]] if python else line


def as_json(command):
    """A command as the cases write it: a shell line, ["files/<script>", *args], ["upload", text, dest]
    or [function, args]."""
    if isinstance(command, str):
        return as_line(command)
    if isinstance(command, StringCommand):
        return as_line(command.get_raw_value())
    if isinstance(command, FileUploadCommand):
        return ["upload", command.src.getvalue(), command.dest]
    if isinstance(command, FunctionCommand):
        return [command.function.__name__, list(command.args)]
    raise TypeError(f"{command!r} is no command the cases know")


def run(name: str, case: dict, monkeypatch) -> tuple[list, list]:
    """(commands, no-op messages) of operation name on a host whose facts are case's."""
    state = State(Inventory((["fake-host"], {})), Config())
    host = state.inventory.get_host("fake-host")
    noops = []

    def get_fact(cls, **kwargs):
        by_args = case["facts"][cls.name]
        key = get_kwargs_str(kwargs)
        if key not in by_args:
            raise KeyError(f"the case gives no {cls.name} for ({key})")
        return by_args[key]

    monkeypatch.setattr(host, "get_fact", get_fact)
    monkeypatch.setattr(host, "noop", noops.append)
    monkeypatch.setattr(operations, "BACKUP_STAMP", "STAMP")  # the run's backup stamp
    monkeypatch.setattr(userproxy, "BACKUP_STAMP", "STAMP")
    with ctx_state.use(state), ctx_host.use(host):
        commands = [as_json(c) for c in OPERATIONS[name]._inner(**case["kwargs"])]
    return commands, noops


def test_every_operation_has_cases():
    assert {case.parent.name for case in CASES} == set(OPERATIONS)


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.stem}" for c in CASES])
def test_the_operation_yields_the_commands_and_no_op_message_of_its_case(case, monkeypatch):
    data = json.loads(case.read_text())
    commands, noops = run(case.parent.name, data, monkeypatch)
    assert commands == data["commands"]
    assert noops == ([data["noop"]] if "noop" in data else [])
