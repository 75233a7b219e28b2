"""Doctor: read-only diagnosis of every layer of the stack, with the fix for each finding."""

from __future__ import annotations

import difflib
from types import SimpleNamespace

from pyinfra import host, logger
from pyinfra.api import deploy

from tasks.doctor.checks import gpu_command, run_checks
from tasks.doctor.facts import DoctorFacts
from tasks.doctor.report import REPORT_OP, add_host, failed, no_check_fails, register, table
from tasks.facts import CommandResult, WslHost
from tasks.settings import SettingsError, validate

# Doctor's own settings, until they join defaults.py.
DOCTOR_DEFAULTS = {
    # Where the controller writes the JSON report (relative to where pyinfra runs); None: nowhere.
    "doctor_report_path": "doctor-report.json",
    # Also run a GPU container (gpu_smoke_test_image): pulls the image when it is not there yet.
    "doctor_gpu_container": False,
}


def doctor_settings(data: dict) -> SimpleNamespace:
    """Doctor's settings, defaults overridden by data; SettingsError names each bad one."""
    errors = []
    for name in sorted(n for n in data if n.startswith("doctor_") and n not in DOCTOR_DEFAULTS):
        close = difflib.get_close_matches(name, DOCTOR_DEFAULTS, n=1)
        errors.append(f"unknown setting {name}: " + (f"did you mean {close[0]}?" if close else
                                                        "see the settings table in README.md"))
    merged = {name: data.get(name, default) for name, default in DOCTOR_DEFAULTS.items()}
    path = merged["doctor_report_path"]
    if path is not None and (not isinstance(path, str) or not path.strip()):
        errors.append(f"doctor_report_path = {path!r}: must be a file path, or None for no report")
    if not isinstance(merged["doctor_gpu_container"], bool):
        errors.append(f"doctor_gpu_container = {merged['doctor_gpu_container']!r}: must be true or false")
    if errors:
        raise SettingsError("invalid settings:\n  - " + "\n  - ".join(errors))
    return SimpleNamespace(report_path=path, gpu_container=merged["doctor_gpu_container"])


@deploy("Doctor")
def diagnose(data: dict):
    """Gather the facts, print every check's verdict, and fail this host when any check FAILs."""
    errors = []
    try:
        settings = validate(data)
    except SettingsError as e:
        errors.append(str(e))
        settings = validate({})
    try:
        doctor = doctor_settings(data)
    except SettingsError as e:
        errors.append(str(e))
        doctor = doctor_settings({})
    facts = {**host.get_fact(WslHost), **host.get_fact(DoctorFacts), "settings_error": "; ".join(errors)}
    facts["gpu_asked"] = doctor.gpu_container
    if doctor.gpu_container and not facts.get("runtimes_skipped"):
        facts["gpu"] = host.get_fact(CommandResult, command=gpu_command(settings))
    results = run_checks(facts, settings)
    logger.info(table(host.name, results))
    add_host(host.name, results, doctor.report_path)
    register(host.state)
    no_check_fails(name=REPORT_OP, failed_checks=failed(results))
