"""The users' docker config layer: the docker users' ~/.docker/config.json can take the proxy the deploy gives them."""

from __future__ import annotations

from tasks.dockerconfig import IDS, config_problems, wanted_default
from tasks.doctor.checks.common import clause
from tasks.doctor.registry import check
from tasks.findings import INFO, PASS, Finding

LAYER = "users' docker config"


@check("docker-config.proxy", gives=IDS)
def check_users_proxy(facts, settings) -> Finding:
    """Each docker user's ~/.docker/config.json that docker_users_proxy has the deploy change, it can change."""
    problems = config_problems(settings, facts)
    if problems:
        first, *others = problems
        more = f"; and {len(others)} more: " + "; ".join(clause(p) for p in others) if others else ""
        return Finding(first.status, clause(first) + more, first.fix, id=first.id)
    if wanted_default(settings) is None and not facts["docker_configs"]["recorded"]:
        return Finding(INFO, "docker_users_proxy is off or no proxy is set, and no user's config.json holds "
                       "the deploy's proxy: the deploy leaves them alone")
    return Finding(PASS, "every docker user's ~/.docker/config.json that the deploy changes can take the proxy")
