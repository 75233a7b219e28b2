"""The distros a twin can be: a Debian base image, and the identity rewritten over it."""

from dataclasses import dataclass

# A store-fresh Ubuntu 24.04; the packages underneath stay Debian bookworm's.
UBUNTU_NOBLE = {
    "NAME": "Ubuntu",
    "VERSION": "24.04.1 LTS (Noble Numbat)",
    "ID": "ubuntu",
    "ID_LIKE": "debian",
    "PRETTY_NAME": "Ubuntu 24.04.1 LTS",
    "VERSION_ID": "24.04",
    "VERSION_CODENAME": "noble",
    "UBUNTU_CODENAME": "noble",
}
# Ubuntu 26.04 as released; the packages underneath stay Debian trixie's.
UBUNTU_RESOLUTE = {
    "NAME": "Ubuntu",
    "VERSION": "26.04 LTS (Resolute Raccoon)",
    "ID": "ubuntu",
    "ID_LIKE": "debian",
    "PRETTY_NAME": "Ubuntu 26.04 LTS",
    "VERSION_ID": "26.04",
    "VERSION_CODENAME": "resolute",
    "UBUNTU_CODENAME": "resolute",
}


@dataclass(frozen=True)
class Platform:
    """A Debian suite to debootstrap, and the os-release keys a twin of it overrides (None: stays Debian)."""

    suite: str
    os_release: dict | None = None


PLATFORMS = {
    "debian-12": Platform("bookworm"),
    "ubuntu-24.04": Platform("bookworm", UBUNTU_NOBLE),
    "debian-13": Platform("trixie"),
    "ubuntu-26.04": Platform("trixie", UBUNTU_RESOLUTE),
}
# What a test gets unless it names a platform.
DEFAULT_PLATFORM = "debian-12"
# Every base image the platforms need.
SUITES = list(dict.fromkeys(platform.suite for platform in PLATFORMS.values()))
