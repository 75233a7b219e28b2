"""The docker users' own proxy, read-only: the `proxies.default` their ~/.docker/config.json must hold, its state."""

from __future__ import annotations

import hashlib
import json

from tasks.findings import FAIL, Finding, failure
from tasks.managed import USER_PROXY_RECORD
from tasks.proxy import uses_proxy
from tasks.shell import python_script
from tasks.users import docker_users

SCRIPT = "docker-config.py"
# The findings of a docker user's file the deploy cannot change, each a FAIL, under the setting that asks it to.
CHECK = "docker_users_proxy"
NO_PYTHON, INVALID_JSON, NO_HOME = "docker-config.no-python", "docker-config.invalid-json", "docker-config.no-home"
IDS = {NO_PYTHON: FAIL, INVALID_JSON: FAIL, NO_HOME: FAIL}


def wanted_default(settings) -> dict | None:
    """The proxies.default the docker users' files get, as Docker's client reads it; None: none of ours."""
    if not (settings.docker_users_proxy and uses_proxy(settings)):
        return None
    keys = {"httpProxy": settings.http_proxy, "httpsProxy": settings.https_proxy, "noProxy": settings.no_proxy}
    return {key: value for key, value in keys.items() if value}


def digest(value) -> str:
    """As files/docker-config.py digests a file's proxies.default."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def snapshot_args(settings) -> dict:
    """HostSnapshot's arguments: whose files its snapshot reads besides those in the record ("-": the user
    running the deploy). None while the setting is off: then only recorded users are read."""
    if wanted_default(settings) is None or settings.docker_users == []:
        return {}
    return {"proxy_users": " ".join(settings.docker_users) if settings.docker_users is not None else "-"}


class DockerConfigs:
    """{"recorded": the users whose file holds the deploy's proxy, "configs": {user: files/docker-config.py's
    verdict on their config.json}}, read within HostSnapshot's command."""

    def command(self, proxy_users: str | None = None) -> str:
        run = python_script(SCRIPT, "state", USER_PROXY_RECORD, *(proxy_users or "").split())
        return run if proxy_users else f"[ ! -e {USER_PROXY_RECORD} ] || {run}"

    def default(self) -> dict:
        return {"recorded": [], "configs": {}}

    def process(self, output) -> dict:
        value = self.default()
        for line in output:
            key, _, text = line.partition("=")
            if key == "recorded":
                value["recorded"].append(text)
            elif key == "config":
                config = json.loads(text)
                value["configs"][config["user"]] = config
        return value


def users_to_change(settings, facts) -> dict[str, bool]:
    """{user: True where their file must hold the deploy's proxy, False where it must hold it no more}."""
    wanted = docker_users(settings, facts) if wanted_default(settings) is not None else []
    return {**{u: False for u in facts["docker_configs"]["recorded"]}, **{u: True for u in wanted}}


def needs_change(config: dict, wanted: str | None, recorded: bool) -> bool:
    """Whether a user's file, as config (the snapshot's verdict) shows it, must change: to hold the
    proxies.default whose digest is wanted, or, wanted None, to lose the one the deploy wrote (recorded)."""
    if config["state"] == "invalid":
        return False  # the preflight has stopped the host, or names it as a warning
    if wanted is None:
        return recorded
    return config["state"] == "absent" or (config["state"] == "json" and config["digest"] != wanted)


def config_problems(settings, facts) -> list[Finding]:
    """Why a docker user's file that must change cannot, as the preflight stops on it and doctor tells it."""
    problems = []
    configs = facts["docker_configs"]["configs"]
    for user, on in users_to_change(settings, facts).items():
        config = configs.get(user)
        if config is None and user in facts["users"]:
            problems.append(failure(NO_PYTHON, f"{user}'s ~/.docker/config.json was not read: python3 is missing",
                                    "install python3, or set docker_users_proxy = False", CHECK))
        elif config and config["state"] == "invalid":
            problems.append(failure(INVALID_JSON, f"{config['path']} is not valid JSON ({config['reason']}), so the "
                                    "deploy cannot change its proxies", "correct it or move it away (docker reads it "
                                    "too), then rerun the deploy", CHECK))
        elif config and config["state"] == "nohome" and on:
            problems.append(failure(NO_HOME, f"{user} has no home directory for {config['path']}",
                                    f"create it, or leave {user} out of docker_users", CHECK))
    return problems
