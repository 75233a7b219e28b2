"""The docker users' own proxy: `proxies.default` in each one's ~/.docker/config.json, for containers and builds."""

from __future__ import annotations

from pyinfra import host, logger
from pyinfra.api import deploy, operation

from tasks.dockerconfig import SCRIPT, digest, needs_change, users_to_change, wanted_default
from tasks.managed import BACKUP_DIR, PROXY_ENV, USER_PROXY_RECORD
from tasks.operations import BACKUP_STAMP
from tasks.shell import python_script


@operation()
def docker_config_proxies(user: str, config: dict, wanted: str | None, recorded: bool):
    """
    user's ~/.docker/config.json holds the proxies.default in proxy.env (whose digest is wanted) or, wanted
    None, no longer the one the deploy wrote; every other key stays, and the previous file is kept in the
    backups. config is the snapshot's verdict on the file; the proxy itself travels in no command.
    """
    if not needs_change(config, wanted, recorded):
        where = config.get("path", f"{user}'s config.json")
        host.noop(f"{where} has the proxy" if wanted else f"{where} holds no proxy the deploy wrote")
        return
    backup = f"{BACKUP_DIR}/{user}-docker-config.json.bak-{BACKUP_STAMP}"
    if config["state"] == "json" and (wanted or config["digest"]) and host.state.is_executing:
        host.log_styled(f"previous {config['path']} kept as {backup}", fg="blue", log_func=logger.info)
    yield python_script(SCRIPT, "apply", user, "on" if wanted else "off", USER_PROXY_RECORD, PROXY_ENV, backup)


@deploy("Docker users' proxy")
def configure_user_proxies(settings, facts):
    """Only a file whose verdict in the snapshot shows work to do gets an operation: one command each."""
    default = wanted_default(settings)
    wanted = digest(default) if default is not None else None
    snapshot = facts["docker_configs"]
    for user, on in users_to_change(settings, facts).items():
        config = snapshot["configs"].get(user, {"state": "nouser"})
        recorded = user in snapshot["recorded"]
        if needs_change(config, wanted if on else None, recorded):
            docker_config_proxies(name=f"{user}'s docker client {'uses' if on else 'no longer uses'} the proxy",
                                  user=user, config=config, wanted=wanted if on else None, recorded=recorded)
