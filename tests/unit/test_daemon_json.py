"""daemon.json is merged over the host's file and rendered as nvidia-ctk writes it."""

import json

import pytest

from tasks.daemon import merge_daemon_config, parse_daemon_json, render_daemon_json
from tasks.settings import validate
from testbed import realtext as real


def rendered(existing_text="", **settings):
    existing = parse_daemon_json(existing_text.splitlines())
    return render_daemon_json(merge_daemon_config(existing, validate(settings)))


# nvidia-ctk writes its runtime alone: the settings that add keys of their own, off.
NVIDIA_CTK_ONLY = {"docker_default_shm_size": None}


def test_a_fresh_file_is_byte_identical_to_nvidia_ctk():
    assert rendered(**NVIDIA_CTK_ONLY) == real.DAEMON_JSON_NVIDIA_CTK_FRESH


def test_default_runtime_is_byte_identical_to_nvidia_ctk_set_as_default():
    assert rendered(nvidia_default_runtime=True, **NVIDIA_CTK_ONLY) == real.DAEMON_JSON_NVIDIA_CTK_FRESH_DEFAULT


def test_existing_keys_are_kept_as_nvidia_ctk_keeps_them():
    assert rendered(real.DAEMON_JSON_EXISTING_INPUT, **NVIDIA_CTK_ONLY) == real.DAEMON_JSON_EXISTING_AFTER_NVIDIA_CTK


def test_the_default_file_is_nvidia_ctks_with_a_1g_shm_in_its_sorted_place():
    text = rendered()
    assert json.loads(text) == {**json.loads(real.DAEMON_JSON_NVIDIA_CTK_FRESH), "default-shm-size": "1G"}
    assert text.startswith('{\n    "default-shm-size": "1G",\n    "runtimes": {') and rendered(text) == text


def test_shm_ulimits_and_mtu_are_rendered_as_dockerd_reads_them_and_stay_a_fixed_point():
    own = {"docker_default_shm_size": "2g", "docker_mtu": 1420,
           "docker_default_ulimits": {"memlock": -1, "stack": 67108864, "nofile": "1024:524288"}}
    text = rendered(real.DAEMON_JSON_EXISTING_INPUT, **own)
    config = json.loads(text)
    assert config["default-shm-size"] == "2g" and config["mtu"] == 1420
    # go-units' Ulimit, which daemon.json's default-ulimits holds: each under its name, with Name, Hard and Soft.
    assert config["default-ulimits"] == {"memlock": {"Name": "memlock", "Hard": -1, "Soft": -1},
                                         "stack": {"Name": "stack", "Hard": 67108864, "Soft": 67108864},
                                         "nofile": {"Name": "nofile", "Hard": 524288, "Soft": 1024}}
    assert '"Hard": -1,' in text and '"Hard": 67108864,' in text, "whole numbers, as Go writes them back"
    assert rendered(text, **own) == text
    kept = json.loads(real.DAEMON_JSON_EXISTING_INPUT)
    assert {k: config[k] for k in kept if k != "runtimes"} == {k: v for k, v in kept.items() if k != "runtimes"}


def test_unset_settings_leave_the_hosts_own_keys_alone():
    mine = json.dumps({"default-shm-size": "8G", "mtu": 1380,
                       "default-ulimits": {"nofile": {"Name": "nofile", "Hard": 9, "Soft": 9}}})
    config = json.loads(rendered(mine, docker_default_shm_size=None))
    assert (config["default-shm-size"], config["mtu"], config["default-ulimits"]["nofile"]["Hard"]) == ("8G", 1380, 9)
    assert json.loads(rendered(mine))["default-shm-size"] == "1G", "the setting's value wins over the host's"


def test_rendering_is_a_fixed_point():
    once = rendered(real.DAEMON_JSON_EXISTING_INPUT, docker_daemon_options={"log-level": "warn"})
    assert rendered(once, docker_daemon_options={"log-level": "warn"}) == once


def test_daemon_options_are_merged_over_existing_keys():
    config = json.loads(rendered('{"log-level": "debug", "dns": ["1.1.1.1"]}',
                                 docker_daemon_options={"log-level": "warn"}))
    assert config["log-level"] == "warn" and config["dns"] == ["1.1.1.1"]


def test_other_runtimes_are_kept_and_nvidia_is_rewritten():
    existing = json.dumps({"runtimes": {
        "kata": {"path": "/usr/bin/kata-runtime"},
        "nvidia": {"path": "/usr/bin/nvidia-container-runtime", "runtimeArgs": []},
    }})
    runtimes = json.loads(rendered(existing))["runtimes"]
    assert runtimes["kata"] == {"path": "/usr/bin/kata-runtime"}
    assert runtimes["nvidia"] == {"args": [], "path": "nvidia-container-runtime"}


def test_turning_the_default_runtime_off_removes_only_nvidia_as_default():
    assert "default-runtime" not in json.loads(rendered('{"default-runtime": "nvidia"}'))
    assert json.loads(rendered('{"default-runtime": "runc"}'))["default-runtime"] == "runc"


def test_go_style_escaping_and_unicode():
    config = json.loads(rendered(docker_daemon_options={"labels": ["a<b>&c", "zoë"]}))
    assert config["labels"] == ["a<b>&c", "zoë"]
    text = rendered(docker_daemon_options={"labels": ["a<b>&c", "zoë", "line\u2028end\tx"]})
    assert "\\u003c" in text and "\\u0026" in text and "zoë" in text
    assert '"line\\u2028end\\tx"' in text


# nvidia-ctk reads every number into a Go float64 and writes it back by encoding/json's
# floatEncoder (golang/go src/encoding/json/encode.go): the shortest digits that read back as the
# same float64, plain from 1e-6 up to 1e21, else with an exponent that is not padded.
GO_NUMBERS = [
    ("3", "3"), ("1.0", "1"), ("1e3", "1000"), ("-2.50", "-2.5"), ("0.1", "0.1"), ("0", "0"),
    ("12345678901234567890", "12345678901234567000"),  # beyond 2**53: rounded as a float64
    ("9007199254740993", "9007199254740992"),
    ("0.000001", "0.000001"), ("0.0000001", "1e-7"), ("1.2E-7", "1.2e-7"), ("15e-11", "1.5e-10"),
    ("1e20", "100000000000000000000"), ("1e21", "1e+21"), ("-1.25e22", "-1.25e+22"),
]


@pytest.mark.parametrize("written, go_writes", GO_NUMBERS)
def test_numbers_are_written_as_go_writes_them_back(written, go_writes):
    text = rendered(f'{{"max-concurrent-downloads": {written}}}')
    assert f'    "max-concurrent-downloads": {go_writes},\n' in text


def test_booleans_stay_booleans():
    text = rendered('{"debug": true, "live-restore": false}', docker_daemon_options={"iptables": False})
    assert '"debug": true,' in text and '"live-restore": false,' in text and '"iptables": false,' in text


def test_numbers_nested_in_lists_and_objects_render_once_for_good():
    existing = json.dumps({"default-ulimits": {"nofile": {"Hard": 64000.0, "Soft": 6.4e4}},
                           "shm-size-mb": [1e3, 0.0000001, 12345678901234567890]})
    once = rendered(existing, docker_daemon_options={"max-concurrent-uploads": 5.0})
    assert '"Hard": 64000,' in once and '"Soft": 64000\n' in once
    assert "1000,\n" in once and "1e-7,\n" in once and "12345678901234567000\n" in once
    assert '"max-concurrent-uploads": 5,' in once
    assert rendered(once, docker_daemon_options={"max-concurrent-uploads": 5.0}) == once


def test_a_broken_file_is_recognised():
    assert parse_daemon_json(['{"log-level": "warn",']) is None
    assert parse_daemon_json(['["a list"]']) is None
    assert parse_daemon_json(None) == {}
