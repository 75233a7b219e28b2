"""The settings layer: every setting is valid."""

from __future__ import annotations

from tasks.doctor.registry import check
from tasks.findings import PASS, Finding
from tasks.settings import IDS, SettingsError

LAYER = "settings"


@check("settings", gives=IDS)
def check_settings(facts, settings) -> Finding:
    """Every setting in the inventory is valid; doctor goes on with the defaults when one is not."""
    problems = facts.get("settings_error")
    if problems:
        return Finding(problems[0].status, f"{SettingsError(problems)} (the checks below use the defaults instead)",
                       "correct the settings named, in inventory.py", id=problems[0].id)
    return Finding(PASS, "every setting is valid")
