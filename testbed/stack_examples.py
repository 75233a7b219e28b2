"""StackState's reading of systemd's units and the toolkit's config.toml, made by its own script from given text."""

import os
import subprocess
import tempfile
from pathlib import Path

from tasks.facts import StackState
from tasks.managed import TIME_UNITS
from tasks.shell import shell_script
from testbed import realtext as real

# systemctl as a stand-in: each unit's block as the real one prints it, blank lines between, in the order asked.
SYSTEMCTL = """#!/bin/sh
first=1
for arg; do
    case $arg in -*|*=*) continue ;; esac
    [ -f "$SHOWN/$arg" ] || continue
    [ "$first" ] || echo
    first=
    cat "$SHOWN/$arg"
done
"""


def stack_state(show: dict[str, str], files: dict[str, str] | None = None, config: str | None = None) -> dict:
    """StackState's value from files/stack-state.sh, run on this machine with a stand-in systemctl that prints
    show[unit] (`systemctl show` text naming absolute paths) for docker.service and TIME_UNITS, the unit files
    and drop-ins of files ({path: text}) where show names them, and config as the toolkit's config.toml."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "shown").mkdir()
        (root / "bin").mkdir()
        for unit, text in show.items():
            (root / "shown" / unit).write_text(text.replace("=/", f"={folder}/").replace(" /", f" {folder}/"))
        for path, text in (files or {}).items():
            (root / path.lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
            (root / path.lstrip("/")).write_text(text)
        (root / "bin" / "systemctl").write_text(SYSTEMCTL)
        (root / "bin" / "systemctl").chmod(0o755)
        if config is not None:
            (root / "config.toml").write_text(config)
        command = shell_script("stack-state.sh", PACKAGES="none-such", KEYS="", FILES="", PENDING=f"{folder}/none",
                               LOADED=f"{folder}/none", SOURCES_DIR=f"{folder}/none", UNITS=" ".join(TIME_UNITS),
                               TOOLKIT_CONFIG=f"{folder}/config.toml")
        out = subprocess.run(["sh", "-c", command], capture_output=True, text=True, check=True,
                             env={**os.environ, "SHOWN": f"{folder}/shown",
                                  "PATH": f"{folder}/bin:{os.environ['PATH']}"}).stdout
    return StackState().process(out.replace(folder, "").splitlines())


DOCKER_SHOWN = ("LoadState=loaded\nActiveState=active\nFragmentPath=/usr/lib/systemd/system/docker.service\n"
                "DropInPaths=\nUnitFileState=enabled\n")
# Ubuntu 24.04 on WSL: systemd-timesyncd with wsl-setup's drop-in, no chrony.
UBUNTU_TIMESYNCD = real.SYSTEMCTL_SHOW_TIMESYNCD_DEBIAN_13.replace(
    "DropInPaths=\n", f"DropInPaths={real.WSL_SETUP_TIMESYNCD_DROPIN_PATH}\n").replace(
    "ActiveState=inactive", "ActiveState=active")
UBUNTU_UNITS = {"docker.service": DOCKER_SHOWN, "systemd-timesyncd.service": UBUNTU_TIMESYNCD,
                "chrony.service": real.SYSTEMCTL_SHOW_NOT_FOUND}
TIMESYNCD_FILES = {real.TIMESYNCD_UNIT_PATH: real.DEBIAN_TIMESYNCD_UNIT_HEAD,
                   real.WSL_SETUP_TIMESYNCD_DROPIN_PATH: real.WSL_SETUP_TIMESYNCD_DROPIN}
# Debian 13 on WSL: systemd-timesyncd installed, no drop-in: its unit does not start under WSL.
DEBIAN_UNITS = {**UBUNTU_UNITS, "systemd-timesyncd.service": real.SYSTEMCTL_SHOW_TIMESYNCD_DEBIAN_13}
