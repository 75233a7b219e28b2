"""SSH to twins as a team lead does: a throwaway key, a sudo user, host keys checked strictly."""

import os
import socket
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

# WSL's first-run user in the twin image (image.py): in group sudo, which asks for this password.
DEV_USER = "dev"
DEV_PASSWORD = "dev"


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ClientKey:
    """An ed25519 key pair written to folder/id_ed25519 (and .pub)."""

    def __init__(self, folder: Path):
        key = Ed25519PrivateKey.generate()
        self.path = Path(folder) / "id_ed25519"
        self.public = key.public_key().public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
        ).decode() + " wsl-twin-test"
        self.path.write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()
        ))
        os.chmod(self.path, 0o600)
        self.path.with_suffix(".pub").write_text(self.public + "\n")


def ssh_host_data(twin, key: ClientKey, known_hosts: Path, sudo_password: str | None = DEV_PASSWORD) -> dict:
    """
    pyinfra host data that reaches `twin` over SSH as the sudo user `dev` (the run passes --sudo);
    sudo_password=None for a twin whose `dev` needs none (Twin(sudo_nopasswd=True)).
    """
    data = {
        "ssh_hostname": "127.0.0.1",
        "ssh_port": twin.ssh_port,
        "ssh_user": DEV_USER,
        "ssh_key": str(key.path),
        "ssh_known_hosts_file": str(known_hosts),
        "ssh_strict_host_key_checking": "yes",
        "ssh_allow_agent": False,
        "ssh_look_for_keys": False,
    }
    return {**data, "_sudo_password": sudo_password} if sudo_password else data
