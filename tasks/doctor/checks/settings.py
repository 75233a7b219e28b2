"""The settings layer: every setting is valid."""

from __future__ import annotations

from tasks.doctor.registry import FAIL, PASS, Verdict, check

LAYER = "settings"


@check("settings", gives=[FAIL])
def check_settings(facts, settings) -> Verdict:
    """Every setting in the inventory is valid; doctor goes on with the defaults when one is not."""
    error = facts.get("settings_error")
    if error:
        return Verdict(FAIL, f"{error} (the checks below use the defaults instead)",
                       "correct the settings named, in inventory.py")
    return Verdict(PASS, "every setting is valid")
