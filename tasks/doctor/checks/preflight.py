"""The preflight layer: what the deploy's preflight finds beyond the checks that doctor names itself."""

from __future__ import annotations

from tasks.doctor.checks.common import clause
from tasks.doctor.registry import FAIL, PASS, Verdict, check
from tasks.preflight import preflight_problems

LAYER = "preflight"
# The preflight's checks that doctor reports under its own names; any other is preflight.other.
PREFLIGHT_CHECKS = {"WSL2", "kernel version", "GPU device", "Windows driver libraries",
                    "Linux NVIDIA driver", "distro", "architecture", "Docker Desktop", "systemd"}


@check("preflight.other", gives=[FAIL])
def check_other_preflight(facts, settings) -> Verdict:
    """Every failure of the deploy's preflight that no check below reports under its own name."""
    others = [p for p in preflight_problems(facts, settings) if p.check not in PREFLIGHT_CHECKS]
    if others:
        return Verdict(FAIL, "; ".join(f"{p.check}: {clause(p)}" for p in others),
                       "; ".join(p.fix for p in others))
    return Verdict(PASS, "the deploy's preflight finds nothing beyond the checks below")
