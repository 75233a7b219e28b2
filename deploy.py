"""Order only: settings -> preflight -> network -> systemd (WSL) -> daemon.json -> engine -> toolkit -> its
no-cgroups -> engine version -> engine reload or restart (waiting while containers run) -> drop-ins for the time
daemons and the engine's order (a daemon-reload that waits the same way) -> users' proxy -> verify -> pull mode's
timer -> a restart left pending."""

from pyinfra import host

from tasks.daemon import configure_daemon
from tasks.docker import install_docker, move_engine_version
from tasks.network import configure_network
from tasks.operations import checks_pass, ops_planned
from tasks.preflight import check_preflight
from tasks.pull import install_pull
from tasks.restart import apply_engine_config, tell_pending_restart
from tasks.settings import SettingsError, validate
from tasks.toolkit import configure_toolkit, install_toolkit
from tasks.units import configure_dropins
from tasks.userproxy import configure_user_proxies
from tasks.verify import verify
from tasks.wsl import ensure_systemd

try:
    settings = validate(host.data.dict())
except SettingsError as error:
    # This host stops, naming each bad setting, before any fact is read; the others go on.
    settings = None
    checks_pass(name="Settings are valid", problems=error.problems, title="invalid settings")
facts = check_preflight(settings) if settings else None
planned = ops_planned()  # while no step plans more, the final check reuses the snapshot's read


if facts is None:
    pass  # a bad setting or the preflight stops this host, naming each problem
elif settings.docker_engine == "docker-desktop":
    verify(settings, facts, planned)  # Docker Desktop brings its own engine: nothing to install
else:
    state = facts["stack"]  # read with the host's identity, before any change: what is missing or wrong
    # The proxy and CAs first: every upstream must answer through them before anything changes,
    # and every download after uses them.
    network = configure_network(settings, state)
    # Native Linux has no wsl.conf: there the preflight has checked that systemd is PID 1.
    if not facts["wsl"] or ensure_systemd(settings, facts):
        # daemon.json first: the engine's first start must already read it.
        daemon_json = configure_daemon(settings, facts)
        group_changes = install_docker(settings, facts, state)
        toolkit = install_toolkit(settings, facts, state)
        configure_toolkit(state)  # no-cgroups in its config.toml, after the packages, whose scripts write it
        move_engine_version(settings, facts, state)  # its package scripts restart the engine: last
        # Never stops a running container: a reload where dockerd can, else a restart once none runs.
        restart = apply_engine_config(settings, facts, daemon_json, toolkit, network)
        configure_dropins(settings, facts)  # read by systemd at the next boot; a daemon-reload only when idle
        configure_user_proxies(settings, facts)  # reads the proxy.env the network step wrote
        proof = verify(settings, facts, planned, group_changes)
        install_pull(settings, state)  # after the check, which takes the snapshot's answer while nothing is planned
        tell_pending_restart(restart, proof)  # the host's last words, from the check's read
