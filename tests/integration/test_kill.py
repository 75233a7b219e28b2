"""A converging run killed with SIGKILL at each operation boundary and mid-install: the next run converges."""

import json
import shlex
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import testinfra

from testbed.harness import TWIN_SETTINGS, clone_into
from testbed.stack import assert_converged
from testbed.twin import PLATFORMS, Twin
from testbed.twin.run import run
from tests.integration.runs import DeployRun

pytestmark = pytest.mark.integration

PLATFORM = "ubuntu-26.04"
# As cloud-init's first boot (and the pull timer) runs it: root, a clone in /opt, group data in /etc.
CHECKOUT, SETTINGS = "/opt/wsl-gpu-docker", "/etc/wsl-gpu-docker/settings"
DEPLOY = f"cd {CHECKOUT} && exec .venv/bin/pyinfra -y --group-data {SETTINGS} @local deploy.py"
DEPLOY_JSON = DEPLOY.replace(" -y ", " -y --json ")  # its results on stdout, for DeployRun
# The user's own keys, there before the first run: no run, however it ends, may lose them.
USER_WSL_CONF = "[network]\nhostname=gpu-box\ngenerateHosts=false\n"
USER_DAEMON_JSON = '{\n    "log-level": "warn"\n}\n'
LOG = "/var/tmp/killed-run.log"

# Runs the deploy in a session of its own and, once `$point` holds, SIGKILLs every process of that
# session and every process they started (apt-get runs dpkg in a session of its own), as a crash would:
# stopped first, until no new one appears, so that none slips out while the others die. Prints the
# session's id, how the run ended and the pids it killed.
KILLER = r"""
setsid sh -c {deploy} >{log} 2>&1 </dev/null &
sid=$!
ended() {{ case $(ps -o stat= -p "$sid") in Z*|'') return 0 ;; esac; return 1; }}
started() {{ grep -qF -- "Starting operation: $1 " {log}; }}
dpkg_busy() {{ ps -C dpkg -o args= | grep -q -- "$1" && [ -n "$(ls /var/lib/dpkg/updates)" ]; }}
unpacked() {{ [ "$(dpkg-query -W -f='${{db:Status-Status}}\n' | grep -c '^unpacked')" -ge "$1" ]; }}
half_installed() {{ dpkg-query -W -f='${{db:Status-Status}}\n' | grep -q '^half-installed'; }}
run_tree() {{
    ps -e -o pid=,ppid=,sid= | awk -v sid="$sid" '
        {{ parent[$1] = $2; if ($3 == sid) tree[$1] = 1 }}
        END {{ do {{ more = 0; for (p in parent) if (!(p in tree) && (parent[p] in tree)) {{ tree[p] = 1; more = 1 }} }}
               while (more); for (p in tree) print p }}' | sort -n | tr '\n' ' '
}}
until {point}; do
    ended && {{ echo "the run ended before the point" >&2; tail -n 30 {log} >&2; exit 3; }}
    sleep 0.02
done
stopped=''
while now=$(run_tree) && [ "$now" != "$stopped" ]; do
    kill -STOP $now 2>/dev/null
    stopped=$now
done
kill -9 $stopped
wait "$sid"
echo "$sid $? $stopped"
"""


def in_twin(twin: Twin, command: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(["docker", "exec", twin.id, "sh", "-c", command], capture_output=True, text=True,
                          timeout=timeout)


def deploy(twin: Twin) -> DeployRun:
    return DeployRun(in_twin(twin, DEPLOY_JSON))


@pytest.fixture(scope="module")
def fresh_image(platform_twin, mirrors):
    """One image, committed once: a fresh distro with the user's wsl.conf and daemon.json keys, the clone and
    its venv as setup.sh makes them (a dry run changes nothing), and the settings as first boot writes them."""
    twin = platform_twin(PLATFORM, wsl_conf=USER_WSL_CONF).start()
    tag = f"wsl-twin-kill:{twin.name.rsplit('-', 1)[1]}"
    try:
        twin.exec(f"mkdir -p /etc/docker && printf %s {shlex.quote(USER_DAEMON_JSON)} > /etc/docker/daemon.json")
        clone_into(twin, CHECKOUT, "root")
        settings = {**mirrors.settings(), **TWIN_SETTINGS}
        twin.exec(f"mkdir -p {SETTINGS} && cat > {SETTINGS}/all.py",
                  input="".join(f"{name} = {value!r}\n" for name, value in settings.items()))
        before = twin.snapshot()
        dry = in_twin(twin, f"cd {CHECKOUT} && sh ./setup.sh --group-data {SETTINGS} --dry")
        assert dry.returncode == 0, dry.stdout[-3000:] + dry.stderr[-3000:]
        assert twin.snapshot() == before, "the dry run changed the host"
        run(["docker", "commit", twin.id, tag])
    finally:
        twin.remove()
    yield tag
    run(["docker", "rmi", "-f", tag], check=False)


def killed_at(image: str, point: str) -> Twin:
    """A fresh twin whose first run was SIGKILLed, with everything it started, once `point` (sh) held."""
    twin = Twin(image, os_release=PLATFORMS[PLATFORM].os_release).start()
    try:
        killer = in_twin(twin, KILLER.format(deploy=shlex.quote(DEPLOY), log=LOG, point=point))
        assert killer.returncode == 0, killer.stderr
        sid, status, *killed = killer.stdout.split()
        assert status == "137", f"the run ended with {status}, not by SIGKILL"
        assert sid in killed, killed
        deadline = time.monotonic() + 10  # SIGKILLed, they go at once; docker exec under load may not
        survivors = f"ps -o pid=,stat=,args= -p {','.join(killed)}; ps -s {sid} -o pid=,args="
        while left := in_twin(twin, survivors).stdout:
            assert time.monotonic() < deadline, f"left of the killed run:\n{left}"
            time.sleep(0.1)
        stray = in_twin(twin, "ps -e -o pid=,args= | grep -E '(^| |/)(dpkg|apt-get|apt|curl)( |$)'")
        assert stray.stdout == "", stray.stdout
    except BaseException:
        twin.remove()
        raise
    return twin


def assert_user_keys_kept(host) -> None:
    wsl_conf = host.file("/etc/wsl.conf").content_string
    assert "[network]\nhostname=gpu-box\ngenerateHosts=false\n" in wsl_conf, wsl_conf
    assert json.loads(host.file("/etc/docker/daemon.json").content_string)["log-level"] == "warn"


# Every operation of a fresh converge, in order: the recovery runs must run no other, but for RECOVERY's.
OPERATIONS = [
    "systemd | /etc/wsl.conf enables systemd",
    "daemon.json | /etc/docker/daemon.json registers the nvidia runtime",
    "Docker Engine | apt trusts Docker's repository",
    "Docker Engine | Docker Engine is installed by its install script",
    "Docker Engine | dev is in the docker group",
    "NVIDIA Container Toolkit | apt trusts NVIDIA's repository",
    "NVIDIA Container Toolkit | NVIDIA Container Toolkit is installed",
    "Engine restart | Docker Engine is restarted to load its new configuration",
    "Verify | The engine lists the nvidia runtime",
    "Verify | Steps left to you",
    "Engine restart | A pending engine restart is told",
]
# What a run after a kill may run besides: apt and dpkg made ready where a repository is right already, and the
# engine's packages and service where the script installed some.
RECOVERY = {
    "Docker Engine | apt and dpkg are ready",
    "Docker Engine | Docker Engine packages are installed",
    "Docker Engine | Docker Engine is enabled and running",
    "NVIDIA Container Toolkit | apt and dpkg are ready for the toolkit",
}
# A kill as each operation starts, but for those that change nothing on a fresh host: a kill as one of
# them starts leaves the host as the one before left it, which a kill as the next one starts tests too.
UNCHANGING = {8, 9, 10}
ENGINE_SCRIPT, TOOLKIT, RESTART = OPERATIONS[3], OPERATIONS[6], OPERATIONS[7]
POINTS = {f"start of {name}": f"started {shlex.quote(name)}"
          for i, name in enumerate(OPERATIONS) if i not in UNCHANGING}
POINTS |= {  # in the middle of an operation's command
    "install script's apt-get update": f"started {shlex.quote(ENGINE_SCRIPT)} && ps -C apt-get -o args="
                                       " | grep -q ' update'",
    "engine's restart": f"started {shlex.quote(RESTART)} && ps -C systemctl -o args= | grep -q ' restart '",
}
POINTS |= {  # dpkg with its journal (/var/lib/dpkg/updates) not yet folded into its status file
    # dpkg --configure -a skips a half-installed package: the next run must install it again
    "engine's dpkg amid a package's files": f"started {shlex.quote(ENGINE_SCRIPT)} && dpkg_busy --unpack"
                                            " && half_installed",
    "engine's dpkg with 25 packages unpacked": f"started {shlex.quote(ENGINE_SCRIPT)} && dpkg_busy --unpack"
                                               " && unpacked 25",
    "engine's dpkg configuring": f"started {shlex.quote(ENGINE_SCRIPT)} && dpkg_busy --configure",
    "toolkit's dpkg": f"started {shlex.quote(TOOLKIT)} && dpkg_busy 'dpkg '",
}
# Points run two at a time: a converge waits on dpkg's syncs and the mirrors as much as on the cores
# (12 points on 2 cores: 4.0 min two at a time, 5.4 min one at a time).
WORKERS = 2


def recovers(image: str, mirrors, point: str) -> None:
    """Killed at point, the next run converges, the user's keys stay, and the run after changes nothing."""
    twin = killed_at(image, point)
    try:
        host = testinfra.get_host(twin.testinfra_target)
        assert_user_keys_kept(host)
        again = deploy(twin)
        assert again.returncode == 0, again
        if "dpkg_busy" in point:  # killed inside dpkg: the run says it repairs it
            said = [line for line in again.output.splitlines() if "dpkg was interrupted (" in line]
            assert len(said) == 1 and "repaired with dpkg --configure -a" in said[0], again
        ran = {op["name"] for op in again.results["operations"]}
        assert ran <= set(OPERATIONS) | RECOVERY, f"a new operation: add it: {ran - set(OPERATIONS) - RECOVERY}"
        assert_converged(host, mirrors, PLATFORM)
        assert_user_keys_kept(host)
        assert host.run("dpkg --audit").stdout == "" and host.run("ls /var/lib/dpkg/updates").stdout == ""
        settled = deploy(twin)
        assert settled.returncode == 0 and settled.changed == [], settled
    finally:
        twin.remove()


@pytest.fixture(scope="module")
def outcomes(request, fresh_image, mirrors) -> dict:
    """{point: what recovers() raised, or None}, for each point the session runs (-k picks some)."""
    def outcome(point):
        try:
            recovers(fresh_image, mirrors, point)
        except Exception as error:  # reported by the point's own test
            return error
        return None

    points = [item.callspec.params["point"] for item in request.session.items
              if item.module is request.module and hasattr(item, "callspec")]
    with ThreadPoolExecutor(WORKERS) as pool:
        return dict(zip(points, pool.map(outcome, points)))


@pytest.mark.parametrize("point", POINTS.values(), ids=POINTS.keys())
def test_a_run_killed_at_any_point_leaves_a_host_the_next_run_converges(outcomes, point):
    if outcomes[point]:
        raise outcomes[point]
