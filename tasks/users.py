"""Who the deploy puts in the docker group: read-only, for the preflight, the deploy and doctor."""

from __future__ import annotations


def docker_users(settings, facts) -> list[str]:
    """docker_users, or else the user who runs the deploy unless that is root."""
    if settings.docker_users is not None:
        return settings.docker_users
    user = facts.get("user")
    return [user] if user and user != "root" else []
