"""The preflight layer: what the deploy's preflight finds that no check of another layer reports."""

from __future__ import annotations

from dataclasses import replace

from tasks.doctor.checks.common import preflight_verdict
from tasks.doctor.registry import check
from tasks.findings import FAIL, PASS, Finding
from tasks.preflight import NATIVE_DRIVER

LAYER = "preflight"


@check("preflight.other", gives=dict.fromkeys(NATIVE_DRIVER.values(), FAIL))
def check_other_preflight(facts, settings) -> Finding:
    """The deploy's preflight findings whose ids no check of another layer gives: a native host's NVIDIA driver."""
    found = preflight_verdict(facts, settings, NATIVE_DRIVER.values())
    if found:  # named as the deploy names it, which this check's own name does not say
        return replace(found, found=f"{found.check}: {found.found}")
    return Finding(PASS, "the deploy's preflight finds nothing beyond the checks below")
