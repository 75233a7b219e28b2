"""Docker Engine: installed once by its script, then kept right by the deploy itself."""

from __future__ import annotations


from pyinfra import host
from pyinfra.api import deploy, operation
from pyinfra.operations import apt, server, systemd
from pyinfra.operations.util import any_changed

from tasks.apt import (apt_pin, package_manager_ready, pin_is_right, pin_kept, repository,
                       repository_is_right)
from tasks.daemon import DAEMON_JSON, DAEMON_JSON_REJECTED
from tasks.facts import StackState
from tasks.operations import backup_path
from tasks.shell import shell_script
from tasks.platforms import docker_codename
from tasks.toolkit import LEGACY_LISTS, NVIDIA_KEYRING, NVIDIA_LIST, TOOLKIT_PACKAGES, TOOLKIT_PIN

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


def docker_source_line(settings, facts) -> str:
    """The line get.docker.com writes to docker.list: the deploy never rewrites the script's own."""
    return (
        f"deb [arch={facts['arch']} signed-by={DOCKER_KEY}] "
        f"{settings.docker_download_url}/linux/{facts['distro']} {docker_codename(facts)} "
        f"{settings.docker_channel}"
    )


# The script's VERSION selects these two, and the deploy moves them to docker_version...
PINNED_PACKAGES = ["docker-ce", "docker-ce-cli"]
# ...where its pin holds them, with the rootless extras of the same release.
PIN_PACKAGES = [*PINNED_PACKAGES, "docker-ce-rootless-extras"]
# The packages whose state the deploy reads and keeps. Others the install script brings, such as
# docker-model-plugin (Docker 28.2 and later), are the engine's own: never read, held or removed.
STATE_PACKAGES = [*ENGINE_PACKAGES, *TOOLKIT_PACKAGES, "nvidia-docker2"]


def read_state(settings):
    """What the deploy manages, in one command before any change (StackState)."""
    return host.get_fact(
        StackState,
        packages=STATE_PACKAGES,
        keys=[DOCKER_KEY, NVIDIA_KEYRING],
        files=[DOCKER_LIST, DOCKER_PIN, NVIDIA_LIST, TOOLKIT_PIN, *LEGACY_LISTS],
        urls=[f"{settings.docker_download_url}/linux/", settings.nvidia_repo_url],
    )


def docker_users(settings, facts) -> list[str]:
    if settings.docker_users is not None:
        return settings.docker_users
    user = facts.get("user")
    return [user] if user and user != "root" else []


def install_script_command(settings) -> str:
    """Fetch the install script, check its sha256 when one is set, run it, remove it."""
    return shell_script("docker-install.sh", settings.docker_install_script_url,
                        settings.docker_install_script_sha256 or "", settings.docker_download_url,
                        settings.docker_channel, settings.docker_version or "")


@deploy("Docker Engine")
def install_docker(settings, facts, state):
    """
    Returns the operations that add users to the docker group. Only what state (read before
    any change) shows to be missing or wrong gets an operation; each re-checks when it runs.
    """
    line = docker_source_line(settings, facts)
    url = f"{settings.docker_download_url}/linux/"
    repo_ok = repository_is_right(state, DOCKER_KEY, settings.docker_gpg_fingerprint,
                                  DOCKER_LIST, line, url)
    pin = apt_pin(PIN_PACKAGES, f"5:{settings.docker_version}*") if settings.docker_version else None
    pin_ok = pin_is_right(state, DOCKER_PIN, pin)
    script = "docker-ce" not in state["packages"]
    missing = [p for p in ENGINE_PACKAGES if p not in state["packages"]]
    # An engine already installed at another version than docker_version (the script's VERSION
    # covers only the first install) is moved to it: the pin lets apt up- or downgrade.
    off_version = [p for p in PINNED_PACKAGES if settings.docker_version and p in state["packages"]
                   and not state["packages"][p].startswith(f"5:{settings.docker_version}")]

    if not (repo_ok and pin_ok and not missing and not off_version) or state["apt_busy"]:
        package_manager_ready(name="apt and dpkg are ready", timeout=settings.apt_lock_timeout)
    if not repo_ok:
        repository(
            name="apt trusts Docker's repository",
            key_url=f"{settings.docker_download_url}/linux/{facts['distro']}/gpg",
            key_path=DOCKER_KEY,
            fingerprint=settings.docker_gpg_fingerprint,
            setting="docker_gpg_fingerprint",
            line=line,
            list_path=DOCKER_LIST,
            repo_url=url,
            lock_timeout=settings.apt_lock_timeout,
        )
    if not pin_ok:
        pin_kept("Docker Engine", settings.docker_version, DOCKER_PIN, pin)
    if script:
        server.shell(name="Docker Engine is installed by its install script",
                     commands=[install_script_command(settings)])
    if missing:
        apt.packages(
            name="Docker Engine packages are installed",
            packages=ENGINE_PACKAGES,
            extra_install_args=f"-o DPkg::Lock::Timeout={settings.apt_lock_timeout}",
        )
    if off_version:
        server.shell(
            name=f"Docker Engine is at the pinned {settings.docker_version}",
            commands=["DEBIAN_FRONTEND=noninteractive apt-get install -y -q --allow-downgrades"
                      f" -o DPkg::Lock::Timeout={settings.apt_lock_timeout} {' '.join(off_version)}"],
        )
    if state["service"] != {"active": "active", "enabled": "enabled"}:
        systemd.service(
            name="Docker Engine is enabled and running",
            service="docker.service",
            running=True,
            enabled=True,
        )
    if state["group"] is None:
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
        # A missing user fails the preflight: never create one.
        if user in facts["users"] and user not in (state["group"] or [])
    ]


@operation()
def engine_restarted(daemon_json_changed: bool):
    """
    The engine restarted to load its configuration. If it refuses a daemon.json this run wrote
    (one an engine older than Docker 23 could not check before it was put in place), the previous
    one is put back and the engine started with it: nothing is left stopped. A daemon.json this
    run did not change is never moved: the failure lies elsewhere.
    """
    backup = backup_path(DAEMON_JSON)
    # dockerd's own reason, from this restart's lines only; else the unit's last words.
    said = (f"$(journalctl _SYSTEMD_UNIT=docker.service --since \"@$since\" --no-pager -o cat 2>/dev/null"
            f" | {shell_script('dockerd-reason.sh')});"
            " [ -n \"$why\" ] || why=$(journalctl -u docker.service -n 3 --no-pager -o cat 2>/dev/null)")
    if daemon_json_changed:
        recover = (
            f"mv -f {DAEMON_JSON} {DAEMON_JSON_REJECTED}; [ -e {backup} ] && cp -p {backup} {DAEMON_JSON};"
            " systemctl reset-failed docker.service; systemctl start docker.service;"
            f" echo \"dockerd refused the new {DAEMON_JSON} (kept as {DAEMON_JSON_REJECTED}); the previous"
            " one is back and the engine runs with it. Check docker_daemon_options. dockerd said:"
            " $why\" >&2;"
        )
    else:
        recover = (
            "echo \"docker.service did not restart to load the NVIDIA Container Toolkit;"
            f" {DAEMON_JSON} is unchanged. dockerd said: $why. Fix: \\`journalctl -u docker.service\\`"
            " says why; once it is mended, rerun the deploy\" >&2;"
        )
    yield (f"since=$(date +%s); if ! systemctl restart docker.service; then why={said}; {recover}"
           " exit 1; fi")


@deploy("Engine restart")
def restart_engine_if(daemon_json, toolkit):
    """Restart the engine when, and only when, daemon.json's or the toolkit's operation changed
    something (each is None when it had nothing to do)."""
    changes = [c for c in (daemon_json, toolkit) if c is not None]
    if changes:
        engine_restarted(name="Docker Engine is restarted to load its new configuration",
                         daemon_json_changed=daemon_json is not None, _if=any_changed(*changes))
