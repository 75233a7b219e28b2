"""Pull mode on a twin: its timer fetches the team's repository over http from 127.0.0.1, applies what the lead's key
signed, refuses the rest, and outlives a repository that is down."""

import json
import os
import shutil
import subprocess
import sys

import pytest
import testinfra

from testbed.harness import ROOT, TWIN_SETTINGS
from testbed.twin import DEFAULT_PLATFORM
from testbed.twin.network import TinyProxy
from testbed.twin.receiver import DavReceiver
from testbed.twin.run import run
from tests.integration.conftest import DeployRun, StaticServer

pytestmark = pytest.mark.integration

SERVICE, TIMER = "wsl-gpu-docker-pull.service", "wsl-gpu-docker-pull.timer"
CHECKOUT, CONFIG = "/opt/wsl-gpu-docker", "/etc/wsl-gpu-docker/pull.json"
OUTCOME = "/var/lib/wsl-gpu-docker/pull-outcome.json"
FLEET_REPORT = "/var/lib/wsl-gpu-docker/fleet-report.json"
PENDING = "/var/lib/wsl-gpu-docker/engine-restart-pending"
# What setup.sh keeps of the pyproject.toml whose dependencies the checkout's venv holds.
STAMP = f"{CHECKOUT}/.venv/wsl-gpu-docker-pyproject.sha256"
DAEMON_JSON = "/etc/docker/daemon.json"
# A password in the URL: the dumb http server never asks for it, so git never sends it; it must show nowhere.
SECRET = "s3cret-pull-pw"
# The report receiver's password, in report_url: shown nowhere either.
REPORT_SECRET = "s3cret-report-pw"
# The company proxy's password, in http_proxy: shown nowhere either.
PROXY_SECRET = "s3cret-proxy-pw"


class TeamRepository:
    """The team's copy of this repository: a work tree whose commits are signed (or not) with real GnuPG keys
    made here, pushed to a bare repository served over git's dumb http on 127.0.0.1."""

    def __init__(self, folder, mirrors):
        self.folder, self.work, self.bare = folder, folder / "work", folder / "www" / "wsl-gpu-docker.git"
        self.gnupg = folder / "gnupg"
        self.gnupg.mkdir(mode=0o700)
        self.env = {**os.environ, "GNUPGHOME": str(self.gnupg)}
        self.lead = self._key("Team Lead <lead@example.invalid>")
        self.stranger = self._key("Stranger <stranger@example.invalid>")
        self.server = StaticServer(folder / "www").start()
        self.url = f"http://team:{SECRET}@127.0.0.1:{self.server.port}/wsl-gpu-docker.git"
        self.settings = {**mirrors.settings(), **TWIN_SETTINGS, "pull_repo_url": self.url,
                         "pull_signing_keys": [self.lead]}
        self.work.mkdir()
        listed = run(["git", "-C", str(ROOT), "ls-files", "-z"]).stdout
        files = subprocess.run(["tar", "-C", str(ROOT), "--null", "-T", "-", "-c"], input=listed.encode(),
                               capture_output=True, check=True).stdout
        subprocess.run(["tar", "-C", str(self.work), "-x"], input=files, check=True)
        (self.work / "signing-keys").mkdir(exist_ok=True)
        (self.work / "signing-keys" / f"{self.lead}.asc").write_text(
            self._gpg("--export", "--armor", self.lead))
        self.git("init", "-q", "-b", "main")
        self.commit_settings({}, "the team's repository", signer=self.lead)
        run(["git", "clone", "-q", "--bare", str(self.work), str(self.bare)])
        run(["git", "-C", str(self.bare), "update-server-info"])

    def _gpg(self, *args: str) -> str:
        return subprocess.run(["gpg", "--batch", "--quiet", *args], env=self.env, capture_output=True, text=True,
                              check=True).stdout

    def _key(self, uid: str) -> str:
        self._gpg("--passphrase", "", "--quick-gen-key", uid, "ed25519", "sign", "never")
        colons = self._gpg("--with-colons", "--list-keys", uid)
        return next(line.split(":")[9] for line in colons.splitlines() if line.startswith("fpr:"))

    def git(self, *args: str) -> str:
        return subprocess.run(["git", "-c", "user.name=Team Lead", "-c", "user.email=lead@example.invalid",
                               "-C", str(self.work), *args], env=self.env, capture_output=True, text=True,
                              check=True).stdout.strip()

    def commit_settings(self, extra: dict, message: str, signer: str | None) -> str:
        """team.py with the team's settings and extra over them, committed (signed by signer, or not) and pushed."""
        settings = {**self.settings, **extra}
        (self.work / "team.py").write_text(f'"""The team\'s settings."""\n\nsettings = {settings!r}\n\nhosts = {{}}\n')
        self.git("add", "-A")
        sign = [f"-S{signer}"] if signer else ["--no-gpg-sign"]
        self.git("commit", "-q", *sign, "-m", message)
        if self.bare.exists():
            self.git("push", "-q", "--force", str(self.bare), "HEAD:main")
            run(["git", "-C", str(self.bare), "update-server-info"])  # git's "dumb" http: plain files
        return self.git("rev-parse", "HEAD")

    def _inventory(self, twin, tmp_path_factory):
        inventory = tmp_path_factory.mktemp("inventory") / "inventory.py"
        inventory.write_text("from tasks.team import team_settings\n\n"
                             f"twins = [({twin.pyinfra_target!r}, team_settings('twin'))]\n")
        return inventory

    def deploy(self, twin, tmp_path_factory) -> DeployRun:
        """The lead's run from their checkout of the repository: the inventory reads team.py, as inventory.py does."""
        proc = subprocess.run([sys.executable, "-m", "pyinfra", "-y", "--json",
                               str(self._inventory(twin, tmp_path_factory)), "deploy.py"],
                              cwd=self.work, capture_output=True, text=True, timeout=900)
        return DeployRun(proc)

    def commands_sent(self, twin, tmp_path_factory) -> list[str]:
        """The commands the lead's run sends to the twin, as bench/counted.py logs them."""
        log = tmp_path_factory.mktemp("counted") / "commands.jsonl"
        proc = subprocess.run([sys.executable, "bench/counted.py", "-y", str(self._inventory(twin, tmp_path_factory)),
                               "deploy.py"], cwd=self.work, env={**os.environ, "BENCH_COMMAND_LOG": str(log)},
                              capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return [json.loads(line)["command"] for line in log.read_text().splitlines()]


@pytest.fixture(scope="module")
def converged(platform_twin, converged_images):
    """The suite's converged twin (conftest's), booted from the same image, whose engine can run a container."""
    image = converged_images(DEFAULT_PLATFORM)
    with platform_twin(DEFAULT_PLATFORM, image=image.tag, containers=True) as twin:
        yield twin, image.first


@pytest.fixture(scope="module")
def team(mirrors, tmp_path_factory):
    repository = TeamRepository(tmp_path_factory.mktemp("team"), mirrors)
    yield repository
    repository.server.stop()


def pull(twin) -> tuple[int, dict, str]:
    """One run of the timer's service, as systemd starts it: its exit status, the outcome it wrote and the
    journal's lines of that run."""
    cursor = twin.exec("journalctl -n 0 --show-cursor -q | sed -n 's/^-- cursor: //p'").stdout.strip()
    # These runs come seconds apart, the timer's hours apart: systemd's start limit (5 starts in 10 s), which a
    # run of 0.6 s can reach here and never from the timer, is reset first, as it would long have expired.
    twin.exec(f"systemctl reset-failed {SERVICE}", check=False)
    status = twin.exec(f"systemctl start {SERVICE}", check=False).returncode
    journal = twin.exec(f"journalctl -u {SERVICE} --after-cursor='{cursor}' --no-pager -o cat").stdout
    return status, json.loads(twin.exec(f"cat {OUTCOME}").stdout), journal


def head(twin) -> str:
    return twin.exec(f"git -C {CHECKOUT} rev-parse HEAD").stdout.strip()


def test_the_lead_turns_pull_mode_on_and_systemd_shows_a_persistent_randomized_timer(converged, team,
                                                                                    tmp_path_factory):
    twin, _ = converged
    first = team.deploy(twin, tmp_path_factory)
    assert first.returncode == 0 and not first.errors, first
    assert any("pull timer is enabled" in name for name in first.changed), first
    host = testinfra.get_host(twin.testinfra_target)
    assert host.package("git").is_installed
    config = host.file(CONFIG)
    assert config.user == "root" and config.mode == 0o600
    assert json.loads(config.content_string)["signing_keys"] == [team.lead]
    timer = host.service(TIMER)
    assert timer.is_enabled and timer.is_running
    shown = dict(line.split("=", 1) for line in twin.exec(
        f"systemctl show {TIMER} -p Persistent -p RandomizedDelayUSec -p TimersCalendar -p Unit").stdout.splitlines())
    assert shown["Persistent"] == "yes" and shown["RandomizedDelayUSec"] == "30min", shown
    # hourly, as systemd normalizes it, and when it next elapses.
    assert "OnCalendar=*-*-* *:00:00 ; next_elapse=" in shown["TimersCalendar"] and shown["Unit"] == SERVICE, shown
    listed = twin.exec(f"systemctl list-timers --all --no-pager {TIMER}").stdout
    line = next(row for row in listed.splitlines() if TIMER in row)
    assert not line.startswith("-") and SERVICE in line, listed  # NEXT is a time, not "-"
    assert SECRET not in twin.exec(f"systemctl cat {SERVICE} {TIMER}").stdout

    again = team.deploy(twin, tmp_path_factory)
    assert again.returncode == 0 and again.changed == [], again
    # Pull mode's files and the timer's state are read with the snapshot: a converged host still gets one command.
    assert len(team.commands_sent(twin, tmp_path_factory)) <= 1


def test_a_signed_commit_reaches_the_twin_at_its_next_timer_run(converged, team, tmp_path_factory):
    twin, _ = converged
    status, outcome, journal = pull(twin)
    start = team.git("rev-parse", "HEAD")
    assert status == 0 and outcome["ok"] and outcome["commit"] == start, (outcome, journal[-4000:])
    assert outcome["changed"] == [], "the team's settings are those the twin already has"
    assert head(twin) == start
    checkout = testinfra.get_host(twin.testinfra_target).file(CHECKOUT)
    assert checkout.user == "root" and checkout.mode == 0o700

    pushed = team.commit_settings({"docker_daemon_options": {**TWIN_SETTINGS["docker_daemon_options"],
                                                             "labels": ["pulled=yes"]}},
                                  "label the engines", signer=team.lead)
    status, outcome, journal = pull(twin)
    assert status == 0 and outcome["ok"] and outcome["commit"] == pushed, (outcome, journal[-4000:])
    assert head(twin) == pushed
    assert json.loads(twin.exec(f"cat {DAEMON_JSON}").stdout)["labels"] == ["pulled=yes"]
    assert any("daemon.json" in name for name in outcome["changed"]), outcome
    assert outcome["applied_since"] and outcome["fetch_error"] is None and outcome["refused"] is None
    assert SECRET not in journal and SECRET not in json.dumps(outcome)

    # The next timer run changes nothing, nor does the lead's run from the same commit.
    status, outcome, journal = pull(twin)
    assert status == 0 and outcome["ok"] and outcome["changed"] == [], (outcome, journal[-4000:])
    again = team.deploy(twin, tmp_path_factory)
    assert again.returncode == 0 and again.changed == [], again


@pytest.mark.parametrize("signer", ["unsigned", "stranger"])
def test_a_commit_not_signed_by_the_teams_key_is_refused_and_the_host_is_left_as_it_was(signer, converged, team):
    twin, _ = converged
    good, before, applied = head(twin), twin.snapshot(), json.loads(twin.exec(f"cat {OUTCOME}").stdout)
    bad = team.commit_settings({"docker_daemon_options": {**TWIN_SETTINGS["docker_daemon_options"],
                                                          "labels": [f"pulled={signer}"]}},
                               f"a commit {signer}", signer=team.stranger if signer == "stranger" else None)
    status, outcome, journal = pull(twin)
    assert status != 0 and not outcome["ok"], (outcome, journal[-4000:])
    reason = {"unsigned": f"commit {bad[:12]} is not signed",
              "stranger": f"commit {bad[:12]} is signed by key {team.stranger[-16:]}, which is not one of "
                          "pull_signing_keys"}
    assert reason[signer] in outcome["refused"], outcome
    assert outcome["commit"] == good and outcome["changed"] == []
    assert outcome["applied_since"] == applied["applied_since"]
    assert head(twin) == good and twin.snapshot() == before
    assert "pulled=yes" in twin.exec(f"cat {DAEMON_JSON}").stdout
    assert reason[signer] in journal


def test_a_repository_that_is_down_is_reported_and_the_host_stays_at_its_last_commit(converged, team,
                                                                                     tmp_path_factory):
    twin, _ = converged
    # The branch's tip is signed again, by the lead, with the same settings as the commit applied.
    good = head(twin)
    team.git("reset", "-q", "--hard", good)
    team.git("push", "-q", "--force", str(team.bare), "HEAD:main")
    run(["git", "-C", str(team.bare), "update-server-info"])
    applied = json.loads(twin.exec(f"cat {OUTCOME}").stdout)["applied_since"]
    team.server.stop()
    try:
        status, outcome, journal = pull(twin)
    finally:
        team.server.start()
    assert status == 0 and outcome["ok"], (outcome, journal[-4000:])
    assert outcome["fetch_error"].startswith(f"cannot fetch main from http://team:***@127.0.0.1:{team.server.port}/")
    assert outcome["commit"] == good and outcome["applied_since"] == applied and outcome["changed"] == []
    assert head(twin) == good
    assert SECRET not in journal and SECRET not in json.dumps(outcome)

    status, outcome, journal = pull(twin)  # the repository is back
    assert status == 0 and outcome["fetch_error"] is None and outcome["commit"] == good, (outcome, journal[-4000:])
    again = team.deploy(twin, tmp_path_factory)
    assert again.returncode == 0 and again.changed == [], again


def test_a_pull_run_reports_the_commit_it_applied_to_the_leads_receiver(converged, team, company_ca):
    twin, _ = converged
    receiver = DavReceiver(company_ca, "lead", REPORT_SECRET, "unused-token").start()
    try:
        # The receiver's TLS is the company CA's, which the host trusts once the commit's ca_certificates is in.
        (team.work / "certs").mkdir(exist_ok=True)
        shutil.copy(company_ca.cert, team.work / "certs" / "corp-ca.pem")
        pushed = team.commit_settings({"report_url": receiver.url(), "ca_certificates": ["certs/corp-ca.pem"]},
                                      "report to the lead", signer=team.lead)
        status, outcome, journal = pull(twin)
        assert status == 0 and outcome["ok"] and outcome["commit"] == pushed, (outcome, journal[-4000:])
        hostname = twin.exec("hostname").stdout.strip()
        assert f"{hostname}.json" in receiver.files(), (journal[-4000:], receiver.logs()[-2000:])
        report = json.loads(receiver.files()[f"{hostname}.json"])
        assert report["repository"]["commit"] == pushed and report["outcome"]["commit"] == pushed, report
        assert report["outcome"]["ok"] and report["host"]["hostname"] == hostname, report
        said = journal + json.dumps(report) + twin.exec(f"cat {OUTCOME}").stdout + receiver.logs()
        assert REPORT_SECRET not in said and SECRET not in said
        # The next run sends again, and changes nothing.
        status, outcome, journal = pull(twin)
        assert status == 0 and outcome["ok"] and outcome["changed"] == [], (outcome, journal[-4000:])
        assert json.loads(receiver.files()[f"{hostname}.json"])["generated"] != report["generated"]
    finally:
        receiver.stop()


def test_a_pull_run_leaves_a_running_container_alone_and_its_report_shows_the_pending_restart(converged, team,
                                                                                             company_ca):
    twin, _ = converged
    host = testinfra.get_host(twin.testinfra_target)
    twin.exec("systemctl reset-failed docker.service")
    job = twin.start_job()
    receiver = DavReceiver(company_ca, "lead", REPORT_SECRET, "unused-token").start()
    try:
        (team.work / "certs").mkdir(exist_ok=True)
        shutil.copy(company_ca.cert, team.work / "certs" / "corp-ca.pem")
        # default-ulimits is not one the engine reloads: loading it takes a restart, which would stop the job.
        ulimits = {"nofile": {"Name": "nofile", "Hard": 4096, "Soft": 2048}}
        pushed = team.commit_settings({"report_url": receiver.url(), "ca_certificates": ["certs/corp-ca.pem"],
                                       "docker_daemon_options": {**TWIN_SETTINGS["docker_daemon_options"],
                                                                 "default-ulimits": ulimits}},
                                      "raise the containers' open files", signer=team.lead)
        status, outcome, journal = pull(twin)
        assert status == 0 and outcome["ok"] and outcome["commit"] == pushed, (outcome, journal[-4000:])
        assert json.loads(twin.exec(f"cat {DAEMON_JSON}").stdout)["default-ulimits"] == ulimits
        running = twin.exec("docker inspect -f '{{.State.StartedAt}} {{.State.Running}}' job").stdout.strip()
        assert running == f"{job} true", "the pull run stopped the job"
        assert "why=daemon.json's default-ulimits" in host.file(PENDING).content_string
        hostname = twin.exec("hostname").stdout.strip()
        uploaded = json.loads(receiver.files()[f"{hostname}.json"])
        kept = json.loads(twin.exec(f"cat {FLEET_REPORT}").stdout)
        for report in (uploaded, kept):
            assert report["outcome"]["commit"] == pushed, report
            pending = next(c for c in report["doctor"]["checks"] if c["check"] == "docker.restart-pending")
            assert pending["status"] == "WARN" and "default-ulimits" in pending["found"], pending
    finally:
        receiver.stop()
        twin.exec("docker rm -f job")


def test_the_runners_pip_goes_through_the_proxy_the_deploy_keeps_and_a_rerun_needs_no_index(converged, team):
    twin, _ = converged
    proxy = TinyProxy(user="corp", password=PROXY_SECRET).start()
    try:
        pushed = team.commit_settings({"http_proxy": proxy.url, "https_proxy": proxy.url, "no_proxy": "127.0.0.1"},
                                      "the company proxy", signer=team.lead)
        status, outcome, journal = pull(twin)  # the deploy keeps the proxy from now on; the job is gone: restarts
        assert status == 0 and outcome["ok"] and outcome["commit"] == pushed, (outcome, journal[-4000:])
        assert not testinfra.get_host(twin.testinfra_target).file(PENDING).exists
        asked = len(proxy.requests())

        # A venv older than pyproject.toml is brought up to date, through the proxy (pip's build
        # isolation fetches setuptools from the index each time it installs).
        twin.exec(f"rm {STAMP}")
        status, outcome, journal = pull(twin)
        assert status == 0 and outcome["ok"] and outcome["changed"] == [], (outcome, journal[-4000:])
        through = proxy.requests()[asked:]
        assert any(r.startswith(("CONNECT pypi.org:443", "CONNECT files.pythonhosted.org:443")) for r in through), \
            proxy.requests()
        assert twin.exec(f"cat {STAMP}").stdout.strip() == twin.exec(
            f"sha256sum {CHECKOUT}/pyproject.toml").stdout.split()[0]
        assert PROXY_SECRET not in journal + json.dumps(outcome)

        # With the venv up to date nothing asks the index: none answers, the proxy is asked nothing, the run is fine.
        twin.exec("printf '[global]\\nindex-url = http://127.0.0.1:9/simple\\n' > /etc/pip.conf")
        status, outcome, journal = pull(twin)
        assert status == 0 and outcome["ok"] and outcome["changed"] == [], (outcome, journal[-4000:])
        assert proxy.requests()[asked + len(through):] == []
    finally:
        twin.exec("rm -f /etc/pip.conf")
        proxy.stop()


def test_a_tag_the_lead_signed_pins_the_twin_even_on_an_unsigned_commit(converged, team, tmp_path_factory):
    twin, _ = converged
    options = {**TWIN_SETTINGS["docker_daemon_options"], "labels": ["pulled=v2"]}
    tagged = team.commit_settings({"pull_ref": "v2", "docker_daemon_options": options}, "release v2", signer=None)
    team.git("tag", "-s", "-u", team.lead, "-m", "release v2", "v2")
    team.git("push", "-q", str(team.bare), "refs/tags/v2")
    run(["git", "-C", str(team.bare), "update-server-info"])
    moved = team.deploy(twin, tmp_path_factory)  # the lead moves every host to the tag
    assert moved.returncode == 0 and not moved.errors, moved
    assert json.loads(twin.exec(f"cat {CONFIG}").stdout)["ref"] == "v2"

    status, outcome, journal = pull(twin)
    assert status == 0 and outcome["ok"] and outcome["ref"] == "v2", (outcome, journal[-4000:])
    assert outcome["commit"] == tagged == head(twin) and outcome["refused"] is None
    assert json.loads(twin.exec(f"cat {DAEMON_JSON}").stdout)["labels"] == ["pulled=v2"]
    again = team.deploy(twin, tmp_path_factory)
    assert again.returncode == 0 and again.changed == [], again


def test_the_lead_turns_pull_mode_off_and_the_timer_and_its_files_go(converged, team, tmp_path_factory):
    twin, _ = converged
    team.commit_settings({"pull_repo_url": None}, "no more pull mode", signer=team.lead)
    off = team.deploy(twin, tmp_path_factory)
    assert off.returncode == 0 and any("Pull mode is off" in name for name in off.changed), off
    host = testinfra.get_host(twin.testinfra_target)
    assert TIMER not in twin.exec("systemctl list-timers --all --no-pager").stdout
    assert twin.exec(f"systemctl is-enabled {TIMER}", check=False).stdout.strip() in ("", "not-found")
    for path in (CONFIG, f"/etc/systemd/system/{TIMER}", f"/etc/systemd/system/{SERVICE}",
                 "/usr/local/lib/wsl-gpu-docker/pull-run.sh"):
        assert not host.file(path).exists, path
    assert head(twin), "the checkout stays, for a later return to pull mode"
    again = team.deploy(twin, tmp_path_factory)
    assert again.returncode == 0 and again.changed == [], again
