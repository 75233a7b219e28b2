"""Disposable WSL2 and native-workstation twins, and stand-in upstreams, for the integration tests."""

from .image import ensure_base_image
from .mirrors import Mirrors
from .ssh import ClientKey, free_port, ssh_host_data
from .twin import NATIVE_KERNEL, UBUNTU_NOBLE, Twin

__all__ = ["ClientKey", "Mirrors", "NATIVE_KERNEL", "Twin", "UBUNTU_NOBLE", "ensure_base_image",
           "free_port", "ssh_host_data"]
