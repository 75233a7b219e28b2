"""NVIDIA Container Toolkit from NVIDIA's apt repository, its key checked before it is trusted."""

from __future__ import annotations

from pyinfra.api import deploy, operation
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
from tasks.managed import (
    BACKUP_DIR,
    LEGACY_LISTS,
    NVIDIA_KEYRING,
    NVIDIA_LIST,
    TOOLKIT_CONFIG,
    TOOLKIT_PACKAGES,
    TOOLKIT_PIN,
)
from tasks.operations import NO_CHANGE, backup_path, content_is_right
from tasks.shell import shell_script

# What the deploy's engine, rootful, needs: with no-cgroups = true the toolkit sets up no device cgroup for the
# GPU, and GPU containers fail with "Failed to initialize NVML: GPU access blocked by the operating system".
NO_CGROUPS = "false"


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
    if repo_ok and (not (packages_ok and pin_ok) or state["apt_busy"]):
        # Else the repository's step makes apt and dpkg ready first.
        package_manager_ready(name="apt and dpkg are ready for the toolkit",
                              timeout=settings.apt_lock_timeout)
    if not repo_ok:
        repository(name="apt trusts NVIDIA's repository", lock_timeout=settings.apt_lock_timeout, **source._asdict())
    if not pin_ok:
        pin_kept(state, "NVIDIA Container Toolkit", version, TOOLKIT_PIN, pin)
    if packages_ok:
        return NO_CHANGE
    return apt.packages(
        name="NVIDIA Container Toolkit is installed",
        packages=toolkit_packages(settings),
        no_recommends=True,
        allow_downgrades=bool(version),
        extra_install_args=f"-o DPkg::Lock::Timeout={settings.apt_lock_timeout}",
    )


@operation(is_idempotent=False)
def no_cgroups_set(value: str):
    """TOOLKIT_CONFIG sets no-cgroups to value under [nvidia-container-cli], every other line of it kept as it is,
    its previous content kept in BACKUP_DIR."""
    yield shell_script("no-cgroups.sh", CONFIG=TOOLKIT_CONFIG, VALUE=value,
                       BACKUP=backup_path(TOOLKIT_CONFIG, BACKUP_DIR))


@deploy("NVIDIA Container Toolkit")
def configure_toolkit(state) -> None:
    """
    Sets the one key of the toolkit's config.toml the deploy owns, no-cgroups, where the snapshot shows another
    value; after the toolkit's packages, whose scripts write the file and keep what it sets. The toolkit reads
    the file for each container it sets up: the engine needs no restart for it.
    """
    if state["no_cgroups"] not in (None, NO_CGROUPS):
        no_cgroups_set(name=f"{TOOLKIT_CONFIG} sets no-cgroups = {NO_CGROUPS} for the rootful engine",
                       value=NO_CGROUPS)
