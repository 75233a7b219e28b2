"""Doctor's whole list of checks, its facts, settings and report, and the README's rows from its examples."""

import json
import re

import pytest

from tasks import dockerconfig, preflight, runlock, verify, wsl
from tasks import settings as settings_check
from tasks.doctor.checks import CHECKS, LAYERS, layer, run_checks
from tasks.doctor.checks.gpu import GPU_ERRORS
from tasks.doctor.facts import LISTS, DoctorFacts
from tasks.doctor.page import page
from tasks.doctor.registry import CRASH_FIX, CRASHED, Check
from tasks.doctor.report import report_json, summary, table
from tasks.facts import parse_lines
from tasks.findings import FAIL, ID, INFO, PASS, WARN, Finding
from tasks.preflight import missing_users, preflight_problems
from tasks.settings import SettingsError, validate
from tasks.shell import script_text
from tasks.users import docker_users
from testbed.doctor_examples import (
    DEPLOY_EXAMPLES,
    EXAMPLES,
    GOOD,
    NATIVE,
    NO_RUNTIME,
    STALE_ENGINE,
    check,
    results,
    run,
    settings_error,
)
from testbed.facts_examples import SMI_NO_DRIVER
from tests.reports import valid
from tools import readme
from tools.readme import example_rows

# --- the whole list ----------------------------------------------------------------------

def test_a_converged_workstation_passes_every_check():
    bad = [r for r in results().values() if r.status in (FAIL, WARN)]
    assert bad == []


def test_a_native_workstation_passes_and_the_wsl_checks_step_aside():
    r = results(**NATIVE)
    assert [x for x in r.values() if x.status in (FAIL, WARN)] == []
    for name in ("wsl.version", "wsl.dxg", "driver.nvidia-smi", "linux-driver.packages", "systemd.wsl-conf",
                 "wsl.info", "wsl.conf-booleans", "wsl.cgroups", "toolkit.known-bad"):
        assert r[name].status == INFO and "not WSL's" in r[name].found, name
    assert r["toolkit.gpu-path"].status == PASS, "the engine's --gpus path is the same on native Linux"


def test_a_native_driver_problem_is_the_preflights_other_failure():
    r = check("preflight.other", **{**NATIVE, "nvidia_module": "", "nvidia_smi": "9",
                                    "nvidia_smi_output": [SMI_NO_DRIVER]})
    assert r.status == FAIL and r.found.startswith("NVIDIA driver: `nvidia-smi -L` fails (exit 9)")
    assert "reboot" in r.fix


def test_checks_have_unique_names_and_run_bottom_to_top():
    names = [r.check for r in run_checks(GOOD, validate({}))]
    assert len(names) == len(set(names)) == len(CHECKS)
    layers = list(dict.fromkeys(layer(n) for n in names))
    assert layers == list(LAYERS.values())


# --- facts, settings and output ----------------------------------------------------------

def test_fact_lines_parse_into_values_and_lists():
    facts = parse_lines(["now=1", "smi.rc=0", "smi=GPU 0: x", "smi=GPU 1: y", "daemon_json={",
                         "daemon_json=}", "user=alice"], LISTS)
    assert facts["now"] == "1" and facts["smi.rc"] == "0" and facts["smi"] == ["GPU 0: x", "GPU 1: y"]
    assert facts["daemon_json"] == ["{", "}"] and facts["legacy_list"] == [] and set(LISTS) <= set(facts)


def test_keys_that_the_fact_prints_once_a_line_of_a_file_or_a_gpu_are_lists():
    facts = DoctorFacts().process(["smi_mem=24576", "smi_mem=16376", "wslconfig=[wsl2]", "wslconfig=memory=8GB",
                                   "wslconfig_exists=1", "disk=1 2 /"])
    assert facts["smi_mem"] == ["24576", "16376"] and facts["wslconfig"] == ["[wsl2]", "memory=8GB"]
    assert facts["disk"] == "1 2 /"


def test_the_fact_command_has_every_placeholder_filled_and_never_fails():
    command = DoctorFacts().command()
    assert not re.search(r"@[A-Z_]+@", command)
    assert script_text("doctor-facts.sh").rstrip().endswith("true")


def test_doctor_settings_are_validated_with_the_others():
    assert validate({}).doctor_report_path == "doctor-report.json"
    assert validate({"doctor_report_path": None}).doctor_report_path is None
    assert validate({}).doctor_report_html_path == "doctor-report.html"
    assert validate({"doctor_report_html_path": None}).doctor_report_html_path is None
    with pytest.raises(SettingsError, match="doctor_report_html_path = ''"):
        validate({"doctor_report_html_path": ""})
    with pytest.raises(SettingsError, match="did you mean doctor_gpu_container"):
        validate({"doctor_gpu_containers": True})
    with pytest.raises(SettingsError, match="doctor_gpu_container = 'yes'"):
        validate({"doctor_gpu_container": "yes"})


def test_a_bad_setting_is_a_failed_check_not_a_crash():
    r = check("settings", settings_error=settings_error({"docker_channel": "nightly"}))
    assert r.status == FAIL and "docker_channel" in r.found and r.id == "settings.invalid"
    assert r.found.startswith("invalid settings:\n  - docker_channel = 'nightly': must be one of")


def test_the_table_shows_each_finding_and_the_fix_under_it():
    text = table("laptop-7", list(results(**NO_RUNTIME).values()))
    plain = re.sub(r"\x1b\[[0-9;]*m", "", text)
    assert plain.splitlines()[0].startswith("Doctor: laptop-7 (2 FAIL, 1 WARN")
    assert re.search(r"^ +WARN +daemon-json\.shm +containers get a /dev/shm of 64 MiB", plain, re.M)
    assert re.search(r"^ +FAIL +daemon-json\.runtime +/etc/docker/daemon\.json registers no", plain, re.M)
    assert "fix (by the deploy): rerun the deploy" in plain


def test_the_team_report_says_which_hosts_fail_which_checks():
    reports = {"laptop-1": list(results().values()), "laptop-2": list(results(**NO_RUNTIME).values()),
               "laptop-3": list(results(**STALE_ENGINE).values())}
    report = valid(report_json(reports, ["laptop-4"]))
    assert report["hosts"]["laptop-1"]["failed"] == []
    assert report["fails"]["daemon-json.loaded"] == ["laptop-2", "laptop-3"]
    assert report["fails"]["daemon-json.runtime"] == ["laptop-2"]
    json.dumps(report)
    text = re.sub(r"\x1b\[[0-9;]*m", "", summary(report))
    assert "daemon-json.loaded fails on 2: laptop-2, laptop-3" in text
    assert "laptop-4: not reached, no report" in text


# --- the README's troubleshooting table, written from the examples -----------------------

def test_every_failure_names_its_fix_and_deploy_fixes_say_so():
    for r in example_rows():
        assert r.fix, r
        assert not r.by_deploy or "rerun the deploy" in r.fix, r


def test_the_readme_troubleshooting_table_is_the_checks_own_fixes():
    assert readme.section(readme.TROUBLESHOOTING.read_text(), "doctor") == readme.troubleshooting(), (
        "docs/troubleshooting.md is out of date: run `python3 -m tools.readme`")


def test_every_way_a_check_fails_or_warns_has_a_readme_row():
    # Each check declares what it gives besides PASS and INFO, and gives nothing else (the next test);
    # the examples must bring each of those, so each has a README row.
    reached = {(r.check, r.status) for r in example_rows()}
    declared = {(c.name, status) for c in CHECKS for status in c.gives}
    missed = sorted(declared - reached)
    assert missed == [], f"no entry of EXAMPLES (testbed/doctor_examples.py) brings {missed}"
    assert reached <= declared
    for needle, status, found, fix, id in GPU_ERRORS:
        told = [results(settings, **facts)["gpu.container"] for facts, settings in EXAMPLES
                if needle in "\n".join(facts.get("gpu", {}).get("output", []))]
        assert any((r.status, r.found, r.fix, r.id) == (status, found, fix, id) for r in told), needle



def test_every_example_gives_only_statuses_its_check_declares_and_none_crashes():
    # Where gives= is enforced: here, not on a user's host, whose doctor reports what a check gave.
    declared = {c.name: c.statuses for c in CHECKS}
    ids = {c.name: c.ids for c in CHECKS}
    for facts, settings in [({}, {}), (NATIVE, {}), *EXAMPLES]:
        for r in run(facts, settings):
            assert r.status in declared[r.check], f"{r.check} gave {r.status}, undeclared: add it to gives="
            assert r.fix != CRASH_FIX, (r, facts, settings)
            if r.status in (FAIL, WARN):
                assert (r.id, r.status) in ids[r.check], f"{r.check} gave {r.id} ({r.status}), undeclared in gives="
            else:
                assert r.id == r.check, r

def declared_ids() -> dict[str, str]:
    """Every id the code declares it may give, with its status: doctor's checks', and those of the deploy's own
    checks (settings, preflight, users' config files, systemd left to the user, run lock, final proof)."""
    ids = {id: status for c in CHECKS for id, status in c.ids}
    for module in (settings_check, preflight, dockerconfig, wsl, runlock, verify):
        ids.update(module.IDS)
    return {**ids, CRASHED: FAIL}


def test_each_id_has_exactly_one_troubleshooting_row_and_each_row_a_declared_id():
    rows = readme.troubleshooting_table().splitlines()[2:]
    row_ids = [re.match(r"\| `([^`]+)` \|", row).group(1) for row in rows]
    assert len(row_ids) == len(set(row_ids)), "an id with two rows"
    assert sorted(row_ids) == sorted(declared_ids()), "an id with no row, or a row with an id none declares"
    assert all(ID.fullmatch(id) for id in row_ids)
    # What the deploy's own checks give and doctor reports, doctor declares: it takes them by id.
    doctor = {id for c in CHECKS for id, _ in c.ids}
    assert set(preflight.IDS) | set(settings_check.IDS) | set(dockerconfig.IDS) <= doctor
    # Each row's status is the one declared for its id.
    given = {r.id: r.status for r in example_rows()} | {f.id: f.status for _, f in DEPLOY_EXAMPLES}
    assert given == declared_ids()


def test_every_check_that_can_fail_has_a_readme_row():
    never_fail = {c.name for c in CHECKS if not c.gives}
    assert never_fail == {"driver.libcuda-link", "wsl.info", "toolkit.gpu-path"}
    assert {r.check for r in example_rows()} | never_fail == {c.name for c in CHECKS}


def test_the_readme_covers_every_preflight_failure_with_the_same_fix():
    section, seen = readme.words(readme.section(readme.TROUBLESHOOTING.read_text(), "doctor")), set()
    for facts, settings in EXAMPLES:
        facts, settings = {**GOOD, **facts}, validate(settings)
        problems = preflight_problems(facts, settings)
        for problem in problems + missing_users(docker_users(settings, facts), facts["users"]):
            seen.add(problem.id)
            assert readme.words(readme.inline(problem.fix)) in section, problem
    assert seen == set(preflight.IDS), (
        "a preflight failure has no example in EXAMPLES, so docs/troubleshooting.md misses it")


# --- one broken check ---------------------------------------------------------------------

GARBLED_RTC = "garbage"  # the hardware clock's since_epoch, unreadable as a number


def test_a_fact_a_check_cannot_parse_crashes_that_check_alone_and_the_report_keeps_to_its_schema():
    clock = next(c for c in CHECKS if c.name == "wsl.clock")
    with pytest.raises(ValueError, match="invalid literal for int"):
        clock.run({**GOOD, "rtc": GARBLED_RTC}, validate({}))  # the check itself, without the guard
    out = run_checks({**GOOD, "rtc": GARBLED_RTC}, validate({}))
    assert [r.check for r in out] == [c.name for c in CHECKS], "every check is reported, in its place"
    by_name = {r.check: r for r in out}
    crashed = by_name.pop("wsl.clock")
    assert (crashed.status, crashed.found, crashed.fix) == (
        FAIL, "the check crashed: ValueError: invalid literal for int() with base 10: 'garbage'", CRASH_FIX)
    assert "report it" in crashed.fix
    assert by_name == {r.check: r for r in run_checks(GOOD, validate({})) if r.check != "wsl.clock"}
    report = valid(report_json({"laptop-1": out, "laptop-2": run_checks(GOOD, validate({}))}, []))
    assert report["hosts"]["laptop-1"]["failed"] == ["wsl.clock"] and report["fails"] == {"wsl.clock": ["laptop-1"]}
    assert json.loads(json.dumps(report)) == report
    plain = re.sub(r"\x1b\[[0-9;]*m", "", table("laptop-1", out))
    assert re.search(r"^ +FAIL +wsl\.clock +the check crashed: ValueError: invalid literal", plain, re.M), plain
    html = page(report)
    assert re.search(r'<li class="finding" data-check="wsl.clock"><span class="status FAIL">FAIL</span>'
                     r'.*?<p class="found">the check crashed: ValueError: invalid literal for int\(\) with base 10: '
                     r'&#39;garbage&#39;</p>', html, re.S), "the page shows the crash as the check's finding"


def test_a_crash_is_one_line_masked_and_an_undeclared_status_is_reported_not_raised():
    def multiline(facts, settings):
        raise RuntimeError("cannot reach\n http://alice:hunter2@proxy:3128\n  again")

    def undeclared(facts, settings):
        return Finding(WARN, "a warning it never declared")

    def no_status(facts, settings):
        return Finding("OK", "a status no report holds")

    made = {name: Check(name, "wsl", fn, (), ((name, FAIL),))(GOOD, validate({}))
            for name, fn in (("wsl.a", multiline), ("wsl.b", undeclared), ("wsl.c", no_status))}
    assert made["wsl.a"].found == "the check crashed: RuntimeError: cannot reach http://alice:***@proxy:3128 again"
    assert (made["wsl.b"].status, made["wsl.b"].found) == (WARN, "a warning it never declared")
    assert (made["wsl.c"].status, made["wsl.c"].found) == (
        FAIL, "the check crashed: ValueError: it gave the status 'OK', which is none of PASS, WARN, FAIL, INFO")
    valid(report_json({"laptop-1": list(made.values())}, []))
