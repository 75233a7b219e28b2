"""daemon.json is merged over the host's file and rendered as nvidia-ctk writes it."""

import json

from tasks.daemon import merge_daemon_config, parse_daemon_json, render_daemon_json
from tasks.settings import validate
from tests.unit import realtext as real


def rendered(existing_text="", **settings):
    existing = parse_daemon_json(existing_text.splitlines())
    return render_daemon_json(merge_daemon_config(existing, validate(settings)))


def test_a_fresh_file_is_byte_identical_to_nvidia_ctk():
    assert rendered() == real.DAEMON_JSON_NVIDIA_CTK_FRESH


def test_default_runtime_is_byte_identical_to_nvidia_ctk_set_as_default():
    assert rendered(nvidia_default_runtime=True) == real.DAEMON_JSON_NVIDIA_CTK_FRESH_DEFAULT


def test_existing_keys_are_kept_as_nvidia_ctk_keeps_them():
    assert rendered(real.DAEMON_JSON_EXISTING_INPUT) == real.DAEMON_JSON_EXISTING_AFTER_NVIDIA_CTK


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
    text = rendered(docker_daemon_options={"labels": ["a<b>&c", "zoë"]})
    assert "\\u003c" in text and "\\u0026" in text and "zoë" in text


def test_a_broken_file_is_recognised():
    assert parse_daemon_json(['{"log-level": "warn",']) is None
    assert parse_daemon_json(['["a list"]']) is None
    assert parse_daemon_json(None) == {}
