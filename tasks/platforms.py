"""The platforms the deploy serves, as data: the preflight, doctor and the README's table read it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Platform:
    """A distro release: its os-release ID and VERSION_ID, Docker's suite for it, what differs there."""

    distro: str
    version: str
    codename: str
    differs: str = ""

    @property
    def name(self) -> str:
        return f"{self.distro.capitalize()} {self.version}"


PLATFORMS = (
    Platform("ubuntu", "22.04", "jammy"),
    Platform("ubuntu", "24.04", "noble"),
    Platform("ubuntu", "26.04", "resolute",
             "what `wsl --install` gives today; its default sudo is sudo-rs (0.2.13, which pyinfra "
             "can drive with `sudo -A`)"),
    Platform("debian", "12", "bookworm"),
    Platform("debian", "13", "trixie",
             "apt 3 checks signatures with Sequoia's sqv instead of gpgv; Debian's own sudo-rs "
             "(0.2.5) cannot prompt for pyinfra, so keep sudo.ws as `sudo` or allow passwordless sudo"),
)
ARCHES = ("amd64", "arm64")
# get.docker.com names a Debian release by the major number in /etc/debian_version.
DEBIAN_CODENAMES = {p.version: p.codename for p in PLATFORMS if p.distro == "debian"}


def platform(distro: str, version: str) -> Platform | None:
    """The supported platform with this os-release ID and VERSION_ID, or None."""
    return next((p for p in PLATFORMS if (p.distro, p.version) == (distro, version)), None)


def names() -> str:
    """The supported platforms in words, for a message: "Ubuntu 22.04, ... or Debian 13"."""
    listed = [p.name for p in PLATFORMS]
    return ", ".join(listed[:-1]) + " or " + listed[-1]


def docker_codename(facts: dict) -> str:
    """The suite get.docker.com writes to docker.list, found the way the script finds it.

    Debian: the major number of /etc/debian_version (13.2 -> trixie); a testing release's
    "trixie/sid" stays its name. Ubuntu: `lsb_release --codename`, then os-release.
    """
    if facts.get("distro") == "debian" and facts.get("debian_version"):
        major = facts["debian_version"].split("/")[0].split(".")[0]
        return DEBIAN_CODENAMES.get(major, major)
    return facts.get("lsb_codename") or facts.get("codename", "")
