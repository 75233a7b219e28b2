"""Doctor's JSON report keeps to its schema, which other tools read it by."""

import copy

from jsonschema import Draft202012Validator

from tasks.doctor.checks import CHECKS, LAYERS
from tasks.doctor.report import SCHEMA, report_json
from testbed.doctor_examples import EXAMPLES, NO_RUNTIME, run
from tests.reports import SCHEMA as SCHEMA_FILE
from tests.reports import schema_errors


def team() -> dict:
    reports = {"laptop-1": run({}, {}), "laptop-2": run(NO_RUNTIME, {})}
    reports.update({f"laptop-{i + 3}": run(facts, settings) for i, (facts, settings) in enumerate(EXAMPLES)})
    return report_json(reports, ["laptop-0"])


def test_the_schema_is_a_valid_json_schema_of_the_reports_version():
    Draft202012Validator.check_schema(SCHEMA_FILE)
    assert SCHEMA_FILE["properties"]["schema"]["const"] == SCHEMA


def test_every_example_hosts_report_keeps_to_the_schema_with_each_checks_layer():
    report = team()
    assert schema_errors(report) == []
    checks = report["hosts"]["laptop-2"]["checks"]
    assert [c["check"] for c in checks] == [c.name for c in CHECKS]
    assert {c["layer"] for c in checks} == set(LAYERS.values())
    # Each finding's id: the way a check fails for a FAIL or WARN, the check's own name otherwise.
    by_check = {c["check"]: c for c in checks}
    assert (by_check["daemon-json.runtime"]["status"], by_check["daemon-json.runtime"]["id"]) == (
        "FAIL", "daemon-json.runtime")
    assert (by_check["daemon-json.loaded"]["status"], by_check["daemon-json.loaded"]["id"]) == (
        "FAIL", "daemon-json.loaded.unregistered")
    assert by_check["wsl.dxg"]["status"] == "PASS" and by_check["wsl.dxg"]["id"] == "wsl.dxg"


def test_a_report_that_breaks_the_schema_is_told_where():
    report = team()
    broken = copy.deepcopy(report)
    broken["schema"] = 1
    broken["hosts"]["laptop-2"]["checks"][0]["status"] = "OK"
    del broken["hosts"]["laptop-1"]["failed"]
    errors = schema_errors(broken)
    assert any(e == "schema: 2 was expected" for e in errors), errors
    assert any(e.startswith("hosts/laptop-2/checks/0/status: 'OK' is not one of") for e in errors), errors
    assert any(e.startswith("hosts/laptop-1: 'failed' is a required property") for e in errors), errors
    assert schema_errors({**report, "extra": 1}) != []
