"""The machine's own settings (root-only pyinfra group data): setup.sh's options that write them, and its root run."""

from __future__ import annotations

import ast
import os
import sys
from pathlib import Path

from tasks.privatefile import write_private
from tasks.pullmode import is_git_url, is_ref

# Written by cloud-init's user data (files/cloud-init/wsl-gpu-docker.user-data) or by setup.sh's options
# below; every @local run of setup.sh (a person's, first boot's, the pull timer's) passes it to pyinfra
# as --group-data, under team.py's settings. Root-only: it may hold a proxy's credentials.
LOCAL_SETTINGS = "/etc/wsl-gpu-docker/settings"
# The file of it that holds every host's settings (pyinfra's group "all").
ALL_PY = "all.py"
# setup.sh's options: the setting each one keeps in LOCAL_SETTINGS, and that setting's check.
OPTIONS = {"--pull-repo-url": ("pull_repo_url", is_git_url), "--pull-ref": ("pull_ref", is_ref)}
_CHECKS = {name: check for name, check in OPTIONS.values()}


def problems(values: dict[str, str]) -> list[str]:
    """What is wrong with each value given to setup.sh, naming its option, its setting and a good value."""
    options = {name: option for option, (name, _) in OPTIONS.items()}
    said = []
    for name, value in values.items():
        problem = _CHECKS[name](value) if name in _CHECKS else f"is not one of {', '.join(_CHECKS)}"
        if problem:
            said.append(f"{options.get(name, name)} {value!r}: {name} {problem}")
    return said


def updated(text: str, values: dict[str, str]) -> str:
    """all.py's text with each `name = value` of values in place of its top-level assignments (all of them,
    so that no later one wins), or added at the end; every other line as it was."""
    lines = text.splitlines(keepends=True)
    found = set()
    for node in reversed(ast.parse(text).body):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] \
            if isinstance(node, ast.AnnAssign) else []
        names = [t.id for t in targets if isinstance(t, ast.Name)]
        if len(names) == len(targets) == 1 and names[0] in values:
            found.add(names[0])
            lines[node.lineno - 1:node.end_lineno] = [f"{names[0]} = {values[names[0]]!r}\n"]
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    added = [f"{name} = {value!r}\n" for name, value in values.items() if name not in found]
    if added:
        lines.append("# Set by setup.sh:\n")
    return "".join(lines + added)


def write(folder: Path, values: dict[str, str]) -> None:
    """values into folder's all.py; the folder, when new, and the file are root's alone."""
    os.umask(0o077)
    path = folder / ALL_PY
    write_private(path, updated(path.read_text() if path.exists() else "", values))


def _pairs(args: list[str]) -> dict[str, str]:
    return dict(arg.partition("=")[::2] for arg in args)


def main(argv: list[str]) -> int:
    """`check NAME=value...`: exit 2 naming what is wrong. `run NAME=value... -- COMMAND...` (as root): the
    values written into LOCAL_SETTINGS, then COMMAND with --group-data LOCAL_SETTINGS when it exists."""
    if argv[:1] == ["check"]:
        said = problems(_pairs(argv[1:]))
    elif argv[:1] == ["run"] and "--" in argv:
        split = argv.index("--")
        values, command = _pairs(argv[1:split]), argv[split + 1:]
        said = problems(values)
        if not said and values:
            try:
                write(Path(LOCAL_SETTINGS), values)
            except (OSError, SyntaxError, ValueError) as error:
                said = [f"cannot keep {', '.join(values)} in {LOCAL_SETTINGS}/{ALL_PY}: {error}"]
        if not said:
            if Path(LOCAL_SETTINGS).is_dir():
                command[1:1] = ["--group-data", LOCAL_SETTINGS]
            os.execv(command[0], command)
    else:
        said = ["usage: python3 -m tasks.localsettings check NAME=value... | run NAME=value... -- COMMAND..."]
    for line in said:
        print(f"setup.sh: {line}", file=sys.stderr)
    if said and argv[:1] in (["check"], ["run"]):
        print(f"setup.sh: nothing was changed; fix the value and run it again (settings: {LOCAL_SETTINGS}/{ALL_PY})",
              file=sys.stderr)
    return 2 if said else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
