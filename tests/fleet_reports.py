"""The fleet report as other tools read it: against schemas/fleet-report.schema.json, which takes doctor's host."""

from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from tests.reports import SCHEMA as DOCTOR_SCHEMA

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "schemas" / "fleet-report.schema.json"
SCHEMA = json.loads(SCHEMA_FILE.read_text())
# The schema names doctor's by its file name, as the two files sit side by side in schemas/.
VALIDATOR = Draft202012Validator(
    SCHEMA, registry=Registry().with_resource("doctor-report.schema.json", Resource.from_contents(DOCTOR_SCHEMA)))


def fleet_valid(report: dict) -> dict:
    """The report, once it has been checked against schemas/fleet-report.schema.json."""
    errors = [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in VALIDATOR.iter_errors(report)]
    assert not errors, "the report breaks schemas/fleet-report.schema.json:\n  " + "\n  ".join(errors)
    return report
