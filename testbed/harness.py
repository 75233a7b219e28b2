"""What the integration tests and the benchmark share: the project's root, every twin's settings, a clone on a twin."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# What every twin needs besides the mirrors: the twin has no NET_ADMIN, so dockerd must
# create no bridge and touch no firewall (TESTING.md); dev stands for the WSL user.
TWIN_SETTINGS = {
    "docker_daemon_options": {"bridge": "none", "iptables": False, "ip-masq": False},
    "docker_users": ["dev"],
    # A test machine's free disk is not a workstation's: docker.disk's own test sets the threshold it needs.
    "doctor_min_free_disk_gb": 1,
}
# Where a user's clone of this project is, on a twin.
CHECKOUT = "/home/dev/wsl-gpu-docker"


def clone_into(twin, path: str = CHECKOUT, user: str = "dev") -> None:
    """The checkout's tracked files, as `git clone` gives them, at path on the twin, owned by user."""
    archive = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, check=True)
    files = subprocess.run(["tar", "-C", str(ROOT), "--null", "-T", "-", "-c"],
                           input=archive.stdout, capture_output=True, check=True).stdout
    subprocess.run(["docker", "exec", "-i", "-u", user, twin.id, "sh", "-c",
                    f"mkdir -p {path} && tar -C {path} -x"], input=files, check=True)
