"""The Windows driver layer: nvidia-smi answers and its libraries are where WSL mounts them."""

from __future__ import annotations

from tasks.doctor.checks.common import (
    NVML_BLOCKED,
    WINDOWS_DRIVER_FIX,
    not_on_wsl,
    preflight_or_pass,
    problem,
)
from tasks.doctor.registry import check
from tasks.facts import WSL_LIB
from tasks.findings import FAIL, INFO, PASS, Finding

LAYER = "Windows driver"

NVML_BLOCKED_FIX = (
    "WSL gets only GPUs that Windows drives in WDDM mode: a data-center GPU in TCC mode is "
    "blocked (microsoft/WSL#9952), so switch it to WDDM or use another GPU; remove any Linux "
    "nvidia-utils or driver package inside WSL; update the NVIDIA driver for Windows, run "
    "`wsl --update`, then `wsl --shutdown`"
)


@check("driver.nvidia-smi", skip=[not_on_wsl], gives={
    "driver.nvidia-smi.missing": FAIL, "driver.nvidia-smi.blocked": FAIL, "driver.nvidia-smi.timeout": FAIL,
    "driver.nvidia-smi.no-gpu": FAIL})
def check_nvidia_smi(facts, settings) -> Finding:
    """nvidia-smi -L, the Windows driver's own, lists the GPUs WSL shares."""
    if "smi.rc" not in facts:
        missing = problem(facts, settings, "driver.libraries")
        fix = missing.fix if missing else WINDOWS_DRIVER_FIX
        return Finding(FAIL, f"{WSL_LIB}/nvidia-smi is missing", fix, id="driver.nvidia-smi.missing")
    output = "\n".join(facts.get("smi", []))
    if facts["smi.rc"] == "0" and output.startswith("GPU "):
        return Finding(PASS, "; ".join(facts["smi"]))
    if NVML_BLOCKED in output:
        return Finding(FAIL,
                       f"nvidia-smi -L says: Failed to initialize NVML: {NVML_BLOCKED}", NVML_BLOCKED_FIX,
                       id="driver.nvidia-smi.blocked")
    if facts["smi.rc"] == "124":
        return Finding(FAIL, "nvidia-smi -L did not answer within 20 s",
                       WINDOWS_DRIVER_FIX, id="driver.nvidia-smi.timeout")
    said = " / ".join(facts.get("smi", [])[-3:]) or f"nothing (exit status {facts['smi.rc']})"
    return Finding(FAIL, f"nvidia-smi -L lists no GPU; it says: {said}",
                   WINDOWS_DRIVER_FIX, id="driver.nvidia-smi.no-gpu")


@check("driver.libraries", skip=[not_on_wsl], gives=[FAIL])
def check_driver_libraries(facts, settings) -> Finding:
    """libcuda.so.1 and nvidia-smi are in the Windows driver's folder (the preflight's check)."""
    return preflight_or_pass(facts, settings, "driver.libraries", f"libcuda.so.1 and nvidia-smi are in {WSL_LIB}")


@check("driver.libcuda-link", skip=[not_on_wsl])
def check_libcuda_link(facts, settings) -> Finding:
    """Whether libcuda.so.1 is a symbolic link, which ldconfig complains of when it is not."""
    kind = facts.get("libcuda_file")
    if kind == "file":
        return Finding(INFO,
                       f"{WSL_LIB}/libcuda.so.1 is a file, so ldconfig prints \"{WSL_LIB}/libcuda.so.1 "
                       "is not a symbolic link\" on every package install: harmless (microsoft/WSL#11229)")
    if kind == "link":
        return Finding(PASS, f"{WSL_LIB}/libcuda.so.1 is a symbolic link")
    return Finding(INFO, f"no {WSL_LIB}/libcuda.so.1 (see driver.libraries)")
