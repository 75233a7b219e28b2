"""What a command did to files, as the kernel saw it: its fsyncs and renames, in order, under strace."""

import re
import shutil
import subprocess
from pathlib import Path

CALL = re.compile(r"^\d+\s+(?P<name>\w+)\((?P<args>.*)\)\s+= 0$")
FD = re.compile(r"^\d+<(?P<path>[^>]*)>$")
# rename(a, b) or renameat*(dirfd<dir>, a, dirfd<dir>, b[, flags])
NAMES = re.compile(r'(?:AT_FDCWD<(?P<d1>[^>]*)>, )?"(?P<a>[^"]+)", (?:AT_FDCWD<(?P<d2>[^>]*)>, )?"(?P<b>[^"]+)"')


def _under(folder: str | None, name: str) -> Path:
    return Path(name) if name.startswith("/") or not folder else Path(folder) / name


def fsyncs_and_renames(argv: list[str], log: Path, **kwargs) -> list[tuple]:
    """Runs argv (it must succeed); returns ("fsync", path) and ("rename", from, to) for each successful
    call, in order, its children's included."""
    assert shutil.which("strace"), "strace is missing: `apt-get install strace` (.ci/setup-host.sh does)"
    subprocess.run(["strace", "-f", "-qq", "-y", "-o", str(log),
                    "-e", "trace=fsync,fdatasync,rename,renameat,renameat2", *argv], check=True, **kwargs)
    events = []
    for line in log.read_text().splitlines():
        call = CALL.match(line)
        if not call:
            continue
        if call["name"] in ("fsync", "fdatasync"):
            events.append(("fsync", Path(FD.match(call["args"])["path"])))
        else:
            names = NAMES.search(call["args"])
            events.append(("rename", _under(names["d1"], names["a"]), _under(names["d2"], names["b"])))
    return events
