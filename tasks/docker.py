"""Docker Engine: installed once by its script, then kept right by the deploy itself."""

from __future__ import annotations

from shlex import quote

from pyinfra import host, logger
from pyinfra.api import deploy, operation
from pyinfra.operations import apt, server, systemd

from tasks.apt import AptSource, apt_pin, package_manager_ready, pin_kept, repository, repository_is_right
from tasks.dockerinfo import containers_running
from tasks.managed import (
    DOCKER_KEY,
    DOCKER_LIST,
    DOCKER_PIN,
    ENGINE_PACKAGES,
    ENGINE_RESTART_PENDING,
    PIN_PACKAGES,
    PINNED_PACKAGES,
    PROXY_ENV,
)
from tasks.operations import content_is_right
from tasks.platforms import docker_codename
from tasks.shell import shell_script
from tasks.users import docker_users


def docker_source_line(settings, facts) -> str:
    """The line get.docker.com writes to docker.list: the deploy never rewrites the script's own."""
    return (
        f"deb [arch={facts['arch']} signed-by={DOCKER_KEY}] "
        f"{settings.docker_download_url}/linux/{facts['distro']} {docker_codename(facts)} "
        f"{settings.docker_channel}"
    )


def install_script_command(settings) -> str:
    """Fetch the install script, check its sha256 when one is set, run it, remove it."""
    return shell_script("docker-install.sh", SCRIPT_URL=settings.docker_install_script_url,
                        SHA256=settings.docker_install_script_sha256 or "", DOWNLOAD_URL=settings.docker_download_url,
                        CHANNEL=settings.docker_channel, VERSION=settings.docker_version or "", PROXY_ENV=PROXY_ENV)


@deploy("Docker Engine")
def install_docker(settings, facts, state):
    """
    Returns the operation that adds users to the docker group (none when all are in). Only what state
    (read before any change) shows to be missing or wrong gets an operation; each re-checks when it runs.
    """
    url = f"{settings.docker_download_url}/linux/"
    source = AptSource(f"{url}{facts['distro']}/gpg", DOCKER_KEY, settings.docker_gpg_fingerprint,
                       "docker_gpg_fingerprint", docker_source_line(settings, facts), DOCKER_LIST, url)
    repo_ok = repository_is_right(state, source)
    pin = apt_pin(PIN_PACKAGES, f"5:{settings.docker_version}*") if settings.docker_version else None
    pin_ok = content_is_right(state, DOCKER_PIN, pin)
    script = "docker-ce" not in state["packages"]
    missing = [p for p in ENGINE_PACKAGES if p not in state["packages"]]
    off_version = engine_off_version(settings, state)

    if repo_ok and (not (pin_ok and not missing and not off_version) or state["apt_busy"]):
        # Else the repository's step makes apt and dpkg ready first.
        package_manager_ready(name="apt and dpkg are ready", timeout=settings.apt_lock_timeout)
    if not repo_ok:
        repository(name="apt trusts Docker's repository", lock_timeout=settings.apt_lock_timeout, **source._asdict())
    if not pin_ok:
        pin_kept(state, "Docker Engine", settings.docker_version, DOCKER_PIN, pin)
    if script:
        # The script installs ENGINE_PACKAGES, and their scripts enable and start the engine: no step here
        # reads that again. If they did not, the next run's snapshot shows it, and that run repairs it.
        server.shell(name="Docker Engine is installed by its install script",
                     commands=[install_script_command(settings)])
    elif missing:
        apt.packages(
            name="Docker Engine packages are installed",
            packages=ENGINE_PACKAGES,
            extra_install_args=f"-o DPkg::Lock::Timeout={settings.apt_lock_timeout}",
        )
    if not script and state["service"] != {"active": "active", "enabled": "enabled"}:
        systemd.service(
            name="Docker Engine is enabled and running",
            service="docker.service",
            running=True,
            enabled=True,
        )
    # A missing user fails the preflight: never create one.
    outside = [user for user in docker_users(settings, facts)
               if user in facts["users"] and user not in (state["group"] or [])]
    if state["group"] is None or outside:
        name = (f"{', '.join(outside)} {'is' if len(outside) == 1 else 'are'} in the docker group" if outside
                else "The docker group exists")
        return [docker_group_has(name=name, users=outside)]
    return []


@operation()
def docker_group_has(users: list[str]):
    """
    The docker group exists (a system group, as the engine's package makes it) and has users, in one
    command that adds only what is missing when it runs: the group, unless the install script made it
    by then, and each user (`usermod -a` keeps their other groups).
    """
    yield " && ".join(["{ getent group docker >/dev/null || groupadd --system docker; }",
                       *(f"usermod -a -G docker {quote(user)}" for user in users)])


def engine_off_version(settings, state) -> list[str]:
    """The engine's packages installed at another version than docker_version (the script's VERSION covers
    only the first install), which the pin lets apt move up or down to it."""
    return [p for p in PINNED_PACKAGES if settings.docker_version and p in state["packages"]
            and not state["packages"][p].startswith(f"5:{settings.docker_version}")]


@deploy("Docker Engine version")
def move_engine_version(settings, facts, state):
    """
    The engine's packages moved to docker_version. Their maintainer scripts restart the engine, so this
    comes after every other change it must load (the toolkit's too), which that restart then loads:
    the engine restarts once. While containers run it waits, as a restart does (engine_restart).
    """
    off_version = engine_off_version(settings, state)
    if off_version:
        # The packages' maintainer scripts restart the engine: while containers run, that waits too.
        why = f"{', '.join(off_version)} to {settings.docker_version}"
        if containers_running(facts["runtimes"]) and settings.engine_restart != "now":
            host.log_styled(f"Docker Engine stays at {state['packages'][off_version[0]]} for now: its move to "
                            f"{settings.docker_version} restarts it, and containers are running. The next run with "
                            'none running moves it, or one with engine_restart = "now"', fg="yellow",
                            log_func=logger.warning)
        else:
            server.shell(
                name=f"Docker Engine is at the pinned {settings.docker_version}",
                commands=[shell_script("engine-version.sh", settings.engine_restart, ENGINE_RESTART_PENDING, why,
                                       str(settings.apt_lock_timeout), *off_version)],
            )
