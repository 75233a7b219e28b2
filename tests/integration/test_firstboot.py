"""Zero-touch first boot: cloud-init runs files/cloud-init/wsl-gpu-docker.user-data as on a new WSL distro."""

import json
import re
import subprocess
import time
from pathlib import Path
from typing import NamedTuple

import pytest
import testinfra

from testbed.harness import ROOT, TWIN_SETTINGS
from testbed.stack import assert_converged
from testbed.twin import UBUNTU_RESOLUTE, Twin
from testbed.twin.image import ensure_cloud_init_image
from testbed.twin.run import run
from tests.integration.conftest import StaticServer
from tests.integration.stack import settles

pytestmark = pytest.mark.integration

TEMPLATE = ROOT / "files" / "cloud-init" / "wsl-gpu-docker.user-data"
BLOCK = ("# ===== the team's settings: edit from here", "# ===== to here")
LOG = "/var/log/wsl-gpu-docker/first-boot.log"
UNIT = "wsl-gpu-docker-after-restart.service"
PULL_SERVICE, PULL_TIMER = "wsl-gpu-docker-pull.service", "wsl-gpu-docker-pull.timer"
CONVERGED = "/var/lib/wsl-gpu-docker/first-boot-converged"
USER = "wsl-user"
# What `wsl --install` gives today; its wsl.conf, as Ubuntu's WSL images ship it, already enables systemd.
SUITE, UBUNTU_WSL_CONF = "trixie", "[boot]\nsystemd=true\n"


@pytest.fixture(scope="module")
def image(docker_engine) -> str:
    return ensure_cloud_init_image(SUITE)


@pytest.fixture(scope="module")
def repository(tmp_path_factory):
    """This checkout's tracked files as they are now, committed to a bare repository served over http on
    127.0.0.1, as a team's git server would serve it."""
    folder = tmp_path_factory.mktemp("repository")
    work, bare = folder / "work", folder / "www" / "wsl-gpu-docker.git"
    work.mkdir()
    listed = run(["git", "-C", str(ROOT), "ls-files", "-z"]).stdout
    files = subprocess.run(["tar", "-C", str(ROOT), "--null", "-T", "-", "-c"], input=listed.encode(),
                           capture_output=True, check=True).stdout
    subprocess.run(["tar", "-C", str(work), "-x"], input=files, check=True)
    git = ["git", "-c", "user.name=wsl-twin", "-c", "user.email=wsl-twin@example.invalid", "-C", str(work)]
    run([*git, "init", "-q", "-b", "main"])
    run([*git, "add", "-A"])
    run([*git, "commit", "-q", "-m", "the checkout under test"])
    commit = run([*git, "rev-parse", "HEAD"]).stdout.strip()
    run(["git", "clone", "-q", "--bare", str(work), str(bare)])
    run(["git", "-C", str(bare), "update-server-info"])  # git's "dumb" http: plain files
    server = StaticServer(folder / "www").start()
    yield Repository(f"{server.url}/wsl-gpu-docker.git", commit, work, bare)
    server.stop()


class Repository(NamedTuple):
    """The team's repository served over http: its URL, the first commit, the work tree and the bare repository."""

    url: str
    commit: str
    work: Path
    bare: Path

    def push(self, team_settings: dict, message: str) -> str:
        """A commit whose team.py holds team_settings, pushed to main; returns it."""
        git = ["git", "-c", "user.name=wsl-twin", "-c", "user.email=wsl-twin@example.invalid", "-C", str(self.work)]
        (self.work / "team.py").write_text(f'"""The team settings."""\n\nsettings = {team_settings!r}\nhosts = {{}}\n')
        run([*git, "commit", "-q", "-a", "-m", message])
        run([*git, "push", "-q", str(self.bare), "HEAD:main"])
        run(["git", "-C", str(self.bare), "update-server-info"])
        return run([*git, "rev-parse", "HEAD"]).stdout.strip()


def user_data(url: str, ref: str, settings: dict) -> str:
    """The template with its team block edited, and nothing else."""
    text = TEMPLATE.read_text()
    start, end = text.index(BLOCK[0]), text.index(BLOCK[1])
    block = text[start:end]
    edited = (block.replace("https://git.example.com/team/wsl-gpu-docker.git", url)
              .replace("repo_ref=main", f"repo_ref={ref}")
              .replace('      docker_users = ["wsl-user"]\n',
                       "".join(f"      {name} = {value!r}\n" for name, value in settings.items())))
    assert edited != block
    return text[:start] + edited + text[end:]


def wait_for_cloud_init(twin: Twin, timeout: float = 1200) -> str:
    """cloud-init's status once this boot's stages are over."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = twin.exec("cloud-init status 2>&1", check=False).stdout
        if any(f"status: {s}" in status for s in ("done", "error", "degraded")):
            twin.wait_systemd(timeout=300)
            return status
        time.sleep(3)
    raise TimeoutError(f"cloud-init still not done after {timeout} s: {status}\n{twin.exec(f'cat {LOG}').stdout}")


def login_says(twin: Twin) -> str:
    """What a login shell of the created user prints, as `wsl` opening the distro would show."""
    return twin.exec("su - wsl-user -c true 2>&1").stdout


def is_enabled(twin: Twin) -> bool:
    """The after-restart unit is enabled (once disabled, it is not even linked: not-found)."""
    return twin.exec(f"systemctl is-enabled {UNIT}", check=False).stdout.strip() == "enabled"


def killed_in_dpkg(twin: Twin, timeout: float = 900) -> str:
    """Once the first boot's deploy runs dpkg on a package, SIGKILL to every process of the boot's
    cloud-init stage, as a closed lid or `wsl --shutdown` ends them; what the deploy was told started it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if "first boot: pyinfra @local deploy.py" in twin.exec(f"cat {LOG}", check=False).stdout:
            killed = twin.exec(
                "pid=$(pgrep -n -f '^(/usr/bin/)?dpkg --status-fd') || exit 0; "
                "said=$(tr '\\0' '\\n' < /proc/$pid/environ | sed -n 's/^WSL_GPU_DOCKER_STARTED_BY=//p'); "
                "systemctl kill --signal=SIGKILL cloud-final.service && echo \"killed: $said\"").stdout
            if killed:
                return killed.strip().removeprefix("killed: ")
        time.sleep(0.3)
    raise TimeoutError(f"the first boot's deploy ran no dpkg in {timeout} s\n{twin.exec(f'cat {LOG}').stdout}")


def test_the_template_passes_cloud_inits_own_schema_check(image):
    check = subprocess.run(["docker", "run", "--rm", "--network", "host", "-v", f"{TEMPLATE}:/user-data:ro", image,
                            "cloud-init", "schema", "--config-file", "/user-data"],
                           capture_output=True, text=True, timeout=120)
    assert check.returncode == 0 and "Valid schema" in check.stdout, check


def first_boot(image: str, repository, settings: dict, wsl_conf: str | None = UBUNTU_WSL_CONF) -> Twin:
    """An unstarted twin of Ubuntu 26.04 whose first boot reads the edited template from NoCloud's seed."""
    seed = {"/var/lib/cloud/seed/nocloud/user-data": user_data(repository.url, repository.commit, settings),
            "/var/lib/cloud/seed/nocloud/meta-data": "instance-id: wsl-twin-first-boot\n"}
    return Twin(image, os_release=UBUNTU_RESOLUTE, wsl_conf=wsl_conf, boot_files=seed)


def test_a_first_boot_whose_deploy_fails_says_so_at_login_and_changes_nothing_later(image, repository, mirrors):
    settings = {**mirrors.settings(), **TWIN_SETTINGS, "docker_users": [USER], "docker_channel": "nightly"}
    with first_boot(image, repository, settings) as twin:
        status = wait_for_cloud_init(twin)
        log = twin.exec(f"cat {LOG}").stdout
        assert "status: error" in status, (status, log[-5000:])
        assert "docker_channel = 'nightly': must be one of" in log, log[-5000:]
        assert re.search(r"=== the deploy failed \(exit \d+\): see the lines above\n$", log), log[-3000:]
        said = login_says(twin)
        assert f"on this distro failed at first boot. See {LOG}" in said, said
        assert "sudo sh /opt/wsl-gpu-docker/files/cloud-init/first-boot.sh" in said
        assert not is_enabled(twin)
        host = testinfra.get_host(twin.testinfra_target)
        assert not host.package("docker-ce").is_installed and not host.file("/etc/docker/daemon.json").exists

        # The next boot runs nothing, and still tells.
        twin.restart()
        wait_for_cloud_init(twin)
        assert twin.exec(f"cat {LOG}").stdout == log
        assert login_says(twin) == said


@pytest.mark.parametrize("wsl_conf", [UBUNTU_WSL_CONF, None], ids=["wsl-conf-enables-systemd", "restart-needed"])
def test_a_first_boot_converges_unattended_and_later_boots_stay_quiet(wsl_conf, image, repository, mirrors,
                                                                       run_deploy):
    commit = repository.commit
    users = [USER, "dev"]
    with first_boot(image, repository, {**mirrors.settings(), **TWIN_SETTINGS, "docker_users": users},
                    wsl_conf) as twin:
        status = wait_for_cloud_init(twin)
        log = twin.exec(f"cat {LOG}").stdout
        assert "status: done" in status, (status, log[-5000:])
        host = testinfra.get_host(twin.testinfra_target)

        # The first boot: the user, the checkout at the ref, the converged stack, the log.
        account = host.user(USER)
        assert account.exists and {"sudo", "docker"} <= set(account.groups)
        assert host.check_output("git -C /opt/wsl-gpu-docker rev-parse HEAD") == commit
        assert host.file("/opt/wsl-gpu-docker").mode == 0o700 and host.file("/opt/wsl-gpu-docker").user == "root"
        assert host.file("/etc/wsl-gpu-docker/settings/all.py").mode == 0o600
        assert_converged(host, mirrors, "ubuntu-26.04")
        assert log.count("=== ") == 2 and "first boot: pyinfra @local deploy.py" in log, log[-5000:]
        restart_needed = wsl_conf is None
        if restart_needed:
            assert log.rstrip().endswith("the next boot finishes the job by itself"), log[-3000:]
            assert "/etc/wsl.conf changed at first boot" in login_says(twin)
            assert is_enabled(twin)
        else:
            assert log.rstrip().endswith("=== converged: nothing is left to do"), log[-3000:]
            assert login_says(twin) == ""
            assert not is_enabled(twin)

        # The next boot finishes the job when a restart was due, once; afterwards a boot does nothing.
        twin.restart()
        wait_for_cloud_init(twin)
        after = twin.exec(f"cat {LOG}").stdout
        if restart_needed:
            assert after.startswith(log) and after.count("boot after the restart") == 1, after[-5000:]
            assert after.rstrip().endswith("=== converged: nothing is left to do"), after[-3000:]
            assert not re.search(r"\] Success", after[len(log):]), "nothing was left to change"
        else:
            assert after == log, "cloud-init ran the deploy again"
        assert login_says(twin) == ""
        assert not is_enabled(twin)
        before = twin.snapshot()
        twin.restart()
        wait_for_cloud_init(twin)
        assert twin.exec(f"cat {LOG}").stdout == after, "a later boot ran the deploy again"
        assert twin.snapshot() == before
        assert_converged(host, mirrors, "ubuntu-26.04")

        # From outside, the deploy finds nothing to change.
        pulled = {"pull_repo_url": repository.url, "pull_ref": "main"}
        settles(run_deploy, twin, docker_users=users, **pulled)
        assert twin.snapshot() == before

        # The first boot turned pull mode on: a later commit reaches the distro through the timer alone.
        assert host.service(PULL_TIMER).is_enabled and host.service(PULL_TIMER).is_running
        if not restart_needed:  # once is enough
            options = {**TWIN_SETTINGS["docker_daemon_options"], "labels": ["pulled=yes"]}
            later = repository.push({"docker_daemon_options": options}, "label the engines")
            twin.exec(f"systemctl start {PULL_SERVICE}")
            assert host.check_output("git -C /opt/wsl-gpu-docker rev-parse HEAD") == later
            assert json.loads(host.file("/etc/docker/daemon.json").content_string)["labels"] == ["pulled=yes"]
            outcome = json.loads(host.check_output("cat /var/lib/wsl-gpu-docker/pull-outcome.json"))
            assert outcome["ok"] and outcome["commit"] == later and outcome["changed"], outcome
            again = run_deploy(twin, docker_users=users, docker_daemon_options=options, **pulled)
            assert again.returncode == 0 and again.changed == [], again


def test_a_first_boot_killed_in_a_package_install_is_retried_at_the_next_boot_until_it_converges(
        image, repository, mirrors, run_deploy):
    users = [USER, "dev"]
    with first_boot(image, repository, {**mirrors.settings(), **TWIN_SETTINGS, "docker_users": users}) as twin:
        assert killed_in_dpkg(twin) == "first boot"
        log = twin.exec(f"cat {LOG}").stdout
        assert "\n=== " not in log.split("first boot: pyinfra", 1)[1], "the first boot ended before the kill"
        assert is_enabled(twin), "nothing would retry it"
        host = testinfra.get_host(twin.testinfra_target)
        assert not host.package("nvidia-container-toolkit").is_installed, "the kill came too late"
        assert host.run("dpkg --audit").stdout.strip(), "the kill left no package half installed"

        # cloud-init runs nothing again; the unit retries the deploy, which converges and disables it.
        twin.restart()
        wait_for_cloud_init(twin)
        after = twin.exec(f"cat {LOG}").stdout
        retried = after[len(log):]
        assert after.startswith(log) and retried.count("=== ") == 2, retried[-5000:]
        assert "a retried first boot: pyinfra @local deploy.py" in retried, retried[-5000:]
        assert retried.rstrip().endswith("=== converged: nothing is left to do"), retried[-3000:]
        assert re.search(r"\] Success", retried), "the retry changed nothing"
        assert_converged(host, mirrors, "ubuntu-26.04")
        assert host.file(CONVERGED).exists and not is_enabled(twin) and login_says(twin) == ""

        # Converged once: a further boot runs nothing, and the deploy from outside changes nothing.
        before = twin.snapshot()
        twin.restart()
        wait_for_cloud_init(twin)
        assert twin.exec(f"cat {LOG}").stdout == after, "a later boot ran the deploy again"
        assert twin.snapshot() == before
        settles(run_deploy, twin, docker_users=users, pull_repo_url=repository.url, pull_ref="main")
        assert twin.snapshot() == before
