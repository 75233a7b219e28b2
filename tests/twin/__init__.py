"""Disposable WSL2 twins and stand-in upstreams for the integration tests."""

from .image import ensure_base_image
from .mirrors import Mirrors
from .twin import UBUNTU_NOBLE, Twin

__all__ = ["Mirrors", "Twin", "UBUNTU_NOBLE", "ensure_base_image"]
