"""The Linux driver layer: no Linux NVIDIA driver inside WSL shadows the Windows driver's libraries."""

from __future__ import annotations

from tasks.doctor.checks.common import not_on_wsl, preflight_or_pass
from tasks.doctor.registry import check
from tasks.facts import WSL_LIB
from tasks.findings import FAIL, INFO, PASS, Finding

LAYER = "Linux driver"


@check("linux-driver.packages", skip=[not_on_wsl], gives=[FAIL])
def check_linux_driver(facts, settings) -> Finding:
    """No Linux NVIDIA driver package is installed inside WSL (the preflight's check)."""
    return preflight_or_pass(facts, settings, "linux-driver.packages", "no Linux NVIDIA driver package is installed")


@check("linux-driver.libcuda", skip=[not_on_wsl], gives=[FAIL])
def check_linker_libcuda(facts, settings) -> Finding:
    """The linker finds libcuda.so.1 in the Windows driver's folder, not a Linux driver's."""
    paths = facts.get("ld_libcuda", [])
    foreign = [p for p in paths if not p.startswith("/usr/lib/wsl/")]
    if foreign:
        return Finding(
            FAIL,
            f"the linker resolves libcuda.so.1 to {', '.join(foreign)}, not to the Windows "
            f"driver's {WSL_LIB}",
            f"`dpkg -S {foreign[0]}` names the Linux driver or CUDA driver package that brought it: "
            "`sudo apt-get purge` that package, then `sudo ldconfig`",
        )
    if paths:
        return Finding(PASS, f"the linker resolves libcuda.so.1 to {paths[0]}")
    return Finding(INFO, "libcuda.so.1 is not in the linker's cache (ldconfig -p): WSL puts it there as it starts "
                   "unless /etc/wsl.conf says otherwise (see wsl.gpu-conf)")
