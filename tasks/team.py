"""A host's settings from team.py: the team's, then the host's own by hostname."""

from __future__ import annotations

import team


def team_settings(hostname: str) -> dict:
    """team.settings with team.hosts' entry for hostname (any case) over them."""
    own = {name.lower(): data for name, data in team.hosts.items()}
    return {**team.settings, **own.get(hostname.lower(), {})}
