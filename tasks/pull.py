"""Pull mode: a systemd timer that keeps this host at the team's pinned commit of this repository."""

from __future__ import annotations

from pyinfra.api import deploy
from pyinfra.operations import apt, server

from tasks.apt import package_manager_ready
from tasks.managed import PULL_FILES, PULL_PACKAGES, PULL_SERVICE, PULL_TIMER, PULL_TIMER_LINK
from tasks.operations import file_content, sha256
from tasks.pullmode import TIMER_UNIT, is_calendar, pull_files


def _wrong(settings, state) -> dict[str, tuple[str | None, str]]:
    """Pull mode's files whose content, as the snapshot read it before any change, differs from the wanted."""
    return {path: (text, mode) for path, (text, mode) in pull_files(settings).items()
            if state["files"].get(path) != (sha256(text) if text is not None else None)}


def _calendar_check(settings):
    # systemd's own parser, on the host: a spec it refuses would leave the timer never elapsing.
    spec = settings.pull_schedule
    assert is_calendar(spec) is None  # the settings check has refused anything the shell could read
    return lambda _temp: f"systemd-analyze calendar '{spec}' > /dev/null"


@deploy("Pull mode")
def install_pull(settings, state):
    """
    With pull_repo_url set: the runner, its settings (root-only), the signing keys, the service and the
    timer are as wanted and the timer is enabled and started; systemd reloads only when a unit changed.
    Without it: whatever of these an earlier run installed goes. The timer's run never stops a running
    container: it runs the deploy, whose engine restarts wait while containers run.
    """
    if not settings.pull_repo_url:
        present = [path for path in PULL_FILES if path in state["files"]]
        if present:
            server.shell(
                name="Pull mode is off: its timer and service are gone (pull_repo_url is not set)",
                commands=[f"systemctl disable --now {TIMER_UNIT} 2>/dev/null; rm -f {' '.join(PULL_FILES)}"
                          " && systemctl daemon-reload"])
        return
    missing = [p for p in PULL_PACKAGES if p not in state["packages"]]
    if missing:
        package_manager_ready(name="apt and dpkg are ready for git", timeout=settings.apt_lock_timeout)
        apt.packages(name="git, which the pull timer fetches with, is installed", packages=missing,
                     no_recommends=True, extra_install_args=f"-o DPkg::Lock::Timeout={settings.apt_lock_timeout}")
    wrong = _wrong(settings, state)
    for path, (text, mode) in wrong.items():
        if text is None:
            server.shell(name=f"{path} is absent (no pull_signing_keys)", commands=[f"rm -f {path}"])
        else:
            check = _calendar_check(settings) if path == PULL_TIMER else None
            file_content(name=f"Pull mode's {path} is up to date", dest=path, text=text, mode=mode, check=check)
    units_changed = PULL_SERVICE in wrong or PULL_TIMER in wrong
    if units_changed or PULL_TIMER_LINK not in state["files"]:
        # A timer restarted with a new schedule takes it at once; the service is started only by the timer.
        server.shell(name=f"The pull timer is enabled and started ({settings.pull_schedule})",
                     commands=[f"systemctl daemon-reload && systemctl enable --quiet {TIMER_UNIT}"
                               f" && systemctl restart {TIMER_UNIT}"])
