"""Docker Engine: installed once by its script, then kept right by the deploy itself."""

from __future__ import annotations

from pyinfra import host
from pyinfra.api import deploy
from pyinfra.facts.deb import DebPackages
from pyinfra.facts.server import Users
from pyinfra.operations import apt, files, server, systemd
from pyinfra.operations.util import any_changed

from tasks.operations import file_content, trusted_key

DOCKER_KEY = "/etc/apt/keyrings/docker.asc"
DOCKER_LIST = "/etc/apt/sources.list.d/docker.list"
DOCKER_PIN = "/etc/apt/preferences.d/docker-ce"
ENGINE_PACKAGES = [
    "docker-ce",
    "docker-ce-cli",
    "containerd.io",
    "docker-buildx-plugin",
    "docker-compose-plugin",
]
# Backups of apt files go here: apt would warn about any stray file in its own folders.
APT_BACKUPS = "/var/backups/wsl-gpu-docker"


def docker_source_line(settings, facts) -> str:
    """The line get.docker.com writes to docker.list."""
    return (
        f"deb [arch={facts['arch']} signed-by={DOCKER_KEY}] "
        f"{settings.docker_download_url}/linux/{facts['distro']} {facts['codename']} "
        f"{settings.docker_channel}"
    )


def docker_pin(version: str) -> str:
    return (
        "Package: docker-ce docker-ce-cli docker-ce-rootless-extras\n"
        f"Pin: version 5:{version}*\n"
        "Pin-Priority: 1001\n"
    )


def docker_users(settings, facts) -> list[str]:
    if settings.docker_users is not None:
        return settings.docker_users
    user = facts.get("user")
    return [user] if user and user != "root" else []


def _run_install_script(settings):
    script = host.get_temp_filename("get-docker.sh")
    env = {"DOWNLOAD_URL": settings.docker_download_url, "CHANNEL": settings.docker_channel}
    if settings.docker_version:
        env["VERSION"] = settings.docker_version
    files.download(
        name=f"The Docker install script is fetched from {settings.docker_install_script_url}",
        src=settings.docker_install_script_url,
        dest=script,
        sha256sum=settings.docker_install_script_sha256,
        force=True,
    )
    server.shell(
        name="Docker Engine is installed by its install script",
        commands=[f"sh {script}", f"rm -f {script}"],
        _env=env,
    )


@deploy("Docker Engine")
def install_docker(settings, facts):
    """Returns the operation that adds users to the docker group."""
    key = trusted_key(
        name=f"{DOCKER_KEY} holds Docker's key",
        src=f"{settings.docker_download_url}/linux/{facts['distro']}/gpg",
        dest=DOCKER_KEY,
        fingerprint=settings.docker_gpg_fingerprint,
        setting="docker_gpg_fingerprint",
    )
    source = file_content(
        name=f"{DOCKER_LIST} is Docker's apt source",
        dest=DOCKER_LIST,
        text=docker_source_line(settings, facts) + "\n",
        backup_dir=APT_BACKUPS,
    )
    if settings.docker_version:
        pin = file_content(name=f"Docker Engine is pinned to {settings.docker_version}",
                           dest=DOCKER_PIN, text=docker_pin(settings.docker_version),
                           backup_dir=APT_BACKUPS)
    else:
        pin = files.file(name="Docker Engine is not pinned", path=DOCKER_PIN, present=False)
    if "docker-ce" not in host.get_fact(DebPackages):
        _run_install_script(settings)
    apt.update(name="apt knows Docker's packages", _if=any_changed(key, source, pin))
    apt.packages(name="Docker Engine packages are installed", packages=ENGINE_PACKAGES)
    systemd.service(
        name="Docker Engine is enabled and running",
        service="docker.service",
        running=True,
        enabled=True,
    )

    server.group(name="The docker group exists", group="docker", system=True)
    return [
        server.user(
            name=f"{user} is in the docker group",
            user=user,
            groups=["docker"],
            append=True,
            ensure_home=False,
        )
        for user in docker_users(settings, facts)
        if user in host.get_fact(Users)  # a missing one fails the preflight; never create it
    ]


@deploy("Engine restart")
def restart_engine_if(*changes):
    """Restart the engine when, and only when, one of the given operations changed something."""
    systemd.service(
        name="Docker Engine is restarted to load its new configuration",
        service="docker.service",
        restarted=True,
        _if=any_changed(*changes),
    )
