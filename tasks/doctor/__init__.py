"""Doctor: read-only diagnosis of every layer of the stack, with the fix for each finding."""

from __future__ import annotations

from pyinfra import host, logger
from pyinfra.api import deploy

from tasks.dockerconfig import snapshot_args
from tasks.dockerinfo import gpu_container_command
from tasks.doctor.checks import run_checks
from tasks.doctor.facts import DoctorFacts
from tasks.doctor.network import NetworkFacts, proxy_probes
from tasks.doctor.report import REPORT_OP, add_host, failed, no_check_fails, register, table
from tasks.facts import CommandResult, HostSnapshot
from tasks.settings import SettingsError, validate


def _settings(data: dict):
    """The settings and the findings of what was wrong with them: doctor reports bad settings, it runs on
    regardless."""
    try:
        return validate(data), []
    except SettingsError as error:
        doctor_only = {name: value for name, value in data.items() if name.startswith("doctor_")}
        for fallback in (doctor_only, {}):
            try:
                return validate(fallback), error.problems
            except SettingsError:
                continue
        raise


@deploy("Doctor")
def diagnose(data: dict):
    """Gather the facts, print every check's verdict, and fail this host when any check FAILs."""
    settings, error = _settings(data)
    facts = {**host.get_fact(HostSnapshot, **snapshot_args(settings)), **host.get_fact(DoctorFacts),
             "settings_error": error,
             **host.get_fact(NetworkFacts, urls=proxy_probes(settings))}
    facts["gpu_asked"] = settings.doctor_gpu_container
    if settings.doctor_gpu_container and not facts.get("docker_info_skipped"):
        facts["gpu"] = host.get_fact(CommandResult, command=gpu_container_command(settings))
    results = run_checks(facts, settings)
    logger.info(table(host.name, results))
    add_host(host.name, results, settings.doctor_report_path, settings.doctor_report_html_path)
    register(host.state)
    no_check_fails(name=REPORT_OP, failed_checks=failed(results))
