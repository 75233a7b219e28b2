"""pyinfra's CLI, logging every command and file transfer to a host into the file $BENCH_COMMAND_LOG names."""

import json
import os
import sys
import time
from pathlib import Path

from pyinfra.api.host import Host

LOG_ENV = "BENCH_COMMAND_LOG"
# Each files/ script by its text: a command that carries one (tasks/shell.py sends them inside the command)
# is logged with its name, which bench/run.py's profile reads.
SCRIPTS = {path.name: path.read_text().split("\n", 1)[1]
           for path in (Path(__file__).parents[1] / "files").glob("*.sh")}


def _recorded(kind, method):
    def send(self, *args, **kwargs):
        start = time.monotonic()
        try:
            return method(self, *args, **kwargs)
        finally:
            # A command's text (its start, its end: a script's arguments), or the remote path a file goes to
            # or comes from.
            what = args[1] if kind == "put_file" else args[0]
            entry = {"host": self.name, "kind": kind, "seconds": time.monotonic() - start,
                     "command": str(what)[:2000], "tail": str(what)[-500:],
                     "scripts": [name for name, text in SCRIPTS.items() if kind == "run_shell_command"
                                 and text.replace("'", "'\"'\"'") in str(what)]}
            with open(os.environ[LOG_ENV], "a") as log:
                log.write(json.dumps(entry) + "\n")

    return send


if os.environ.get(LOG_ENV):
    for name in ("run_shell_command", "put_file", "get_file"):
        setattr(Host, name, _recorded(name, getattr(Host, name)))

if __name__ == "__main__":
    from pyinfra_cli.main import main

    sys.argv[0] = "pyinfra"
    main()
