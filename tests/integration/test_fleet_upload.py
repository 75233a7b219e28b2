"""The runner's `send` uploading to Debian's nginx on 127.0.0.1, and fleet.py reading back with PROPFIND."""

import json
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from testbed.fleet_examples import commit
from testbed.harness import ROOT
from testbed.twin.network import CompanyCA
from testbed.twin.receiver import DavReceiver
from testbed.twin.ssh import free_port
from tests.fleet_reports import fleet_valid

USER, PASSWORD, WRONG, TOKEN = "lead", "Pw-7c1e9a-right", "Pw-0000-wrong", "glpat-Tok3n-5ecret"
SECRETS = (PASSWORD, WRONG, TOKEN)
HOSTNAME = socket.gethostname()
OUTCOME = {"ok": True, "error": None, "changed": ["Docker daemon.json is as the settings give it"], "seconds": 37.5,
           "commit": commit(3), "ref": "main", "fetch_error": None, "refused": None,
           "applied_since": "2026-12-06T10:00:00Z"}


@pytest.fixture(scope="module")
def receiver(company_ca):
    started = DavReceiver(company_ca, USER, PASSWORD, TOKEN).start()
    yield started
    started.stop()


class Host:
    """This machine as a host after its pull run: a root-only pull.json, and the runner's `send`."""

    def __init__(self, folder: Path, ca: CompanyCA):
        self.folder, self.ca, self.outputs = folder, ca, []
        self.config, self.report, self.unsent = folder / "pull.json", folder / "state" / "report.json", \
            folder / "state" / "unsent.json"

    def configure(self, report_url: str, report_header: str | None = None) -> None:
        self.config.write_text(json.dumps({"repo_url": "https://git.corp.example/team/wsl-gpu-docker.git",
                                           "ref": "main", "signing_keys": [], "report_url": report_url,
                                           "report_header": report_header}))
        self.config.chmod(0o600)

    outcome_file = False

    def send(self, outcome: dict = OUTCOME, *, doctor: bool = False, trusted: bool = True):
        given = json.dumps(outcome)
        if self.outcome_file:
            (self.folder / "outcome.json").write_text(given)
            given = str(self.folder / "outcome.json")
        command = [sys.executable, "-m", "tasks.fleet.report", "send", "--outcome", given,
                   "--config", str(self.config), "--report", str(self.report), "--unsent", str(self.unsent),
                   "--ca-bundle", str(self.ca.cert) if trusted else "/etc/ssl/certs/ca-certificates.crt"]
        if not doctor:  # doctor's own run is shown once; elsewhere a report it wrote stands for it
            command += ["--doctor-json", str(self.folder / "doctor.json")]
            (self.folder / "doctor.json").write_text(json.dumps(
                {"schema": 2, "hosts": {"@local": {"failed": [], "checks": [
                    {"id": "docker.running", "check": "docker.running", "layer": "Docker Engine", "status": "PASS",
                     "found": "running", "fix": "", "by_deploy": False}]}}}))
        started = time.monotonic()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
        self.outputs.append(done.stdout + done.stderr)
        return done, time.monotonic() - started


@pytest.fixture
def host(tmp_path, company_ca):
    return Host(tmp_path, company_ca)


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text, f"a secret shows: ...{text[max(0, text.find(secret) - 80):][:200]}"


def test_the_report_is_put_to_the_receiver_over_tls(receiver, host):
    host.configure(receiver.url())
    done, _ = host.send(doctor=True)
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.strip() == f"report: sent to https://127.0.0.1:{receiver.port}/reports/{HOSTNAME}.json"
    got = fleet_valid(json.loads(receiver.files()[f"{HOSTNAME}.json"]))
    assert got["outcome"] == OUTCOME
    assert got["host"]["hostname"] == subprocess.check_output(["hostname"], text=True).strip()
    head = subprocess.check_output(["git", "-C", str(ROOT), "rev-parse", "HEAD"], text=True).strip()
    assert got["repository"]["commit"] == head
    # doctor ran on this machine, as the pyinfra @local run does
    assert got["doctor"] and "docker.restart-pending" in {c["check"] for c in got["doctor"]["checks"]}
    assert got["upload"] == {"failed_since": None, "last_error": None}
    assert stat.S_IMODE(host.report.stat().st_mode) == 0o600 and not host.unsent.exists()
    assert json.loads(host.report.read_text()) == got
    assert_no_secret(*host.outputs, host.report.read_text(), receiver.files()[f"{HOSTNAME}.json"].decode(),
                     receiver.logs())


def test_a_wrong_password_is_reported_kept_and_sent_at_the_next_run(receiver, host):
    before = receiver.files()
    host.configure(receiver.url(password=WRONG))
    done, _ = host.send({**OUTCOME, "commit": commit(4)})
    assert done.returncode == 0, "a failed upload must not fail the run"
    assert done.stdout.splitlines() == [
        f"report: not sent to https://127.0.0.1:{receiver.port}/reports/{HOSTNAME}.json: HTTP 401 Unauthorized "
        f"(wrong credentials in report_url or report_header); kept in {host.unsent}, sent at the next run"]
    assert receiver.files() == before, "the receiver took a report with a wrong password"
    assert stat.S_IMODE(host.unsent.stat().st_mode) == 0o600
    failed_since = json.loads(host.unsent.read_text())["upload"]["failed_since"]

    host.configure(receiver.url())  # the lead fixes the password in the team's settings
    done, _ = host.send({**OUTCOME, "commit": commit(5)})
    assert done.returncode == 0 and done.stdout.startswith("report: sent to ")
    got = fleet_valid(json.loads(receiver.files()[f"{HOSTNAME}.json"]))
    assert got["outcome"]["commit"] == commit(5)
    assert got["upload"] == {"failed_since": failed_since, "last_error": "HTTP 401 Unauthorized (wrong credentials "
                                                                          "in report_url or report_header)"}
    assert not host.unsent.exists()
    assert_no_secret(*host.outputs, host.report.read_text(), receiver.logs())


def test_a_receiver_that_is_down_is_one_line_and_the_report_waits(host):
    port = free_port()
    host.configure(f"https://{USER}:{PASSWORD}@127.0.0.1:{port}/reports/")
    host.outcome_file = True  # as files/pull-run.sh gives it: the path of the outcome it wrote
    done, seconds = host.send()
    assert done.returncode == 0 and done.stderr == ""
    (line,) = done.stdout.splitlines()
    assert line == (f"report: not sent to https://127.0.0.1:{port}/reports/{HOSTNAME}.json: the receiver did not "
                    f"answer (ConnectionError): [Errno 111] Connection refused; kept in {host.unsent}, sent at the "
                    "next run") and seconds < 30
    kept = fleet_valid(json.loads(host.unsent.read_text()))
    assert kept["upload"]["last_error"].startswith("the receiver did not") and kept["outcome"] == OUTCOME
    assert_no_secret(*host.outputs, host.unsent.read_text())


def test_a_receiver_whose_ca_the_host_does_not_trust_is_named(receiver, host):
    host.configure(receiver.url())
    done, _ = host.send(trusted=False)
    assert done.returncode == 0
    assert "TLS failed (SSLError): is the receiver's CA in ca_certificates?" in done.stdout
    assert_no_secret(*host.outputs)


def test_a_token_header_instead_of_a_password(receiver, host):
    host.configure(receiver.url(user="", path="token"), f"PRIVATE-TOKEN: {WRONG}")
    done, _ = host.send()
    assert done.returncode == 0 and "HTTP 401 Unauthorized" in done.stdout and receiver.files("token") == {}
    host.configure(receiver.url(user="", path="token"), f"PRIVATE-TOKEN: {TOKEN}")
    done, _ = host.send()
    assert done.returncode == 0 and done.stdout.startswith("report: sent to ")
    fleet_valid(json.loads(receiver.files("token")[f"{HOSTNAME}.json"]))
    assert_no_secret(*host.outputs, host.report.read_text(), receiver.logs())


def test_fleet_py_reads_the_reports_back_with_propfind(receiver, host, tmp_path, company_ca):
    host.configure(receiver.url())
    assert host.send()[0].stdout.startswith("report: sent to ")
    page = tmp_path / "fleet.html"
    done = subprocess.run([sys.executable, "fleet.py", "-o", str(page), "--ca-bundle", str(company_ca.cert)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "FLEET_REPORT_URL": receiver.url()})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"fleet.py: 1 hosts (0 unreadable reports) written to {page}"
    assert f'data-detail="h" aria-pressed="false">{HOSTNAME}</button>' in page.read_text()
    wrong = subprocess.run([sys.executable, "fleet.py", receiver.url(password=WRONG), "-o", str(tmp_path / "x.html"),
                            "--ca-bundle", str(company_ca.cert)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert wrong.returncode == 1 and "answered HTTP 401" in wrong.stderr and not (tmp_path / "x.html").exists()
    token = subprocess.run([sys.executable, "fleet.py", receiver.url(user="", path="token"), "-o", str(page),
                            "--ca-bundle", str(company_ca.cert)], cwd=ROOT, capture_output=True, text=True, timeout=60,
                           env={"PATH": "/usr/bin:/bin", "FLEET_REPORT_HEADER": f"PRIVATE-TOKEN: {TOKEN}"})
    assert token.returncode == 0, token.stderr
    assert_no_secret(done.stdout, done.stderr, wrong.stdout, wrong.stderr, token.stdout, token.stderr,
                     page.read_text(), receiver.logs())
