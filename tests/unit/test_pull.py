"""Pull mode's files as the deploy renders them: the timer's schedule, the runner's settings, no secret in a unit."""

import json

from tasks.managed import PULL_CHECKOUT, PULL_CONFIG, PULL_KEYRING, PULL_RUNNER, PULL_SERVICE, PULL_TIMER
from tasks.pullmode import config_json, pull_files, runner_text, service_unit, timer_unit
from tasks.settings import validate

URL = "https://ci:s3cret@git.corp.example/team/wsl-gpu-docker.git"


def test_the_timer_is_persistent_and_randomized_on_the_teams_schedule():
    timer = timer_unit(validate({"pull_repo_url": URL, "pull_schedule": "*-*-* 09:00", "pull_randomized_delay": 600}))
    assert "OnCalendar=*-*-* 09:00\n" in timer and "RandomizedDelaySec=600\n" in timer
    assert "Persistent=true\n" in timer and "WantedBy=timers.target\n" in timer


def test_the_units_name_no_secret_the_root_only_config_holds_the_runners_and_uploaders_settings():
    settings = validate({"pull_repo_url": URL, "pull_ref": "v1.4"})
    assert "s3cret" not in service_unit(settings) + timer_unit(settings)
    assert f"ExecStart=/bin/sh {PULL_RUNNER} CONFIG={PULL_CONFIG} " in service_unit(settings)
    assert f"CHECKOUT={PULL_CHECKOUT} " in service_unit(settings) and "StandardInput=null" in service_unit(settings)
    assert json.loads(config_json(settings)) == {"repo_url": URL, "ref": "v1.4", "signing_keys": [],
                                                 "report_url": None, "report_header": None}
    files = pull_files(settings)
    assert files[PULL_CONFIG][1] == "600" and files[PULL_KEYRING] == (None, "644"), "no keys: no keyring"
    assert set(files) == {PULL_RUNNER, PULL_CONFIG, PULL_KEYRING, PULL_SERVICE, PULL_TIMER}


def test_the_installed_runner_carries_the_lock_and_the_masking_rule():
    text = runner_text()
    assert text.startswith("#!/bin/sh\nSED_PROGRAM='s#") and "run_lock() {" in text and "written() {" in text
