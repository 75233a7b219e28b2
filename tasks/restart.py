"""The engine takes new configuration without stopping running work: reloaded where dockerd can, else restarted
when no container runs."""

from __future__ import annotations

from pyinfra import host, logger
from pyinfra.api import deploy, operation
from pyinfra.operations.util import any_changed

from tasks.daemon import DAEMON_JSON_REJECTED, parse_daemon_json
from tasks.dockerinfo import containers_running, running_names
from tasks.facts import restart_marker
from tasks.managed import (
    DAEMON_JSON,
    DOCKER_PROXY_DROPIN,
    ENGINE_LOADED,
    ENGINE_RESTART_PENDING,
    PROXY_ENV,
    TOOLKIT_PACKAGES,
)
from tasks.operations import NO_CHANGE
from tasks.shell import script_text, shell_script

# The daemon.json keys dockerd applies on SIGHUP (`systemctl reload docker`) without a restart, in
# Debian's 20.10 and 26.1 engines and Docker's own since (moby's daemon/reload.go, reload_unix.go and
# cmd/dockerd's reloadConfig): tests/integration/test_restart.py shows each take effect on both, the
# engine's pid and a running container untouched. Any other key needs a restart: default-ulimits and mtu
# among them, which no reload function reads. A reload merges the file over what the engine runs with
# (daemon/config's Reload: "a partial configuration, to be merged"), each key applied only when set, so a
# key taken out of the file keeps its old value until a restart (restart_keys).
RELOADABLE_KEYS = frozenset({
    "runtimes", "default-runtime", "default-shm-size", "default-ipc-mode", "default-cgroupns-mode",
    "debug", "labels", "insecure-registries", "registry-mirrors", "live-restore",
    "max-concurrent-downloads", "max-concurrent-uploads", "max-download-attempts", "shutdown-timeout",
})
# What the engine loads only when it starts, besides daemon.json: a restart is due while one of these
# changed after it started (files/engine-apply.sh). The toolkit's dpkg list moves with each install.
WATCHED = [DAEMON_JSON, DOCKER_PROXY_DROPIN, PROXY_ENV, "/etc/ssl/certs/ca-certificates.crt",
           f"/var/lib/dpkg/info/{TOOLKIT_PACKAGES[0]}.list"]


def changed_keys(before: dict | None, after: dict) -> set[str]:
    """The daemon.json keys whose value differs; None before (unknown to the engine, or not JSON): every key."""
    if before is None:
        return set(after) | {"(a file the engine may not have loaded)"}
    return {key for key in set(before) | set(after) if before.get(key) != after.get(key)}


def restart_keys(before: dict | None, after: dict) -> set[str]:
    """The changed keys (changed_keys) that only a restart loads: those dockerd does not reload, and those
    taken out of the file, whose old values a reload keeps."""
    keys = changed_keys(before, after)
    return (keys - RELOADABLE_KEYS) | (keys - set(after))


def pending_message(pending: dict, running: list[str]) -> str:
    """What a run says, as its last words for the host, while a restart waits for running containers."""
    held = ", ".join(running) if running else "running containers"
    return (
        f"An engine restart is pending since {pending.get('since') or 'this run'}, for: "
        f"{'; '.join(pending.get('why') or ['a change the engine loads when it starts'])}. "
        f"It waits so as not to stop the containers running: {held}. The next run with none running applies it. "
        "To apply it now: stop them (`docker stop ...`) and rerun the deploy, or rerun it with "
        'engine_restart = "now", which stops them'
    )


@operation(is_idempotent=True)
def restart_pending_told(proof: dict):
    """Says, when it is this operation's turn, whether a restart still waits for running containers, as the
    final check's read of the engine (kept in proof by verify) shows: the marker's lines and the containers."""
    if host.state.is_executing:
        lines = proof["result"]["output"]
        pending = restart_marker(lines)
        if pending:
            host.log_styled(pending_message(pending, running_names(lines)), fg="yellow", log_func=logger.warning)
    yield from ()  # only tells: an operation that changes nothing


@operation(is_idempotent=False)
def engine_config_applied(action: str, policy: str, why: str, daemon_json_backup: str | None):
    """
    The engine runs with its configuration: reloaded (action "reload"), or restarted, which waits while
    containers run unless policy is "now". If it refuses a daemon.json this run wrote, the previous one,
    kept at daemon_json_backup, is put back and the engine started with it: nothing is left stopped.
    """
    yield shell_script("engine-apply.sh", ACTION=action, POLICY=policy, PENDING=ENGINE_RESTART_PENDING,
                       LOADED=ENGINE_LOADED, WHY=why, DAEMON_JSON=DAEMON_JSON, REJECTED=DAEMON_JSON_REJECTED,
                       BACKUP=daemon_json_backup or "", REASON_SCRIPT=script_text("dockerd-reason.sh"),
                       WATCHED=" ".join(WATCHED))


@deploy("Engine restart")
def apply_engine_config(settings, facts, daemon_json, toolkit, network=()):
    """
    The engine takes what changed this run, once: a reload when daemon.json changed only in keys dockerd
    reloads, else a restart, which waits while containers run (engine_restart "when-idle"), as does a
    restart left pending by an earlier run. Returns whether a restart may be left pending, for the run's
    last words (tell_pending_restart).
    """
    changes = [c for c in (daemon_json.change, toolkit, *network) if c is not NO_CHANGE]
    pending = facts["stack"]["restart_pending"]
    if not changes and not pending:
        return False
    read = facts["runtimes"]
    running = containers_running(read)
    if not changes and running and settings.engine_restart != "now":
        # Nothing new, and what waits still waits: no operation, so that this rerun changes nothing.
        host.log_styled(pending_message(pending, running_names(read["output"])), fg="yellow",
                        log_func=logger.warning)
        return False
    reasons = []
    if daemon_json.change is not NO_CHANGE:
        # Only a file the engine is known to have loaded tells what it runs with; else all may differ.
        stack = facts["stack"]
        known = stack["engine_loaded"] is not None and stack["files"].get(DAEMON_JSON) == stack["engine_loaded"]
        keys = restart_keys(parse_daemon_json(facts["daemon_json_file"]) if known else None, daemon_json.config)
        if keys:
            reasons.append(f"daemon.json's {', '.join(sorted(keys))}")
    if toolkit is not NO_CHANGE:
        reasons.append("the NVIDIA Container Toolkit")
    if network:
        reasons.append("the proxy's or CAs' files")
    action = "restart" if reasons or pending else "reload"
    # A restart left pending is due whatever this run changes.
    when = {"_if": any_changed(*changes)} if changes and not pending else {}
    engine_config_applied(
        name=("Docker Engine is restarted to load its new configuration" if action == "restart"
              else "Docker Engine reloads its new configuration, stopping no container"),
        action=action, policy=settings.engine_restart, why=", ".join(reasons) or "an earlier run's change",
        daemon_json_backup=daemon_json.backup, **when,
    )
    return action == "restart"


@deploy("Engine restart")
def tell_pending_restart(restart_planned: bool, proof: dict):
    """The run's last words for the host when a restart it planned waits for running containers, from the final
    check's read (proof, verify's)."""
    if restart_planned:
        restart_pending_told(name="A pending engine restart is told", proof=proof)
