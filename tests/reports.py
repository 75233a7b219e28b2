"""Doctor's reports as other tools read them: the JSON against its schema."""

import json
from pathlib import Path

from jsonschema import Draft202012Validator

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "schemas" / "doctor-report.schema.json"
SCHEMA = json.loads(SCHEMA_FILE.read_text())
VALIDATOR = Draft202012Validator(SCHEMA)


def schema_errors(report: dict) -> list[str]:
    """What makes a report break its schema, one line each: none for a good report."""
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
            for e in sorted(VALIDATOR.iter_errors(report), key=lambda e: list(map(str, e.path)))]


def valid(report: dict) -> dict:
    """The report, once it has been checked against schemas/doctor-report.schema.json."""
    errors = schema_errors(report)
    assert not errors, "the report breaks schemas/doctor-report.schema.json:\n  " + "\n  ".join(errors)
    return report
