"""A finding's one rendering as text, and the ids a doctor check may declare."""

import pytest

from tasks.doctor.registry import Registry
from tasks.findings import FAIL, PASS, WARN, Finding, failure, fix_line, line


def test_the_deploy_prints_a_finding_as_its_check_what_was_found_and_the_fix():
    found = failure("wsl.version", "kernel '4.4.0-19041-Microsoft' is WSL1", "run `wsl --set-version <distro> 2`",
                    "WSL2")
    assert line(found) == str(found) == ("WSL2: kernel '4.4.0-19041-Microsoft' is WSL1. Fix: run "
                                         "`wsl --set-version <distro> 2`")
    assert line(failure("settings.unknown", "unknown setting docker_chanel: did you mean docker_channel?")) == (
        "unknown setting docker_chanel: did you mean docker_channel?")
    assert found.as_dict() == {"status": FAIL, "found": "kernel '4.4.0-19041-Microsoft' is WSL1",
                               "fix": "run `wsl --set-version <distro> 2`", "by_deploy": False,
                               "id": "wsl.version", "check": "WSL2"}


def test_doctor_prints_the_fix_under_a_finding_saying_when_the_deploy_is_it():
    assert fix_line(Finding(WARN, "x", "open a new shell")) == "fix: open a new shell"
    assert fix_line(Finding(FAIL, "x", "rerun the deploy", by_deploy=True)) == "fix (by the deploy): rerun the deploy"
    assert fix_line(Finding(PASS, "x", "nothing to do")) == "" and fix_line(Finding(FAIL, "x")) == ""


def declared(name: str, gives):
    def run(facts, settings):
        """A check."""
        return Finding(PASS, "fine")

    run.__module__ = "tasks.doctor.checks.wsl"
    return Registry().check(name, gives=gives)(run)


def test_a_check_declares_an_id_for_each_way_it_fails():
    assert declared("wsl.one", [FAIL]).ids == (("wsl.one", FAIL),)
    two = declared("wsl.two", {"wsl.two.a": FAIL, "wsl.two.b": WARN})
    assert two.gives == (FAIL, WARN) and two.statuses == (PASS, "INFO", FAIL, WARN)
    with pytest.raises(ValueError, match="name an id for each"):
        declared("wsl.three", [FAIL, WARN])
    for bad in ("docker.engine.stopped", "wsl.Upper", "wsl", "wsl..x"):
        with pytest.raises(ValueError, match="dotted, lower-case, starting with wsl."):
            declared("wsl.four", {bad: FAIL})
