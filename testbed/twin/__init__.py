"""Disposable WSL2 and native-workstation twins, and stand-in upstreams, for the integration tests."""

from .image import ensure_base_image
from .mirrors import Mirrors
from .platforms import DEFAULT_PLATFORM, PLATFORMS, SUITES, UBUNTU_NOBLE, UBUNTU_RESOLUTE, Platform
from .ssh import ClientKey, free_port, ssh_host_data
from .twin import NATIVE_KERNEL, Twin

__all__ = ["ClientKey", "DEFAULT_PLATFORM", "Mirrors", "NATIVE_KERNEL", "PLATFORMS", "Platform", "SUITES",
           "Twin", "UBUNTU_NOBLE", "UBUNTU_RESOLUTE", "ensure_base_image", "free_port", "ssh_host_data"]
