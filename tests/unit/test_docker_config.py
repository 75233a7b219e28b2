"""The docker users' config.json: files/docker-config.py's merge and verdicts, and the deploy's decisions on them."""

import importlib.util
import json
import os
import pwd
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tasks.dockerconfig import (
    DockerConfigs,
    config_problems,
    digest,
    needs_change,
    snapshot_args,
    users_to_change,
    wanted_default,
)
from tasks.managed import USER_PROXY_RECORD
from tasks.proxy import proxy_env
from tasks.settings import validate
from tasks.shell import FILES
from testbed.doctor_examples import CORP_PROXY, USERS_PROXY, check, users_configs
from tests.traced import fsyncs_and_renames

SECRET = "hunter2"
_spec = importlib.util.spec_from_file_location("docker_config", FILES / "docker-config.py")
script = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(script)

ON = {**CORP_PROXY, "no_proxy": "localhost,.corp.example", "docker_users_proxy": True}
USER = {"auths": {"registry.corp.example": {"auth": "ZGV2OnRva2Vu"}}, "proxies": {"tcp://other:2376": {}},
        "detachKeys": "ctrl-x,x"}


def test_the_proxy_from_the_root_only_file_is_the_one_the_deploy_compares(tmp_path):
    env = tmp_path / "proxy.env"
    env.write_text(proxy_env(validate(ON)))
    default = script.proxy_default(str(env))
    assert default == {"httpProxy": CORP_PROXY["http_proxy"], "httpsProxy": CORP_PROXY["https_proxy"],
                       "noProxy": "localhost,.corp.example"} == wanted_default(validate(ON))
    assert script.digest(default) == digest(wanted_default(validate(ON)))


def test_only_the_settings_set_get_a_key_and_none_without_the_setting_or_a_proxy():
    assert wanted_default(validate({"https_proxy": "http://p:3128", "docker_users_proxy": True})) == {
        "httpsProxy": "http://p:3128"}
    assert wanted_default(validate(CORP_PROXY)) is None
    assert wanted_default(validate({"docker_users_proxy": True})) is None


def test_the_merge_keeps_every_other_key_in_place_and_taking_it_out_leaves_the_rest():
    on = script.merged(USER, {"httpProxy": "http://p:3128"})
    assert list(on) == list(USER) and on["auths"] == USER["auths"] and on["detachKeys"] == "ctrl-x,x"
    assert on["proxies"] == {"tcp://other:2376": {}, "default": {"httpProxy": "http://p:3128"}}
    assert script.merged(on, None) == USER
    assert script.merged({"proxies": {"default": {}}, "auths": {}}, None) == {"auths": {}}


@pytest.mark.parametrize("text, reason", [
    (b'{"auths": {"r": {"auth": "c2VjcmV0"}}', "Expecting ',' delimiter: line 1 column 38"),
    (b'["c2VjcmV0"]', "it is not a JSON object"),
    (b'{"proxies": "c2VjcmV0"}', "its proxies is not a JSON object"),
])
def test_a_file_docker_cannot_read_says_why_without_its_content(text, reason):
    with pytest.raises(ValueError) as error:
        script.load(text)
    assert str(error.value).startswith(reason) and "c2VjcmV0" not in str(error.value)


def test_an_empty_file_is_an_empty_config_as_docker_reads_it():
    assert script.load(b"") == {} and script.load(b"\n") == {}


def as_user(monkeypatch, home):
    me = pwd.getpwuid(os.getuid())
    entry = pwd.struct_passwd((me.pw_name, "x", me.pw_uid, me.pw_gid, "", str(home), "/bin/sh"))
    real = pwd.getpwnam
    monkeypatch.setattr(script.pwd, "getpwnam", lambda name: entry if name == "dev" else real(name))
    return entry


def test_the_verdict_is_a_digest_of_proxies_default_never_the_file(tmp_path, monkeypatch):
    as_user(monkeypatch, tmp_path)
    assert script.state("dev") == {"user": "dev", "path": f"{tmp_path}/.docker/config.json", "state": "absent",
                                   "digest": None}
    (tmp_path / ".docker").mkdir()
    (tmp_path / ".docker/config.json").write_text(json.dumps(script.merged(USER, {"httpProxy": "http://p:3128"})))
    found = script.state("dev")
    assert found["state"] == "json" and found["digest"] == digest({"httpProxy": "http://p:3128"})
    assert "ZGV2OnRva2Vu" not in json.dumps(found)
    (tmp_path / ".docker/config.json").write_text("{")
    assert script.state("dev")["state"] == "invalid"
    assert script.state("nosuchuser-here") == {"user": "nosuchuser-here", "state": "nouser"}


def test_a_changed_file_keeps_its_owner_is_backed_up_root_only_and_loses_other_readers_for_a_password(
        tmp_path, monkeypatch):
    user = as_user(monkeypatch, tmp_path)
    (tmp_path / ".docker").mkdir()
    config, backup, env = tmp_path / ".docker/config.json", tmp_path / "backups/dev.bak", tmp_path / "proxy.env"
    config.write_text(json.dumps(USER))
    config.chmod(0o644)
    env.write_text(proxy_env(validate(ON)))
    record = tmp_path / "etc/record"
    script.apply("dev", True, str(record), str(env), str(backup))
    merged = json.loads(config.read_text())
    assert merged == script.merged(USER, wanted_default(validate(ON)))
    assert stat.S_IMODE(config.stat().st_mode) == 0o600 and config.stat().st_uid == user.pw_uid
    assert json.loads(backup.read_text()) == USER and stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert record.read_text() == "dev\n" and stat.S_IMODE(record.stat().st_mode) == 0o600
    script.apply("dev", False, str(record), str(env), str(backup))
    assert json.loads(config.read_text()) == USER and SECRET in backup.read_text()
    assert not record.exists()


def test_a_new_file_is_0600_in_a_new_0700_folder_and_nothing_is_written_where_nothing_changes(
        tmp_path, monkeypatch):
    as_user(monkeypatch, tmp_path)
    env, record = tmp_path / "proxy.env", tmp_path / "record"
    env.write_text(proxy_env(validate({"http_proxy": "http://p:3128"})))
    script.apply("dev", False, str(record), str(env), str(tmp_path / "bak"))
    assert not (tmp_path / ".docker").exists() and not record.exists()
    script.apply("dev", True, str(record), str(env), str(tmp_path / "bak"))
    assert stat.S_IMODE((tmp_path / ".docker").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / ".docker/config.json").stat().st_mode) == 0o600
    assert json.loads((tmp_path / ".docker/config.json").read_text()) == {
        "proxies": {"default": {"httpProxy": "http://p:3128"}}}
    assert not (tmp_path / "bak").exists()


def test_a_file_that_is_no_json_is_left_alone_naming_it_and_the_fix(tmp_path, monkeypatch):
    as_user(monkeypatch, tmp_path)
    (tmp_path / ".docker").mkdir()
    (tmp_path / ".docker/config.json").write_text("{oops")
    with pytest.raises(SystemExit) as stop:
        script.apply("dev", True, str(tmp_path / "record"), str(tmp_path / "proxy.env"), str(tmp_path / "bak"))
    assert f"{tmp_path}/.docker/config.json is not valid JSON" in str(stop.value) and "Fix:" in str(stop.value)
    assert (tmp_path / ".docker/config.json").read_text() == "{oops"


@pytest.mark.skipif(os.path.exists(USER_PROXY_RECORD), reason="this machine has a record of its own")
def test_the_snapshots_part_reads_the_record_only_while_the_setting_is_off():
    off = subprocess.run(["sh", "-c", DockerConfigs().command()], capture_output=True, text=True)
    assert off.returncode == 0 and off.stdout == ""  # no record on this machine: python3 is not even run
    on = subprocess.run(["sh", "-c", DockerConfigs().command("nosuchuser-here")], capture_output=True, text=True)
    assert DockerConfigs().process(on.stdout.splitlines()) == {
        "recorded": [], "configs": {"nosuchuser-here": {"user": "nosuchuser-here", "state": "nouser"}}}


def test_the_snapshot_reads_the_docker_users_or_the_invoking_one_only_with_the_setting_on():
    assert snapshot_args(validate(CORP_PROXY)) == {}
    assert snapshot_args(validate({**ON, "docker_users": ["dev", "ana"]})) == {"proxy_users": "dev ana"}
    assert snapshot_args(validate(ON)) == {"proxy_users": "-"}
    assert snapshot_args(validate({**ON, "docker_users": []})) == {}


def facts(configs, recorded=()):
    return {"user": "dev", "users": ["root", "dev", "ana"],
            "docker_configs": {"recorded": list(recorded), "configs": {c["user"]: c for c in configs}}}


WANTED = digest(wanted_default(validate(ON)))


@pytest.mark.parametrize("config, wanted, recorded, change", [
    ({"state": "json", "digest": WANTED}, WANTED, True, False),
    ({"state": "json", "digest": WANTED}, WANTED, False, False),  # the user's own, the same
    ({"state": "json", "digest": None}, WANTED, False, True),
    ({"state": "absent", "digest": None}, WANTED, False, True),
    ({"state": "invalid", "reason": "x"}, WANTED, True, False),  # the preflight stops the host
    ({"state": "json", "digest": "other"}, None, True, True),  # ours, now to go
    ({"state": "json", "digest": "other"}, None, False, False),  # the user's own: never taken out
    ({"state": "nouser"}, None, True, True),  # the record forgets them
])
def test_a_file_changes_only_where_the_snapshot_shows_work(config, wanted, recorded, change):
    assert needs_change(config, wanted, recorded) is change


def test_the_users_to_change_are_the_docker_users_and_the_recorded_ones_no_longer_wanted():
    both = facts([], recorded=["ana"])
    assert users_to_change(validate(ON), both) == {"ana": False, "dev": True}
    assert users_to_change(validate({**ON, "docker_users": ["ana"]}), both) == {"ana": True}
    assert users_to_change(validate(CORP_PROXY), both) == {"ana": False}


def test_a_file_that_is_no_json_stops_the_host_naming_it_and_the_fix():
    bad = {"user": "dev", "path": "/home/dev/.docker/config.json", "state": "invalid",
           "reason": "Expecting value: line 1 column 1 (char 0)"}
    [problem] = config_problems(validate(ON), facts([bad]))
    assert problem.id == "docker-config.invalid-json" and problem.status == "FAIL"
    assert str(problem).startswith("docker_users_proxy: /home/dev/.docker/config.json is not valid JSON (Expecting")
    assert "Fix: correct it or move it away" in str(problem)
    assert config_problems(validate(CORP_PROXY), facts([bad])) == []  # the setting off: not the deploy's to touch
    [missing] = config_problems(validate(ON), facts([]))
    assert "python3 is missing" in str(missing) and missing.id == "docker-config.no-python"


def test_the_digest_python3_made_on_a_twin_is_the_deploys():
    """tests/facts/HostSnapshot/debian-12-docker-users-proxy.json: captured after this proxy merged into dev's file."""
    case = json.loads((Path(__file__).parents[1] / "facts/HostSnapshot/debian-12-docker-users-proxy.json").read_text())
    configs = case["value"]["docker_configs"]
    proxy = {"http_proxy": "http://proxy.corp.example:3128", "https_proxy": "http://proxy.corp.example:3128"}
    wanted = digest(wanted_default(validate({**proxy, "docker_users_proxy": True})))
    assert configs["recorded"] == ["dev"] and configs["configs"]["dev"]["digest"] == wanted
    assert not needs_change(configs["configs"]["dev"], wanted, recorded=True)
    assert "ZGV2OmRldi10b2tlbg==" not in json.dumps(case["output"]), "the file's tokens left the host"


def test_a_file_is_replaced_through_a_temp_beside_it_fsynced_renamed_then_its_folder_fsynced(tmp_path):
    path = tmp_path / "config.json"
    path.write_text("{}\n")
    killed = tmp_path / ".config.json.abcdefgh~"
    killed.write_text("{")
    os.utime(killed, (time.time() - 300,) * 2)
    code = (f"import runpy; runpy.run_path({str(FILES / 'docker-config.py')!r})['replaced']"
            f"({str(path)!r}, b'{{\"proxies\": {{}}}}\\n', 0o640)")
    [(_, temp), *rest] = events = fsyncs_and_renames([sys.executable, "-c", code], tmp_path / "strace")
    assert temp.parent == tmp_path and temp.name.startswith(".config.json.") and temp.name.endswith("~"), events
    assert rest == [("rename", temp, path), ("fsync", tmp_path)]
    assert path.read_text() == '{"proxies": {}}\n' and stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir() if p.name != "strace"] == ["config.json"]


def test_doctor_tells_a_file_the_deploy_cannot_change_as_the_preflight_stops_on_it():
    invalid = users_configs({"state": "invalid", "reason": "Expecting value: line 1 column 1 (char 0)"})
    r = check("docker-config.proxy", USERS_PROXY, docker_configs=invalid)
    assert (r.status, r.id) == ("FAIL", "docker-config.invalid-json")
    assert r.found == ("/home/alice/.docker/config.json is not valid JSON (Expecting value: line 1 column 1 "
                       "(char 0)), so the deploy cannot change its proxies")
    assert r.fix == "correct it or move it away (docker reads it too), then rerun the deploy"
    assert check("docker-config.proxy", USERS_PROXY, docker_configs=users_configs()).id == "docker-config.no-python"
    # A file that takes the proxy passes; with the setting off and no record, the check does not apply.
    fine = users_configs({"state": "json", "digest": None})
    assert check("docker-config.proxy", USERS_PROXY, docker_configs=fine).status == "PASS"
    assert check("docker-config.proxy", docker_configs=invalid).status == "INFO"
