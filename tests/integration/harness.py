"""What the integration tests and the benchmark share: the project's root and every twin's settings."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# What every twin needs besides the mirrors: the twin has no NET_ADMIN, so dockerd must
# create no bridge and touch no firewall (TESTING.md); dev stands for the WSL user.
TWIN_SETTINGS = {
    "docker_daemon_options": {"bridge": "none", "iptables": False, "ip-masq": False},
    "docker_users": ["dev"],
}
