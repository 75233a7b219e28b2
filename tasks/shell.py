"""The scripts the deploy sends: files/ scripts, each run as one command with its arguments."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

FILES = Path(__file__).resolve().parent.parent / "files"


def script_text(name: str) -> str:
    """files/<name>, after the files/lib/ scripts its `# needs:` line names: the functions it calls."""
    text = (FILES / name).read_text()
    needs = re.search(r"^# needs: (.+)$", text, re.M)
    return "".join((FILES / "lib" / lib).read_text() for lib in (needs[1].split() if needs else [])) + text


def shell_script(name: str, *args: str, **named: str) -> str:
    """files/<name> run by sh with args, then named as NAME=value arguments (files/lib/named.sh reads
    them), as one command: the script travels inside it."""
    args = (*args, *(f"{key}={value}" for key, value in named.items()))
    return " ".join(["sh -c", shlex.quote(script_text(name)), name, *map(shlex.quote, args)])


def python_script(name: str, *args: str) -> str:
    """files/<name> run by python3 with args, as one command: the script travels inside it."""
    return " ".join(["python3 -c", shlex.quote((FILES / name).read_text()), *map(shlex.quote, args)])
