"""One finding type, from the settings check to doctor, and its one rendering as text."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

PASS, WARN, FAIL, INFO = "PASS", "WARN", "FAIL", "INFO"
STATUSES = (PASS, WARN, FAIL, INFO)
# A finding's id: dotted, lower-case, its first part the layer or concern (wsl.dxg, settings.unknown).
ID = re.compile(r"[a-z][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+")


@dataclass(frozen=True)
class Finding:
    """What a check found: its status (the severity), what was found and, unless PASS, the fix; its stable id;
    and the check that found it, as doctor names it (wsl.dxg) or as the deploy prints it (WSL2)."""

    status: str
    found: str
    fix: str = ""
    by_deploy: bool = False
    id: str = ""
    check: str = ""

    def as_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        return line(self)


def line(finding: Finding) -> str:
    """One line, as the deploy prints it: "check: found. Fix: fix"."""
    text = f"{finding.check}: {finding.found}" if finding.check else finding.found
    return f"{text}. Fix: {finding.fix}" if finding.fix else text


def fix_line(finding: Finding) -> str:
    """Its fix, as doctor prints it under what was found; empty for a PASS or a finding with no fix."""
    if not finding.fix or finding.status == PASS:
        return ""
    return ("fix (by the deploy): " if finding.by_deploy else "fix: ") + finding.fix


def failure(id: str, found: str, fix: str = "", check: str = "") -> Finding:
    """A FAIL, as the deploy's own checks give it."""
    return Finding(FAIL, found, fix, id=id, check=check)
