"""Order only: settings -> preflight -> systemd (WSL) -> daemon.json -> engine -> toolkit -> restart -> verify."""

from pyinfra import host

from tasks.daemon import configure_daemon
from tasks.docker import install_docker, read_state, restart_engine_if
from tasks.preflight import check_preflight
from tasks.settings import validate
from tasks.toolkit import install_toolkit
from tasks.verify import verify
from tasks.wsl import ensure_systemd

settings = validate(host.data.dict())
facts = check_preflight(settings)

if facts is None:
    pass  # the preflight stops this host, naming each failed check
elif settings.docker_engine == "docker-desktop":
    verify(settings)  # Docker Desktop brings its own engine: nothing to install
# Native Linux has no wsl.conf: there the preflight has checked that systemd is PID 1.
elif not facts["wsl"] or ensure_systemd(settings, facts):
    # daemon.json first: the engine's first start must already read it.
    daemon_json = configure_daemon(settings)
    state = read_state(settings)  # before any change: what is missing or wrong
    group_changes = install_docker(settings, facts, state)
    toolkit = install_toolkit(settings, facts, state)
    restart_engine_if(daemon_json, toolkit)
    verify(settings, group_changes)
