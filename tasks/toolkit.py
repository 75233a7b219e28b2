"""NVIDIA Container Toolkit from NVIDIA's apt repository, its key checked before it is trusted."""

from __future__ import annotations

from pyinfra.api import deploy
from pyinfra.operations import apt

from tasks.apt import (
    AptSource,
    absent_with_backup,
    apt_pin,
    package_manager_ready,
    pin_kept,
    repository,
    repository_is_right,
)
from tasks.managed import LEGACY_LISTS, NVIDIA_KEYRING, NVIDIA_LIST, TOOLKIT_PACKAGES, TOOLKIT_PIN
from tasks.operations import NO_CHANGE, content_is_right


def nvidia_source_line(settings, facts) -> str:
    return f"deb [signed-by={NVIDIA_KEYRING}] {settings.nvidia_repo_url}/stable/deb/{facts['arch']} /"


def toolkit_packages(settings) -> list[str]:
    """The toolkit packages, pinned together when nvidia_toolkit_version is set."""
    version = settings.nvidia_toolkit_version
    packages = [f"{p}={version}" if version else p for p in TOOLKIT_PACKAGES]
    return packages + (["nvidia-docker2"] if settings.nvidia_docker2 else [])


def toolkit_is_right(settings, installed: dict) -> bool:
    version = settings.nvidia_toolkit_version
    wanted = TOOLKIT_PACKAGES + (["nvidia-docker2"] if settings.nvidia_docker2 else [])
    return all(p in installed for p in wanted) and all(
        installed[p] == version for p in TOOLKIT_PACKAGES if version)


@deploy("NVIDIA Container Toolkit")
def install_toolkit(settings, facts, state):
    """
    Returns the operation that installs the toolkit (NO_CHANGE when it is right already), for the
    engine's restart to follow. Like install_docker, it acts only on what state shows wrong.
    """
    for path in LEGACY_LISTS:
        if path in state["files"]:
            absent_with_backup(name=f"Legacy {path} is absent", path=path)
    source = AptSource(f"{settings.nvidia_repo_url}/gpgkey", NVIDIA_KEYRING, settings.nvidia_gpg_fingerprint,
                       "nvidia_gpg_fingerprint", nvidia_source_line(settings, facts), NVIDIA_LIST,
                       settings.nvidia_repo_url, dearmor=True)
    repo_ok = repository_is_right(state, source)
    packages_ok = toolkit_is_right(settings, state["packages"])
    version = settings.nvidia_toolkit_version
    pin = apt_pin(TOOLKIT_PACKAGES, version) if version else None
    pin_ok = content_is_right(state, TOOLKIT_PIN, pin)
    if not (repo_ok and packages_ok and pin_ok) or state["apt_busy"]:
        package_manager_ready(name="apt and dpkg are ready for the toolkit",
                              timeout=settings.apt_lock_timeout)
    if not repo_ok:
        repository(name="apt trusts NVIDIA's repository", lock_timeout=settings.apt_lock_timeout, **source._asdict())
    if not pin_ok:
        pin_kept("NVIDIA Container Toolkit", version, TOOLKIT_PIN, pin)
    if packages_ok:
        return NO_CHANGE
    return apt.packages(
        name="NVIDIA Container Toolkit is installed",
        packages=toolkit_packages(settings),
        no_recommends=True,
        allow_downgrades=bool(version),
        extra_install_args=f"-o DPkg::Lock::Timeout={settings.apt_lock_timeout}",
    )
