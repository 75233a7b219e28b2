"""A host's fleet report: built from the runner's outcome and doctor's findings, with no credential in it."""

import json
import stat

import pytest

from tasks.fleet import report as fleet_report
from tasks.fleet.report import build, identity, outcome_problems, secrets_of, send, target
from tasks.masking import masked_header
from tasks.settings import SettingsError, validate
from testbed import realtext as real
from testbed.fleet_examples import UBUNTU, commit, doctor, report
from tests.fleet_reports import SCHEMA, fleet_valid

PASSWORD, TOKEN = "s3cret-pw", "glpat-9fKq2TOKEN"
OUTCOME = {"ok": True, "error": None, "changed": ["Docker daemon.json is as the settings give it"], "seconds": 41.2,
           "commit": commit(3), "ref": "main", "fetch_error": None, "refused": None,
           "applied_since": "2026-12-06T10:00:00Z"}
CONFIG = {"repo_url": "https://git.corp.example/team/wsl-gpu-docker.git", "ref": "main", "signing_keys": [],
          "report_url": f"https://lead:{PASSWORD}@dav.corp.example/reports/",
          "report_header": f"PRIVATE-TOKEN: {TOKEN}"}


def test_the_report_and_its_schema_agree():
    assert SCHEMA["properties"]["schema"]["const"] == fleet_report.SCHEMA
    fleet_valid(report("laptop-01"))
    fleet_valid(report("laptop-06", ok=False, kind="no-runtime", error="E: failed"))
    no_doctor = build(OUTCOME, None, "doctor gave no report", identity(UBUNTU, "6.1.0-28-amd64", "ws1"),
                      repository={"commit": None, "ref": "main"}, generated="2026-12-06T12:00:00Z")
    assert fleet_valid(no_doctor)["doctor"] is None and no_doctor["host"]["wsl"] is None


def test_the_hosts_identity_is_read_from_os_release_and_the_kernel_release():
    host = identity(UBUNTU, real.WSL2_OSRELEASE_5_15_167_4, "laptop-01")
    assert host["distro"] == "Ubuntu 24.04.1 LTS" and host["distro_id"] == "ubuntu"
    assert host["distro_version"] == "24.04" and host["wsl"] == 2 and host["hostname"] == "laptop-01"


def test_no_credential_reaches_the_report():
    secrets = secrets_of(CONFIG)
    assert PASSWORD in secrets and TOKEN in secrets
    leaky = {**OUTCOME, "ok": False, "error": f"fetch of https://lead:{PASSWORD}@git.corp.example failed",
             "fetch_error": f"curl -H 'PRIVATE-TOKEN: {TOKEN}' said 401"}
    built = build(leaky, doctor("converged"), None, identity(UBUNTU, "6.1.0", "ws1"),
                  repository={"commit": commit(3), "ref": "main"}, generated="2026-12-06T12:00:00Z", secrets=secrets)
    text = json.dumps(built)
    assert PASSWORD not in text and TOKEN not in text
    assert "https://lead:***@git.corp.example" in built["outcome"]["error"]
    assert built["outcome"]["fetch_error"] == "curl -H 'PRIVATE-TOKEN: ***' said 401"


def test_the_upload_url_holds_no_credential_and_the_hostname_is_one_path_segment():
    url, auth = target(CONFIG["report_url"], "laptop-01")
    assert url == "https://dav.corp.example/reports/laptop-01.json" and auth == ("lead", PASSWORD)
    url, auth = target("http://u%40corp:p%3Aw@127.0.0.1:8080/r/", "a/../<b>")
    assert url == "http://127.0.0.1:8080/r/a%2F..%2F%3Cb%3E.json" and auth == ("u@corp", "p:w")
    assert target("https://dav.corp.example/r/", "x") == ("https://dav.corp.example/r/x.json", None)


def test_an_outcome_not_as_agreed_is_named():
    assert outcome_problems(OUTCOME) == []
    assert outcome_problems([]) == ["the outcome is not a JSON object"]
    problems = outcome_problems({**OUTCOME, "ok": "yes", "seconds": True, "changed": None})
    assert problems == ["ok = 'yes' has the wrong type", "changed = None has the wrong type",
                        "seconds = True has the wrong type"]
    assert outcome_problems({k: v for k, v in OUTCOME.items() if k != "ref"}) == ["ref is missing"]


def test_a_token_header_is_hidden_whole_in_settings_errors():
    assert masked_header(f"PRIVATE-TOKEN: {TOKEN}") == "PRIVATE-TOKEN: ***"
    for bad in (f"PRIVATE-TOKEN {TOKEN}", f"X-Token: {TOKEN}\nX-Other: 1"):
        with pytest.raises(SettingsError) as error:
            validate({"report_header": bad})
        assert TOKEN not in str(error.value) and "report_header = '" in str(error.value)
    with pytest.raises(SettingsError) as error:
        validate({"report_url": f"https://lead:{PASSWORD}@dav.corp.example/reports"})
    assert PASSWORD not in str(error.value) and "must end with /" in str(error.value)


def _doctor_json(tmp_path):
    path = tmp_path / "doctor.json"
    path.write_text(json.dumps({"schema": 2, "hosts": {"@local": doctor("restart-pending")}}))
    return path


def test_without_report_url_the_report_is_kept_root_only_and_not_sent(tmp_path):
    said = send(json.dumps(OUTCOME), config_path=tmp_path / "pull.json", report_path=tmp_path / "r" / "report.json",
                unsent_path=tmp_path / "r" / "unsent.json", checkout=tmp_path, doctor_json=_doctor_json(tmp_path),
                hostname="laptop-01")
    assert said == [f"report: written to {tmp_path}/r/report.json; no report_url, so not uploaded"]
    written = tmp_path / "r" / "report.json"
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    kept = fleet_valid(json.loads(written.read_text()))
    assert kept["outcome"] == OUTCOME and kept["host"]["hostname"] == "laptop-01"
    assert "docker.restart-pending" in [c["check"] for c in kept["doctor"]["checks"] if c["status"] == "WARN"]
    assert kept["repository"]["commit"] is None  # tmp_path is no git checkout


def test_an_outcome_not_as_agreed_still_gives_a_failed_report(tmp_path):
    said = send("{not json", config_path=tmp_path / "pull.json", report_path=tmp_path / "report.json",
                unsent_path=tmp_path / "unsent.json", checkout=tmp_path, doctor_json=tmp_path / "none.json")
    assert said[0].startswith("report: the runner's outcome is not as agreed: not JSON")
    kept = fleet_valid(json.loads((tmp_path / "report.json").read_text()))
    assert kept["outcome"]["ok"] is False and kept["outcome"]["error"].startswith("the runner's outcome could not")
    assert kept["doctor"] is None and kept["doctor_error"].startswith("doctor gave no report (FileNotFoundError")


def test_a_pull_config_others_can_read_is_named(tmp_path):
    config = tmp_path / "pull.json"
    config.write_text(json.dumps({**CONFIG, "report_url": None}))
    config.chmod(0o644)
    said = send(json.dumps(OUTCOME), config_path=config, report_path=tmp_path / "report.json",
                unsent_path=tmp_path / "unsent.json", checkout=tmp_path, doctor_json=_doctor_json(tmp_path))
    assert said[0] == (f"report: {config} can be read by other users than root (mode 644), and it holds the "
                       f"receiver's credential: `chmod 600 {config}`, and rerun the deploy")
    assert TOKEN not in "".join(said)
    config.chmod(0o600)
    said = send(json.dumps(OUTCOME), config_path=config, report_path=tmp_path / "report.json",
                unsent_path=tmp_path / "unsent.json", checkout=tmp_path, doctor_json=_doctor_json(tmp_path))
    assert len(said) == 1 and "no report_url" in said[0]
